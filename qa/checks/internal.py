"""Engine-level findings: a checker that crashed on an asset (reported, never a traceback)."""
from __future__ import annotations

from qa.registry import Checker, Rule, register
from qa.types import Severity

ENG001 = Rule(
    code="ENG001",
    name="check-failed",
    check="engine",
    severity=Severity.ERROR,
    what="A check raised an unexpected error on this asset; the message names the check and the error.",
    why="A check that could not run has not passed: the asset must not be delivered unchecked.",
    fix="Report the message to the assetqa maintainers; re-run with the check ignored to see the rest.",
)


@register
class EngineChecker(Checker):
    """Holds engine-level rules; it runs no check of its own."""

    family = "engine"
    description = "Failures of the checking machinery itself."
    rules = (ENG001,)
    needs_pixels = False

    def is_active(self, ctx) -> bool:  # type: ignore[no-untyped-def]
        return False
