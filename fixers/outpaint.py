"""Outpaint fixer: brings an image to the placement's aspect ratio (RES002).

Repairs rules whose `fixer` is `"outpaint"`; the target comes from the finding
(`details.target_ratio`, else `threshold`).

Modes (option `mode`):

* `outpaint` (default): extend the canvas on both sides (or only one, `anchor`) with
  classical, edge-aware content: the border is mirrored (so edges and gradients
  continue across the seam without a step), then progressively blurred with the
  distance from the original (sharp texture near the seam); farther out it fades into
  the border colours stretched outwards and blurred (smooth background, no mirrored
  "ghost" of the subject), all blends continuous so no seam appears in the new area. The original
  pixels are kept bit-exact. With `backend: generative` and `weights`, the new area is
  filled by a user-supplied inpainting network instead (see `fixers.generative`).
* `crop`: smart crop: the window of the target ratio that keeps the most visual
  saliency (OpenCV spectral-residual saliency, gradient energy as fallback); nothing
  is invented, but content and pixels are lost (it may then fall below RES001).
* `auto`: crop when the window keeps at least `min_keep` of the saliency, else outpaint.

When the first mode is rejected (by containment or the re-check), the router tries the
other one. Both change the composition, so the rule declares this fix unsafe.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from fixers.base import UNSAFE, FixError, Fixer, FixOutcome, register_fixer
from qa.registry import Option
from qa.types import Finding


def target_ratio(findings: list[Finding]) -> float:
    for f in findings:
        r = (f.details or {}).get("target_ratio")
        if r is None and isinstance(f.threshold, (int, float)):
            r = f.threshold
        if r:
            from qa.checks.spec import parse_ratio

            return float(parse_ratio(r))  # type: ignore[arg-type]
    raise FixError("no target aspect ratio in the findings")


def new_canvas_size(w: int, h: int, ratio: float) -> tuple[int, int]:
    if w / h < ratio:
        return max(w, int(round(h * ratio))), h
    return w, max(h, int(round(w / ratio)))


def extend_canvas(rgb: np.ndarray, left: int, right: int, top: int, bottom: int,
                  max_sigma: float = 24.0, falloff: float = 0.35, texture_px: float = 24.0,
                  ramp_px: float = 96.0) -> np.ndarray:
    """Edge-aware extension; the original stays exact.

    Near the seam the border is mirrored (edges continue without a step) and blurred more with the
    distance (sigma = falloff * d); from `texture_px` on it fades over `ramp_px` into the border colours
    stretched outwards and blurred, so the subject is not echoed in the new area.
    """
    import cv2

    h, w = rgb.shape[:2]
    canvas = np.pad(rgb, ((top, bottom), (left, right), (0, 0)), mode="symmetric")
    H, W = canvas.shape[:2]
    inside = np.zeros((H, W), dtype=np.uint8)
    inside[top:top + h, left:left + w] = 1
    dist = cv2.distanceTransform((1 - inside).astype(np.uint8), cv2.DIST_L2, 5).astype(np.float32)
    # Blur level grows linearly with distance (sigma = falloff * d), capped at max_sigma.
    sigmas = [0.0, 2.0, 6.0, 12.0, max_sigma]
    levels = [canvas.astype(np.float32)]
    for s in sigmas[1:]:
        if s >= 6.0:
            # Wide blurs on a quarter-size canvas (same result for these sigmas, ~10x cheaper).
            small = cv2.resize(canvas, (max(1, W // 4), max(1, H // 4)), interpolation=cv2.INTER_AREA)
            blurred = cv2.resize(cv2.GaussianBlur(small, (0, 0), s / 4.0), (W, H), interpolation=cv2.INTER_LINEAR)
        else:
            blurred = cv2.GaussianBlur(canvas, (0, 0), s)
        levels.append(blurred.astype(np.float32))
    want = np.clip(dist * falloff, 0.0, max_sigma)
    out = np.zeros_like(levels[0])
    for i in range(len(sigmas) - 1):
        lo, hi = sigmas[i], sigmas[i + 1]
        t = np.clip((want - lo) / (hi - lo), 0.0, 1.0)
        in_band = (want >= lo) & ((want < hi) | (i == len(sigmas) - 2))
        blend = levels[i] * (1 - t[..., None]) + levels[i + 1] * t[..., None]
        out[in_band] = blend[in_band]
    # Far from the seam, mirrored content would echo the subject (a ghost figure): fade into the border
    # colours stretched outwards (edge replication) and blurred, which continues the background smoothly.
    edge = np.pad(rgb, ((top, bottom), (left, right), (0, 0)), mode="edge")
    small = cv2.resize(edge, (max(1, W // 4), max(1, H // 4)), interpolation=cv2.INTER_AREA)
    # Blur more along the seam than across it, so stretched border details become soft gradients.
    sx = max_sigma * (3.0 if (top or bottom) else 1.0) / 4.0
    sy = max_sigma * (3.0 if (left or right) else 1.0) / 4.0
    far = cv2.resize(cv2.GaussianBlur(small, (0, 0), sigmaX=sx, sigmaY=sy, borderType=cv2.BORDER_REFLECT), (W, H),
                     interpolation=cv2.INTER_LINEAR).astype(np.float32)
    t = np.clip((dist - texture_px) / max(1.0, ramp_px), 0.0, 1.0)[..., None]
    out = out * (1.0 - t) + far * t
    result = np.clip(out + 0.5, 0, 255).astype(np.uint8)
    result[top:top + h, left:left + w] = rgb  # exact original
    return result


def saliency_map(rgb: np.ndarray, work: int = 256) -> np.ndarray:
    """Saliency in 0..1 at the image size (spectral residual; gradient energy fallback)."""
    import cv2

    h, w = rgb.shape[:2]
    s = min(1.0, work / max(h, w))
    small = cv2.resize(rgb, (max(8, int(w * s)), max(8, int(h * s))), interpolation=cv2.INTER_AREA)
    sal = None
    try:
        detector = cv2.saliency.StaticSaliencySpectralResidual_create()
        ok, sal = detector.computeSaliency(cv2.cvtColor(small, cv2.COLOR_RGB2BGR))
        if not ok:
            sal = None
    except (AttributeError, cv2.error):
        sal = None
    if sal is None:
        g = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY).astype(np.float32)
        sal = np.hypot(cv2.Sobel(g, cv2.CV_32F, 1, 0), cv2.Sobel(g, cv2.CV_32F, 0, 1))
        sal = cv2.GaussianBlur(sal, (0, 0), 3)
    sal = sal.astype(np.float32)
    sal -= sal.min()
    if sal.max() > 0:
        sal /= sal.max()
    return cv2.resize(sal, (w, h), interpolation=cv2.INTER_LINEAR)


def smart_crop_box(rgb: np.ndarray, ratio: float) -> tuple[int, int, int, int, float]:
    """(x, y, w, h, kept saliency fraction) of the best window with `ratio`."""
    h, w = rgb.shape[:2]
    sal = saliency_map(rgb)
    total = float(sal.sum()) or 1.0
    if w / h > ratio:
        cw, ch = int(round(h * ratio)), h
        cols = np.concatenate([[0.0], np.cumsum(sal.sum(axis=0))])
        sums = cols[cw:] - cols[:-cw] if cw < w else np.array([cols[-1]])
        x = int(np.argmax(sums))
        return x, 0, cw, ch, float(sums[x]) / total
    cw, ch = w, int(round(w / ratio))
    rows = np.concatenate([[0.0], np.cumsum(sal.sum(axis=1))])
    sums = rows[ch:] - rows[:-ch] if ch < h else np.array([rows[-1]])
    y = int(np.argmax(sums))
    return 0, y, cw, ch, float(sums[y]) / total


@register_fixer
class OutpaintFixer(Fixer):
    name = "outpaint"
    repairs = ("outpaint",)
    description = "Reach the placement's aspect ratio by edge-aware canvas extension, or smart crop."
    safety = UNSAFE
    backends = ("classical", "generative", "crop")
    order = 30
    options = (
        Option("mode", "outpaint", "outpaint | crop | auto."),
        Option("anchor", "center", "Where the original sits: center | start (left/top) | end (right/bottom)."),
        Option("max_extend", 0.6, "Refuse to invent more than this fraction of the output's area."),
        Option("min_keep", 0.85, "auto mode: crop when the window keeps this much saliency."),
        Option("backend", "classical", "classical | generative (needs `weights`)."),
        Option("weights", None, "Generative backend: path to a TorchScript/state_dict inpainting network."),
        Option("max_sigma", 24.0, "Strongest blur (px) far from the original."),
    )

    def alternatives(self, options: dict[str, Any]) -> list[dict[str, Any]]:
        mode = str(options.get("mode", "outpaint"))
        return [{}, {"mode": "crop"}] if mode != "crop" else [{}, {"mode": "outpaint"}]

    def apply(self, rgb: np.ndarray, findings: list[Finding], options: dict[str, Any],
              alpha: np.ndarray | None = None) -> FixOutcome:
        o = self.merged_options(options)
        ratio = target_ratio(findings)
        h, w = rgb.shape[:2]
        mode = str(o["mode"]).lower()
        crop_box = None
        if mode in ("crop", "auto"):
            crop_box = smart_crop_box(rgb, ratio)
            if mode == "auto":
                mode = "crop" if crop_box[4] >= float(o["min_keep"]) else "outpaint"
        if mode == "crop":
            assert crop_box is not None
            x, y, cw, ch, kept_sal = crop_box
            out = np.ascontiguousarray(rgb[y:y + ch, x:x + cw])
            return FixOutcome(
                rgb=out, alpha=None if alpha is None else np.ascontiguousarray(alpha[y:y + ch, x:x + cw]),
                backend="smart-crop", geometry_changed=True,
                kept={"x": 0, "y": 0, "w": cw, "h": ch, "scale": 1.0, "src": {"x": x, "y": y, "w": cw, "h": ch}},
                actions=[{"action": "c2pa.cropped", "parameters": {"description": f"smart crop {w}x{h} -> {cw}x{ch}"}}],
                params={"mode": "crop", "ratio": round(ratio, 5), "box": [x, y, cw, ch]},
                measures={"kept_saliency": round(kept_sal, 4), "kept_area": round(cw * ch / (w * h), 4)},
            )
        if mode != "outpaint":
            raise FixError(f"unknown outpaint mode {mode!r}")
        W, H = new_canvas_size(w, h, ratio)
        invented = 1.0 - (w * h) / (W * H)
        if invented > float(o["max_extend"]):
            raise FixError(f"outpainting to {W}x{H} would invent {invented:.0%} of the image "
                           f"(max_extend {float(o['max_extend']):.0%})")
        dx, dy = W - w, H - h
        anchor = str(o["anchor"]).lower()
        left = dx // 2 if anchor == "center" else (0 if anchor == "start" else dx)
        top = dy // 2 if anchor == "center" else (0 if anchor == "start" else dy)
        right, bottom = dx - left, dy - top
        backend = str(o["backend"]).lower()
        out = extend_canvas(rgb, left, right, top, bottom, float(o["max_sigma"]))
        used = "classical-extend"
        if backend == "generative":
            from fixers.generative import load_inpainter

            if not o.get("weights"):
                raise FixError("generative outpainting needs `fix.outpaint.weights` (a local checkpoint)")
            model = load_inpainter(str(o["weights"]), device=str(o.get("device") or "cpu"))
            hole = np.ones((H, W), dtype=bool)
            hole[top:top + h, left:left + w] = False
            out = model.inpaint(out, hole, context=max(left, right, top, bottom) + 32)
            out[top:top + h, left:left + w] = rgb
            used = f"generative:{model.model_id}"
        new_alpha = None
        if alpha is not None:
            new_alpha = np.pad(alpha, ((top, bottom), (left, right)), mode="symmetric")
        sides = [s for s, v in (("left", left), ("right", right), ("top", top), ("bottom", bottom)) if v]
        return FixOutcome(
            rgb=out, alpha=new_alpha, backend=used, geometry_changed=True,
            kept={"x": left, "y": top, "w": w, "h": h, "scale": 1.0},
            actions=[{"action": "c2pa.edited", "parameters": {"description": f"outpainted {w}x{h} -> {W}x{H} ({', '.join(sides)})"}}],
            params={"mode": "outpaint", "backend": used, "ratio": round(ratio, 5), "from": [w, h], "to": [W, H],
                    "pad": {"left": left, "right": right, "top": top, "bottom": bottom}},
            measures={"invented_fraction": round(invented, 4)},
            generative=backend == "generative",
        )
