"""Core value types shared by checkers, fixers, reports and the dashboard.

They are plain dataclasses that serialise to the canonical JSON report, so every
other output format (and the dashboard) renders from the same shapes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Severity(str, Enum):
    """Finding severity; ordered so `--fail-on` can compare levels."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]

    @classmethod
    def parse(cls, value: "str | Severity") -> "Severity":
        if isinstance(value, Severity):
            return value
        try:
            return cls(str(value).lower())
        except ValueError as exc:
            raise ValueError(f"unknown severity {value!r} (expected error, warning or info)") from exc


@dataclass(frozen=True)
class Region:
    """An axis-aligned box in image pixels (after EXIF orientation)."""

    x: int
    y: int
    w: int
    h: int

    def to_dict(self) -> dict[str, int]:
        return {"x": int(self.x), "y": int(self.y), "w": int(self.w), "h": int(self.h)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Region":
        return cls(int(data["x"]), int(data["y"]), int(data["w"]), int(data["h"]))

    def padded(self, margin: float, width: int, height: int) -> "Region":
        """Grow by `margin` (pixels if >= 1, else a fraction of the box) and clip to the image."""
        pad_x = int(round(margin if margin >= 1 else margin * self.w))
        pad_y = int(round(margin if margin >= 1 else margin * self.h))
        x0 = max(0, self.x - pad_x)
        y0 = max(0, self.y - pad_y)
        x1 = min(width, self.x + self.w + pad_x)
        y1 = min(height, self.y + self.h + pad_y)
        return Region(x0, y0, max(0, x1 - x0), max(0, y1 - y0))

    @property
    def area(self) -> int:
        return int(self.w) * int(self.h)


@dataclass
class Finding:
    """One problem (or note) a checker found in one asset.

    `score` is 0..1 with 1 = good, so findings of different checks sort together;
    `value` and `threshold` are the measured number and the limit it was held to.
    """

    code: str
    check: str
    severity: Severity
    message: str
    score: float = 0.0
    value: Any = None
    threshold: Any = None
    region: Region | None = None
    fix: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    waived: bool = False
    waiver: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "code": self.code,
            "check": self.check,
            "severity": self.severity.value,
            "message": self.message,
            "score": round(float(self.score), 4),
            "value": _jsonable(self.value),
            "threshold": _jsonable(self.threshold),
        }
        if self.region is not None:
            data["region"] = self.region.to_dict()
        if self.fix:
            data["fix"] = self.fix
        if self.details:
            data["details"] = _jsonable(self.details)
        if self.waived:
            data["waived"] = True
            data["waiver"] = self.waiver or {}
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Finding":
        return cls(
            code=data["code"],
            check=data["check"],
            severity=Severity.parse(data["severity"]),
            message=data["message"],
            score=float(data.get("score", 0.0)),
            value=data.get("value"),
            threshold=data.get("threshold"),
            region=Region.from_dict(data["region"]) if data.get("region") else None,
            fix=data.get("fix"),
            details=dict(data.get("details") or {}),
            waived=bool(data.get("waived", False)),
            waiver=data.get("waiver"),
        )


class AssetStatus(str, Enum):
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"


@dataclass
class AssetResult:
    """Everything the report says about one file."""

    path: str
    sha256: str | None
    width: int | None
    height: int | None
    status: AssetStatus = AssetStatus.PASS
    format: str | None = None
    findings: list[Finding] = field(default_factory=list)
    cached: bool = False
    seconds: float = 0.0
    # Small per-asset data (e.g. style embeddings) kept for whole-batch checks; not in the report.
    artifacts: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "sha256": self.sha256,
            "width": self.width,
            "height": self.height,
            "format": self.format,
            "status": self.status.value,
            "cached": self.cached,
            "findings": [f.to_dict() for f in self.findings],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "AssetResult":
        return cls(
            path=data["path"],
            sha256=data.get("sha256"),
            width=data.get("width"),
            height=data.get("height"),
            status=AssetStatus(data.get("status", "pass")),
            format=data.get("format"),
            findings=[Finding.from_dict(f) for f in data.get("findings", [])],
            cached=bool(data.get("cached", False)),
        )


def _jsonable(value: Any) -> Any:
    """Convert numpy scalars/arrays and tuples into plain JSON types."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Region):
        return value.to_dict()
    item = getattr(value, "item", None)
    if callable(item):
        try:
            return _jsonable(item())
        except (ValueError, TypeError):
            pass
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        return _jsonable(tolist())
    if isinstance(value, Enum):
        return value.value
    return str(value)


@dataclass
class Report:
    """The canonical result of one run; every output format renders from `to_dict()`."""

    tool_version: str
    created: str
    rules_name: str
    rules_hash: str
    rules_path: str | None
    fail_on: Severity
    selected: list[str]
    models: dict[str, str]
    device: str | None
    assets: list[AssetResult]
    report_id: str = ""
    seconds: float = 0.0
    interrupted: bool = False

    def summary(self) -> dict[str, Any]:
        counts = {s.value: 0 for s in AssetStatus}
        sev = {s.value: 0 for s in Severity}
        waived = 0
        for asset in self.assets:
            counts[asset.status.value] += 1
            for f in asset.findings:
                if f.waived:
                    waived += 1
                else:
                    sev[f.severity.value] += 1
        return {
            "assets": len(self.assets),
            "passed": counts["pass"],
            "failed": counts["fail"],
            "errored": counts["error"],
            "findings": sev,
            "waived": waived,
            "cached": sum(1 for a in self.assets if a.cached),
            "seconds": round(self.seconds, 3),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": 1,
            "tool": {"name": "assetqa", "version": self.tool_version},
            "report_id": self.report_id,
            "created": self.created,
            "rules": {"name": self.rules_name, "hash": self.rules_hash, "path": self.rules_path,
                      "fail_on": self.fail_on.value, "selected": self.selected},
            "models": dict(self.models),
            "device": self.device,
            "interrupted": self.interrupted,
            "summary": self.summary(),
            "assets": [a.to_dict() for a in self.assets],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Report":
        rules = data.get("rules", {})
        return cls(
            tool_version=data.get("tool", {}).get("version", "?"),
            created=data.get("created", ""),
            rules_name=rules.get("name", ""),
            rules_hash=rules.get("hash", ""),
            rules_path=rules.get("path"),
            fail_on=Severity.parse(rules.get("fail_on", "error")),
            selected=list(rules.get("selected", [])),
            models=dict(data.get("models", {})),
            device=data.get("device"),
            assets=[AssetResult.from_dict(a) for a in data.get("assets", [])],
            report_id=data.get("report_id", ""),
            seconds=float(data.get("summary", {}).get("seconds", 0.0)),
            interrupted=bool(data.get("interrupted", False)),
        )

    def exit_code(self) -> int:
        """0 clean, 1 when any unwaived finding is at or above `fail_on`."""
        for asset in self.assets:
            for f in asset.findings:
                if not f.waived and f.severity.rank >= self.fail_on.rank:
                    return 1
        return 0
