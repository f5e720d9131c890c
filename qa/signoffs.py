"""Reviewer sign-offs: an append-only SQLite log of decisions bound to asset content hashes.

Used by both the review dashboard (writes) and `assetqa check --signoffs DB` (reads
waivers), so this module imports neither torch nor streamlit.

Model
-----
Every decision is a row in the append-only ``decisions`` table (UPDATE and DELETE are
refused by triggers): who (``reviewer`` and how they were identified, ``auth``), when
(``created``, UTC ISO-8601), what (``action``), on which exact bytes (``sha256``), on which
finding (``code``; empty for a decision on the whole asset), from which run
(``report_id``), plus the path the asset had then and an optional ``comment``.

Actions:

- ``approve`` / ``reject`` / ``request_fix``: a decision on the asset (or, with a code, on
  one finding).
- ``waive``: accept one finding on these exact bytes; needs a finding ``code`` and a
  non-empty ``comment`` (the justification).
- ``revoke``: cancels the previous decision on the same (sha256, code).

The *current* decision for (sha256, code) is the latest row for that pair (highest id).
Because decisions are keyed by the content hash, an edited asset (new bytes, new hash)
starts with no decisions: it needs a new review, and a waived finding fails CI again.

Concurrency: the database runs in WAL mode with a busy timeout and every write is a
``BEGIN IMMEDIATE`` transaction (a plain ``BEGIN`` loses writes to "database is locked"
under concurrent writers). Each operation opens its own short-lived connection, so a
store object can be shared between threads and Streamlit sessions.
"""
from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator

from qa.fsutil import atomic_write_text

__all__ = [
    "ACTIONS",
    "Decision",
    "SignoffError",
    "SIGNOFF_FIELDS",
    "SignoffStore",
    "apply_waivers",
    "asset_signoff",
    "load_waivers",
    "signoff_rows",
]

#: Allowed decision actions.
ACTIONS: tuple[str, ...] = ("approve", "reject", "waive", "request_fix", "revoke")

#: Current schema version (stored in the ``meta`` table).
SCHEMA_VERSION = 2

BUSY_TIMEOUT_MS = 30_000

_SCHEMA_V1 = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS decisions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    created    TEXT NOT NULL,
    reviewer   TEXT NOT NULL,
    action     TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    code       TEXT NOT NULL DEFAULT '',
    report_id  TEXT NOT NULL DEFAULT '',
    asset_path TEXT NOT NULL DEFAULT '',
    comment    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS decisions_sha_code ON decisions (sha256, code, id);
