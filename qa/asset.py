"""An asset being checked: its bytes (read once), decoded pixels, and shared features.

Features (grayscale, resized copies, Lab samples) are computed on first use and
memoised on the asset, so several checks share one computation (cleanvision's
"load once" idea).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from qa.decode import DEFAULT_MAX_PIXELS, DecodedImage, decode_rgb


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Asset:
    """One image file: `data` are its bytes, `image` the single decode of them."""

    path: Path
    display_path: str
    data: bytes
    sha256: str
    image: DecodedImage
    _features: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def width(self) -> int:
        return self.image.width

    @property
    def height(self) -> int:
        return self.image.height

    @property
    def rgb(self) -> np.ndarray:
        """Full-resolution sRGB; decoded on first use when the run decoded only other planes up front."""
        if self.image.rgb is None:
            max_pixels = max(DEFAULT_MAX_PIXELS, self.width * self.height)  # the engine's size check passed
            self.image.rgb, self.image.alpha = decode_rgb(self.data, max_pixels)
        return self.image.rgb

    def feature(self, name: str, compute: Callable[[], Any]) -> Any:
        """Memoise a derived feature by name so checks share it."""
        if name not in self._features:
            self._features[name] = compute()
        return self._features[name]

    @property
    def gray_u8(self) -> np.ndarray:
        """Luma (uint8, full resolution): a plain JPEG's own Y plane when the run decoded only luma
        (`Checker.pixels`), otherwise RGB->grey (BT.601, the same luma within a grey level or two)."""

        def compute() -> np.ndarray:
            import cv2

            if self.image.gray is not None:
                return self.image.gray
            return cv2.cvtColor(np.ascontiguousarray(self.rgb), cv2.COLOR_RGB2GRAY)

        return self.feature("gray_u8", compute)

    def resized(self, max_side: int) -> np.ndarray:
        """RGB uint8 copy whose longer side is at most `max_side` (area-averaged)."""

        def compute() -> np.ndarray:
            from PIL import Image

            h, w = self.rgb.shape[:2]
            if max(h, w) <= max_side:
                return self.rgb
            s = max_side / max(h, w)
            size = (max(1, round(w * s)), max(1, round(h * s)))
            return np.asarray(Image.fromarray(self.rgb).resize(size, Image.Resampling.BOX))

        return self.feature(f"resized:{max_side}", compute)

    def opaque_mask(self) -> np.ndarray | None:
        """Boolean mask of visible pixels (alpha > 0), or None when the image is opaque."""
        if self.image.has_alpha and self.image.rgb is None:
            self.rgb  # noqa: B018 - alpha is decoded with RGB
        if self.image.alpha is None:
            return None
        return self.feature("opaque", lambda: self.image.alpha > 0)

    def pixel_sample(self, n: int = 4096, seed: int = 0) -> np.ndarray:
        """Up to `n` opaque RGB pixels (uint8, Nx3) sampled deterministically."""

        def compute() -> np.ndarray:
            rgb = self.rgb.reshape(-1, 3)
            mask = self.opaque_mask()
            if mask is None:  # same draw as choice(arange(N)) without building the index array
                if rgb.shape[0] <= n:
                    return rgb.copy()
                rng = np.random.default_rng(seed)
                return rgb[np.sort(rng.choice(rgb.shape[0], size=n, replace=False))]
            idx = np.flatnonzero(mask.reshape(-1))
            if idx.size > n:
                rng = np.random.default_rng(seed)
                idx = np.sort(rng.choice(idx, size=n, replace=False))
            return rgb[idx]

        return self.feature(f"sample:{n}:{seed}", compute)
