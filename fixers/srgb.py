"""sRGB fixer: re-encodes an image tagged with another colour space as sRGB (FMT004).

Repairs rules whose `fixer` is `"srgb"`. The decoder (`qa.decode`) already converted
the pixels to sRGB with the embedded ICC profile (LittleCMS via Pillow's ImageCms,
CMYK included); this fixer keeps those pixels and the router writes them with an
sRGB ICC profile. Deterministic, so *safe*. The C2PA action is
`c2pa.color_adjustments`.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from fixers.base import SAFE, Fixer, FixOutcome, register_fixer
from qa.types import Finding


@register_fixer
class SrgbFixer(Fixer):
    name = "srgb"
    repairs = ("srgb",)
    description = "Convert to sRGB with the embedded profile and re-encode with an sRGB profile."
    safety = SAFE
    backends = ("littlecms",)
    order = 60

    def apply(self, rgb: np.ndarray, findings: list[Finding], options: dict[str, Any],
              alpha: np.ndarray | None = None) -> FixOutcome:
        source = ", ".join(sorted({str(f.value) for f in findings if f.value})) or "non-sRGB"
        return FixOutcome(
            rgb=rgb.copy(), alpha=alpha, backend="littlecms",
            actions=[{"action": "c2pa.color_adjustments",
                      "parameters": {"description": f"converted from {source} to sRGB"}}],
            params={"from": source, "to": "sRGB IEC61966-2.1"},
        )
