"""End-to-end: `streamlit run dashboard/app.py` on a free local port, driven by a real
headless Chromium (Debian `chromium`, via Playwright's sync API). Two browser sessions
sign off at the same time and nothing is lost. Saves screenshots to tests/artifacts/."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
# asset order in tests/_dashboard_fixture.py's report
ORDER = ["summer/hero.png", "summer/banner.jpg", "winter/story.png", "winter/low-res.png",
         "out/summer/hero.fixed.png"]
REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "tests" / "artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason=f"{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    from tests._dashboard_fixture import make_campaign

    root = tmp_path / "campaign"
    report, shas = make_campaign(root)
    db = tmp_path / "signoffs.db"
    port = _free_port()
    env = {**os.environ, "ASSETQA_EXPORT_DIR": str(tmp_path / "export"),
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    # the real command: `assetqa dashboard REPORT ...` (run through its module so the test does
    # not depend on the console script), which starts `streamlit run dashboard/app.py`
    cmd = [sys.executable, "-m", "qa.cli_dashboard", str(report), "--root", str(root), "--signoffs", str(db),
           "--reviewers", "ann,bob", "--port", str(port), "--no-browser"]
    log = (tmp_path / "streamlit.log").open("w")
    proc = subprocess.Popen(cmd, env=env, cwd=str(tmp_path), stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                    break
            except OSError:
                time.sleep(0.3)
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited: {(tmp_path / 'streamlit.log').read_text()[-2000:]}")
        else:
            pytest.fail("streamlit did not become healthy in 60 s")
        yield {"url": url, "db": db, "shas": shas}
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)  # the CLI and the streamlit server it started
            proc.wait(10)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def _settle(page, timeout=30_000):
    """Wait until the Streamlit script run finished."""
    page.wait_for_timeout(300)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout)


def _sign_in_and_open(page, url, reviewer, asset_name):
    page.goto(url)
    _settle(page)
    page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").click()
    page.get_by_role("option", name=reviewer).click()
    _settle(page)
    idx = ORDER.index(asset_name)  # keyed containers/buttons get a `st-key-<key>` CSS class
    page.locator(f".st-key-open_{idx} button").click()
    _settle(page)
    page.get_by_role("heading", name=asset_name).wait_for(timeout=20_000)
    _images_loaded(page)


def _images_loaded(page):
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stMain\"] img')]"
        ".every(i => i.complete && i.naturalWidth > 0)", timeout=20_000)


def test_browser_approve_and_concurrent_sessions(server):
    from playwright.sync_api import sync_playwright

    from qa.signoffs import SignoffStore

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"])
        try:
            ctx1 = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = ctx1.new_page()
            page.goto(server["url"])
            _settle(page)
            page.locator(".st-key-card_0").wait_for()
            _images_loaded(page)
            page.screenshot(path=str(ARTIFACTS / "dashboard-queue.png"), full_page=True)

            # session 1: open the failing hero image and approve it
            _sign_in_and_open(page, server["url"], "ann", "summer/hero.png")
            page.get_by_role("button", name="Approve").click()
            _settle(page)
            page.get_by_text("Recorded approve").first.wait_for(timeout=20_000)
            page.set_viewport_size({"width": 1400, "height": 2700})
            page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollTo(0, 0)")
            _images_loaded(page)
            page.wait_for_timeout(500)
            page.screenshot(path=str(ARTIFACTS / "dashboard-asset-approved.png"))

            # two sessions decide at the same moment
            ctx2 = browser.new_context(viewport={"width": 1400, "height": 1000})
            page2 = ctx2.new_page()
            _sign_in_and_open(page, server["url"], "ann", "winter/story.png")
            _sign_in_and_open(page2, server["url"], "bob", "winter/low-res.png")
            b1 = page.get_by_role("button", name="Reject")
            b2 = page2.get_by_role("button", name="Request fix")
            b1.click(no_wait_after=True)
            b2.click(no_wait_after=True)
            page.get_by_text("Recorded reject").first.wait_for(timeout=20_000)
            page2.get_by_text("Recorded request fix").first.wait_for(timeout=20_000)
        finally:
            browser.close()

    store = SignoffStore(server["db"])
    shas = server["shas"]
    assert store.latest_for(shas["summer/hero.png"]).action == "approve"
    assert store.latest_for(shas["winter/story.png"]).action == "reject"
    assert store.latest_for(shas["winter/low-res.png"]).action == "request_fix"
    assert store.latest_for(shas["winter/low-res.png"]).reviewer == "bob"
    assert store.count() == 3
    assert (ARTIFACTS / "dashboard-asset-approved.png").stat().st_size > 10_000
