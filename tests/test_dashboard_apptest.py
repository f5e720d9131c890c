"""Review dashboard flows driven through Streamlit's AppTest (filter, open, approve,
waive with a required comment, before/after, export), on a generated campaign."""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from qa.signoffs import SignoffStore, load_waivers  # noqa: E402
from tests._dashboard_fixture import make_campaign  # noqa: E402

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"


@pytest.fixture
def campaign(tmp_path, monkeypatch):
    root = tmp_path / "campaign"
    report, shas = make_campaign(root)
    db = tmp_path / "signoffs.db"
    env = {
        "ASSETQA_REPORT": str(report),
        "ASSETQA_ROOT": str(root),
        "ASSETQA_SIGNOFFS": str(db),
        "ASSETQA_REVIEWERS": "ann,bob",
        "ASSETQA_EXPORT_DIR": str(tmp_path / "export"),
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("ASSETQA_FIXES", raising=False)
    return {"root": root, "report": report, "shas": shas, "db": db, "tmp": tmp_path, "env": env}


def _app() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def _open(at: AppTest, path: str) -> AppTest:
    names = [m.value for m in at.markdown]
    report = json.loads(Path(os.environ["ASSETQA_REPORT"]).read_text())
    idx = next(i for i, a in enumerate(report["assets"]) if a["path"] == path)
    at.button(key=f"open_{idx}").click().run()
    assert not at.exception, at.exception
    assert at.header[0].value == path, names
    return at


def _cards(at: AppTest) -> list[str]:
    """One string per queue card: '<name> | <path> | <status line>'."""
    md = [m.value for m in at.markdown]
    return [f"{md[i - 1]} | {v}" for i, v in enumerate(md) if "finding(s)" in v]


def test_queue_lists_and_filters(campaign):
    at = _app()
    assert len(_cards(at)) == 5
    # worst first: the two error assets lead the queue
    assert "hero.png" in _cards(at)[0] or "low-res.png" in _cards(at)[0]
    at.multiselect(key="f_severity").set_value(["error"]).run()
    cards = _cards(at)
    assert len(cards) == 2 and all(":red-badge[error]" in c for c in cards)
    at.multiselect(key="f_severity").set_value([]).run()
    at.multiselect(key="f_check").set_value(["brand_color"]).run()
    assert [c for c in _cards(at)] and all("story.png" in c for c in _cards(at))
    at.multiselect(key="f_check").set_value([]).run()
    at.multiselect(key="f_campaign").set_value(["winter"]).run()
    assert sorted(c.split("**")[1] for c in _cards(at)) == ["low-res.png", "story.png"]
    at.multiselect(key="f_campaign").set_value([]).run()
    at.multiselect(key="f_signoff").set_value(["approved"]).run()
    assert _cards(at) == []
    assert any("No assets match" in i.value for i in at.info)


def test_open_asset_shows_findings_overlays_and_values(campaign):
    at = _open(_app(), "summer/hero.png")
    text = " ".join(m.value for m in at.markdown)
    assert "ANA001" in text and "TXT001" in text
    metrics = {(m.label, m.value) for m in at.metric}
    assert ("measured", "6") in metrics and ("threshold", "5") in metrics
    assert len(at.image) >= 1  # the overlay image
    # hero.png has a fixed version: before/after with containment numbers
    assert any(s.value == "Before / after fix" for s in at.subheader)
    assert ("changed outside region", "0") in {(m.label, m.value) for m in at.metric}
    at.slider(key="cmp_pos").set_value(30).run()
    assert not at.exception
    at.radio(key="cmp_mode").set_value("Side by side").run()
    assert not at.exception


def test_approve_needs_reviewer_and_records_hash(campaign):
    at = _open(_app(), "winter/story.png")
    at.button(key="decide_approve").click().run()
    assert any("Choose who you are" in e.value for e in at.error)
    assert SignoffStore(campaign["db"]).count() == 0
    at.sidebar.selectbox(key="reviewer").set_value("ann").run()
    at.text_area(key="decision_comment").input("colours fine on print proof").run()
    at.button(key="decide_approve").click().run()
    assert not at.exception
    assert any("Recorded approve" in s.value for s in at.success)
    sha = campaign["shas"]["winter/story.png"]
    d = SignoffStore(campaign["db"]).latest_for(sha)
    assert d is not None and d.action == "approve" and d.reviewer == "ann" and d.auth == "list"
    assert d.report_id == "rep-test-1" and d.comment == "colours fine on print proof"
    # back in the queue the asset shows as approved and the filter finds it
    at.button(key="back").click().run()
    at.multiselect(key="f_signoff").set_value(["approved"]).run()
    cards = _cards(at)
    assert len(cards) == 1 and "story.png" in cards[0] and "badge[:material/check_circle: approved]" in cards[0]


def test_waive_requires_comment_then_ci_honours_it(campaign):
    at = _open(_app(), "summer/hero.png")
    at.sidebar.selectbox(key="reviewer").set_value("bob").run()
    sha = campaign["shas"]["summer/hero.png"]
    at.button(key="waive_TXT001").click().run()
    assert any("comment is required" in e.value for e in at.error)
    assert load_waivers(campaign["db"]) == {}
    at.text_input(key=f"waive_comment_{sha[:12]}_TXT001").input("stylised headline, approved by legal").run()
    at.button(key="waive_TXT001").click().run()
    assert not at.exception
    waivers = load_waivers(campaign["db"])
    assert set(waivers) == {(sha, "TXT001")}
    assert waivers[(sha, "TXT001")]["reviewer"] == "bob"
    assert "legal" in waivers[(sha, "TXT001")]["comment"]
    assert any("waive by bob" in i.value for i in at.info)
    # revoke ends the waiver
    at.button(key="revoke_TXT001").click().run()
    assert load_waivers(campaign["db"]) == {}


def test_edited_file_blocks_decisions(campaign):
    at = _open(_app(), "winter/low-res.png")
    at.sidebar.selectbox(key="reviewer").set_value("ann").run()
    (campaign["root"] / "winter/low-res.png").write_bytes(
        (campaign["root"] / "summer/banner.jpg").read_bytes())
    at.run()
    assert any("changed since this report" in w.value for w in at.warning)
    assert at.button(key="decide_approve").disabled


def test_export_csv_and_json(campaign):
    store = SignoffStore(campaign["db"])
    from qa.signoffs import Decision
    sha = campaign["shas"]["summer/banner.jpg"]
    store.record(Decision("approve", sha, "ann", report_id="rep-test-1", asset_path="summer/banner.jpg"))
    at = _app()
    assert {b.label for b in at.get("download_button")} == {"Download CSV", "Download JSON"}
    at.button(key="export_write").click().run()
    assert not at.exception
    out = campaign["tmp"] / "export"
    rows = list(csv.DictReader((out / "signoff-rep-test-1.csv").open()))
    banner = [r for r in rows if r["asset_path"] == "summer/banner.jpg"]
    assert banner and banner[0]["signoff"] == "approved" and banner[0]["reviewer"] == "ann"
    hero = [r for r in rows if r["asset_path"] == "summer/hero.png"]
    assert {r["code"] for r in hero} == {"ANA001", "TXT001"}
    doc = json.loads((out / "signoff-rep-test-1.json").read_text())
    assert doc["report_id"] == "rep-test-1" and doc["summary"]["assets"] == 5
    assert doc["summary"]["by_signoff"]["approved"] == 1
    assert doc["decisions"][0]["sha256"] == sha


def test_missing_report_is_a_clear_error(campaign, monkeypatch):
    monkeypatch.setenv("ASSETQA_REPORT", str(campaign["tmp"] / "nope.json"))
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception
    assert any("Cannot open the report" in e.value for e in at.error)


def test_paths_outside_root_are_not_served(campaign, tmp_path):
    from dashboard.data import safe_path
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"x")
    root = campaign["root"]
    assert safe_path(root, "summer/hero.png") == (root / "summer/hero.png").resolve()
    assert safe_path(root, "../secret.png") is None
    assert safe_path(root, str(secret)) is None
    (root / "link.png").symlink_to(secret)
    assert safe_path(root, "link.png") is None  # a symlink escaping the root is refused


