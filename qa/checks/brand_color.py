"""Brand colour: dominant colours against the campaign palette (`brand_color`, BRD001-BRD002).

How it measures (helpers in `qa/colour.py`, shared with the recolour fixer):

1. `sample_size` opaque pixels (alpha = 0 excluded) are sampled deterministically
   (`asset.pixel_sample`) and converted to CIE Lab (D65).
2. k-means in Lab (`k` clusters, seeded k-means++), then clusters closer than
   `merge_delta_e` ΔE00 are merged, weighted by pixel share: these are the image's
   dominant colours, each with a share of the opaque pixels.
3. Each dominant colour is matched to the nearest palette colour by ΔE00
   (CIEDE2000, `qa.colour.delta_e00`: skimage's formula). It is on-palette when
   the ΔE00 is within that palette entry's `tolerance` (default: the family
   option, 3.5 ΔE00, "general use"; brand logos often need <= 2).
4. Neutrals: with `ignore_neutrals` (default on), dominant colours whose chroma
   C*ab is below `neutral_chroma` (whites, greys, blacks, default 8 Lab units)
   neither count for nor against the palette, unless they match a palette colour
   (a brand black or off-white counts as on-palette).
5. Coverage = share of the counted (non-ignored) pixels whose dominant colour is
   on-palette. BRD001 when it is below `min_coverage`.
6. BRD002 for every counted dominant colour with at least `min_share` of the
   pixels that is off-palette; its region is the bounding box of the largest
   connected area of pixels of that colour (nearest dominant colour, on a copy at
   most 256 px, mapped back to full resolution).

Only active when `checks.brand_color.palette` is configured. Coverage is about
*dominant* colours (cluster centroids), so a photo's colour masses are judged by
their average; anti-aliased edges and JPEG noise join the nearest flat colour.
Cost is independent of image size (a fixed-size sample): about 3 ms per 1024 px
image that passes (CPU, 2048 samples, palette parsed once per process); the
region of each BRD002 finding adds ~0.15 ms (~1 ms for the first, which builds
the 128 px colour-label map).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from qa import colour
from qa.asset import Asset
from qa.context import CheckContext
from qa.imageops import area_downscale
from qa.registry import Checker, Option, Rule, register
from qa.types import Finding, Region, Severity

BRD001 = Rule(
    code="BRD001",
    name="palette-coverage-low",
    check="brand_color",
    severity=Severity.WARNING,
    what="Too little of the image is in the brand palette: the share of (non-neutral) pixels whose dominant colour "
    "is within ΔE00 `tolerance` of a palette colour is below `min_coverage`. Default severity is warning; a campaign "
    "that must be on-palette raises it to error in its profile (`severity: {BRD001: error}`).",
    why="Off-brand colour dilutes recognition and is a common reason for creative rejection in brand review; "
    "measuring it in ΔE00 matches what reviewers see, not raw RGB distance.",
    fix="Recolour the off-palette areas to the nearest brand colours (see BRD002 findings for where they are), "
    "or re-export with the brand swatches.",
)
BRD002 = Rule(
    code="BRD002",
    name="off-palette-dominant-colour",
    check="brand_color",
    severity=Severity.WARNING,
    what="A dominant colour (at least `min_share` of the pixels) is further than its tolerance (ΔE00) from every "
    "palette colour. The region is the bounding box of its largest connected area; details give the colour's hex, "
    "its share, the nearest brand colour and the ΔE00.",
    why="A large off-brand area (a wrong shade of the brand blue, an off-brand background) is the most visible "
    "brand deviation and is usually one flat area that can be recoloured precisely.",
    fix="Recolour the region to the nearest brand colour (hue/chroma shift in Lab preserving shading).",
    fix_safety="safe",
    fixer="recolour",
)

#: Region maps are computed on a copy whose longer side is at most this. 128 px keeps region boxes
#: within 1% of the image side: BRD002 box IoU on the tuning split 0.968 (0.978 at 256 px) for a
#: quarter of the pixels (check 6.7 -> 5.2 ms per 1024 px photo, `python -m evals.brand_color`).
REGION_MAX_SIDE = 128


_PALETTE_CACHE: dict[str, list[dict[str, Any]]] = {}


def parse_palette(raw: Any, default_tolerance: float) -> list[dict[str, Any]]:
    """`checks.brand_color.palette` -> [{name, hex, tolerance, lab}]; raises ValueError naming the bad entry.

    Entries are {name, hex, tolerance?} mappings, or plain hex strings. Parsed once per
    distinct palette per process.
    """
    key = repr((raw, default_tolerance))
    cached = _PALETTE_CACHE.get(key)
    if cached is None:
        cached = _parse_palette(raw, default_tolerance)
        if len(_PALETTE_CACHE) > 64:
            _PALETTE_CACHE.clear()
        _PALETTE_CACHE[key] = cached
    return cached


def _parse_palette(raw: Any, default_tolerance: float) -> list[dict[str, Any]]:
    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        raise ValueError(f"palette: expected a list of {{name, hex, tolerance}}, got {type(raw).__name__}")
    out = []
    for i, entry in enumerate(raw):
        if isinstance(entry, str):
            entry = {"hex": entry}
        if not isinstance(entry, dict) or "hex" not in entry:
            raise ValueError(f"palette[{i}]: expected {{name, hex, tolerance}}, got {entry!r}")
        unknown = set(entry) - {"name", "hex", "tolerance"}
        if unknown:
            raise ValueError(f"palette[{i}]: unknown key(s) {', '.join(sorted(unknown))} (known: name, hex, tolerance)")
        try:
            rgb = colour.parse_hex(entry["hex"])
        except ValueError as exc:
            raise ValueError(f"palette[{i}]: {exc}") from None
        tol = entry.get("tolerance", default_tolerance)
        if isinstance(tol, bool) or not isinstance(tol, (int, float)) or tol <= 0:
            raise ValueError(f"palette[{i}]: tolerance must be a positive number (ΔE00), got {tol!r}")
        hexv = colour.to_hex(rgb)
        out.append({"name": str(entry.get("name") or hexv), "hex": hexv, "tolerance": float(tol),
                    "lab": colour.srgb_to_lab(np.array(rgb, np.uint8))})
    return out


@register
class BrandColorChecker(Checker):
    """Dominant colours vs the brand palette in ΔE00 (see module docstring)."""

    family = "brand_color"
    description = "Dominant colours (k-means in Lab) against the brand palette within a ΔE00 tolerance."
    rules = (BRD001, BRD002)
    options = (
        Option("palette", [], "Brand colours: a list of {name, hex, tolerance} (tolerance in ΔE00, optional) or "
               "hex strings. The family runs only when this is set."),
        Option("tolerance", 3.5, "Default tolerance in ΔE00 (CIEDE2000) for palette entries without their own; "
               "~1 is a just-noticeable difference, <= 2 for logos, ~3.5 general use."),
        Option("min_coverage", 0.75, "BRD001 when less than this share of the counted pixels is on-palette."),
        Option("min_share", 0.05, "A colour is dominant (and can raise BRD002) from this share of the opaque pixels."),
        Option("ignore_neutrals", True, "Do not count whites/greys/blacks (chroma below `neutral_chroma`) for or "
               "against the palette, unless they match a palette colour."),
        Option("neutral_chroma", 8.0, "Chroma C*ab (Lab units) below which a colour is neutral."),
        Option("k", 8, "Number of k-means clusters before merging (raise for palettes of many colours)."),
        Option("merge_delta_e", 3.0, "Merge dominant colours closer than this ΔE00."),
        Option("sample_size", 2048, "Opaque pixels sampled for the clustering (2048 measures a 5% share to about "
               "+-1%)."),
    )
    version = "1"

    @staticmethod
    def validate_options(opts: dict[str, Any]) -> list[str]:
        try:
            parse_palette(opts.get("palette"), float(opts.get("tolerance", 3.5) or 3.5))
        except (ValueError, TypeError) as exc:
            return [str(exc)]
        return []

    def is_active(self, ctx: CheckContext) -> bool:
        return bool(ctx.options.get("palette"))

    def analyse(self, asset: Asset, ctx: CheckContext) -> dict[str, Any]:
        """Dominant colours with their palette match (shared by `check`, the fixer and the eval)."""
        o = ctx.options
        palette = parse_palette(o.get("palette"), float(o["tolerance"]))
        px = asset.pixel_sample(int(o["sample_size"]))
        colours, _, _ = colour.dominant_colours(px, int(o["k"]), merge_delta_e=float(o["merge_delta_e"]))
        if not colours or not palette:
            return {"palette": palette, "colours": [], "coverage": None}
        pal_lab = np.stack([p["lab"] for p in palette])
        labs = np.stack([c.lab for c in colours])
        dists = colour.delta_e00_matrix(labs, pal_lab)  # (C, P)
        tols = np.array([p["tolerance"] for p in palette])
        within = dists <= tols[None, :]
        # nearest by ΔE00 relative to each entry's tolerance, so a tight logo colour is not masked by a loose one
        nearest = np.argmin(dists / tols[None, :], axis=1)
        neutral = colour.is_neutral(labs, float(o["neutral_chroma"]))
        rows = []
        for i, c in enumerate(colours):
            j = int(nearest[i])
            on = bool(within[i].any())
            if on:
                j = int(np.argmin(np.where(within[i], dists[i], np.inf)))
            ignored = bool(o["ignore_neutrals"]) and bool(neutral[i]) and not on
            rows.append({"index": i, "hex": c.hex, "lab": c.lab, "share": c.share, "on_palette": on,
                         "neutral": bool(neutral[i]), "ignored": ignored, "nearest": palette[j]["name"],
                         "nearest_hex": palette[j]["hex"], "delta_e00": float(dists[i, j]),
                         "tolerance": palette[j]["tolerance"]})
        counted = [r for r in rows if not r["ignored"]]
        total = sum(r["share"] for r in counted)
        coverage = (sum(r["share"] for r in counted if r["on_palette"]) / total) if total > 1e-9 else None
        return {"palette": palette, "colours": rows, "coverage": coverage, "counted_share": total,
                "centroids": labs}

    def region_of(self, asset: Asset, centroids: np.ndarray, index: int) -> Region | None:
        """Bounding box (full-resolution pixels) of the largest connected area assigned to colour `index`."""
        import cv2

        def shrink() -> np.ndarray:
            rgb = asset.rgb
            H, W = rgb.shape[:2]
            s = min(1.0, REGION_MAX_SIDE / max(H, W))
            if s >= 1.0:
                return rgb
            size = (max(1, round(W * s)), max(1, round(H * s)))
            return area_downscale(rgb, size)

        small = asset.feature(f"brand_color:area:{REGION_MAX_SIDE}", shrink)
        h, w = small.shape[:2]

        def labels_map() -> np.ndarray:
            return colour.nearest_colour_map(small, centroids)

        key = f"brand_color:labels:{REGION_MAX_SIDE}:{centroids.tobytes().hex()}"
        lab_map = asset.feature(key, labels_map)
        mask = (lab_map == index).view(np.uint8)
        opaque = asset.opaque_mask()
        if opaque is not None:
            op_small = cv2.resize(opaque.astype(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST)
            mask &= op_small
        n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        if n <= 1:
            return None
        best = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
        x, y, bw, bh = (int(stats[best, k]) for k in (cv2.CC_STAT_LEFT, cv2.CC_STAT_TOP, cv2.CC_STAT_WIDTH,
                                                       cv2.CC_STAT_HEIGHT))
        sx, sy = asset.width / w, asset.height / h
        x0, y0 = int(np.floor(x * sx)), int(np.floor(y * sy))
        x1, y1 = min(asset.width, int(np.ceil((x + bw) * sx))), min(asset.height, int(np.ceil((y + bh) * sy)))
        return Region(x0, y0, max(1, x1 - x0), max(1, y1 - y0))

    def check(self, asset: Asset, ctx: CheckContext) -> list[Finding]:
        o = ctx.options
        res = self.analyse(asset, ctx)
        if not res["colours"]:
            return []
        out: list[Finding] = []
        cov = res["coverage"]
        summary = [{"hex": r["hex"], "share": round(r["share"], 4), "nearest": r["nearest"],
                    "delta_e00": round(r["delta_e00"], 2), "on_palette": r["on_palette"], "ignored": r["ignored"]}
                   for r in res["colours"]]
        min_cov = float(o["min_coverage"])
        if cov is not None and cov < min_cov:
            out.append(BRD001.finding(
                f"only {cov:.0%} of the {'non-neutral ' if o['ignore_neutrals'] else ''}colour is within ΔE00 "
                f"tolerance of the brand palette (minimum {min_cov:.0%})",
                score=cov / min_cov if min_cov > 0 else 1.0, value=round(cov, 4), threshold=min_cov,
                details={"coverage": round(cov, 4), "counted_share": round(res["counted_share"], 4),
                         "dominant_colours": summary, "metric": "ΔE00"},
            ))
        min_share = float(o["min_share"])
        for r in res["colours"]:
            if r["ignored"] or r["on_palette"] or r["share"] < min_share:
                continue
            region = self.region_of(asset, res["centroids"], r["index"])
            out.append(BRD002.finding(
                f"off-palette colour {r['hex']} covers {r['share']:.0%} of the image; nearest brand colour "
                f"{r['nearest']} {r['nearest_hex']} is ΔE00 {r['delta_e00']:.1f} away (tolerance {r['tolerance']:g})",
                score=min(1.0, r["tolerance"] / max(r["delta_e00"], 1e-6)), value=round(r["delta_e00"], 2),
                threshold=r["tolerance"], region=region,
                details={"hex": r["hex"], "lab": [round(float(v), 2) for v in r["lab"]],
                         "share": round(r["share"], 4), "nearest": r["nearest"], "nearest_hex": r["nearest_hex"],
                         "delta_e00": round(r["delta_e00"], 2), "tolerance": r["tolerance"], "metric": "ΔE00"},
            ))
        return out
