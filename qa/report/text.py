"""Human-readable text: findings grouped by asset, then a summary line.

Assets that passed with no findings are not listed (as linters do); the summary line
counts every asset. Colour (ANSI) only when the caller asks (`render_text(report, color=True)`);
the CLI decides from its `--color` flag / TTY. `render(report)` never colours.

    hero/banner.png  640x360  FAIL
      RES001  error    width 640 is below the minimum 1080  [score 0.59, value 640, threshold 1080]
              fix: Upscale to the needed factor ...
"""
from __future__ import annotations

from typing import Any

from qa.report._common import fmt_region, fmt_size, fmt_value, report_data, summary_line, waiver_text
from qa.types import Report

_RESET = "\033[0m"
_STYLE = {
    "error": "\033[31m",  # red
    "warning": "\033[33m",  # yellow
    "info": "\033[36m",  # cyan
    "fail": "\033[1;31m",
    "pass": "\033[32m",
    "bold": "\033[1m",
    "dim": "\033[2m",
}


def _paint(text: str, style: str, color: bool) -> str:
    return f"{_STYLE[style]}{text}{_RESET}" if color else text


def _clean(text: Any) -> str:
    """One line, no control characters (a hostile file name must not drive the terminal)."""
    return "".join(ch if ch.isprintable() else "?" for ch in str(text).replace("\n", " ").replace("\r", " "))


def render_text(report: Report, color: bool = False) -> str:
    data = report_data(report)
    lines: list[str] = []
    for asset in data["assets"]:
        findings = asset["findings"]
        status = asset["status"]
        if status == "pass" and not findings:
            continue
        label = {"pass": "pass", "fail": "FAIL", "error": "ERROR"}.get(status, status)
        label = _paint(label, {"pass": "pass", "fail": "fail", "error": "fail"}.get(status, "bold"), color)
        lines.append(f"{_paint(_clean(asset['path']), 'bold', color)}  {fmt_size(asset)}  {label}")
        for f in findings:
            sev = _paint(f"{f['severity']:<8}", f["severity"] if f["severity"] in _STYLE else "bold", color)
            meta = f"[score {f['score']:.2f}, value {_clean(fmt_value(f.get('value')))}, " \
                   f"threshold {_clean(fmt_value(f.get('threshold')))}]"
            head = f"  {f['code']:<7} {sev} {_clean(f['message'])}  {_paint(meta, 'dim', color)}"
            if f.get("waived"):
                head += "  " + _paint(f"(waived: {_clean(waiver_text(f.get('waiver')))})", "dim", color)
            lines.append(head)
            if f.get("region"):
                lines.append(f"          region: {fmt_region(f['region'])}")
            if f.get("fix") and not f.get("waived"):
                lines.append(f"          fix: {_clean(f['fix'])}")
        lines.append("")
    lines.append(_paint(summary_line(data), "bold", color))
    return "\n".join(lines) + "\n"


def render(report: Report) -> str:
    return render_text(report, color=False)
