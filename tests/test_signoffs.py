"""Sign-off store: append-only log, hash binding, waivers for CI, exports, concurrency."""
from __future__ import annotations

import csv
import hashlib
import json
import multiprocessing as mp
import sqlite3
import sys
import threading

import pytest

from qa.signoffs import Decision, SignoffError, SignoffStore, apply_waivers, load_waivers

A = hashlib.sha256(b"asset-a").hexdigest()
B = hashlib.sha256(b"asset-b").hexdigest()


def test_record_and_latest(tmp_path):
    s = SignoffStore(tmp_path / "s.db")
    d = s.record(Decision("approve", A, "ann", report_id="r1", asset_path="a.png"))
    assert d.id == 1 and d.created.endswith("Z")
    assert s.latest_for(A).action == "approve"
    assert s.latest_for(A, "RES001") is None
    s.record(Decision("reject", A, "bob", comment="logo clipped"))
    assert s.latest_for(A).reviewer == "bob"
    s.record(Decision("revoke", A, "bob"))
    assert s.latest_for(A).reviewer == "ann"  # revoke cancels the last decision only
    assert [x.action for x in s.decisions(sha256=A)] == ["approve", "reject", "revoke"]
    assert s.latest_for(B) is None


def test_validation(tmp_path):
    s = SignoffStore(tmp_path / "s.db")
    with pytest.raises(SignoffError, match="comment"):
        s.record(Decision("waive", A, "ann", code="TXT001", comment="   "))
    with pytest.raises(SignoffError, match="finding code"):
        s.record(Decision("waive", A, "ann", comment="fine"))
    with pytest.raises(SignoffError, match="unknown action"):
        s.record(Decision("ship_it", A, "ann"))
    with pytest.raises(SignoffError, match="sha256"):
        s.record(Decision("approve", "abc", "ann"))
    with pytest.raises(SignoffError, match="reviewer"):
        s.record(Decision("approve", A, " "))
    assert s.count() == 0


def test_append_only(tmp_path):
    db = tmp_path / "s.db"
    s = SignoffStore(db)
    s.record(Decision("approve", A, "ann"))
    conn = sqlite3.connect(db)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE decisions SET action = 'reject'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM decisions")
    conn.rollback()
    conn.close()
    assert SignoffStore(db).latest_for(A).action == "approve"
    assert sqlite3.connect(db).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_waivers_bound_to_content_hash(tmp_path):
    db = tmp_path / "s.db"
    assert load_waivers(db) == {}  # no database: no waivers, and nothing is created
    assert not db.exists()
    s = SignoffStore(db)
    s.record(Decision("waive", A, "ann", code="TXT001", comment="stylised font", report_id="r1"))
    s.record(Decision("waive", A, "ann", code="BRD001", comment="seasonal palette"))
    s.record(Decision("approve", A, "ann"))  # asset-level decisions are not waivers
    w = load_waivers(db)
    assert set(w) == {(A, "TXT001"), (A, "BRD001")}
    assert w[(A, "TXT001")]["comment"] == "stylised font" and w[(A, "TXT001")]["report_id"] == "r1"
    # the edited asset (new bytes -> new hash) carries no waiver
    assert (B, "TXT001") not in w
    # a later decision on the finding ends the waiver; a revoke of that restores it
    s.record(Decision("reject", A, "bob", code="TXT001"))
    assert (A, "TXT001") not in load_waivers(db)
    s.record(Decision("revoke", A, "bob", code="TXT001"))
    assert (A, "TXT001") in load_waivers(db)
    s.record(Decision("revoke", A, "ann", code="TXT001"))
    assert set(load_waivers(db)) == {(A, "BRD001")}


def test_engine_style_waiver_application(tmp_path):
    """What `assetqa check --signoffs DB` does: mark matching findings waived; CI passes,
    and fails again when the pixels (hash) change."""
    from qa.types import AssetResult, Finding, Report, Severity

    db = tmp_path / "s.db"
    SignoffStore(db).record(Decision("waive", A, "ann", code="TXT001", comment="ok"))

    def report_for(sha):
        f = Finding("TXT001", "text", Severity.ERROR, "garbled")
        return Report("0", "", "", "", None, Severity.ERROR, [], {}, None,
                      [AssetResult("a.png", sha, 10, 10, findings=[f])])

    waivers = load_waivers(db)
    for sha, expected in ((A, 0), (B, 1)):
        rep = report_for(sha)
        assert apply_waivers(rep.assets, waivers) == 1 - expected
        assert rep.exit_code() == expected
        if not expected:
            assert rep.to_dict()["assets"][0]["findings"][0]["waiver"]["reviewer"] == "ann"


