"""Generate a benchmark corpus: N images from real photos (skimage), varied crops, colours and sizes."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from qa.testing import sample_photo

PHOTOS = ("astronaut", "coffee", "chelsea", "rocket")


def make_corpus(folder: Path, n: int, side: int = 1024, fmt: str = "JPEG", seed: int = 0) -> list[Path]:
    """Write `n` distinct `side`-px images (distinct bytes, so nothing is a cache hit by accident)."""
    folder.mkdir(parents=True, exist_ok=True)
    ext = {"JPEG": "jpg", "PNG": "png"}[fmt]
    existing = sorted(folder.glob(f"*.{ext}"))
    if len(existing) >= n:
        return existing[:n]
    rng = np.random.default_rng(seed)
    bases = [Image.fromarray(sample_photo(p)).resize((side, side), Image.Resampling.LANCZOS) for p in PHOTOS]
    paths = []
    for i in range(n):
        im = bases[i % len(bases)].copy()
        draw = ImageDraw.Draw(im)
        x, y = (int(v) for v in rng.integers(0, side - 200, 2))
        draw.rectangle([x, y, x + 120, y + 80], fill=tuple(int(c) for c in rng.integers(0, 255, 3)))
        draw.text((20, 20 + i % 50), f"Launch Day #{i}", fill=(255, 255, 255))
        path = folder / f"img_{i:05d}.{ext}"
        im.save(path, format=fmt, quality=90) if fmt == "JPEG" else im.save(path, format=fmt)
        paths.append(path)
    return paths
