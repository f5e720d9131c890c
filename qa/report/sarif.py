"""SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer).

Mapping (see FIELD-NOTES "CI outputs"):
- one run; `tool.driver.rules[]` holds only the rules the results reference (sorted by code),
  generated from the rule declarations: `id` = code, `name`, short/full description from
  `what`/`why`, `help` (text + markdown) with the fix, `defaultConfiguration.level` from the
  rule's default severity; rule family in `properties.check` and `properties.tags`.
- one result per finding: `ruleId`/`ruleIndex`, `level` (error -> error, warning -> warning,
  info -> note), `message.text`, a location on the image file with `region.startLine: 1`
  (GitHub requires a line), `partialFingerprints["assetqa/v1"] = "<sha256>:<code>"` (the key
  sign-offs use; `:<n>` for repeats), the finding's box as `attachments[].rectangles`
  (top/left/bottom/right in image pixels), score/value/threshold/fix in `properties`.
- waived (signed-off) findings stay in the log with `suppressions[{kind: external,
  status: accepted, justification}]`, so GitHub shows them as dismissed, not open.
- `run.artifacts[]` lists every asset (uri, sha-256, size, status); assets that errored
  without a finding become `invocations[0].toolExecutionNotifications`.
- run metadata (created, report id, rules name/hash, models, summary) in `run.properties`.
"""
from __future__ import annotations

import json as _json
import re
from typing import Any
from urllib.parse import quote

from qa.report._common import iter_findings, report_data, rule_table, waiver_text
from qa.types import Report

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
FINGERPRINT_KEY = "assetqa/v1"


def to_uri(path: str) -> str:
    """A SARIF `uri` for a report path: repo-relative paths stay relative (percent-encoded)."""
    p = str(path).replace("\\", "/")
    if re.match(r"^[A-Za-z]:/", p):
        return "file:///" + quote(p, safe="/:")
    if p.startswith("/"):
        return "file://" + quote(p, safe="/")
    return quote(p, safe="/")


def _first_sentence(text: str) -> str:
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z(`])", text.strip(), maxsplit=1)
    return parts[0]


def _rule_descriptor(code: str, rule: Any, check: str) -> dict[str, Any]:
    if rule is None:  # a code the installed declarations do not know (e.g. report from a newer version)
        return {"id": code, "name": code, "shortDescription": {"text": code},
                "properties": {"check": check, "tags": [check]}}
    help_text = f"What it does: {rule.what}\n\nWhy is this bad? {rule.why}"
    help_md = f"**{rule.code} ({rule.name})**\n\n## What it does\n{rule.what}\n\n## Why is this bad?\n{rule.why}"
    if rule.fix:
        safety = rule.fix_safety or "manual"
        help_text += f"\n\nFix: {rule.fix} (fix safety: {safety})"
        help_md += f"\n\n## Fix\n{rule.fix}\n\nFix safety: {safety}" + (f" (fixer: `{rule.fixer}`)" if rule.fixer else "")
    props: dict[str, Any] = {"check": rule.check, "tags": [rule.check]}
    if rule.fix_safety:
        props["fixSafety"] = rule.fix_safety
    if rule.fixer:
        props["fixer"] = rule.fixer
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": _first_sentence(rule.what)},
        "fullDescription": {"text": f"{rule.what} {rule.why}"},
        "help": {"text": help_text, "markdown": help_md},
        "defaultConfiguration": {"level": LEVELS[rule.severity.value]},
        "properties": props,
    }


def _location(asset: dict[str, Any], index: int) -> dict[str, Any]:
    return {"physicalLocation": {"artifactLocation": {"uri": to_uri(asset["path"]), "index": index},
                                 "region": {"startLine": 1}}}


def build(data: dict[str, Any]) -> dict[str, Any]:
    """The SARIF log (a dict) for a canonical report dict."""
    table = rule_table()
    artifacts: list[dict[str, Any]] = []
    art_index: dict[str, int] = {}
    notifications: list[dict[str, Any]] = []
    for asset in data["assets"]:
        if asset["path"] in art_index:
            continue
        art_index[asset["path"]] = len(artifacts)
        art: dict[str, Any] = {"location": {"uri": to_uri(asset["path"])}}
        if asset.get("sha256"):
            art["hashes"] = {"sha-256": asset["sha256"]}
        art["properties"] = {"status": asset["status"], "width": asset.get("width"),
                             "height": asset.get("height"), "format": asset.get("format")}
        artifacts.append(art)
        if asset["status"] == "error" and not asset.get("findings"):
            notifications.append({"level": "error",
                                  "message": {"text": f"{asset['path']}: the asset could not be checked"},
                                  "locations": [_location(asset, art_index[asset["path"]])]})

    findings = list(iter_findings(data))
    codes = sorted({f["code"] for _, f, _ in findings})
    checks = {f["code"]: f["check"] for _, f, _ in findings}
    rules = [_rule_descriptor(code, table.get(code), checks[code]) for code in codes]
    rule_index = {code: i for i, code in enumerate(codes)}

    results: list[dict[str, Any]] = []
    for asset, f, fingerprint in findings:
        index = art_index[asset["path"]]
        result: dict[str, Any] = {
            "ruleId": f["code"],
            "ruleIndex": rule_index[f["code"]],
            "level": LEVELS.get(f["severity"], "warning"),
            "message": {"text": f["message"]},
            "locations": [_location(asset, index)],
            "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
        }
        region = f.get("region")
        if region:
            result["attachments"] = [{
                "description": {"text": f"{f['code']} region in {asset['path']} (image pixels)"},
                "artifactLocation": {"uri": to_uri(asset["path"]), "index": index},
                "rectangles": [{
                    "top": region["y"], "left": region["x"],
                    "bottom": region["y"] + region["h"], "right": region["x"] + region["w"],
                    "message": {"text": f"x={region['x']} y={region['y']} w={region['w']} h={region['h']}"},
                }],
            }]
        if f.get("waived"):
            suppression: dict[str, Any] = {"kind": "external", "status": "accepted",
                                           "justification": waiver_text(f.get("waiver"))}
            if f.get("waiver"):
                suppression["properties"] = {"waiver": f["waiver"]}
            result["suppressions"] = [suppression]
        props: dict[str, Any] = {"check": f["check"], "severity": f["severity"], "score": f["score"],
                                 "value": f.get("value"), "threshold": f.get("threshold"),
                                 "assetSha256": asset.get("sha256")}
        if region:
            props["region"] = region
        if f.get("fix"):
            props["fix"] = f["fix"]
        result["properties"] = props
        results.append(result)

    invocation: dict[str, Any] = {"executionSuccessful": not data.get("interrupted", False)}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    tool = data.get("tool", {})
    run = {
        "tool": {"driver": {"name": tool.get("name", "assetqa"), "version": str(tool.get("version", "?")),
                            "rules": rules}},
        "invocations": [invocation],
        "artifacts": artifacts,
        "results": results,
        "properties": {
            "reportId": data.get("report_id", ""),
            "created": data.get("created", ""),
            "rules": data.get("rules", {}),
            "models": data.get("models", {}),
            "device": data.get("device"),
            "summary": data.get("summary", {}),
        },
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(report: Report) -> str:
    return _json.dumps(build(report_data(report)), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
