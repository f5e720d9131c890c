"""Recolour fixer: moves an off-palette colour inside a finding's region onto the nearest brand colour.

Repairs rules whose `fixer` is `"recolour"` (BRD002 off-palette colour with a region).
The finding names the offending colour and the brand colour to move to
(`details`: a hex under `colour`/`color`/`hex`/`observed`, and one under
`nearest`/`nearest_brand`/`brand_colour`/`target`); when the offending colour is
missing, the region's dominant colour (k-means in Lab, `qa.colour`) is used.

Method (in CIE Lab, D65, helpers from `qa.colour`): every pixel of the region gets
a weight from its ΔE00 to the offending colour (1 up to `match_delta_e`, fading to 0
at 1.5x that), and is shifted by weight x (brand Lab - offending Lab). Shading and
texture are kept (the shift is a translation in Lab); pixels of other colours in the
region and everything outside the region are untouched. The result is measured: the
ΔE00 between the mean Lab of the fully matched pixels and the brand colour must be
within `tolerance` (ΔE00, default 2.0, a brand-logo grade), otherwise the fix fails.

Safety: deterministic and bounded, so *safe* while the shift is at most `max_shift`
ΔE00 (default 12); a larger recolour changes the picture visibly and is refused
unless `allow_large_shift` is set.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from fixers.base import SAFE, FixError, Fixer, FixOutcome, finding_regions, mask_bbox, region_mask, register_fixer
from qa.registry import Option
from qa.types import Finding

_OFF_KEYS = ("colour", "color", "hex", "observed", "found", "colour_hex", "color_hex")
_TARGET_KEYS = ("nearest", "nearest_brand", "nearest_brand_colour", "nearest_brand_color", "brand_colour",
                "brand_color", "brand", "target", "nearest_hex")


def _hex_in(value: Any) -> str | None:
    from qa.colour import parse_hex

    if isinstance(value, dict):
        for k in ("hex", "colour", "color"):
            if k in value:
                return _hex_in(value[k])
        return None
    if isinstance(value, str):
        try:
            parse_hex(value)
            return value if value.startswith("#") else "#" + value
        except ValueError:
            return None
    return None


def colours_from(finding: Finding) -> tuple[str | None, str | None]:
    """(offending hex, brand hex) named by a finding's details."""
    d = finding.details or {}
    off = next((h for k in _OFF_KEYS if (h := _hex_in(d.get(k)))), None)
    target = next((h for k in _TARGET_KEYS if (h := _hex_in(d.get(k)))), None)
    if target is None:
        for k, v in d.items():
            if ("nearest" in k or "brand" in k) and (h := _hex_in(v)):
                target = h
                break
    if off is None and isinstance(finding.value, str):
        off = _hex_in(finding.value)
    return off, target


