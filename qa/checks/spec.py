"""Delivery spec checks: file format/encoding (`format`) and pixel geometry (`resolution`).

Both work from header metadata, so they cost almost nothing; they run on every asset.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from qa.asset import Asset
from qa.context import CheckContext
from qa.decode import EXTENSION_FORMATS
from qa.registry import Checker, Option, Rule, register
from qa.types import Finding, Severity

FMT001 = Rule(
    code="FMT001",
    name="unreadable-image",
    check="format",
    severity=Severity.ERROR,
    what="The file cannot be decoded safely: zero bytes, truncated or corrupt data, a decompression bomb, "
    "an unsupported or unrecognised format.",
    why="An asset that does not open cannot be delivered, and a hostile file must not reach downstream tools.",
    fix="Re-export the image from its source in a supported format.",
)
FMT002 = Rule(
    code="FMT002",
    name="format-not-allowed",
    check="format",
    severity=Severity.ERROR,
    what="The image format is not one the placement accepts (`checks.format.formats`).",
    why="Ad servers and CMSs reject formats they do not accept, often silently.",
    fix="Re-encode to an accepted format.",
)
FMT003 = Rule(
    code="FMT003",
    name="file-too-large",
    check="format",
    severity=Severity.ERROR,
    what="The file is larger than `checks.format.max_file_size_mb`.",
    why="Placements have upload limits; oversized files slow pages and are rejected by ad platforms.",
    fix="Re-encode with stronger compression or at the placement's size.",
)
FMT004 = Rule(
    code="FMT004",
    name="not-srgb",
    check="format",
    severity=Severity.WARNING,
    what="The image is tagged with a non-sRGB ICC profile (or is CMYK) where the placement expects sRGB.",
    why="Browsers and social apps that ignore profiles show wrong colours; brand-colour checks measure "
    "in sRGB after converting with the embedded profile.",
    fix="Convert to sRGB with the embedded profile (deterministic).",
    fix_safety="safe",
    fixer="srgb",
)
FMT005 = Rule(
    code="FMT005",
    name="bit-depth",
    check="format",
    severity=Severity.WARNING,
    what="Bits per channel differ from `checks.format.bit_depth`.",
    why="16-bit or 1-bit files are mishandled by web tooling (16-bit clips to white on naive conversion).",
    fix="Convert to 8 bits per channel with explicit scaling.",
)
FMT006 = Rule(
    code="FMT006",
    name="animated",
    check="format",
    severity=Severity.WARNING,
    what="The file holds several frames where a still image is expected.",
    why="Only the first frame is shown by many tools, so the delivered frame may not be the approved one.",
)
FMT007 = Rule(
    code="FMT007",
    name="extension-mismatch",
    check="format",
    severity=Severity.WARNING,
    what="The file extension does not match the format of its content (e.g. a PNG named .jpg).",
    why="Upload validators and CDNs trust extensions; mismatches break content types and caching.",
    fix="Rename the file to the extension of its real format.",
)
FMT008 = Rule(
    code="FMT008",
    name="unexpected-transparency",
    check="format",
    severity=Severity.WARNING,
    what="The image has an alpha channel where the placement needs an opaque image.",
    why="Transparent pixels render black or white depending on the platform.",
    fix="Flatten onto the intended background colour.",
)

RES001 = Rule(
    code="RES001",
    name="below-min-resolution",
    check="resolution",
    severity=Severity.ERROR,
    what="Width or height is below the placement's minimum (`min_width`, `min_height`).",
    why="Platforms upscale small images, which looks soft; some reject them.",
    fix="Upscale to the needed factor (Real-ESRGAN when weights are present, Lanczos otherwise).",
    fix_safety="unsafe",
    fixer="upscale",
)
RES002 = Rule(
    code="RES002",
    name="aspect-ratio",
    check="resolution",
    severity=Severity.ERROR,
    what="The aspect ratio differs from the placement's (`aspect_ratio`) by more than `aspect_tolerance`.",
    why="Placements crop or letterbox images of the wrong shape, cutting off products, faces or copy.",
    fix="Outpaint to the target ratio, or smart-crop when content allows.",
    fix_safety="unsafe",
    fixer="outpaint",
)
RES003 = Rule(
    code="RES003",
    name="print-dpi",
    check="resolution",
    severity=Severity.ERROR,
    what="For print placements: the DPI metadata is missing or below `min_dpi`, or the pixels do not cover "
    "the print size (`print_width_mm` x `print_height_mm`) at that DPI.",
    why="Printers lay out by physical size: a 72 dpi file prints at the wrong size or pixelated.",
    fix="Set the DPI metadata when the pixels suffice; otherwise upscale.",
)


def parse_ratio(value: Any) -> float | None:
    """`"16:9"`, `"4x5"`, `1.91` -> width/height as float."""
    if value in (None, ""):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).replace("x", ":").replace("/", ":")
    if ":" in text:
        a, b = text.split(":", 1)
        return float(a) / float(b)
    return float(text)


def format_ratio(ratio: float) -> str:
    for w, h in ((1, 1), (4, 5), (9, 16), (16, 9), (4, 3), (3, 4), (3, 2), (2, 3), (191, 100)):
        if abs(ratio - w / h) < 1e-3:
            return f"{w}:{h}"
    return f"{ratio:.3f}"


@register
class FormatChecker(Checker):
    """File-level delivery rules: format, size, colour space, bit depth, frames, extension."""

    family = "format"
    description = "File format, size, colour space and encoding."
    rules = (FMT001, FMT002, FMT003, FMT004, FMT005, FMT006, FMT007, FMT008)
    needs_pixels = False
    options = (
        Option("formats", ["JPEG", "PNG", "WEBP", "TIFF", "GIF", "AVIF", "HEIF"], "Accepted formats (Pillow names)."),
        Option("max_file_size_mb", 50.0, "Largest accepted file in MiB."),
        Option("require_srgb", True, "Flag non-sRGB colour spaces (FMT004)."),
        Option("bit_depth", 8, "Expected bits per channel (FMT005)."),
        Option("allow_animation", False, "Accept multi-frame files."),
        Option("allow_alpha", True, "Accept an alpha channel (FMT008 when false)."),
        Option("max_pixels", 100_000_000, "Refuse larger images as decompression bombs (FMT001)."),
    )

    def check(self, asset: Asset, ctx: CheckContext) -> list[Finding]:
        o = ctx.options
        img = asset.image
        out: list[Finding] = []
        allowed = [f.upper() for f in o["formats"]]
        fmt = "JPEG" if img.format == "MPO" else img.format
        if fmt.upper() not in allowed:
            out.append(FMT002.finding(
                f"format {fmt} is not accepted (allowed: {', '.join(allowed)})",
                score=0.0, value=fmt, threshold=allowed,
            ))
        size_mb = len(asset.data) / (1024 * 1024)
        limit = float(o["max_file_size_mb"])
        if size_mb > limit:
            out.append(FMT003.finding(
                f"file is {size_mb:.1f} MiB, above the {limit:g} MiB limit",
                score=max(0.0, limit / size_mb), value=round(size_mb, 3), threshold=limit,
            ))
        if o["require_srgb"] and not img.is_srgb:
            out.append(FMT004.finding(
                f"colour space is {img.color_space}, not sRGB",
                score=0.5, value=img.color_space, threshold="sRGB",
            ))
        expected_depth = o.get("bit_depth")
        if expected_depth and img.bit_depth != int(expected_depth):
            out.append(FMT005.finding(
                f"{img.bit_depth} bits per channel (mode {img.mode}), expected {expected_depth}",
                score=0.5, value=img.bit_depth, threshold=int(expected_depth),
            ))
        if img.n_frames > 1 and not o["allow_animation"]:
            out.append(FMT006.finding(
                f"{img.n_frames} frames; a still image is expected",
                score=0.5, value=img.n_frames, threshold=1,
            ))
        ext = Path(asset.display_path).suffix.lower().lstrip(".")
        ext_fmt = EXTENSION_FORMATS.get(ext)
        if ext_fmt and ext_fmt != fmt and not (ext_fmt == "HEIF" and fmt.startswith("HEI")):
            out.append(FMT007.finding(
                f"extension .{ext} but the content is {fmt}",
                score=0.5, value=fmt, threshold=ext_fmt,
            ))
        if img.has_alpha and not o["allow_alpha"]:
            out.append(FMT008.finding("image has an alpha channel; placement needs opaque", score=0.5,
                                      value=True, threshold=False))
        return out


@register
class ResolutionChecker(Checker):
    """Pixel geometry for a placement: minimum size, aspect ratio, print DPI."""

    family = "resolution"
    description = "Minimum pixel size, aspect ratio and print DPI for a placement."
    rules = (RES001, RES002, RES003)
    needs_pixels = False
    options = (
        Option("min_width", 0, "Minimum width in pixels."),
        Option("min_height", 0, "Minimum height in pixels."),
        Option("aspect_ratio", None, 'Target ratio, e.g. "16:9", "4:5" or 1.91 (unset: any).'),
        Option("aspect_tolerance", 0.01, "Accepted relative deviation of width/height from the ratio."),
        Option("min_dpi", None, "Print: minimum DPI metadata (unset: not a print placement)."),
        Option("print_width_mm", None, "Print: physical width the pixels must cover at min_dpi."),
        Option("print_height_mm", None, "Print: physical height the pixels must cover at min_dpi."),
    )

    @staticmethod
    def validate_options(opts: dict[str, Any]) -> list[str]:
        try:
            parse_ratio(opts.get("aspect_ratio"))
        except (ValueError, ZeroDivisionError):
            return [f"aspect_ratio: cannot parse {opts.get('aspect_ratio')!r} (use e.g. \"16:9\" or 1.91)"]
        return []

    def check(self, asset: Asset, ctx: CheckContext) -> list[Finding]:
        o = ctx.options
        w, h = asset.width, asset.height
        out: list[Finding] = []
        min_w, min_h = int(o.get("min_width") or 0), int(o.get("min_height") or 0)
        if w < min_w or h < min_h:
            factor = max(min_w / w if min_w else 0, min_h / h if min_h else 0)
            out.append(RES001.finding(
                f"{w}x{h} px is below the minimum {min_w}x{min_h} (needs x{factor:.2f})",
                score=min(1.0, 1.0 / factor) if factor else 0.0,
                value=[w, h], threshold=[min_w, min_h], details={"upscale_factor": round(factor, 4)},
            ))
        target = parse_ratio(o.get("aspect_ratio"))
        if target:
            actual = w / h
            deviation = abs(actual - target) / target
            tol = float(o.get("aspect_tolerance") or 0.0)
            if deviation > tol:
                out.append(RES002.finding(
                    f"aspect ratio {w}x{h} ({actual:.3f}) differs from {format_ratio(target)} ({target:.3f}) by {deviation:.1%}",
                    score=max(0.0, 1.0 - deviation), value=round(actual, 4), threshold=round(target, 4),
                    details={"target_ratio": target, "deviation": round(deviation, 4)},
                ))
        min_dpi = o.get("min_dpi")
        if min_dpi:
            dpi = asset.image.dpi
            dpi_value = min(dpi) if dpi else None
            problems = []
            if not dpi_value:
                problems.append("no DPI metadata")
            elif dpi_value + 0.5 < float(min_dpi):
                problems.append(f"DPI metadata {dpi_value:g} below {min_dpi}")
            pw, ph = o.get("print_width_mm"), o.get("print_height_mm")
            if pw and ph:
                need_w = round(float(pw) / 25.4 * float(min_dpi))
                need_h = round(float(ph) / 25.4 * float(min_dpi))
                # Accept either orientation of the sheet.
                if not ((w >= need_w and h >= need_h) or (w >= need_h and h >= need_w)):
                    problems.append(f"{w}x{h} px cannot cover {pw}x{ph} mm at {min_dpi} dpi ({need_w}x{need_h} px)")
            if problems:
                out.append(RES003.finding(
                    "; ".join(problems), score=(dpi_value or 0) / float(min_dpi) if dpi_value else 0.0,
                    value=dpi_value, threshold=float(min_dpi),
                ))
        return out
