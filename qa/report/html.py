"""A single self-contained static HTML page: run header, summary, and a table of assets with
their findings. No scripts, no external assets (a CSP meta tag forbids loading any), every
value HTML-escaped, so a report about hostile file names is safe to open.
"""
from __future__ import annotations

from html import escape
from typing import Any

from qa.report._common import fmt_region, fmt_size, fmt_value, report_data, summary_line, waiver_text
from qa.types import Report

CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1d1d1f;background:#fff}
h1{font-size:20px;margin:0 0 4px} .meta{color:#555;margin:0 0 16px}
table{border-collapse:collapse;width:100%;margin:12px 0}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f4f4f6} td.num{text-align:right;font-variant-numeric:tabular-nums}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
.status-pass{color:#1a7f37;font-weight:600} .status-fail{color:#cf222e;font-weight:600}
.status-error{color:#fff;background:#cf222e;font-weight:600}
.sev-error{color:#cf222e;font-weight:600} .sev-warning{color:#9a6700;font-weight:600} .sev-info{color:#0969da}
tr.waived td{color:#777;text-decoration:line-through} tr.waived td.waiver{text-decoration:none}
.asset td{background:#fafafa;font-weight:600}
""".strip()


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def _kv_table(rows: list[tuple[str, Any]]) -> list[str]:
    out = ["<table class=\"kv\">"]
    out += [f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows]
    out.append("</table>")
    return out


def render(report: Report) -> str:
    data = report_data(report)
    rules = data["rules"]
    s = data["summary"]
    models = ", ".join(f"{k}={v}" for k, v in sorted(data.get("models", {}).items())) or "none"
    out = [
        "<!DOCTYPE html>",
        "<html lang=\"en\">",
        "<head>",
        "<meta charset=\"utf-8\">",
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
        f"<title>assetqa report {_e(data.get('report_id', ''))}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<h1>assetqa report</h1>",
        f"<p class=\"meta\">{_e(summary_line(data))}</p>",
    ]
    out += _kv_table([
        ("Tool", f"{data['tool'].get('name', 'assetqa')} {data['tool'].get('version')}"),
        ("Created", data.get("created", "")),
        ("Report id", data.get("report_id", "")),
        ("Rules", f"{rules.get('name')} (hash {rules.get('hash')})"),
        ("Rules file", rules.get("path") or "-"),
        ("Fail on", rules.get("fail_on")),
        ("Models", models),
        ("Device", data.get("device") or "-"),
    ])
    out += [
        "<h2>Summary</h2>",
        "<table class=\"summary\"><tr><th>Assets</th><th>Passed</th><th>Failed</th><th>Errored</th>"
        "<th>Errors</th><th>Warnings</th><th>Info</th><th>Waived</th></tr>",
        "<tr>" + "".join(f"<td class=\"num\">{_e(v)}</td>" for v in (
            s["assets"], s["passed"], s["failed"], s["errored"], s["findings"]["error"], s["findings"]["warning"],
            s["findings"]["info"], s["waived"])) + "</tr></table>",
        "<h2>Assets</h2>",
        "<table class=\"assets\">",
        "<thead><tr><th>Code</th><th>Severity</th><th>Check</th><th>Message</th><th>Score</th><th>Value</th>"
        "<th>Threshold</th><th>Region</th><th>Fix / waiver</th></tr></thead>",
        "<tbody>",
    ]
    for asset in data["assets"]:
        status = asset["status"]
        sha = asset.get("sha256") or "-"
        out.append(
            f"<tr class=\"asset\"><td colspan=\"9\"><code>{_e(asset['path'])}</code> "
            f"<span class=\"status-{_e(status)}\">{_e(status.upper())}</span> "
            f"{_e(fmt_size(asset))} {_e(asset.get('format') or '')} "
            f"<code title=\"sha256\">{_e(sha[:12])}</code> ({len(asset['findings'])} finding(s))</td></tr>"
        )
        for f in asset["findings"]:
            waived = bool(f.get("waived"))
            note = f"waived: {waiver_text(f.get('waiver'))}" if waived else (f.get("fix") or "")
            out.append(
                f"<tr class=\"finding{' waived' if waived else ''}\">"
                f"<td><code>{_e(f['code'])}</code></td>"
                f"<td class=\"sev-{_e(f['severity'])}\">{_e(f['severity'])}</td>"
                f"<td>{_e(f['check'])}</td>"
                f"<td>{_e(f['message'])}</td>"
                f"<td class=\"num\">{f['score']:.2f}</td>"
                f"<td>{_e(fmt_value(f.get('value')))}</td>"
                f"<td>{_e(fmt_value(f.get('threshold')))}</td>"
                f"<td>{_e(fmt_region(f.get('region')))}</td>"
                f"<td class=\"waiver\">{_e(note)}</td></tr>"
            )
    out += ["</tbody>", "</table>", "</body>", "</html>"]
    return "\n".join(out) + "\n"
