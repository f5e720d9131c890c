"""What a checker sees besides the asset: its options, the whole profile, the model hub."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qa.types import Severity

if TYPE_CHECKING:  # pragma: no cover
    from qa.config import Config
    from qa.models import ModelHub


@dataclass
class CheckContext:
    family: str
    options: dict[str, Any]
    config: "Config"
    models: "ModelHub"

    @property
    def base_dir(self) -> Path:
        """Directory that relative paths in the profile are resolved against."""
        return self.config.base_dir

    def resolve_path(self, value: str | Path | None) -> Path | None:
        if value in (None, ""):
            return None
        p = Path(str(value)).expanduser()
        return p if p.is_absolute() else (self.base_dir / p)

    def severity_for(self, code: str, default: Severity) -> Severity:
        return self.config.severity_overrides.get(code, default)
