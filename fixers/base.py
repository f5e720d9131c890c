"""Fixer declarations: the one place each automatic repair is defined.

A fixer repairs the findings whose rule names it (`Rule.fixer`), e.g. RES001 ->
"upscale". It declares its safety (ruff's applicability: *safe* fixes are
deterministic and apply by default, *unsafe* ones need `--unsafe-fixes` or the
campaign's opt-in), the backends it can use (classical first; model-backed when
weights exist) and its options (`fix.<fixer>.<option>` in a profile).

`apply(rgb, findings, options, alpha=None) -> FixOutcome` works on a copy of the
decoded sRGB pixels and never touches files; the router (`fixers.router`) does
the planning, containment check, re-check, encoding, signing and lineage.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from qa.registry import Option
from qa.types import Finding, Region

SAFE = "safe"
UNSAFE = "unsafe"


class FixError(Exception):
    """A fixer cannot repair these findings (missing input, unavailable backend...)."""


@dataclass
class FixOutcome:
    """What a fixer produced.

    * `rgb`: the new pixels (uint8 HxWx3, sRGB); `alpha` the new alpha plane or None.
    * `mask`: bool HxW (input geometry) of pixels the fix was *meant* to change
      (region fixes); containment verifies everything outside it (+ blend margin).
    * `region`: bounding box of `mask` (what the sidecar and dashboard show).
    * `kept`: for geometry changes, where the original pixels sit in the output
      (x, y, w, h in output pixels) and the scale applied to them.
    * `actions`: C2PA actions beyond `c2pa.edited` (e.g. `c2pa.resized`).
    * `params`: parameters the fix used (recorded in the sidecar).
    * `measures`: quality numbers the fixer measured itself (e.g. over-sharpening).
    """

    rgb: np.ndarray
    backend: str
    alpha: np.ndarray | None = None
    mask: np.ndarray | None = None
    region: Region | None = None
    kept: dict[str, Any] | None = None
    geometry_changed: bool = False
    actions: list[dict[str, Any]] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    measures: dict[str, Any] = field(default_factory=dict)
    generative: bool = False
    #: The encoder must not re-encode the pixels (e.g. sign-only keeps the original bytes).
    keep_bytes: bool = False


class Fixer:
    """Base class of a fixer. Subclasses set the class attributes and implement `apply`."""

    #: Fixer name, as referenced by `Rule.fixer`.
    name: ClassVar[str] = ""
    #: Fixer names in rules this class repairs (usually just `name`).
    repairs: ClassVar[tuple[str, ...]] = ()
    description: ClassVar[str] = ""
    #: "safe" (deterministic, applies by default) or "unsafe" (needs --unsafe-fixes).
    safety: ClassVar[str] = SAFE
    #: Backend names, preferred first.
    backends: ClassVar[tuple[str, ...]] = ()
    options: ClassVar[tuple[Option, ...]] = ()
    #: Region fixes change pixels only inside finding regions: containment applies.
    region_fix: ClassVar[bool] = False
    #: Order in a plan: region repairs first, then colour, geometry, encoding, signing.
    order: ClassVar[int] = 50

    def default_options(self) -> dict[str, Any]:
        return {o.name: o.default for o in self.options}

    def merged_options(self, overrides: dict[str, Any] | None) -> dict[str, Any]:
        merged = self.default_options()
        merged.update(overrides or {})
        return merged

    def backend_safety(self, options: dict[str, Any]) -> str:
        """Safety of this fixer with these options (a generative backend is always unsafe)."""
        return self.safety

    def alternatives(self, options: dict[str, Any]) -> list[dict[str, Any]]:
        """Option overrides to try in order when the first attempt is rejected."""
        return [{}]

    def apply(self, rgb: np.ndarray, findings: list[Finding], options: dict[str, Any],
              alpha: np.ndarray | None = None) -> FixOutcome:
        raise NotImplementedError


#: Modules declaring fixers (imported lazily, like checker modules).
FIXER_MODULES: tuple[str, ...] = (
    "fixers.inpaint",
    "fixers.recolour",
    "fixers.outpaint",
    "fixers.upscale",
    "fixers.srgb",
    "fixers.sign",
)

_FIXERS: dict[str, type[Fixer]] = {}


def register_fixer(cls: type[Fixer]) -> type[Fixer]:
    if not cls.name:
        raise ValueError(f"{cls.__name__} has no name")
    if cls.safety not in (SAFE, UNSAFE):
        raise ValueError(f"{cls.__name__}: safety must be 'safe' or 'unsafe'")
    for repaired in cls.repairs or (cls.name,):
        _FIXERS[repaired] = cls
    return cls


def all_fixers() -> dict[str, type[Fixer]]:
    """Rule fixer name -> Fixer class (imports every fixer module once)."""
    for module in FIXER_MODULES:
        importlib.import_module(module)
    return dict(_FIXERS)


def get_fixer(name: str) -> Fixer | None:
    cls = all_fixers().get(name)
    return cls() if cls else None


# ----------------------------------------------------------------------------- shared helpers

def region_mask(shape: tuple[int, ...], regions: list[Region], grow: int = 0) -> np.ndarray:
    """Bool mask (HxW) covering the boxes, each grown by `grow` pixels and clipped."""
    h, w = shape[:2]
    mask = np.zeros((h, w), dtype=bool)
    for r in regions:
        x0, y0 = max(0, r.x - grow), max(0, r.y - grow)
        x1, y1 = min(w, r.x + r.w + grow), min(h, r.y + r.h + grow)
        if x1 > x0 and y1 > y0:
            mask[y0:y1, x0:x1] = True
    return mask


def mask_bbox(mask: np.ndarray) -> Region | None:
    ys, xs = np.nonzero(mask)
    if ys.size == 0:
        return None
    return Region(int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1))


def feather_blend(original: np.ndarray, fixed: np.ndarray, mask: np.ndarray, margin: int) -> np.ndarray:
    """Composite `fixed` over `original`: weight 1 inside `mask`, fading to 0 over `margin` px outside.

    Pixels farther than `margin` from the mask are copied from `original` exactly,
    which is what containment then verifies.
    """
    import cv2

    if margin <= 0:
        weight = mask.astype(np.float32)
    else:
        # Distance (px) of every pixel to the mask; weight ramps 1 -> 0 across the margin.
        dist = cv2.distanceTransform((~mask).astype(np.uint8), cv2.DIST_L2, 5)
        weight = np.clip(1.0 - dist / float(margin + 1), 0.0, 1.0).astype(np.float32)
        weight[dist > margin] = 0.0
    weight = weight[..., None]
    out = original.astype(np.float32) * (1.0 - weight) + fixed.astype(np.float32) * weight
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def finding_regions(findings: list[Finding]) -> list[Region]:
    return [f.region for f in findings if f.region is not None and f.region.area > 0]
