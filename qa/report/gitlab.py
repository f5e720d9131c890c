"""GitLab Code Quality (CodeClimate subset): a JSON array shown in merge requests.

One issue per unwaived finding: `description` ("CODE: message"), `check_name` (the code),
`fingerprint` (unique: SHA-256 of path + "<sha256>:<code>[:n]", 32 hex), `severity`
(error -> major, warning -> minor, info -> info), `location.path` (the asset) with
`lines.begin: 1`, plus `categories` and the fix hint in `content.body`. Waived findings are
left out (GitLab has no suppression state); an asset that errored without a finding gets
one `critical` issue.
"""
from __future__ import annotations

import json as _json
from typing import Any

from qa.report._common import digest, iter_findings, report_data
from qa.types import Report

SEVERITY = {"error": "major", "warning": "minor", "info": "info"}


def build(data: dict[str, Any]) -> list[dict[str, Any]]:
    issues: list[dict[str, Any]] = []
    seen: set[str] = set()
    for asset, f, fingerprint in iter_findings(data):
        if f.get("waived"):
            continue
        fp = digest(f"{asset['path']}\0{fingerprint}")
        n = 1
        while fp in seen:  # the same path twice in one report
            n += 1
            fp = digest(f"{asset['path']}\0{fingerprint}\0{n}")
        seen.add(fp)
        issue: dict[str, Any] = {
            "type": "issue",
            "description": f"{f['code']}: {f['message']}",
            "check_name": f["code"],
            "fingerprint": fp,
            "severity": SEVERITY.get(f["severity"], "minor"),
            "categories": ["Style" if f["severity"] == "info" else "Bug Risk"],
            "location": {"path": asset["path"], "lines": {"begin": 1}},
        }
        if f.get("fix"):
            issue["content"] = {"body": f["fix"]}
        issues.append(issue)
    for asset in data["assets"]:
        if asset["status"] == "error" and not asset["findings"]:
            fp = digest(f"path:{asset['path']}:error")
            if fp not in seen:
                seen.add(fp)
                issues.append({"type": "issue", "description": f"{asset['path']}: the asset could not be checked",
                               "check_name": "FMT001", "fingerprint": fp, "severity": "critical",
                               "categories": ["Bug Risk"], "location": {"path": asset["path"], "lines": {"begin": 1}}})
    return issues


def render(report: Report) -> str:
    return _json.dumps(build(report_data(report)), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
