"""Rule and checker declarations: the single place each check is defined.

A checker family (e.g. `resolution`) is a class that declares its rules (codes,
default severity, documentation) and implements `check` / `check_batch`. The CLI's
`assetqa rules` / `assetqa rule CODE` and the SARIF rule table are generated from
these declarations, so docs cannot drift from behaviour (the sqlfluff/ruff model).
"""
from __future__ import annotations

import importlib
import textwrap
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Iterable

from qa.types import Finding, Region, Severity

if TYPE_CHECKING:  # pragma: no cover
    from qa.asset import Asset
    from qa.context import CheckContext


@dataclass(frozen=True)
class Rule:
    """A rule code with its documentation. Codes are never renumbered."""

    code: str
    name: str
    check: str
    severity: Severity
    what: str
    why: str
    fix: str | None = None
    fix_safety: str | None = None  # "safe" | "unsafe" | None (no automatic fix)
    fixer: str | None = None  # name of the fixer that repairs it

    def finding(
        self,
        message: str,
        *,
        score: float,
        value: Any = None,
        threshold: Any = None,
        region: Region | None = None,
        severity: Severity | None = None,
        details: dict[str, Any] | None = None,
    ) -> Finding:
        """Build a Finding for this rule; severity defaults to the rule's (profiles may override)."""
        return Finding(
            code=self.code,
            check=self.check,
            severity=severity or self.severity,
            message=message,
            score=float(max(0.0, min(1.0, score))),
            value=value,
            threshold=threshold,
            region=region,
            fix=self.fix,
            details=dict(details or {}),
        )


@dataclass(frozen=True)
class Option:
    """A documented option of a checker family (`checks.<family>.<name>` in a profile)."""

    name: str
    default: Any
    help: str


class Checker:
    """Base class of a checker family.

    Subclasses set `family`, `rules`, `options` and implement `check` (or
    `check_batch` to batch model inference). Checkers never load models
    themselves: they ask `ctx.models` which loads once per process.
    """

    family: ClassVar[str] = ""
    description: ClassVar[str] = ""
    rules: ClassVar[tuple[Rule, ...]] = ()
    options: ClassVar[tuple[Option, ...]] = ()
    #: True when the check needs decoded pixels (False: header metadata is enough).
    needs_pixels: ClassVar[bool] = True
    #: Which pixels it reads (`qa.decode.PLANES`): "rgb" (full-resolution sRGB, `asset.rgb`) or "gray"
    #: (full-resolution luma only, `asset.gray_u8`). When no active check reads RGB, a plain JPEG decodes
    #: only its luma (two thirds of an RGB decode); `asset.rgb` is then decoded on first use, so a wrong
    #: declaration costs time, never correctness.
    pixels: ClassVar[str] = "rgb"
    #: True when the check uses a model (drives lazy loading and the report's model list).
    uses_models: ClassVar[bool] = False
    #: Bumped when behaviour changes, so cached results are invalidated.
    version: ClassVar[str] = "1"

    def rule(self, code: str) -> Rule:
        for rule in self.rules:
            if rule.code == code:
                return rule
        raise KeyError(code)

    def is_active(self, ctx: "CheckContext") -> bool:
        """Whether the profile configures this family enough to run (e.g. a palette exists)."""
        return True

    def check(self, asset: "Asset", ctx: "CheckContext") -> list[Finding]:
        raise NotImplementedError

    def check_batch(self, assets: list["Asset"], ctx: "CheckContext") -> list[list[Finding]]:
        """Check several assets at once; override to batch model inference."""
        return [self.check(asset, ctx) for asset in assets]

    def finalize(self, results: list[Any], ctx: "CheckContext") -> dict[int, list[Finding]]:
        """Whole-delivery checks (outliers, duplicates) over `AssetResult.artifacts`.

        Returns extra findings keyed by the index into `results`.
        """
        return {}

    def model_ids(self, ctx: "CheckContext") -> dict[str, str]:
        """Models (name -> id/weights) this family will use; part of the cache key and report."""
        return {}


#: Modules that declare checker families; imported lazily so `assetqa rules` stays fast.
CHECKER_MODULES: tuple[str, ...] = (
    "qa.checks.internal",
    "qa.checks.spec",
    "qa.checks.sharpness",
    "qa.checks.brand_color",
    "qa.checks.provenance",
    "qa.checks.text",
    "qa.checks.anatomy",
    "qa.checks.style",
)

_REGISTRY: dict[str, type[Checker]] = {}


def register(cls: type[Checker]) -> type[Checker]:
    """Class decorator: add a checker family to the registry."""
    if not cls.family:
        raise ValueError(f"{cls.__name__} has no family")
    codes = {r.code for c in _REGISTRY.values() if c is not cls for r in c.rules}
    for rule in cls.rules:
        if rule.code in codes:
            raise ValueError(f"rule code {rule.code} declared twice")
        if rule.check != cls.family:
            raise ValueError(f"rule {rule.code} belongs to {rule.check}, declared in {cls.family}")
    _REGISTRY[cls.family] = cls
    return cls


def load_all() -> dict[str, type[Checker]]:
    """Import every checker module (once) and return family -> class."""
    for module in CHECKER_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:  # a real missing dependency, not an absent module
                raise
    return dict(_REGISTRY)


def all_rules() -> list[Rule]:
    return sorted((r for c in load_all().values() for r in c.rules), key=lambda r: r.code)


def find_rule(code: str) -> Rule | None:
    for rule in all_rules():
        if rule.code.upper() == code.upper():
            return rule
    return None


def family_of(code: str) -> type[Checker] | None:
    for cls in load_all().values():
        if any(r.code == code for r in cls.rules):
            return cls
    return None


def select_codes(select: Iterable[str] | None, ignore: Iterable[str] | None) -> set[str]:
    """Resolve ruff-style selectors (full codes, prefixes like `RES`, family names, `ALL`)."""
    rules = all_rules()

    def matches(selector: str, rule: Rule) -> bool:
        s = selector.strip()
        return s.upper() == "ALL" or rule.code.upper().startswith(s.upper()) or rule.check == s.lower()

    chosen = {r.code for r in rules if not select or any(matches(s, r) for s in select)}
    if ignore:
        chosen -= {r.code for r in rules if any(matches(s, r) for s in ignore)}
    return chosen


def rule_doc(rule: Rule) -> str:
    """Render a rule's documentation (ruff layout) from its declaration."""
    cls = family_of(rule.code)
    lines = [
        f"# {rule.code} ({rule.name})",
        "",
        f"Check: {rule.check}    Default severity: {rule.severity.value}",
        "",
        "## What it does",
        textwrap.fill(rule.what, 88),
        "",
        "## Why is this bad?",
        textwrap.fill(rule.why, 88),
    ]
    if rule.fix:
        lines += ["", "## Fix", textwrap.fill(rule.fix, 88)]
        lines += ["", f"Fix safety: {rule.fix_safety or 'manual'}" + (f" (fixer: {rule.fixer})" if rule.fixer else "")]
    if cls is not None and cls.options:
        lines += ["", f"## Options (checks.{cls.family}.*)"]
        for opt in cls.options:
            lines.append(f"- `{opt.name}` (default {opt.default!r}): {opt.help}")
    return "\n".join(lines)


def default_options(cls: type[Checker]) -> dict[str, Any]:
    return {opt.name: opt.default for opt in cls.options}


@dataclass
class FamilyOptions:
    """Merged options of a family: declared defaults overlaid by the profile."""

    values: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)
