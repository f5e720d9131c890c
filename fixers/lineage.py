"""Lineage of a fixed asset: encoding, the JSON sidecar and the C2PA edit manifest.

Originals are never modified. Each fixed output is a new file in `--out` with:

* a JSON sidecar `<output name>.lineage.json`: parent path and sha256, output sha256,
  every accepted fix (fixer, codes, backend, safety, parameters, measured containment
  and quality numbers), rejected attempts, findings before/after, and the C2PA
  summary;
* when signing credentials are configured, a C2PA manifest signed with them
  (`qa.c2pa_tools.sign_edit`): `c2pa.opened` with the parent as `parentOf`
  ingredient, then `c2pa.edited` (parameters describe the fixes) and the specific
  actions (`c2pa.resized`, `c2pa.cropped`, `c2pa.color_adjustments`), keeping the AI
  disclosure of the parent.
"""
from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

SIDECAR_SUFFIX = ".lineage.json"
SIDECAR_SCHEMA = 1


def output_format(source_format: str | None, has_alpha: bool) -> tuple[str, str]:
    """(Pillow format, extension) for an output: JPEG stays JPEG (q95, 4:4:4), everything else PNG."""
    if (source_format or "").upper() in ("JPEG", "MPO") and not has_alpha:
        return "JPEG", ".jpg"
    return "PNG", ".png"


def srgb_icc() -> bytes:
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def encode(rgb: np.ndarray, alpha: np.ndarray | None, fmt: str, dpi: tuple[float, float] | None = None) -> bytes:
    """Encode sRGB pixels (with an sRGB ICC profile) to `fmt`."""
    from PIL import Image

    arr = rgb if alpha is None else np.dstack([rgb, alpha])
    im = Image.fromarray(np.ascontiguousarray(arr), "RGB" if alpha is None else "RGBA")
    buf = io.BytesIO()
    kwargs: dict[str, Any] = {"icc_profile": srgb_icc()}
    if dpi:
        kwargs["dpi"] = dpi
    if fmt == "JPEG":
        kwargs.update(quality=95, subsampling=0, optimize=True)
    else:
        kwargs.update(optimize=False, compress_level=6)
    im.save(buf, format=fmt, **kwargs)
    return buf.getvalue()


def edit_actions(steps: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Specific C2PA actions of the accepted steps, and the parameters of `c2pa.edited`."""
    from qa.c2pa_tools import c2pa_action

    extra: list[dict[str, Any]] = []
    descriptions: list[str] = []
    for step in steps:
        for act in step.get("actions", []):
            desc = (act.get("parameters") or {}).get("description")
            if desc:
                descriptions.append(f"{step['fixer']}: {desc}")
            if act.get("action") in ("c2pa.edited", "c2pa.opened"):
                continue
            extra.append(c2pa_action(act["action"], act.get("parameters")))
    params = {"description": "assetqa fix: " + ("; ".join(descriptions) or "signed")}
    return extra, params


def sign_output(parent: Path, data: bytes, chain: Any, steps: list[dict[str, Any]],
                ai_generated: bool | None = None, title: str | None = None) -> bytes:
    """Sign `data` as an edit of `parent`; returns the signed bytes (nothing written beside the parent)."""
    from qa.c2pa_tools import sign_edit

    extra, params = edit_actions(steps)
    edited = any(s.get("fixer") != "sign" for s in steps)
    if any((s.get("params") or {}).get("ai_disclosure") for s in steps):
        ai_generated = True
    with tempfile.TemporaryDirectory(prefix="assetqa-sign-") as tmp:
        out = Path(tmp) / (title or "signed")
        sign_edit(parent, data, out, chain, actions=extra, parameters=params if edited else None,
                  include_edited=edited, ai_generated=ai_generated, title=title)
        return out.read_bytes()


def sidecar_path(output: Path) -> Path:
    return output.with_name(output.name + SIDECAR_SUFFIX)


def write_sidecar(path: Path, record: dict[str, Any]) -> Path:
    from qa.fsutil import atomic_write_bytes as atomic_write
    from qa.types import _jsonable

    doc = {"schema_version": SIDECAR_SCHEMA, **_jsonable(record)}
    return atomic_write(path, (json.dumps(doc, indent=2, sort_keys=False) + "\n").encode("utf-8"))
