"""A small generated campaign + canonical JSON report for the dashboard tests.

Images are made with numpy in the caller's tmp dir; the report is built from `qa.types`
objects (the canonical `Report.to_dict()` shape), and a fixed output has a fixer sidecar.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
from pathlib import Path

import numpy as np
from PIL import Image

from qa.types import AssetResult, AssetStatus, Finding, Region, Report, Severity


def _png(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="PNG")
    return buf.getvalue()


def _jpg(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="JPEG", quality=90)
    return buf.getvalue()


def _image(seed: int, w: int = 320, h: int = 240) -> np.ndarray:
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([(x * 255 // w), (y * 255 // h), np.full_like(x, (seed * 40) % 255)], -1)
    noise = rng.integers(0, 20, (h, w, 3))
    return np.clip(base + noise, 0, 255).astype(np.uint8)


def _write(root: Path, rel: str, data: bytes) -> str:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def _mask_png(w: int, h: int) -> str:
    m = np.zeros((h, w), np.uint8)
    m[h // 4: h // 2, w // 4: w // 2] = 255
    return base64.b64encode(_png(m)).decode()


def make_campaign(root: Path, extra: int = 0, extra_size: tuple[int, int] = (96, 64)) -> tuple[Path, dict[str, str]]:
    """Write images under `root` and `root/report.json`; return (report path, name -> sha256).

    `extra` adds that many more passing/failing assets (for load tests).
    """
    root.mkdir(parents=True, exist_ok=True)
    shas: dict[str, str] = {}
    assets: list[AssetResult] = []

    def add(rel: str, data: bytes, status: AssetStatus, findings: list[Finding], fmt: str, w=320, h=240):
        sha = _write(root, rel, data)
        shas[rel] = sha
        assets.append(AssetResult(path=rel, sha256=sha, width=w, height=h, status=status, format=fmt,
                                  findings=findings))

    add("summer/hero.png", _png(_image(1)), AssetStatus.FAIL, [
        Finding("ANA001", "anatomy", Severity.ERROR, "Hand with 6 fingers detected", score=0.1, value=6,
                threshold=5, region=Region(40, 50, 60, 70),
                details={"points": [[50, 60], [60, 62], [70, 64]]}),
        Finding("TXT001", "text", Severity.WARNING, "Garbled text: 'SAEL 50% OFF'", score=0.4, value=0.45,
                threshold=0.8, region=Region(150, 20, 120, 30),
                details={"polygon": [[150, 20], [270, 20], [270, 50], [150, 50]]}),
    ], "PNG")
    add("summer/banner.jpg", _jpg(_image(2)), AssetStatus.PASS, [], "JPEG")
    add("winter/story.png", _png(_image(3)), AssetStatus.FAIL, [
        Finding("BRD001", "brand_color", Severity.WARNING, "Off-palette region (ΔE00 7.2 > 3.5)", score=0.5,
                value=7.2, threshold=3.5, region=Region(0, 0, 320, 240),
                details={"mask_png": _mask_png(320, 240)}),
    ], "PNG")
    add("winter/low-res.png", _png(_image(4, 160, 120)), AssetStatus.FAIL, [
        Finding("RES001", "resolution", Severity.ERROR, "160x120 is below the 1080 px minimum", score=0.15,
                value=160, threshold=1080),
        Finding("PRV001", "provenance", Severity.INFO, "No C2PA manifest", score=0.8,
                details={"validation_state": "missing"}),
    ], "PNG", 160, 120)
    # a fixed output of summer/hero.png, with the fixer's sidecar
    fixed = _image(1)
    fixed[50:120, 40:100] = 128
    fixed_sha = _write(root, "out/summer/hero.fixed.png", _png(fixed))
    shas["out/summer/hero.fixed.png"] = fixed_sha
    assets.append(AssetResult(path="out/summer/hero.fixed.png", sha256=fixed_sha, width=320, height=240,
                              status=AssetStatus.PASS, format="PNG"))
    (root / "out/summer/hero.fixed.png.assetqa.json").write_text(json.dumps({
        "parent": {"path": "../../summer/hero.png", "sha256": shas["summer/hero.png"]},
        "output": {"sha256": fixed_sha},
        "fixes": [{"code": "ANA001", "fixer": "inpaint", "backend": "cv2.telea",
                   "region": {"x": 40, "y": 50, "w": 60, "h": 70}}],
        "containment": {"changed_outside_region": 0, "max_abs_diff_outside": 0, "changed_inside": 4200},
        "status": "accepted",
    }))
    for i in range(extra):
        fail = i % 3 == 0
        rel = f"bulk/{i:04d}.jpg"
        w, h = extra_size
        add(rel, _jpg(_image(10 + i, w, h)), AssetStatus.FAIL if fail else AssetStatus.PASS,
            [Finding("SHP001", "sharpness", Severity.WARNING, "Soft image", score=0.3, value=12.0,
                     threshold=40.0, region=Region(w // 4, h // 4, w // 2, h // 2))] if fail else [],
            "JPEG", w, h)
    report = Report(tool_version="0.1.0", created="2026-11-24T00:00:00Z", rules_name="test-campaign",
                    rules_hash="0" * 16, rules_path=None, fail_on=Severity.ERROR,
                    selected=["anatomy", "text", "brand_color", "resolution", "provenance"], models={},
                    device="cpu", assets=assets, report_id="rep-test-1")
    path = root / "report.json"
    path.write_text(json.dumps(report.to_dict(), indent=1))
    return path, shas
