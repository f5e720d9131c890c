"""Shared fixtures: every test gets its own result cache; images are generated, never committed."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from qa.testing import sample_photo


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSETQA_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture
def photo_folder(tmp_path: Path) -> Path:
    """A small delivery: good-sized photos, a low-res one, and hostile files."""
    folder = tmp_path / "delivery"
    folder.mkdir()
    big = Image.fromarray(sample_photo("astronaut")).resize((1080, 1080), Image.Resampling.LANCZOS)
    big.save(folder / "square.jpg", quality=92)
    Image.fromarray(sample_photo("coffee")).save(folder / "small.png")
    (folder / "empty.jpg").write_bytes(b"")
    data = (folder / "square.jpg").read_bytes()
    (folder / "truncated.jpg").write_bytes(data[: len(data) // 3])
    return folder


def file_hashes(folder: Path) -> dict[str, bytes]:
    import hashlib

    return {p.name: hashlib.sha256(p.read_bytes()).digest() for p in sorted(folder.rglob("*")) if p.is_file()}
