"""Inpaint fixer: replaces the pixels of a finding's region (garbled text, a malformed hand).

Repairs rules whose `fixer` is `"inpaint"` (TXT001/TXT004 garbled or misspelt text,
ANA00x anatomy defects), using the `region` each finding reports.

Backends (option `backend`):

* `telea` (default) / `ns`: OpenCV `cv2.inpaint` (Telea fast marching / Navier-Stokes),
  run on a padded crop around the region;
* `biharmonic`: scikit-image `inpaint_biharmonic` on the padded crop (smoother, slower);
* `generative`: a user-supplied inpainting network (`fixers.generative`, option
  `weights`); unsafe, since it invents content.

The result is composited over the original with a feathered mask, so pixels more than
`margin` px outside the (grown) region are bit-identical; the router then verifies it
(`fixers.containment`). Classical inpainting is deterministic, but whether a removed
word or hand is acceptable is a judgement, so the rules declare this fix's safety.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from fixers.base import (UNSAFE, FixError, Fixer, FixOutcome, feather_blend, finding_regions, mask_bbox,
                         region_mask, register_fixer)
from qa.registry import Option
from qa.types import Finding


def _padded_box(mask: np.ndarray, pad: int) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(mask)
    h, w = mask.shape
    return (max(0, int(ys.min()) - pad), min(h, int(ys.max()) + 1 + pad),
            max(0, int(xs.min()) - pad), min(w, int(xs.max()) + 1 + pad))


def classical_inpaint(rgb: np.ndarray, mask: np.ndarray, method: str = "telea", radius: int = 5,
                      context: int = 32) -> np.ndarray:
    """Inpaint `mask` (bool HxW) in `rgb`; only a padded crop is processed. Returns a full image."""
    import cv2

    out = rgb.copy()
    if not mask.any():
        return out
    y0, y1, x0, x1 = _padded_box(mask, context)
    crop = np.ascontiguousarray(rgb[y0:y1, x0:x1])
    m = mask[y0:y1, x0:x1]
    if method == "biharmonic":
        from skimage.restoration import inpaint_biharmonic

        filled = inpaint_biharmonic(crop.astype(np.float64) / 255.0, m, channel_axis=-1)
        filled = np.clip(filled * 255.0 + 0.5, 0, 255).astype(np.uint8)
    else:
        flag = cv2.INPAINT_NS if method == "ns" else cv2.INPAINT_TELEA
        filled = cv2.inpaint(crop, m.astype(np.uint8) * 255, float(radius), flag)
    out[y0:y1, x0:x1] = filled
    return out


@register_fixer
class InpaintFixer(Fixer):
    name = "inpaint"
    repairs = ("inpaint",)
    description = "Fill a finding's region from its surroundings (text removal, hand repair)."
    safety = UNSAFE
    backends = ("telea", "ns", "biharmonic", "generative")
    region_fix = True
    order = 10
    options = (
        Option("backend", "telea", "telea | ns | biharmonic | generative (needs `weights`)."),
        Option("grow", 4, "Pixels added around each finding region before inpainting (strokes, anti-aliasing)."),
        Option("radius", 5, "OpenCV inpainting radius in pixels."),
        Option("context", 32, "Pixels of context around the region given to the backend."),
        Option("margin", 6, "Blend margin in pixels: the fill fades into the original over this band."),
        Option("weights", None, "Generative backend: path to a TorchScript/state_dict inpainting network."),
        Option("fallback", ["ns", "biharmonic"], "Backends tried when the first result is rejected."),
    )

    def backend_safety(self, options: dict[str, Any]) -> str:
        return UNSAFE

    def alternatives(self, options: dict[str, Any]) -> list[dict[str, Any]]:
        """The configured backend, then a wider mask (OCR/landmark boxes can be tight), then the fallbacks."""
        alts: list[dict[str, Any]] = [{}, {"grow": int(options.get("grow", 4)) * 3}]
        for b in options.get("fallback") or []:
            if b != options.get("backend"):
                alts.append({"backend": b})
        return alts

    def apply(self, rgb: np.ndarray, findings: list[Finding], options: dict[str, Any],
              alpha: np.ndarray | None = None) -> FixOutcome:
        o = self.merged_options(options)
        regions = finding_regions(findings)
        if not regions:
            raise FixError("inpaint needs findings with a region")
        mask = region_mask(rgb.shape, regions, grow=int(o["grow"]))
        backend = str(o["backend"]).lower()
        if backend == "generative":
            from fixers.generative import load_inpainter

            if not o.get("weights"):
                raise FixError("generative inpainting needs `fix.inpaint.weights` (a local checkpoint)")
            model = load_inpainter(str(o["weights"]), device=str(o.get("device") or "cpu"))
            filled = model.inpaint(rgb, mask, context=int(o["context"]))
            used = f"generative:{model.model_id}"
        elif backend in ("telea", "ns", "biharmonic"):
            filled = classical_inpaint(rgb, mask, backend, int(o["radius"]), int(o["context"]))
            used = backend
        else:
            raise FixError(f"unknown inpaint backend {backend!r} (expected {', '.join(self.backends)})")
        margin = int(o["margin"])
        out = feather_blend(rgb, filled, mask, margin)
        return FixOutcome(
            rgb=out, alpha=alpha, backend=used, mask=mask, region=mask_bbox(mask),
            actions=[{"action": "c2pa.edited", "parameters": {"description": f"inpainted {len(regions)} region(s)"}}],
            params={"backend": used, "grow": int(o["grow"]), "radius": int(o["radius"]), "margin": margin,
                    "regions": [r.to_dict() for r in regions]},
            generative=backend == "generative",
        )