def recolour_region(rgb: np.ndarray, box_mask: np.ndarray, off_lab: np.ndarray, target_lab: np.ndarray,
                    match_delta_e: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shift colours near `off_lab` inside `box_mask` by (target - off). Returns (rgb, weights, changed mask)."""
    from qa.colour import delta_e00, lab_to_srgb, srgb_to_lab

    out = rgb.copy()
    ys, xs = np.nonzero(box_mask)
    if ys.size == 0:
        return out, np.zeros(0), np.zeros(box_mask.shape, dtype=bool)
    pix = rgb[ys, xs]
    lab = srgb_to_lab(pix).astype(np.float64)
    d = delta_e00(lab, off_lab.reshape(1, 3))
    outer = match_delta_e * 1.5
    w = np.clip((outer - d) / max(1e-6, outer - match_delta_e), 0.0, 1.0)
    shifted = lab + w[:, None] * (target_lab - off_lab).reshape(1, 3)
    shifted[:, 0] = np.clip(shifted[:, 0], 0.0, 100.0)
    new = lab_to_srgb(shifted)
    changed_pix = w > 0
    out[ys[changed_pix], xs[changed_pix]] = new[changed_pix]
    changed = np.zeros(box_mask.shape, dtype=bool)
    changed[ys[changed_pix], xs[changed_pix]] = True
    return out, w, changed


@register_fixer
class RecolourFixer(Fixer):
    name = "recolour"
    repairs = ("recolour", "recolor")
    description = "Shift an off-palette colour inside the finding's region to the nearest brand colour (Lab)."
    safety = SAFE
    backends = ("lab-shift",)
    region_fix = True
    order = 20
    options = (
        Option("match_delta_e", 10.0, "Pixels within this ΔE00 of the offending colour move fully (fading to 1.5x)."),
        Option("tolerance", 2.0, "Required ΔE00 between the recoloured mean and the brand colour."),
        Option("max_shift", 12.0, "Largest ΔE00 shift applied as a safe fix."),
        Option("allow_large_shift", False, "Allow shifts above max_shift."),
    )

    def apply(self, rgb: np.ndarray, findings: list[Finding], options: dict[str, Any],
              alpha: np.ndarray | None = None) -> FixOutcome:
        from qa.colour import delta_e00, dominant_colours, hex_to_lab, srgb_to_lab

        o = self.merged_options(options)
        out = rgb.copy()
        total_mask = np.zeros(rgb.shape[:2], dtype=bool)
        records = []
        for f in findings:
            regions = finding_regions([f]) or []
            box = region_mask(rgb.shape, regions) if regions else np.ones(rgb.shape[:2], dtype=bool)
            off_hex, target_hex = colours_from(f)
            if target_hex is None:
                raise FixError(f"{f.code}: the finding names no brand colour to move to")
            target_lab = hex_to_lab(target_hex).astype(np.float64)
            if off_hex is None:
                pixels = out[box]
                doms, _, _ = dominant_colours(pixels[:: max(1, len(pixels) // 4000)], k=4)
                if not doms:
                    raise FixError(f"{f.code}: empty region")
                off_lab = np.asarray(doms[0].lab, dtype=np.float64)
            else:
                off_lab = hex_to_lab(off_hex).astype(np.float64)
            shift = float(delta_e00(off_lab, target_lab))
            if shift > float(o["max_shift"]) and not o["allow_large_shift"]:
                raise FixError(f"{f.code}: shifting {off_hex or 'region colour'} to {target_hex} is {shift:.1f} ΔE00, "
                               f"above max_shift {o['max_shift']} (set allow_large_shift)")
            out, w, changed = recolour_region(out, box, off_lab, target_lab, float(o["match_delta_e"]))
            full = w >= 0.999
            if not full.any():
                raise FixError(f"{f.code}: no pixels of {off_hex or 'the region colour'} found in the region")
            ys, xs = np.nonzero(box)
            mean_lab = srgb_to_lab(out[ys[full], xs[full]]).astype(np.float64).mean(axis=0)
            after = float(delta_e00(mean_lab, target_lab))
            if after > float(o["tolerance"]):
                raise FixError(f"{f.code}: recoloured mean is {after:.2f} ΔE00 from {target_hex} "
                               f"(tolerance {o['tolerance']})")
            total_mask |= changed
            records.append({"code": f.code, "from": off_hex, "to": target_hex, "shift_delta_e00": round(shift, 3),
                            "after_delta_e00": round(after, 3), "pixels": int(changed.sum()),
                            "region": regions[0].to_dict() if regions else None})
        return FixOutcome(
            rgb=out, alpha=alpha, backend="lab-shift", mask=total_mask, region=mask_bbox(total_mask),
            actions=[{"action": "c2pa.color_adjustments",
                      "parameters": {"description": "; ".join(f"{r['from']} -> {r['to']}" for r in records)}}],
            params={"match_delta_e": float(o["match_delta_e"]), "tolerance": float(o["tolerance"]),
                    "recolours": records},
            measures={"after_delta_e00": max(r["after_delta_e00"] for r in records)},
        )
