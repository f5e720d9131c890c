"""Safe, single decode of untrusted image bytes into sRGB pixels plus metadata.

Every failure becomes a `DecodeError` with a human reason (zero-byte, truncated,
decompression bomb, unsupported format...) so the engine can turn it into a
`format` finding and keep going. The caller's bytes are never written back.
"""
from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field
from typing import Any, Collection

import numpy as np
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

#: Formats we decode (Pillow names). HEIF is added when pillow-heif is installed.
SUPPORTED_FORMATS: tuple[str, ...] = ("JPEG", "PNG", "WEBP", "TIFF", "GIF", "AVIF", "MPO")

#: File extensions walked by default (lower case, without dot).
EXTENSION_FORMATS: dict[str, str] = {
    "jpg": "JPEG",
    "jpeg": "JPEG",
    "png": "PNG",
    "webp": "WEBP",
    "tif": "TIFF",
    "tiff": "TIFF",
    "gif": "GIF",
    "avif": "AVIF",
    "heic": "HEIF",
    "heif": "HEIF",
}

MIME_TYPES: dict[str, str] = {
    "JPEG": "image/jpeg",
    "MPO": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "TIFF": "image/tiff",
    "GIF": "image/gif",
    "AVIF": "image/avif",
    "HEIF": "image/heif",
}

DEFAULT_MAX_PIXELS = 100_000_000  # ~10k x 10k; larger is treated as a decompression bomb

#: Pixel planes a check can ask for (`Checker.pixels`): full-resolution sRGB, or full-resolution luma (uint8).
RGB, GRAY = "rgb", "gray"
PLANES: tuple[str, ...] = (RGB, GRAY)

_heif_checked = False


def _enable_heif() -> bool:
    """Register pillow-heif if it is installed (HEIC has no native Pillow support)."""
    global _heif_checked
    if not _heif_checked:
        _heif_checked = True
        try:
            from pillow_heif import register_heif_opener  # type: ignore

            register_heif_opener()
        except ImportError:
            return False
    return "HEIF" in Image.registered_extensions().values()


