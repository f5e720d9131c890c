"""Containment: prove a fix changed only what it was allowed to change.

For a region fix, every pixel outside the region grown by a blend margin must be
unchanged. We measure, on those outside pixels only:

* `max_abs_diff`: largest per-channel difference (0..255);
* `psnr_db`: PSNR over the outside pixels (capped at 99 dB; identical -> 99);
* `ssim`: mean SSIM (scikit-image, 7x7 window, luma) over the outside pixels.

Stated tolerance (defaults, `fix.containment.*` in a profile): max_abs_diff <= 2,
PSNR >= 45 dB, SSIM >= 0.98. The classical fixers composite their result over the
original with a feathered mask, so outside the margin they are bit-identical
(max_abs_diff 0); the tolerance leaves room for model backends that re-encode a
crop. For geometry changes (outpaint/crop/upscale) the same measures compare the
original with the part of the output that should still show it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

DEFAULT_TOLERANCE: dict[str, float] = {"max_abs_diff": 2.0, "psnr_db": 45.0, "ssim": 0.98, "margin": 8}
PSNR_CAP = 99.0


@dataclass
class Containment:
    ok: bool
    max_abs_diff: float
    psnr_db: float
    ssim: float
    outside_pixels: int
    margin: int
    tolerance: dict[str, float]
    kind: str = "region"
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "ok": self.ok,
            "max_abs_diff": round(float(self.max_abs_diff), 3),
            "psnr_db": round(float(self.psnr_db), 3),
            "ssim": round(float(self.ssim), 5),
            "outside_pixels": int(self.outside_pixels),
            "margin_px": int(self.margin),
            "tolerance": dict(self.tolerance),
            **({"reason": self.reason} if self.reason else {}),
        }


def tolerance_from(config_fix: dict[str, Any] | None) -> dict[str, float]:
    tol = dict(DEFAULT_TOLERANCE)
    tol.update((config_fix or {}).get("containment") or {})
    return tol


def _luma(rgb: np.ndarray) -> np.ndarray:
    f = rgb.astype(np.float64)
    return f[..., 0] * 0.299 + f[..., 1] * 0.587 + f[..., 2] * 0.114


def compare(before: np.ndarray, after: np.ndarray, where: np.ndarray | None,
            tolerance: dict[str, float] | None = None, *, margin: int = 0, kind: str = "region") -> Containment:
    """Compare two same-size images on the pixels selected by `where` (None: all)."""
    from skimage.metrics import structural_similarity

    tol = dict(DEFAULT_TOLERANCE)
    tol.update(tolerance or {})
    if before.shape != after.shape:
        return Containment(False, 255.0, 0.0, 0.0, 0, margin, tol, kind, f"shape {after.shape} != {before.shape}")
    sel = np.ones(before.shape[:2], dtype=bool) if where is None else where
    n = int(sel.sum())
    if n == 0:
        return Containment(True, 0.0, PSNR_CAP, 1.0, 0, margin, tol, kind, "no pixels outside the fix region")
    a = before[sel].astype(np.float64)
    b = after[sel].astype(np.float64)
    diff = np.abs(a - b)
    max_abs = float(diff.max())
    mse = float((diff ** 2).mean())
    psnr = PSNR_CAP if mse == 0 else min(PSNR_CAP, 10.0 * np.log10(255.0 ** 2 / mse))
    if max_abs == 0:
        ssim = 1.0
    else:
        la, lb = _luma(before), _luma(after)
        win = 7 if min(la.shape) >= 7 else (min(la.shape) // 2) * 2 + 1
        if win < 3:
            ssim = 1.0 - float(diff.mean()) / 255.0
        else:
            _, smap = structural_similarity(la, lb, data_range=255.0, full=True, win_size=win)
            ssim = float(smap[sel].mean())
    ok = max_abs <= tol["max_abs_diff"] and psnr >= tol["psnr_db"] and ssim >= tol["ssim"]
    reason = "" if ok else (
        f"outside pixels changed: max |diff| {max_abs:.1f} (<= {tol['max_abs_diff']:g}), "
        f"PSNR {psnr:.1f} dB (>= {tol['psnr_db']:g}), SSIM {ssim:.4f} (>= {tol['ssim']:g})"
    )
    return Containment(ok, max_abs, psnr, ssim, n, margin, tol, kind, reason)


def outside_mask(mask: np.ndarray, margin: int) -> np.ndarray:
    """Pixels farther than `margin` px from `mask` (the ones that must not change)."""
    import cv2

    if margin <= 0:
        return ~mask
    dist = cv2.distanceTransform((~mask).astype(np.uint8), cv2.DIST_L2, 5)
    return dist > margin


def verify_region(before: np.ndarray, after: np.ndarray, mask: np.ndarray,
                  tolerance: dict[str, float] | None = None) -> Containment:
    """Containment of a region fix: outside `mask` grown by the blend margin, nothing changes."""
    tol = dict(DEFAULT_TOLERANCE)
    tol.update(tolerance or {})
    margin = int(tol.get("margin", 8))
    return compare(before, after, outside_mask(mask, margin), tol, margin=margin, kind="region")


def verify_kept(before: np.ndarray, after: np.ndarray, kept: dict[str, Any],
                tolerance: dict[str, float] | None = None) -> Containment:
    """Containment of a geometry change: the original must still be where `kept` says.

    `kept` = {x, y, w, h} in output pixels plus `scale` (1 for outpaint/crop, the
    upscale factor for upscale) and optionally `src` = {x, y, w, h} (the part of the
    original that was kept, for crops). For a scale != 1 the output window is
    resized back to the source size (area) and compared with a fidelity tolerance
    (`upscale_psnr_db`, `upscale_ssim`) instead of bit-exactness.
    """
    import cv2

    tol = dict(DEFAULT_TOLERANCE)
    tol.update(tolerance or {})
    x, y, w, h = (int(kept[k]) for k in ("x", "y", "w", "h"))
    src = kept.get("src") or {"x": 0, "y": 0, "w": before.shape[1], "h": before.shape[0]}
    sx, sy, sw, sh = (int(src[k]) for k in ("x", "y", "w", "h"))
    ref = before[sy:sy + sh, sx:sx + sw]
    window = after[y:y + h, x:x + w]
    scale = float(kept.get("scale", 1.0))
    if abs(scale - 1.0) > 1e-6:
        window = cv2.resize(window, (ref.shape[1], ref.shape[0]), interpolation=cv2.INTER_AREA)
        ref_s = cv2.resize(cv2.resize(ref, (w, h), interpolation=cv2.INTER_LANCZOS4),
                           (ref.shape[1], ref.shape[0]), interpolation=cv2.INTER_AREA)
        fid = {"max_abs_diff": 255.0, "psnr_db": float(tol.get("upscale_psnr_db", 28.0)),
               "ssim": float(tol.get("upscale_ssim", 0.85))}
        # Compare against the original; `ref_s` (Lanczos round trip) is the best a resize can do.
        result = compare(ref, window, None, fid, margin=0, kind="fidelity")
        base = compare(ref, ref_s, None, fid, margin=0, kind="fidelity")
        result.tolerance = dict(fid, lanczos_roundtrip_psnr_db=round(base.psnr_db, 3))
        return result
    margin = int(kept.get("seam", 0))
    sel = np.ones(ref.shape[:2], dtype=bool)
    if margin > 0:
        # The seam band on the sides that border new content may be blended.
        for side in kept.get("seam_sides", []):
            if side == "left":
                sel[:, :margin] = False
            elif side == "right":
                sel[:, -margin:] = False
            elif side == "top":
                sel[:margin, :] = False
            elif side == "bottom":
                sel[-margin:, :] = False
    if window.shape != ref.shape:
        return Containment(False, 255.0, 0.0, 0.0, 0, margin, tol, "kept", "kept window has the wrong size")
    return compare(ref, window, sel, tol, margin=margin, kind="kept")
