"""GitHub Actions workflow commands (`::error file=...,title=...::message`) plus a Markdown job summary.

GitHub shows at most 10 error and 10 warning annotations per step (and 10 notices), so
`render` emits the first 10 of each level (errors first, report order), then a plain log
line saying how many were left out and pointing at the SARIF report, which keeps the full
set. Waived findings are not annotated. `step_summary(report)` renders the Markdown summary;
`write_step_summary(report)` appends it to `$GITHUB_STEP_SUMMARY` when that variable is set
(`qa.report.publish(report, "github")` and the CLI's `--format github` do both).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Mapping

from qa.report._common import fmt_size, fmt_value, iter_findings, report_data, summary_line, waiver_text
from qa.types import Report

MAX_PER_LEVEL = 10
MAX_SUMMARY_ROWS = 200
COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def _data(text: Any) -> str:
    return str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: Any) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report) -> str:
    data = report_data(report)
    open_findings = [(a, f) for a, f, _ in iter_findings(data) if not f.get("waived")]
    for asset in data["assets"]:  # an asset that errored without a finding still gets an annotation
        if asset["status"] == "error" and not asset["findings"]:
            open_findings.append((asset, {"code": "FMT001", "severity": "error",
                                          "message": f"{asset['path']}: the asset could not be checked"}))
    lines: list[str] = []
    left_out = 0
    for level in ("error", "warning", "info"):
        selected = [(a, f) for a, f in open_findings if f["severity"] == level]
        for asset, f in selected[:MAX_PER_LEVEL]:
            title = f"{f['code']} ({f.get('check', 'assetqa')})"
            message = f["message"]
            if f.get("threshold") is not None:
                message += f" [value {fmt_value(f.get('value'))}, threshold {fmt_value(f.get('threshold'))}]"
            lines.append(f"::{COMMANDS[level]} file={_prop(asset['path'])},title={_prop(title)}::{_data(message)}")
        left_out += max(0, len(selected) - MAX_PER_LEVEL)
    if left_out:
        lines.append(f"assetqa: {left_out} more finding(s) not annotated (GitHub shows at most {MAX_PER_LEVEL} "
                     "per level); the SARIF report and the job summary have the full set")
    lines.append(summary_line(data))
    return "\n".join(lines) + "\n"


def _md(text: Any) -> str:
    """Escape a table cell: pipes, newlines, and HTML/Markdown-active characters."""
    out = str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")
    for ch in "<>*_`[]":
        out = out.replace(ch, "\\" + ch)
    return out


def step_summary(report: Report) -> str:
    data = report_data(report)
    s = data["summary"]
    sev = s["findings"]
    rules = data["rules"]
    lines = [
        f"## assetqa: {'FAILED' if s['failed'] or s['errored'] else 'passed'}",
        "",
        f"Profile `{_md(rules.get('name'))}` (hash `{_md(str(rules.get('hash'))[:12])}`), fail-on {rules.get('fail_on')}, "
        f"assetqa {_md(data['tool'].get('version'))}",
        "",
        "| Assets | Passed | Failed | Errored | Errors | Warnings | Info | Waived |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {s['assets']} | {s['passed']} | {s['failed']} | {s['errored']} | {sev['error']} | {sev['warning']} "
        f"| {sev['info']} | {s['waived']} |",
    ]
    rows = []
    for asset, f, _ in iter_findings(data):
        note = f"waived: {waiver_text(f.get('waiver'))}" if f.get("waived") else (f.get("fix") or "")
        rows.append(f"| {_md(asset['path'])} | {asset['status']} | {fmt_size(asset)} | {_md(f['code'])} "
                    f"| {f['severity']} | {_md(f['message'])} | {_md(note)} |")
    if rows:
        lines += ["", "| Asset | Status | Size | Code | Severity | Message | Fix / waiver |",
                  "|---|---|---|---|---|---|---|"]
        lines += rows[:MAX_SUMMARY_ROWS]
        if len(rows) > MAX_SUMMARY_ROWS:
            lines += ["", f"{len(rows) - MAX_SUMMARY_ROWS} more finding(s) are in the SARIF/JSON report."]
    lines += ["", summary_line(data)]
    return "\n".join(lines) + "\n"


def write_step_summary(report: Report, env: Mapping[str, str] | None = None) -> Path | None:
    """Append the Markdown summary to `$GITHUB_STEP_SUMMARY`; returns the path, or None when unset
    (or unwritable: then a one-line warning goes to stderr)."""
    target = (os.environ if env is None else env).get("GITHUB_STEP_SUMMARY")
    if not target:
        return None
    path = Path(target)
    try:
        with path.open("a", encoding="utf-8") as fh:
            fh.write(step_summary(report))
    except OSError as exc:  # a summary is a courtesy: never fail or traceback the run for it
        print(f"assetqa: cannot write the job summary to {path}: {exc.strerror or exc}", file=sys.stderr)
        return None
    return path