class DecodeError(Exception):
    """The bytes cannot be decoded safely; `reason` is shown to the user."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class DecodedImage:
    """Pixels in sRGB (uint8, HxWx3, EXIF-oriented) and the metadata spec checks need."""

    format: str
    width: int
    height: int
    mode: str
    bit_depth: int
    has_alpha: bool
    color_space: str  # "sRGB", "untagged", or the ICC description / mode of a non-sRGB source
    icc_description: str | None
    dpi: tuple[float, float] | None
    n_frames: int
    exif_orientation: int
    rgb: np.ndarray | None = None
    alpha: np.ndarray | None = None
    scale: float = 1.0  # decoded size / true size when a draft (DCT-scaled) decode was used
    #: Luma (uint8) decoded straight from a plain JPEG when the run needs no RGB (`decode(planes=...)`).
    gray: np.ndarray | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def mime(self) -> str:
        return MIME_TYPES.get(self.format, "application/octet-stream")

    @property
    def is_srgb(self) -> bool:
        return self.color_space in ("sRGB", "untagged")


_BIT_DEPTHS = {"1": 1, "L": 8, "P": 8, "RGB": 8, "RGBA": 8, "CMYK": 8, "YCbCr": 8, "LA": 8, "PA": 8,
               "I;16": 16, "I;16B": 16, "I;16L": 16, "I;16N": 16, "I": 32, "F": 32, "RGBX": 8, "LAB": 8, "HSV": 8}


def sniff_format(data: bytes) -> str | None:
    """Identify the container from magic bytes (to report a wrong extension)."""
    if data[:3] == b"\xff\xd8\xff":
        return "JPEG"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "TIFF"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in (b"avif", b"avis"):
            return "AVIF"
        if brand in (b"heic", b"heix", b"mif1", b"msf1", b"hevc", b"heim", b"heis"):
            return "HEIF"
    if data[:5] in (b"<?xml", b"<svg ") or b"<svg" in data[:256]:
        return "SVG"
    if data[:2] == b"BM":
        return "BMP"
    return None


def _icc_description(icc: bytes | None) -> str | None:
    if not icc:
        return None
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return (ImageCms.getProfileDescription(profile) or "").strip() or "unnamed ICC profile"
    except Exception:  # noqa: BLE001 - a broken profile is reported, not fatal
        return "unreadable ICC profile"


def _is_srgb_description(desc: str) -> bool:
    d = desc.lower().replace(" ", "")
    return "srgb" in d or "iec61966-2" in d


def _to_srgb(im: Image.Image, icc: bytes | None) -> tuple[Image.Image, str]:
    """Convert to 8-bit sRGB RGB(A), honouring an embedded profile. Returns (image, colour space)."""
    space = "untagged"
    if im.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        arr = np.asarray(im, dtype=np.float64)
        peak = 65535.0 if im.mode.startswith("I;16") or arr.max() > 255 else 255.0
        im = Image.fromarray(np.clip(arr / peak * 255.0 + 0.5, 0, 255).astype(np.uint8), "L")
    elif im.mode == "F":
        arr = np.asarray(im, dtype=np.float64)
        hi = 1.0 if arr.max() <= 1.0 else 255.0
        im = Image.fromarray(np.clip(arr / hi * 255.0 + 0.5, 0, 255).astype(np.uint8), "L")
    if im.mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    elif im.mode in ("1", "L", "LA", "PA"):
        im = im.convert("RGBA" if im.mode in ("LA", "PA") else "RGB")
    alpha = im.getchannel("A") if "A" in im.getbands() else None
    if icc:
        desc = _icc_description(icc) or ""
        if _is_srgb_description(desc):
            space = "sRGB"
        else:
            space = desc or "ICC"
            try:
                src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
                dst = ImageCms.createProfile("sRGB")
                base = im.convert("CMYK" if im.mode == "CMYK" else "RGB")
                im = ImageCms.profileToProfile(base, src, dst, outputMode="RGB")
            except Exception:  # noqa: BLE001 - fall back to a plain conversion, noted by color_space
                im = im.convert("RGB")
    elif im.mode == "CMYK":
        space = "CMYK (untagged)"
    if im.mode != "RGB":
        im = im.convert("RGB")
    if alpha is not None:
        im.putalpha(alpha)
    return im, space


def _exif_orientation(im: Image.Image, data: bytes) -> int:
    """EXIF orientation tag (1 = upright) without decoding pixels where possible.

    Pillow's PNG `getexif()` decodes the whole image to look for an eXIf chunk after the pixel
    data (30 ms at 1024 px), so a PNG without any eXIf chunk is answered from the bytes.
    """
    if im.format == "PNG" and "exif" not in im.info and b"eXIf" not in data:
        return 1
    try:
        return int(im.getexif().get(0x0112, 1) or 1)
    except Exception:  # noqa: BLE001
        return 1


def _fast_container(data: bytes, fmt: str, mode: str, info: dict) -> bool:
    """Whether OpenCV can decode these bytes exactly as Pillow would: plain 8-bit RGB/grey JPEG or PNG,
    no transparency, and an end marker present (a truncated file takes Pillow's path for its error)."""
    if mode not in ("RGB", "L"):
        return False
    if fmt == "JPEG":
        return data.rstrip(b"\x00").endswith(b"\xff\xd9")
    if fmt == "PNG":
        return "transparency" not in info and b"IEND" in data[-64:]
    return False


def _cv2_imdecode(data: bytes, flags: int) -> np.ndarray | None:
    """`cv2.imdecode` of the bytes (EXIF orientation ignored: callers handle it), or None on any failure."""
    import cv2

    try:
        arr = cv2.imdecode(np.frombuffer(data, np.uint8), flags | cv2.IMREAD_IGNORE_ORIENTATION)
    except cv2.error:
        return None
    return arr if arr is not None and arr.dtype == np.uint8 else None


def _fast_decode(data: bytes, fmt: str, mode: str, info: dict, width: int, height: int) -> np.ndarray | None:
    """Decode plain 8-bit RGB/grey JPEG and PNG straight into a numpy array with OpenCV, or None.

    Why: Pillow stores RGB as 4 bytes per pixel, so `np.asarray` repacks every pixel; OpenCV
    writes the packed HxWx3 array directly (same libjpeg-turbo/libpng, bit-identical pixels),
    which halves decode time on the cheap-check path. Anything else (alpha, palettes, 16-bit,
    CMYK, non-sRGB profiles, rotation, animation, a missing end marker) takes the Pillow path,
    which also produces the precise error for truncated or corrupt data.
    """
    if not _fast_container(data, fmt, mode, info):
        return None
    import cv2

    arr = _cv2_imdecode(data, cv2.IMREAD_COLOR_RGB)
    return arr if arr is not None and arr.shape == (height, width, 3) else None


def _jpeg_gray(data: bytes, width: int, height: int) -> np.ndarray | None:
    """A JPEG's own luma (Y plane), or None. Why: no chroma IDCT, upsampling or colour conversion, and a
    third of the output memory: about two thirds of an RGB decode. Within a grey level or two of
    RGB->grey (more only where RGB clips), the JPEG's luma being the source of both."""
    import cv2

    arr = _cv2_imdecode(data, cv2.IMREAD_GRAYSCALE)
    return arr if arr is not None and arr.shape == (height, width) else None


def decode(
    data: bytes,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    want_pixels: bool = True,
    max_side: int | None = None,
    allowed_formats: tuple[str, ...] | None = None,
    planes: Collection[str] = (RGB,),
) -> DecodedImage:
    """Decode `data` once. `max_side` lets JPEG use DCT scaling (draft) when full detail is not needed.

    `planes` (see `PLANES`) are the pixels the run needs. When that is luma alone, a plain JPEG (8-bit,
    sRGB or untagged, upright, complete) decodes only its luma into `gray`; every other file, and every
    run that needs RGB, decodes RGB (`Asset` derives luma from it, and decodes RGB lazily when absent).
    If the luma decode fails, the full path runs and words the error.
    """
    if not data:
        raise DecodeError("zero-byte file")
    sniffed = sniff_format(data)
    if sniffed == "SVG":
        raise DecodeError("SVG is vector, not raster: rasterize it before delivery")
    Image.init()  # load every plugin so format names resolve
    formats = [f for f in (allowed_formats or SUPPORTED_FORMATS) if f in Image.OPEN]
    if sniffed == "HEIF" or "HEIF" in formats:
        if _enable_heif() and "HEIF" in Image.OPEN:
            formats.append("HEIF")
        elif sniffed == "HEIF":
            raise DecodeError("HEIC/HEIF needs the pillow-heif plugin (pip install pillow-heif)")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            im = Image.open(io.BytesIO(data), formats=formats)
        except Image.DecompressionBombError as exc:
            raise DecodeError(f"decompression bomb refused ({exc})") from exc
        except Image.DecompressionBombWarning as exc:
            raise DecodeError(f"decompression bomb refused ({exc})") from exc
        except UnidentifiedImageError as exc:
            what = sniffed or "unknown"
            raise DecodeError(f"unsupported or unrecognised format ({what})") from exc
        except Exception as exc:  # noqa: BLE001
            raise DecodeError(f"cannot open image: {exc}") from exc
        width, height = im.size
        if width <= 0 or height <= 0:
            raise DecodeError("image has zero width or height")
        if width * height > max_pixels:
            raise DecodeError(f"decompression bomb refused ({width}x{height} exceeds {max_pixels} pixels)")
        try:
            im.verify()
        except Exception as exc:  # noqa: BLE001
            raise DecodeError(f"corrupt image data ({exc})") from exc
        im = Image.open(io.BytesIO(data), formats=formats)
        fmt = im.format or sniffed or "unknown"
        mode = im.mode
        icc = im.info.get("icc_profile")
        dpi_raw = im.info.get("dpi")
        dpi = (float(dpi_raw[0]), float(dpi_raw[1])) if dpi_raw else None
        n_frames = int(getattr(im, "n_frames", 1) or 1)
        orientation = _exif_orientation(im, data)
        has_alpha = "A" in im.getbands() or (mode == "P" and "transparency" in im.info)
        bit_depth = _BIT_DEPTHS.get(mode, 8)
        if mode in ("RGB", "RGBA") and im.info.get("bits") == 16:
            bit_depth = 16
        scale = 1.0
        if want_pixels and max_side and fmt == "JPEG" and max(width, height) > max_side:
            requested = (max(1, width * max_side // max(width, height)), max(1, height * max_side // max(width, height)))
            im.draft("RGB", requested)
            scale = im.size[0] / width
        desc = _icc_description(icc)
        plain = want_pixels and scale == 1.0 and orientation in (0, 1) and n_frames == 1 and bit_depth == 8 \
            and (not icc or (desc is not None and _is_srgb_description(desc))) \
            and _fast_container(data, fmt, mode, im.info)
        gray = _jpeg_gray(data, width, height) if plain and fmt == "JPEG" and set(planes) == {GRAY} else None
        fast = None
        if plain and gray is None:
            fast = _fast_decode(data, fmt, mode, im.info, width, height)
        if fast is None and gray is None:
            try:
                im.load()
            except Exception as exc:  # noqa: BLE001 - truncated data raises OSError here
                raise DecodeError(f"truncated or corrupt image data ({exc})") from exc
        color_space = "untagged" if not icc else ("sRGB" if desc and _is_srgb_description(desc) else (desc or "ICC"))
        if mode == "CMYK" and not icc:
            color_space = "CMYK (untagged)"
        rgb = alpha = None
        if fast is not None or gray is not None:
            rgb, color_space = fast, ("sRGB" if icc else "untagged")
        elif want_pixels:
            try:
                # exif_transpose copies the whole image even when nothing needs rotating.
                oriented = ImageOps.exif_transpose(im) if orientation not in (0, 1) else im
                converted, color_space = _to_srgb(oriented, icc)
            except Exception as exc:  # noqa: BLE001
                raise DecodeError(f"cannot convert pixels to sRGB ({exc})") from exc
            arr = np.asarray(converted)
            rgb = np.ascontiguousarray(arr[..., :3])
            alpha = np.ascontiguousarray(arr[..., 3]) if arr.shape[-1] == 4 else None
        if orientation in (5, 6, 7, 8):
            width, height = height, width
    return DecodedImage(
        format=fmt,
        width=width,
        height=height,
        mode=mode,
        bit_depth=bit_depth,
        has_alpha=has_alpha,
        color_space=color_space,
        icc_description=desc,
        dpi=dpi,
        n_frames=n_frames,
        exif_orientation=orientation,
        rgb=rgb,
        alpha=alpha,
        scale=scale,
        gray=gray,
    )


def decode_rgb(data: bytes, max_pixels: int) -> tuple[np.ndarray, np.ndarray | None]:
    """Full-resolution sRGB (and alpha) of bytes `decode` already accepted: `Asset.rgb` decodes them
    lazily when a run decoded only other planes up front."""
    image = decode(data, max_pixels=max_pixels, planes=(RGB,))
    if image.rgb is None:  # not reached for bytes `decode` accepted with pixels; a clear error if it is
        raise DecodeError("pixels could not be decoded")
    return image.rgb, image.alpha


def image_to_rgb_array(im: Image.Image) -> np.ndarray:
    """Utility for fixers/tests: any PIL image to uint8 sRGB HxWx3."""
    converted, _ = _to_srgb(im, im.info.get("icc_profile"))
    return np.ascontiguousarray(np.asarray(converted)[..., :3])


def describe(decoded: DecodedImage) -> dict[str, Any]:
    return {
        "format": decoded.format,
        "width": decoded.width,
        "height": decoded.height,
        "mode": decoded.mode,
        "bit_depth": decoded.bit_depth,
        "color_space": decoded.color_space,
        "dpi": decoded.dpi,
        "frames": decoded.n_frames,
    }
