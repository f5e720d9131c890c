"""End-to-end CLI: exit codes, formats, rules docs, validate-rules, interrupt-safe outputs."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from qa.cli import main
from tests.conftest import file_hashes


def test_check_exit_codes_and_json_report(tmp_path, photo_folder, capsys):
    out = tmp_path / "report.json"
    code = main(["check", str(photo_folder), "--rules", "social-square", "--select", "FMT,RES",
                 "--format", "json", "-o", str(out)])
    assert code == 1
    report = json.loads(out.read_text())
    assert report["tool"]["name"] == "assetqa" and report["rules"]["hash"]
    statuses = {Path(a["path"]).name: a["status"] for a in report["assets"]}
    assert statuses == {"square.jpg": "pass", "small.png": "fail", "empty.jpg": "error", "truncated.jpg": "error"}
    for asset in report["assets"]:
        assert {"path", "sha256", "width", "height", "status", "findings"} <= set(asset)
        for f in asset["findings"]:
            assert {"code", "check", "severity", "message", "score", "value", "threshold"} <= set(f)
            assert 0.0 <= f["score"] <= 1.0


def test_clean_folder_exits_zero_and_exit_zero_flag(tmp_path, photo_folder):
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "square.jpg").write_bytes((photo_folder / "square.jpg").read_bytes())
    assert main(["check", str(clean), "--rules", "social-square", "--select", "FMT,RES"]) == 0
    assert main(["check", str(photo_folder), "--rules", "social-square", "--select", "RES", "--exit-zero"]) == 0


def test_usage_and_config_errors_exit_two(tmp_path, capsys):
    assert main(["check", str(tmp_path / "missing")]) == 2
    assert "no such file" in capsys.readouterr().err
    bad = tmp_path / "bad.yaml"
    bad.write_text("checks:\n  resolution:\n    min_widht: 3\n")
    assert main(["check", str(tmp_path), "--rules", str(bad)]) == 2
    assert "min_widht" in capsys.readouterr().err
    assert main(["validate-rules", str(bad)]) == 2
    assert main(["check"]) == 2
    assert main(["rule", "XYZ999"]) == 2


@pytest.mark.parametrize("fmt", ["text", "json", "jsonl", "sarif", "junit", "github", "gitlab", "html"])
def test_every_format_renders_from_a_real_run(tmp_path, photo_folder, fmt, capsys):
    code = main(["check", str(photo_folder), "--rules", "social-square", "--select", "FMT,RES", "--format", fmt,
                 "--no-cache"])
    assert code == 1
    out = capsys.readouterr().out
    assert "small.png" in out or fmt == "github" and "::error" in out
    if fmt in ("json", "sarif", "gitlab"):
        json.loads(out)


def test_rules_and_rule_docs(capsys):
    assert main(["rules"]) == 0
    listing = capsys.readouterr().out
    assert "RES001" in listing and "FMT001" in listing
    assert main(["rule", "res002"]) == 0
    doc = capsys.readouterr().out
    assert "## What it does" in doc and "## Why is this bad?" in doc and "aspect_ratio" in doc


def test_cli_never_modifies_inputs_and_cached_rerun(tmp_path, photo_folder):
    before = file_hashes(photo_folder)
    for _ in range(2):
        main(["check", str(photo_folder), "--rules", "social-square", "--select", "FMT,RES", "-f", "json",
              "-o", str(tmp_path / "r.json")])
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["summary"]["cached"] == 4
    assert file_hashes(photo_folder) == before


def test_refuses_to_write_report_over_an_input(tmp_path, photo_folder):
    target = photo_folder / "square.jpg"
    before = target.read_bytes()
    code = main(["check", str(photo_folder), "--select", "RES", "-f", "json", "-o", str(target)])
    assert code == 2
    assert target.read_bytes() == before


def test_console_script_runs_without_traceback(tmp_path):
    (tmp_path / "junk.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 50)
    proc = subprocess.run([sys.executable, "-m", "qa.cli", "check", str(tmp_path), "--select", "FMT"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "junk.png" in proc.stdout and "FMT001" in proc.stdout
