"""Rules profiles: YAML files with `extends`, validated with readable errors.

A profile (placement checklist or campaign file) has top-level keys described by
`TOP_LEVEL_SCHEMA`; `checks.<family>` keys are validated against the options each
checker family declares, so an unknown or misspelled option is an error naming
the file and the key, not a silently ignored setting.
"""
from __future__ import annotations

import fnmatch
import hashlib
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from qa.registry import Checker, default_options, load_all
from qa.types import Severity

TOP_LEVEL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "extends": {"type": ["string", "array"], "items": {"type": "string"}},
        "name": {"type": "string"},
        "description": {"type": "string"},
        "placement": {"type": "string"},
        "fail_on": {"enum": ["error", "warning", "info"]},
        "select": {"type": "array", "items": {"type": "string"}},
        "ignore": {"type": "array", "items": {"type": "string"}},
        "extend_select": {"type": "array", "items": {"type": "string"}},
        "severity": {"type": "object", "additionalProperties": {"enum": ["error", "warning", "info"]}},
        "per_path_ignores": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        "checks": {"type": "object"},
        "fix": {"type": "object"},
        "campaign": {"type": "object"},
    },
}


#: Option keys holding paths: made absolute against the file that names them, so `extends` keeps them right.
PATH_KEYS = ("references", "index", "trust_anchors", "signer_cert", "signer_key", "signer_root", "sign_chain")


class ConfigError(Exception):
    """A profile is invalid; the message names the file, the key and the reason."""


@dataclass
class Config:
    """A merged, validated profile."""

    name: str
    path: Path | None
    base_dir: Path
    fail_on: Severity
    select: list[str] | None
    ignore: list[str]
    severity_overrides: dict[str, Severity]
    per_path_ignores: dict[str, list[str]]
    checks: dict[str, dict[str, Any]]
    fix: dict[str, Any]
    campaign: dict[str, Any]
    raw: dict[str, Any] = field(repr=False, default_factory=dict)

    def family_options(self, family: str) -> dict[str, Any]:
        cls = load_all().get(family)
        merged = default_options(cls) if cls else {}
        merged.update(self.checks.get(family) or {})
        return merged

    def ignored_for(self, display_path: str) -> list[str]:
        """Selectors ignored for this path by `per_path_ignores` (glob patterns)."""
        out: list[str] = []
        for pattern, selectors in self.per_path_ignores.items():
            if fnmatch.fnmatch(display_path, pattern) or fnmatch.fnmatch(Path(display_path).name, pattern):
                out.extend(selectors)
        return out

    @property
    def hash(self) -> str:
        """Content hash of the merged profile (and files it references), part of the cache key."""
        blob = json.dumps(self.raw, sort_keys=True, default=str).encode()
        h = hashlib.sha256(blob)
        for ref in _referenced_files(self):
            try:
                h.update(ref.name.encode())
                h.update(hashlib.sha256(ref.read_bytes()).digest())
            except OSError:
                h.update(b"missing:" + str(ref).encode())
        return h.hexdigest()[:16]


def _referenced_files(config: Config) -> list[Path]:
    """Files whose content changes results (reference indexes, trust anchors)."""
    refs: list[Path] = []
    for family, opts in config.checks.items():
        for key in ("index", "trust_anchors"):
            value = (opts or {}).get(key)
            if isinstance(value, str) and value:
                p = Path(value)
                refs.append(p if p.is_absolute() else config.base_dir / p)
    return [p for p in refs if p.is_file()]


def bundled_rules_dir() -> Path:
    """The `rules/` folder shipped with assetqa (placement profiles + example campaign)."""
    return Path(str(resources.files("rules")))


def bundled_profiles() -> dict[str, Path]:
    return {p.stem: p for p in sorted(bundled_rules_dir().glob("*.yaml"))}


def resolve_profile(name_or_path: str, relative_to: Path | None = None) -> Path:
    """A profile reference: a path (absolute or relative to the referring file) or a bundled name."""
    candidate = Path(name_or_path).expanduser()
    if not candidate.is_absolute() and relative_to is not None:
        rel = relative_to / candidate
        if rel.is_file():
            return rel
    if candidate.is_file():
        return candidate
    bundled = bundled_profiles()
    stem = candidate.stem if candidate.suffix in (".yaml", ".yml") else candidate.name
    if stem in bundled:
        return bundled[stem]
    where = f" (relative to {relative_to})" if relative_to else ""
    raise ConfigError(
        f"{name_or_path}: profile not found{where}; bundled profiles: {', '.join(sorted(bundled))}"
    )


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise ConfigError(f"{path}{where}: invalid YAML ({getattr(exc, 'problem', exc)})") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: top level must be a mapping, got {type(data).__name__}")
    return data


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _format_path(parts: Any) -> str:
    items = [str(p) for p in parts]
    return ".".join(items) if items else "(top level)"


