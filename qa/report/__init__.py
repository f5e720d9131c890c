"""Report writers: one module per output format, all rendering from the canonical JSON dict.

    from qa.report import render, write, publish, load_report
    text = render(report, "sarif")
    write(report, "junit", "out/assetqa.xml")        # atomic: temp file + fsync + os.replace
    report = load_report("out/assetqa.json")          # JSON (or JSON Lines) back into a Report

Formats: text, json, jsonl, sarif, junit, github, gitlab, html (`FORMATS`). The JSON report
is the canonical artefact; every writer renders from `Report.to_dict()` so none can drift.
"""
from __future__ import annotations

import json as _json
import os
import sys
from pathlib import Path
from typing import Callable, TextIO

from qa.report import github as _github
from qa.report import gitlab as _gitlab
from qa.report import html as _html
from qa.report import json as _json_writer
from qa.report import jsonl as _jsonl
from qa.report import junit as _junit
from qa.report import sarif as _sarif
from qa.report import text as _text
from qa.report.text import render_text
from qa.fsutil import atomic_write_text
from qa.types import Report

WRITERS: dict[str, Callable[[Report], str]] = {
    "text": _text.render,
    "json": _json_writer.render,
    "jsonl": _jsonl.render,
    "sarif": _sarif.render,
    "junit": _junit.render,
    "github": _github.render,
    "gitlab": _gitlab.render,
    "html": _html.render,
}
FORMATS: tuple[str, ...] = tuple(WRITERS)
#: Conventional file extension per format (golden files and default output names use them).
EXTENSIONS: dict[str, str] = {
    "text": "txt", "json": "json", "jsonl": "jsonl", "sarif": "sarif",
    "junit": "xml", "github": "txt", "gitlab": "json", "html": "html",
}


class ReportError(ValueError):
    """A report file that cannot be read; the message names the file and the reason."""


def _writer(fmt: str) -> Callable[[Report], str]:
    try:
        return WRITERS[fmt.lower()]
    except KeyError:
        raise ValueError(f"unknown report format {fmt!r} (expected one of: {', '.join(FORMATS)})") from None


def render(report: Report, fmt: str) -> str:
    """Render `report` in format `fmt` (pure: no files, no environment)."""
    return _writer(fmt)(report)


def write(report: Report, fmt: str, path: str | os.PathLike[str]) -> Path:
    """Render and write atomically; returns the path written."""
    return atomic_write_text(path, render(report, fmt))


def publish(report: Report, fmt: str, path: str | os.PathLike[str] | None = None,
            stream: TextIO | None = None, color: bool = False) -> None:
    """What the CLI does with a report: write it to `path` (atomically) or print it to `stream`
    (stdout); text may be coloured; the github format also appends the Markdown job summary to
    `$GITHUB_STEP_SUMMARY` when that variable is set."""
    fmt = fmt.lower()
    text = render_text(report, color=color) if fmt == "text" else render(report, fmt)
    if path is not None:
        atomic_write_text(path, text)
    else:
        (stream or sys.stdout).write(text)
    if fmt == "github":
        _github.write_step_summary(report)


def load_report(path: str | os.PathLike[str]) -> Report:
    """Read a JSON report (or the JSON Lines form) back into a Report.

    Raises ReportError naming the file and the reason (missing, not JSON, not a report).
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReportError(f"{p}: report file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportError(f"{p}: cannot read report: {exc}") from None
    try:
        data = _json.loads(text)
    except _json.JSONDecodeError as json_exc:
        try:
            data = _jsonl.parse(text)
        except ValueError:
            raise ReportError(f"{p}: not a JSON report (line {json_exc.lineno}: {json_exc.msg})") from None
    if not isinstance(data, dict) or "assets" not in data or "tool" not in data:
        raise ReportError(f"{p}: not an assetqa report (no 'tool'/'assets' keys)")
    version = data.get("schema_version", 1)
    if not isinstance(version, int) or version > 1:
        raise ReportError(f"{p}: report schema_version {version!r} is newer than this assetqa understands (1)")
    try:
        return Report.from_dict(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise ReportError(f"{p}: malformed report: {type(exc).__name__}: {exc}") from None


__all__ = [
    "EXTENSIONS", "FORMATS", "WRITERS", "ReportError", "atomic_write_text", "load_report", "publish",
    "render", "render_text", "write",
]
