"""Helpers for tests and evaluation scripts: build Assets and contexts from arrays or files.

These run the same decode path as the engine (encode -> bytes -> `decode`), so a
test exercises what a user's file would.
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from qa.asset import Asset, sha256_bytes
from qa.config import Config, config_from_dict
from qa.context import CheckContext
from qa.decode import decode
from qa.models import process_hub
from qa.registry import default_options, load_all


def encode(array: np.ndarray, fmt: str = "PNG", **save_kwargs: Any) -> bytes:
    """Encode an HxWx3/4 uint8 array (or HxW) to image bytes."""
    buf = io.BytesIO()
    Image.fromarray(np.asarray(array)).save(buf, format=fmt, **save_kwargs)
    return buf.getvalue()


def asset_from_bytes(data: bytes, name: str = "image.png") -> Asset:
    return Asset(path=Path(name), display_path=name, data=data, sha256=sha256_bytes(data), image=decode(data))


def asset_from_array(array: np.ndarray, name: str = "image.png", fmt: str | None = None, **save_kwargs: Any) -> Asset:
    fmt = fmt or ("JPEG" if name.lower().endswith((".jpg", ".jpeg")) else "PNG")
    return asset_from_bytes(encode(array, fmt, **save_kwargs), name)


def asset_from_file(path: str | Path) -> Asset:
    p = Path(path)
    return asset_from_bytes(p.read_bytes(), str(p))


def make_config(raw: dict[str, Any] | None = None, base_dir: Path | None = None) -> Config:
    config = config_from_dict(raw or {}, None)
    if base_dir is not None:
        config.base_dir = base_dir
    return config


def make_context(family: str, options: dict[str, Any] | None = None, config: Config | None = None,
                 device: str = "cpu") -> CheckContext:
    """A context for one family with declared defaults overlaid by `options`."""
    cls = load_all()[family]
    merged = default_options(cls)
    merged.update(options or {})
    cfg = config or make_config({"checks": {family: options or {}}})
    return CheckContext(family=family, options=merged, config=cfg, models=process_hub(device))


def sample_photo(name: str = "astronaut") -> np.ndarray:
    """A real photo that ships inside scikit-image (astronaut, coffee, chelsea, rocket, ...)."""
    from skimage import data as skdata

    arr = getattr(skdata, name)()
    if arr.ndim == 2:
        arr = np.stack([arr] * 3, axis=-1)
    return np.ascontiguousarray(arr[..., :3]).astype(np.uint8)