def test_ui_process_never_imports_torch(campaign):
    """Run the app (queue and asset view) in a fresh interpreter and inspect sys.modules."""
    code = (
        "import sys, json\n"
        "from streamlit.testing.v1 import AppTest\n"
        f"at = AppTest.from_file({str(APP)!r}, default_timeout=60); at.run()\n"
        "at.button(key='open_0').click().run()\n"
        "assert not at.exception, at.exception\n"
        "print(json.dumps({m: m in sys.modules for m in ('torch', 'torchvision', 'easyocr', 'mediapipe',"
        " 'open_clip', 'cv2')}))\n"
    )
    env = {**os.environ, **campaign["env"]}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          cwd=str(APP.parent.parent), timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    loaded = json.loads(proc.stdout.strip().splitlines()[-1])
    assert loaded == {k: False for k in loaded}, loaded


def test_oidc_configured_requires_login(campaign):
    """With `[auth]` in secrets the app asks for OIDC login before showing the queue."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x",
                          "client_id": "id", "client_secret": "s",
                          "server_metadata_url": "https://example.invalid/.well-known/openid-configuration"}
    at.run()
    assert not at.exception
    assert any("Sign in" in i.value for i in at.info)
    assert [b.label for b in at.button] == ["Log in"]
    assert not _cards(at)


def test_two_sessions_interleaved_lose_nothing(campaign):
    """Two reviewer sessions open at once; each decision lands, none overwrites another."""
    s1, s2 = _app(), _app()
    _open(s1, "summer/hero.png")
    _open(s2, "summer/hero.png")
    s1.sidebar.selectbox(key="reviewer").set_value("ann").run()
    s2.sidebar.selectbox(key="reviewer").set_value("bob").run()
    sha = campaign["shas"]["summer/hero.png"]
    s1.text_input(key=f"waive_comment_{sha[:12]}_ANA001").input("hand is a glove prop").run()
    s2.button(key="decide_request_fix").click().run()
    s1.button(key="waive_ANA001").click().run()
    s2.button(key="decide_approve").click().run()
    log = SignoffStore(campaign["db"]).decisions(sha256=sha)
    assert [(d.reviewer, d.action, d.code) for d in log] == [
        ("bob", "request_fix", None), ("ann", "waive", "ANA001"), ("bob", "approve", None)]
    s1.run()  # session 1 sees session 2's decision on its next run
    assert any("approve" in i.value and "bob" in i.value for i in s1.info)


def test_pagination(campaign, monkeypatch):
    monkeypatch.setenv("ASSETQA_PAGE_SIZE", "4")
    at = _app()
    assert len(_cards(at)) == 4
    at.number_input(key="page").increment().run()
    assert len(_cards(at)) == 1
    at.multiselect(key="f_status").set_value(["fail"]).run()  # fewer pages: back to page 1
    assert at.number_input(key="page").value == 1 and len(_cards(at)) == 3


def test_errored_and_odd_assets_render(campaign):
    """An asset that failed to decode (no sha256), a missing file and a path outside the root
    show as such; nothing raises."""
    report = json.loads(campaign["report"].read_text())
    (campaign["root"] / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    report["assets"] += [
        {"path": "broken.png", "sha256": None, "width": None, "height": None, "format": None,
         "status": "error", "cached": False,
         "findings": [{"code": "FMT001", "check": "format", "severity": "error",
                       "message": "broken.png: truncated PNG", "score": 0.0}]},
        {"path": "gone.png", "sha256": "f" * 64, "width": 10, "height": 10, "status": "pass", "findings": []},
        {"path": "../outside.png", "sha256": "e" * 64, "width": 10, "height": 10, "status": "pass",
         "findings": []},
    ]
    campaign["report"].write_text(json.dumps(report))
    (campaign["root"].parent / "outside.png").write_bytes((campaign["root"] / "summer/banner.jpg").read_bytes())
    at = _app()
    assert len(_cards(at)) == 8
    for path in ("broken.png", "gone.png", "../outside.png"):
        at.session_state["open"] = next(i for i, a in enumerate(report["assets"]) if a["path"] == path)
        at.run()
        assert not at.exception, (path, at.exception)
        assert at.header[0].value == path
        assert at.button(key="decide_approve").disabled
    assert any("outside the campaign root" in e.value for e in at.error)