"""

# v2: how the reviewer was identified, and the campaign the decision was made in.
_MIGRATION_V2 = [
    "ALTER TABLE decisions ADD COLUMN auth TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE decisions ADD COLUMN campaign TEXT NOT NULL DEFAULT ''",
]

_TRIGGERS = """
CREATE TRIGGER IF NOT EXISTS decisions_no_update BEFORE UPDATE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
CREATE TRIGGER IF NOT EXISTS decisions_no_delete BEFORE DELETE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
"""

_COLUMNS = ("id", "created", "reviewer", "auth", "action", "sha256", "code", "report_id",
            "asset_path", "campaign", "comment")


class SignoffError(ValueError):
    """A decision that cannot be recorded (bad action, waive without comment, ...)."""


def _utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Decision:
    """One reviewer decision. ``code`` empty/None means the whole asset."""

    action: str
    sha256: str
    reviewer: str
    code: str | None = None
    comment: str = ""
    report_id: str = ""
    asset_path: str = ""
    campaign: str = ""
    auth: str = ""
    created: str = ""
    id: int | None = None

    def validate(self) -> None:
        if self.action not in ACTIONS:
            raise SignoffError(f"unknown action {self.action!r} (expected one of {', '.join(ACTIONS)})")
        sha = (self.sha256 or "").strip().lower()
        if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
            raise SignoffError(f"sha256 must be 64 hex digits, got {self.sha256!r}")
        if not (self.reviewer or "").strip():
            raise SignoffError("a decision needs a reviewer")
        if self.action == "waive":
            if not (self.code or "").strip():
                raise SignoffError("waiving needs a finding code")
            if not (self.comment or "").strip():
                raise SignoffError("waiving a finding needs a comment (the justification)")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["code"] = self.code or ""
        return data

    @classmethod
    def from_row(cls, row: sqlite3.Row | dict[str, Any]) -> "Decision":
        get = row.__getitem__
        keys = row.keys()
        return cls(
            id=int(get("id")),
            created=get("created"),
            reviewer=get("reviewer"),
            auth=get("auth") if "auth" in keys else "",
            action=get("action"),
            sha256=get("sha256"),
            code=get("code") or None,
            report_id=get("report_id"),
            asset_path=get("asset_path"),
            campaign=get("campaign") if "campaign" in keys else "",
            comment=get("comment"),
        )


def _connect(path: Path, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                               timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    else:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


class SignoffStore:
    """The decisions database at `db_path` (created and migrated on first use)."""

    def __init__(self, db_path: str | os.PathLike[str]):
        self.path = Path(db_path)
        if self.path.is_dir():
            raise SignoffError(f"{self.path}: is a directory, expected a sign-off database file")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._migrate()

    # -- connection helpers -------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        conn = _connect(self.path)
        conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    def _write(self) -> "_WriteTxn":
        return _WriteTxn(self._conn())

    def _migrate(self) -> None:
        try:
            conn = self._conn()
        except sqlite3.Error as exc:
            raise SignoffError(f"{self.path}: cannot open sign-off database: {exc}") from exc
        try:
            if self._is_current(conn):
                return
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":  # e.g. a filesystem without shared memory
                raise SignoffError(f"{self.path}: could not switch to WAL mode (got {mode})")
            with _WriteTxn(conn, close=False):
                for stmt in _split(_SCHEMA_V1):
                    conn.execute(stmt)
                row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
                version = int(row[0]) if row else 1
                if version > SCHEMA_VERSION:
                    raise SignoffError(f"{self.path}: schema version {version} is newer than this "
                                       f"assetqa understands ({SCHEMA_VERSION}); upgrade assetqa")
                cols = {r[1] for r in conn.execute("PRAGMA table_info(decisions)")}
                if version < 2:
                    for stmt in _MIGRATION_V2:
                        name = stmt.split("ADD COLUMN ")[1].split()[0]
                        if name not in cols:
                            conn.execute(stmt)
                for stmt in _TRIGGERS.strip().split("END;"):
                    if stmt.strip():
                        conn.execute(stmt + "END;")
                conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
                             (str(SCHEMA_VERSION),))
        except sqlite3.OperationalError as exc:
            raise SignoffError(f"{self.path}: cannot prepare sign-off database ({exc})") from exc
        except sqlite3.DatabaseError as exc:
            raise SignoffError(f"{self.path}: not a sign-off database ({exc})") from exc
        finally:
            conn.close()

    @staticmethod
    def _is_current(conn: sqlite3.Connection) -> bool:
        """True when the schema is already at this version (no write lock needed)."""
        try:
            if str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                return False
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except sqlite3.OperationalError:
            return False
        if row is None:
            return False
        version = int(row[0])
        if version > SCHEMA_VERSION:
            raise SignoffError(f"schema version {version} is newer than this assetqa understands "
                               f"({SCHEMA_VERSION}); upgrade assetqa")
        return version == SCHEMA_VERSION

    # -- writes ---------------------------------------------------------------
    def record(self, decision: Decision | dict[str, Any]) -> Decision:
        """Append one decision and return it with `id` and `created` filled in."""
        if isinstance(decision, dict):
            decision = Decision(**decision)
        else:
            decision = Decision(**asdict(decision))
        decision.sha256 = (decision.sha256 or "").strip().lower()
        decision.code = (decision.code or "").strip() or None
        decision.comment = (decision.comment or "").strip()
        decision.reviewer = (decision.reviewer or "").strip()
        decision.validate()
        decision.created = decision.created or _utcnow()
        with self._write() as conn:
            cur = conn.execute(
                "INSERT INTO decisions (created, reviewer, auth, action, sha256, code, report_id, "
                "asset_path, campaign, comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (decision.created, decision.reviewer, decision.auth or "", decision.action,
                 decision.sha256, decision.code or "", decision.report_id or "",
                 decision.asset_path or "", decision.campaign or "", decision.comment),
            )
            decision.id = int(cur.lastrowid)
        return decision

    # -- reads ----------------------------------------------------------------
    def decisions(self, sha256: str | Iterable[str] | None = None, code: str | None = None,
                  report_id: str | None = None, reviewer: str | None = None,
                  action: str | None = None, asset_path: str | None = None,
                  limit: int | None = None) -> list[Decision]:
        """The log, oldest first, optionally filtered (``code=""`` = asset-level only)."""
        where, params = [], []
        if sha256 is not None:
            shas = [sha256] if isinstance(sha256, str) else list(sha256)
            where.append(f"sha256 IN ({','.join('?' * len(shas))})" if shas else "0")
            params += [s.lower() for s in shas]
        if code is not None:
            where.append("code = ?")
            params.append(code)
        for col, val in (("report_id", report_id), ("reviewer", reviewer), ("action", action),
                         ("asset_path", asset_path)):
            if val is not None:
                where.append(f"{col} = ?")
                params.append(val)
        sql = "SELECT * FROM decisions"
        if where:
            sql += " WHERE " + " AND ".join(where)
        if limit:
            sql = f"SELECT * FROM ({sql} ORDER BY id DESC LIMIT {int(limit)}) ORDER BY id"
        else:
            sql += " ORDER BY id"
        conn = self._conn()
        try:
            return [Decision.from_row(r) for r in conn.execute(sql, params)]
        finally:
            conn.close()

    def latest_for(self, sha256: str, code: str | None = None) -> Decision | None:
        """The current decision on (sha256, code); ``code=None`` = the asset-level decision.

        A ``revoke`` cancels the decision before it, so this returns the one before the
        revoke (or None), i.e. the decision still in force.
        """
        current = self.current(sha256=[sha256])
        return current.get((sha256.lower(), code or ""))

    def current(self, sha256: Iterable[str] | None = None) -> dict[tuple[str, str], Decision]:
        """Decision in force per (sha256, code) (``code`` "" = whole asset), revokes applied.

        One query for all requested hashes (or the whole log), so the dashboard can label a
        2,000-asset queue in a single call.
        """
        wanted = None if sha256 is None else {s.lower() for s in sha256}
        if wanted is not None and len(wanted) <= 500:
            return _current(self.decisions(sha256=sorted(wanted)))
        current = _current(self.decisions())  # one scan beats a huge IN (...) list
        if wanted is None:
            return current
        return {k: v for k, v in current.items() if k[0] in wanted}

    def last_id(self) -> int:
        """Id of the newest decision (0 when empty): a cheap cache key for derived views."""
        return self._scalar("SELECT COALESCE(MAX(id), 0) FROM decisions")

    def count(self) -> int:
        return self._scalar("SELECT COUNT(*) FROM decisions")

    def _scalar(self, sql: str) -> int:
        """One integer from a read-only query, on a short-lived connection."""
        conn = self._conn()
        try:
            return int(conn.execute(sql).fetchone()[0])
        finally:
            conn.close()

    # -- exports --------------------------------------------------------------
    def export_csv(self, path: str | os.PathLike[str], report: dict[str, Any] | None = None) -> Path:
        """Write a sign-off CSV atomically.

        With `report` (a canonical report dict) it is the delivery sign-off: one row per
        asset and finding with the decision in force; without, it is the raw decision log.
        """
        if report is not None:
            rows = signoff_rows(report, self)
            fields = list(SIGNOFF_FIELDS)
        else:
            rows = [d.to_dict() for d in self.decisions()]
            fields = list(_COLUMNS)
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in fields})
        return atomic_write_text(path, buf.getvalue())

    def export_json(self, path: str | os.PathLike[str], report: dict[str, Any] | None = None) -> Path:
        """Write a sign-off JSON atomically (see `export_csv`); includes the decision log."""
        return atomic_write_text(path, json.dumps(self.signoff_document(report), indent=2) + "\n")

    def signoff_document(self, report: dict[str, Any] | None = None) -> dict[str, Any]:
        """The JSON sign-off document (also used by the dashboard's download button)."""
        doc: dict[str, Any] = {"kind": "assetqa-signoff", "schema_version": 1, "generated": _utcnow(),
                               "database": str(self.path)}
        if report is not None:
            shas = [a.get("sha256") for a in report.get("assets", []) if a.get("sha256")]
            rows = signoff_rows(report, self)
            doc.update({
                "report_id": report.get("report_id", ""),
                "rules": report.get("rules", {}),
                "summary": _signoff_summary(rows),
                "assets": rows,
                "decisions": [d.to_dict() for d in self.decisions(sha256=shas)],
            })
        else:
            doc["decisions"] = [d.to_dict() for d in self.decisions()]
        return doc


class _WriteTxn:
    """`BEGIN IMMEDIATE` ... COMMIT (ROLLBACK on error); retries a locked BEGIN."""

    def __init__(self, conn: sqlite3.Connection, close: bool = True):
        self.conn = conn
        self.close = close

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self.conn.execute("COMMIT")
            else:
                self.conn.execute("ROLLBACK")
        finally:
            if self.close:
                self.conn.close()


def _split(script: str) -> Iterator[str]:
    for stmt in script.split(";"):
        if stmt.strip():
            yield stmt


def _current(decisions: Iterable[Decision]) -> dict[tuple[str, str], Decision]:
    stacks: dict[tuple[str, str], list[Decision]] = {}
    for d in decisions:  # oldest first
        key = (d.sha256, d.code or "")
        stack = stacks.setdefault(key, [])
        if d.action == "revoke":
            if stack:
                stack.pop()
        else:
            stack.append(d)
    return {k: v[-1] for k, v in stacks.items() if v}


def load_waivers(db_path: str | os.PathLike[str] | None) -> dict[tuple[str, str], dict[str, Any]]:
    """Map (asset sha256, finding code) -> waiver info for waivers still in force.

    A waiver is in force when the decision in force on that (sha256, code) is ``waive``
    (a later approve/reject/request_fix on the finding, or a revoke, ends it). The info
    dict has ``reviewer``, ``comment``, ``created``, ``report_id``, ``decision_id``,
    ``asset_path`` and ``auth``. A missing database means no waivers. The database is
    opened read-only (CI never writes it); an unreadable one raises `SignoffError`.
    """
    if not db_path:
        return {}
    path = Path(db_path)
    if not path.exists():
        return {}
    if path.is_dir():
        raise SignoffError(f"{path}: is a directory, expected a sign-off database file")
    try:
        conn = _connect(path, readonly=True)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "decisions" not in tables:
                return {}
            rows = conn.execute("SELECT * FROM decisions WHERE code != '' ORDER BY id").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise SignoffError(f"{path}: cannot read sign-off database ({exc})") from exc
    waivers: dict[tuple[str, str], dict[str, Any]] = {}
    for (sha, code), d in _current(Decision.from_row(r) for r in rows).items():
        if d.action == "waive":
            waivers[(sha, code)] = {
                "reviewer": d.reviewer,
                "comment": d.comment,
                "created": d.created,
                "report_id": d.report_id,
                "decision_id": d.id,
                "asset_path": d.asset_path,
                "auth": d.auth,
            }
    return waivers


def apply_waivers(assets: Iterable[Any], waivers: dict[tuple[str, str], dict[str, Any]]) -> int:
    """Mark findings of `assets` (qa.types.AssetResult) waived where `waivers` has their
    (asset sha256, finding code); returns how many were marked. Status changes are left to
    the engine (a waived finding no longer counts towards `--fail-on`)."""
    marked = 0
    for asset in assets:
        sha = (getattr(asset, "sha256", None) or "").lower()
        if not sha:
            continue
        for f in getattr(asset, "findings", []):
            info = waivers.get((sha, f.code))
            if info is not None and not f.waived:
                f.waived, f.waiver = True, dict(info)
                marked += 1
    return marked


# -- delivery sign-off -----------------------------------------------------------

SIGNOFF_FIELDS = ("asset_path", "sha256", "qa_status", "signoff", "reviewer", "decided_at", "comment",
                   "code", "check", "severity", "value", "threshold", "finding_decision",
                   "finding_reviewer", "finding_comment", "report_id")

_ASSET_STATE = {"approve": "approved", "reject": "rejected", "request_fix": "fix_requested"}


def asset_signoff(sha256: str | None, codes: Iterable[str], current: dict[tuple[str, str], Decision]) -> str:
    """Reviewer state of one asset: approved / rejected / fix_requested / waived / pending.

    ``waived`` = no asset-level decision but every finding on it is waived.
    """
    if not sha256:
        return "pending"
    top = current.get((sha256, ""))
    if top is not None and top.action in _ASSET_STATE:
        return _ASSET_STATE[top.action]
    codes = list(codes)
    if codes and all((d := current.get((sha256, c))) is not None and d.action == "waive" for c in codes):
        return "waived"
    return "pending"


def signoff_rows(report: dict[str, Any], store: SignoffStore) -> list[dict[str, Any]]:
    """One row per (asset, finding) -- one row for an asset without findings -- with decisions."""
    assets = report.get("assets", [])
    current = store.current(sha256=[a["sha256"] for a in assets if a.get("sha256")])
    report_id = report.get("report_id", "")
    rows: list[dict[str, Any]] = []
    for a in assets:
        sha = (a.get("sha256") or "").lower()
        findings = a.get("findings") or []
        top = current.get((sha, "")) if sha else None
        base = {
            "asset_path": a.get("path", ""),
            "sha256": sha,
            "qa_status": a.get("status", ""),
            "signoff": asset_signoff(sha, [f.get("code") for f in findings], current),
            "reviewer": top.reviewer if top else "",
            "decided_at": top.created if top else "",
            "comment": top.comment if top else "",
            "report_id": report_id,
        }
        if not findings:
            rows.append({**base, "code": "", "check": "", "severity": "", "value": "", "threshold": "",
                         "finding_decision": "", "finding_reviewer": "", "finding_comment": ""})
        for f in findings:
            fd = current.get((sha, f.get("code", ""))) if sha else None
            rows.append({
                **base,
                "code": f.get("code", ""),
                "check": f.get("check", ""),
                "severity": f.get("severity", ""),
                "value": _cell(f.get("value")),
                "threshold": _cell(f.get("threshold")),
                "finding_decision": fd.action if fd else ("waive" if f.get("waived") else ""),
                "finding_reviewer": fd.reviewer if fd else "",
                "finding_comment": fd.comment if fd else "",
            })
    return rows


def _cell(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return value


def _signoff_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    per_asset: dict[str, str] = {}
    for r in rows:
        per_asset[r["sha256"] or r["asset_path"]] = r["signoff"]
    counts: dict[str, int] = {}
    for state in per_asset.values():
        counts[state] = counts.get(state, 0) + 1
    return {"assets": len(per_asset), "by_signoff": dict(sorted(counts.items()))}