def test_exports_atomic(tmp_path):
    s = SignoffStore(tmp_path / "s.db")
    s.record(Decision("approve", A, "ann", asset_path="a.png"))
    s.record(Decision("waive", B, "bob", code="RES001", comment="print only"))
    report = {"report_id": "r9", "rules": {"name": "x"}, "assets": [
        {"path": "a.png", "sha256": A, "status": "pass", "findings": []},
        {"path": "b.png", "sha256": B, "status": "fail", "findings": [
            {"code": "RES001", "check": "resolution", "severity": "error", "value": 100, "threshold": 1080}]},
    ]}
    p = s.export_csv(tmp_path / "out" / "signoff.csv", report=report)
    rows = list(csv.DictReader(p.open()))
    assert [(r["asset_path"], r["signoff"]) for r in rows] == [("a.png", "approved"), ("b.png", "waived")]
    assert rows[1]["finding_decision"] == "waive" and rows[1]["finding_comment"] == "print only"
    doc = json.loads(s.export_json(tmp_path / "out" / "signoff.json", report=report).read_text())
    assert doc["summary"] == {"assets": 2, "by_signoff": {"approved": 1, "waived": 1}}
    log = list(csv.DictReader(s.export_csv(tmp_path / "log.csv").open()))
    assert [r["action"] for r in log] == ["approve", "waive"]
    assert not [x for x in (tmp_path / "out").iterdir() if x.name.endswith(".tmp")]


def test_migrates_v1_database(tmp_path):
    db = tmp_path / "old.db"
    conn = sqlite3.connect(db)
    conn.executescript("""
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO meta VALUES ('schema_version', '1');
        CREATE TABLE decisions (id INTEGER PRIMARY KEY AUTOINCREMENT, created TEXT NOT NULL,
            reviewer TEXT NOT NULL, action TEXT NOT NULL, sha256 TEXT NOT NULL, code TEXT NOT NULL DEFAULT '',
            report_id TEXT NOT NULL DEFAULT '', asset_path TEXT NOT NULL DEFAULT '',
            comment TEXT NOT NULL DEFAULT '');
    """)
    conn.execute("INSERT INTO decisions (created, reviewer, action, sha256, code, comment) "
                 "VALUES ('2026-01-01T00:00:00Z', 'old', 'waive', ?, 'RES001', 'legacy')", (A,))
    conn.commit()
    conn.close()
    s = SignoffStore(db)
    assert s.latest_for(A, "RES001").reviewer == "old"
    s.record(Decision("approve", A, "new", auth="oidc", campaign="summer"))
    assert s.latest_for(A).auth == "oidc"
    assert (A, "RES001") in load_waivers(db)


def test_not_a_database(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(SignoffError, match="not a sign-off database|cannot"):
        SignoffStore(bad)
    with pytest.raises(SignoffError):
        load_waivers(bad)


def _writer(db: str, who: str, n: int) -> None:
    s = SignoffStore(db)
    for i in range(n):
        sha = hashlib.sha256(f"{who}-{i}".encode()).hexdigest()
        action = "waive" if i % 2 else "approve"
        s.record(Decision(action, sha, who, code="TXT001" if action == "waive" else None,
                          comment=f"{who} {i}"))


def test_concurrent_processes_lose_nothing(tmp_path):
    db = str(tmp_path / "c.db")
    ctx = mp.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    procs = [ctx.Process(target=_writer, args=(db, who, 200)) for who in ("ann", "bob")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    s = SignoffStore(db)
    assert s.count() == 400
    for who in ("ann", "bob"):
        assert len(s.decisions(reviewer=who)) == 200
    assert len(load_waivers(db)) == 200


def test_concurrent_threads_one_store_lose_nothing(tmp_path):
    s = SignoffStore(tmp_path / "t.db")
    errors: list[BaseException] = []

    def run(who):
        try:
            for i in range(150):
                s.record(Decision("approve", hashlib.sha256(f"{who}{i}".encode()).hexdigest(), who))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(w,)) for w in ("t1", "t2", "t3")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert s.count() == 450


def test_module_imports_neither_torch_nor_streamlit():
    import subprocess

    code = "import sys, qa.signoffs; print(sorted(m for m in ('torch', 'streamlit', 'numpy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
