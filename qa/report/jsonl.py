"""JSON Lines: the canonical report split into one JSON object per line, for streaming and `jq`.

Line 1 is `{"type": "run", ...}` (every top-level key of the JSON report except `assets`
and `summary`), then one `{"type": "asset", ...}` line per asset (the asset dict of the
JSON report, findings included), and a last `{"type": "summary", ...}` line. It is
lossless: `qa.report.load_report` reads it back into the same Report.
"""
from __future__ import annotations

import json as _json
from typing import Any

from qa.report._common import report_data
from qa.types import Report


def _line(obj: dict[str, Any]) -> str:
    return _json.dumps(obj, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def render(report: Report) -> str:
    data = report_data(report)
    run = {"type": "run", **{k: v for k, v in data.items() if k not in ("assets", "summary")}}
    lines = [_line(run)]
    lines += [_line({"type": "asset", **asset}) for asset in data["assets"]]
    lines.append(_line({"type": "summary", **data["summary"]}))
    return "\n".join(lines) + "\n"


def parse(text: str) -> dict[str, Any]:
    """Rebuild the JSON report dict from JSON Lines text (raises ValueError when malformed)."""
    data: dict[str, Any] = {}
    assets: list[dict[str, Any]] = []
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            obj = _json.loads(raw)
        except _json.JSONDecodeError as exc:
            raise ValueError(f"line {number}: invalid JSON ({exc.msg})") from None
        if not isinstance(obj, dict):
            raise ValueError(f"line {number}: expected an object")
        kind = obj.pop("type", None)
        if kind == "run":
            data.update(obj)
        elif kind == "asset":
            assets.append(obj)
        elif kind == "summary":
            data["summary"] = obj
        else:
            raise ValueError(f"line {number}: unknown record type {kind!r}")
    if "tool" not in data:
        raise ValueError("no 'run' record")
    data["assets"] = assets
    return data