def validate_document(data: dict[str, Any], path: Path) -> list[str]:
    """Return readable errors (`file: key: reason`) for one profile document."""
    import jsonschema

    errors: list[str] = []
    validator = jsonschema.Draft202012Validator(TOP_LEVEL_SCHEMA)
    for err in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
        if err.validator == "additionalProperties" and not err.absolute_path:
            allowed = ", ".join(sorted(TOP_LEVEL_SCHEMA["properties"]))
            errors.append(f"{path}: {err.message}; allowed keys: {allowed}")
        else:
            errors.append(f"{path}: {_format_path(err.absolute_path)}: {err.message}")
    checks = data.get("checks")
    if isinstance(checks, dict):
        families = load_all()
        for family, opts in checks.items():
            cls = families.get(family)
            if cls is None:
                errors.append(f"{path}: checks.{family}: unknown check family; known: {', '.join(sorted(families))}")
                continue
            if opts is None:
                continue
            if not isinstance(opts, dict):
                errors.append(f"{path}: checks.{family}: must be a mapping of options")
                continue
            errors.extend(_validate_options(cls, opts, path))
    return errors


def _validate_options(cls: type[Checker], opts: dict[str, Any], path: Path) -> list[str]:
    declared = {o.name: o for o in cls.options}
    errors = []
    for key, value in opts.items():
        if key not in declared:
            errors.append(
                f"{path}: checks.{cls.family}.{key}: unknown option; known: {', '.join(sorted(declared)) or '(none)'}"
            )
            continue
        default = declared[key].default
        if value is None or default is None:
            continue
        expected = _expected_type(default)
        if expected and not isinstance(value, expected):
            names = "/".join(t.__name__ for t in expected) if isinstance(expected, tuple) else expected.__name__
            errors.append(f"{path}: checks.{cls.family}.{key}: expected {names}, got {type(value).__name__} ({value!r})")
    validate = getattr(cls, "validate_options", None)
    if callable(validate):
        errors.extend(f"{path}: checks.{cls.family}.{msg}" for msg in validate(opts))
    return errors


def _expected_type(default: Any) -> Any:
    if isinstance(default, bool):
        return bool
    if isinstance(default, (int, float)):
        return (int, float)
    if isinstance(default, str):
        return str
    if isinstance(default, list):
        return list
    if isinstance(default, dict):
        return dict
    return None


def _load_merged(path: Path, seen: tuple[Path, ...] = ()) -> tuple[dict[str, Any], list[str]]:
    path = path.resolve()
    if path in seen:
        chain = " -> ".join(str(p) for p in (*seen, path))
        raise ConfigError(f"{path}: extends cycle ({chain})")
    data = _read_yaml(path)
    errors = validate_document(data, path)
    parents = data.get("extends") or []
    if isinstance(parents, str):
        parents = [parents]
    merged: dict[str, Any] = {}
    for parent in parents:
        parent_path = resolve_profile(parent, relative_to=path.parent)
        parent_data, parent_errors = _load_merged(parent_path, (*seen, path))
        errors.extend(parent_errors)
        merged = _deep_merge(merged, parent_data)
    own = {k: v for k, v in data.items() if k != "extends"}
    # Relative paths in a file are relative to that file: make them absolute before merging.
    sections = [opts for opts in (own.get("checks") or {}).values() if isinstance(opts, dict)]
    if isinstance(own.get("fix"), dict):
        sections.append(own["fix"])
    for opts in sections:
        for key in PATH_KEYS:
            if isinstance(opts.get(key), str) and opts[key] and not Path(opts[key]).expanduser().is_absolute():
                opts[key] = str((path.parent / opts[key]).resolve())
    return _deep_merge(merged, own), errors


def load_config(path: str | Path | None = None) -> Config:
    """Load and validate a profile (default: the bundled `default` profile)."""
    profile_path = resolve_profile(str(path)) if path else bundled_profiles().get("default")
    if profile_path is None:
        raise ConfigError("no rules file given and no bundled default profile found")
    merged, errors = _load_merged(Path(profile_path))
    if errors:
        raise ConfigError("\n".join(errors))
    return config_from_dict(merged, Path(profile_path))


def config_from_dict(merged: dict[str, Any], path: Path | None = None) -> Config:
    select = merged.get("select")
    if select is not None and merged.get("extend_select"):
        select = list(select) + list(merged["extend_select"])
    return Config(
        name=str(merged.get("name") or (path.stem if path else "inline")),
        path=path,
        base_dir=(path.parent if path else Path.cwd()).resolve(),
        fail_on=Severity.parse(merged.get("fail_on", "error")),
        select=list(select) if select is not None else None,
        ignore=list(merged.get("ignore") or []),
        severity_overrides={k: Severity.parse(v) for k, v in (merged.get("severity") or {}).items()},
        per_path_ignores={k: list(v) for k, v in (merged.get("per_path_ignores") or {}).items()},
        checks={k: dict(v or {}) for k, v in (merged.get("checks") or {}).items()},
        fix=dict(merged.get("fix") or {}),
        campaign=dict(merged.get("campaign") or {}),
        raw=merged,
    )


def validate_file(path: str | Path) -> list[str]:
    """All errors in a profile and its parents (empty list: valid)."""
    try:
        _, errors = _load_merged(resolve_profile(str(path)))
    except ConfigError as exc:
        return str(exc).splitlines()
    return errors
