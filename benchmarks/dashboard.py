"""Dashboard responsiveness on a generated 2,000-asset campaign (no models involved).

    python -m benchmarks.dashboard [--assets 2000] [--side 1024]

Measures: report load+index, first queue render (cold thumbnails), a filter change
(warm), opening an asset, recording a decision, and the sign-off export, all through
Streamlit's AppTest (same script, same caches as the served app), on this machine.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--assets", type=int, default=2000)
    ap.add_argument("--side", type=int, default=1024)
    ap.add_argument("--decisions", type=int, default=1000, help="pre-existing decisions in the store")
    args = ap.parse_args()

    from qa.signoffs import Decision, SignoffStore
    from tests._dashboard_fixture import make_campaign
    from dashboard.data import load_report

    out = Path(__file__).resolve().parent / "out" / f"dashboard-{args.assets}-{args.side}"
    with tempfile.TemporaryDirectory() as tmp:
        root = out / "campaign"
        t = time.perf_counter()
        if (root / "report.json").is_file():  # reuse the generated campaign (benchmarks/out is gitignored)
            import json
            report = root / "report.json"
            shas = {a["path"]: a["sha256"] for a in json.loads(report.read_text())["assets"]}
        else:
            report, shas = make_campaign(root, extra=args.assets - 5,
                                         extra_size=(args.side, args.side * 3 // 4))
        gen = time.perf_counter() - t
        db = Path(tmp) / "signoffs.db"
        store = SignoffStore(db)
        for i, sha in enumerate(list(shas.values())[: args.decisions]):
            store.record(Decision("approve", sha, "bench"))
        t = time.perf_counter()
        lr = load_report(report)
        load = time.perf_counter() - t
        os.environ.update(ASSETQA_REPORT=str(report), ASSETQA_ROOT=str(root), ASSETQA_SIGNOFFS=str(db),
                          ASSETQA_REVIEWERS="ann", ASSETQA_EXPORT_DIR=str(Path(tmp) / "export"))
        from streamlit.testing.v1 import AppTest

        app = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")
        at = AppTest.from_file(app, default_timeout=300)
        rows = []

        def timed(label, fn):
            t0 = time.perf_counter()
            fn()
            dt = time.perf_counter() - t0
            assert not at.exception, at.exception
            rows.append((label, dt))

        timed("first queue render (cold thumbnails, 24/page)", at.run)
        timed("rerun, same page (cached)", at.run)
        timed("filter severity=warning", lambda: at.multiselect(key="f_severity").set_value(["warning"]).run())
        timed("next page", lambda: at.number_input(key="page").increment().run())
        key = next(b.key for b in at.button if b.key and b.key.startswith("open_"))
        timed("open asset (overlay render)", lambda: at.button(key=key).click().run())
        at.sidebar.selectbox(key="reviewer").set_value("ann").run()
        timed("approve (write + rerun)", lambda: at.button(key="decide_approve").click().run())
        timed("back to queue", lambda: at.button(key="back").click().run())
        timed("write sign-off CSV+JSON", lambda: at.button(key="export_write").click().run())
        size = report.stat().st_size
        print(f"assets: {args.assets} ({args.side}px JPEG), report {size / 1e6:.1f} MB, "
              f"{args.decisions} prior decisions; generation {gen:.1f} s (not part of the UI)")
        print(f"{'step':55s} seconds")
        print(f"{'load + index report (dashboard.data.load_report)':55s} {load:7.3f}")
        for label, dt in rows:
            print(f"{label:55s} {dt:7.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
