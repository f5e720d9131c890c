"""Sign fixer: adds a C2PA manifest (PRV001 missing manifest, PRV004 missing AI disclosure).

Repairs rules whose `fixer` is `"sign"`. The pixels are not touched: the original
bytes are signed with the configured certificate (`--sign-chain DIR` or
`fix.signer_cert` / `fix.signer_key` / `fix.signer_root` in the profile) in an edit
manifest: `c2pa.opened` with the original as `parentOf` ingredient, carrying
digitalSourceType trainedAlgorithmicMedia (the AI disclosure) when the parent
discloses AI, when PRV004 asks for it, or when `fix.ai_generated` is true. The
signing itself happens in `fixers.lineage` (every fixed output is signed the same
way). Deterministic, so *safe*; without credentials it cannot run and the asset goes
to review.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from fixers.base import SAFE, FixError, Fixer, FixOutcome, register_fixer
from qa.types import Finding


@register_fixer
class SignFixer(Fixer):
    name = "sign"
    repairs = ("sign",)
    description = "Sign the asset with a C2PA manifest (parent as ingredient, AI disclosure kept)."
    safety = SAFE
    backends = ("c2pa",)
    order = 90

    def apply(self, rgb: np.ndarray, findings: list[Finding], options: dict[str, Any],
              alpha: np.ndarray | None = None) -> FixOutcome:
        if not options.get("chain"):
            raise FixError("no signing credentials: pass --sign-chain DIR or set fix.signer_cert/fix.signer_key")
        ai = any(f.code == "PRV004" or (f.details or {}).get("ai_disclosure_required") for f in findings) or None
        return FixOutcome(
            rgb=rgb, alpha=alpha, backend="c2pa", keep_bytes=True,
            params={"codes": sorted({f.code for f in findings}), **({"ai_disclosure": True} if ai else {})},
            measures={},
        )
