"""`assetqa dashboard` argument handling (the server itself is covered by the browser test)."""
from __future__ import annotations

import argparse

from qa import cli_dashboard
from tests._dashboard_fixture import make_campaign


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="assetqa")
    sub = parser.add_subparsers(dest="command")
    cli_dashboard.register(sub)
    return parser.parse_args(["dashboard", *argv])


def test_report_argument_sets_environment(tmp_path, monkeypatch):
    report, _ = make_campaign(tmp_path / "camp")
    monkeypatch.chdir(tmp_path)
    args = _parse([str(report), "--signoffs", "s.db", "--reviewers", "ann,bob", "--port", "9999"])
    assert args.func is cli_dashboard.run
    env, err = cli_dashboard.build_env(args)
    assert err is None
    assert env["ASSETQA_REPORT"] == str(report.resolve())
    assert env["ASSETQA_ROOT"] == str(tmp_path.resolve())  # a report: root = current directory
    assert env["ASSETQA_SIGNOFFS"] == str((tmp_path / "s.db").resolve())
    assert env["ASSETQA_REVIEWERS"] == "ann,bob"
    cmd = cli_dashboard.streamlit_command(args)
    assert cmd[1:4] == ["-m", "streamlit", "run"] and cmd[4].endswith("dashboard/app.py")
    assert "9999" in cmd and "127.0.0.1" in cmd


def test_folder_with_report_uses_it_and_roots_there(tmp_path):
    report, _ = make_campaign(tmp_path / "camp")
    env, err = cli_dashboard.build_env(_parse([str(tmp_path / "camp")]))
    assert err is None
    assert env["ASSETQA_REPORT"] == str(report.resolve())
    assert env["ASSETQA_ROOT"] == str((tmp_path / "camp").resolve())
    assert env["ASSETQA_SIGNOFFS"] == str((tmp_path / "camp" / "signoffs.db").resolve())


def test_folder_without_report_explains_with_no_check(tmp_path, capsys):
    (tmp_path / "assets").mkdir()
    rc = cli_dashboard.run(_parse([str(tmp_path / "assets"), "--no-check"]))
    assert rc == 2
    err = capsys.readouterr().err
    assert "assetqa check" in err and "--format json -o" in err


def test_missing_target_is_a_usage_error(tmp_path, capsys):
    assert cli_dashboard.run(_parse([str(tmp_path / "nope.json")])) == 2
    assert "no such report or folder" in capsys.readouterr().err


def test_check_honours_dashboard_waivers_until_pixels_change(tmp_path, monkeypatch):
    """The CI loop: a finding fails `assetqa check`; a reviewer waives it (as the dashboard
    does); `check --signoffs` passes; editing the pixels makes it fail again."""
    import json

    import numpy as np
    from PIL import Image

    from qa.cli import main
    from qa.signoffs import Decision, SignoffStore

    monkeypatch.chdir(tmp_path)
    (tmp_path / "camp").mkdir()
    img = np.full((120, 160, 3), 90, np.uint8)
    Image.fromarray(img).save(tmp_path / "camp" / "small.png")
    db = tmp_path / "signoffs.db"
    base = ["check", "camp", "--select", "RES", "--no-cache", "--format", "json"]
    assert main([*base, "-o", "r1.json", "--signoffs", str(db)]) == 1
    asset = json.loads((tmp_path / "r1.json").read_text())["assets"][0]
    codes = {f["code"] for f in asset["findings"] if f["severity"] == "error"}
    assert codes, asset
    store = SignoffStore(db)
    for code in codes:
        store.record(Decision("waive", asset["sha256"], "ann", code=code, comment="thumbnail-only placement",
                              asset_path=asset["path"]))
    assert main([*base, "-o", "r2.json", "--signoffs", str(db)]) == 0
    waived = json.loads((tmp_path / "r2.json").read_text())["assets"][0]["findings"]
    assert all(f.get("waived") and f["waiver"]["reviewer"] == "ann" for f in waived if f["code"] in codes)
    img[0, 0] = 91  # one pixel changes -> new sha256 -> the waiver no longer applies
    Image.fromarray(img).save(tmp_path / "camp" / "small.png")
    assert main([*base, "-o", "r3.json", "--signoffs", str(db)]) == 1
