"""Shared helpers for the report writers.

Every writer renders from `report_data(report)` (the canonical `Report.to_dict()`, with
non-finite floats made JSON-safe), never from the dataclasses, so formats cannot drift
from the JSON report.
"""
from __future__ import annotations

import hashlib
import math
from typing import Any, Iterator

from qa.types import Report

SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


def report_data(report: Report) -> dict[str, Any]:
    """The canonical report dict, safe for strict JSON (NaN/inf become null)."""
    return _finite(report.to_dict())


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def rank(severity: str) -> int:
    return SEVERITY_RANK.get(str(severity), 0)


def fails(finding: dict[str, Any], fail_on: str) -> bool:
    """Whether an (unwaived) finding is at or above the run's `fail_on` level."""
    return not finding.get("waived") and rank(finding["severity"]) >= rank(fail_on)


def iter_findings(data: dict[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any], str]]:
    """Yield (asset, finding, fingerprint) in report order.

    The fingerprint is `<sha256>:<code>` (the key sign-offs use), with `:<n>` appended for
    the n-th (n >= 2) finding of the same code on the same asset; assets without a hash
    (unreadable files) use their path instead.
    """
    for asset in data.get("assets", []):
        seen: dict[str, int] = {}
        for finding in asset.get("findings", []):
            code = finding["code"]
            seen[code] = seen.get(code, 0) + 1
            key = asset_key(asset)
            fp = f"{key}:{code}" if seen[code] == 1 else f"{key}:{code}:{seen[code]}"
            yield asset, finding, fp


def asset_key(asset: dict[str, Any]) -> str:
    return asset.get("sha256") or ("path:" + str(asset.get("path")))


def digest(text: str, length: int = 32) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def fmt_value(value: Any) -> str:
    """Compact, deterministic text for a finding's value/threshold."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list):
        return "[" + ", ".join(fmt_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {fmt_value(v)}" for k, v in value.items()) + "}"
    return str(value)


def fmt_region(region: dict[str, Any] | None) -> str:
    if not region:
        return ""
    return f"x={region['x']} y={region['y']} w={region['w']} h={region['h']}"


def fmt_size(asset: dict[str, Any]) -> str:
    if asset.get("width") is None or asset.get("height") is None:
        return "?x?"
    return f"{asset['width']}x{asset['height']}"


def waiver_text(waiver: dict[str, Any] | None) -> str:
    """A one-line justification from a sign-off record (whatever keys it carries)."""
    waiver = waiver or {}
    reason = next((str(waiver[k]) for k in ("justification", "reason", "note", "comment") if waiver.get(k)), "")
    who = next((str(waiver[k]) for k in ("by", "reviewer", "user", "author") if waiver.get(k)), "")
    text = reason or "signed off"
    if who:
        text += f" (by {who})"
    return text


def summary_line(data: dict[str, Any]) -> str:
    s = data.get("summary", {})
    sev = s.get("findings", {})
    n = s.get("assets", 0)
    line = (
        f"{n} asset{'' if n == 1 else 's'}: {s.get('passed', 0)} passed, {s.get('failed', 0)} failed, "
        f"{s.get('errored', 0)} errored; findings: {sev.get('error', 0)} error, {sev.get('warning', 0)} warning, "
        f"{sev.get('info', 0)} info, {s.get('waived', 0)} waived (fail-on: {data.get('rules', {}).get('fail_on', '?')})"
    )
    if s.get("seconds"):
        line += f" in {s['seconds']:.2f}s"
    if data.get("interrupted"):
        line += " [interrupted: partial report]"
    return line


def rule_table() -> dict[str, Any]:
    """code -> Rule from the declarations (imports the checker modules; no models)."""
    from qa.registry import all_rules

    return {r.code: r for r in all_rules()}


def families_of_codes(codes: list[str]) -> list[str]:
    """Check families that the selected rule codes belong to (sorted)."""
    if not codes:
        return []
    table = rule_table()
    return sorted({table[c].check for c in codes if c in table})
