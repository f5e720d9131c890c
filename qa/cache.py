"""Result cache keyed by content hash + engine fingerprint (rules, selected codes, checker and model versions).

SQLite in WAL mode; each batch of results is committed as it completes, so an
interrupted run keeps everything it finished and a re-run on unchanged files only
hashes them.
"""
from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any, Iterable


def default_cache_dir() -> Path:
    env = os.environ.get("ASSETQA_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "assetqa"


class ResultCache:
    """Maps `key` -> JSON result dict. Safe for one writer process and many readers."""

    def __init__(self, directory: str | Path | None = None):
        self.directory = Path(directory) if directory else default_cache_dir()
        self.directory.mkdir(parents=True, exist_ok=True)
        self.path = self.directory / "results.sqlite3"
        self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=30000")
        self._db.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER,"
            " inode INTEGER, sha256 TEXT NOT NULL)"
        )

    def get_many(self, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        keys = list(keys)
        out: dict[str, dict[str, Any]] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for key, value in self._db.execute(f"SELECT key, value FROM results WHERE key IN ({marks})", chunk):
                try:
                    out[key] = json.loads(value)
                except json.JSONDecodeError:
                    continue
        return out

    def put_many(self, items: Iterable[tuple[str, dict[str, Any]]]) -> None:
        rows = [(k, json.dumps(v, separators=(",", ":"))) for k, v in items]
        self._write_many("INSERT OR REPLACE INTO results (key, value) VALUES (?, ?)", rows)

    def known_hashes(self, paths: list[str]) -> dict[str, tuple[tuple[int, int, int], str]]:
        """Last recorded (size, mtime_ns, inode) and sha256 per absolute path."""
        out: dict[str, tuple[tuple[int, int, int], str]] = {}
        for start in range(0, len(paths), 500):
            chunk = paths[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT path, size, mtime_ns, inode, sha256 FROM files WHERE path IN ({marks})", chunk)
            for path, size, mtime_ns, inode, sha in rows:
                out[path] = ((size, mtime_ns, inode), sha)
        return out

    def remember_hashes(self, rows: list[tuple[str, int, int, int, str]]) -> None:
        """Record (path, size, mtime_ns, inode, sha256) of files hashed in this run."""
        self._write_many("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?)", rows)

    def _write_many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        """One IMMEDIATE transaction per batch: committed as soon as the batch is done."""
        if not rows:
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._db.executemany(sql, rows)
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def clear(self) -> None:
        self._db.execute("DELETE FROM results")

    def close(self) -> None:
        self._db.close()
