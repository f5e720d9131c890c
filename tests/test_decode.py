"""Safe decoding: hostile and unusual files give a reason, never a traceback."""
from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image, ImageCms

from qa.decode import DecodeError, decode
from qa.testing import encode, sample_photo


def test_zero_byte_is_refused():
    with pytest.raises(DecodeError, match="zero-byte"):
        decode(b"")


def test_truncated_jpeg_is_refused():
    data = encode(sample_photo(), "JPEG")
    with pytest.raises(DecodeError, match="truncated|corrupt"):
        decode(data[: len(data) // 2])


def test_decompression_bomb_is_refused_before_decoding():
    # A tiny PNG whose header claims 20000 x 20000 pixels.
    data = encode(np.zeros((8, 8, 3), np.uint8), "PNG")
    ihdr = data.index(b"IHDR")
    body = b"IHDR" + struct.pack(">II", 20000, 20000) + data[ihdr + 12 : ihdr + 17]
    forged = data[:ihdr] + body + struct.pack(">I", zlib.crc32(body)) + data[ihdr + 21 :]
    with pytest.raises(DecodeError, match="decompression bomb"):
        decode(forged, max_pixels=10_000_000)


def test_unsupported_and_svg_formats_name_the_reason():
    with pytest.raises(DecodeError, match="unsupported|unrecognised"):
        decode(b"this is not an image at all" * 10)
    with pytest.raises(DecodeError, match="SVG"):
        decode(b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>')


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_exif_orientation_is_honoured(fmt):
    arr = np.zeros((100, 200, 3), np.uint8)
    im = Image.fromarray(arr)
    exif = im.getexif()
    exif[0x0112] = 6  # rotate 90 CW on display
    buf = io.BytesIO()
    im.save(buf, format=fmt, exif=exif.tobytes())
    decoded = decode(buf.getvalue())
    assert (decoded.width, decoded.height) == (100, 200)
    assert decoded.rgb.shape[:2] == (200, 100)
    assert decoded.exif_orientation == 6


def test_sixteen_bit_grey_is_scaled_not_clipped():
    arr = (np.linspace(0, 65535, 64 * 64).reshape(64, 64)).astype(np.uint16)
    buf = io.BytesIO()
    Image.fromarray(arr, "I;16").save(buf, format="PNG")
    decoded = decode(buf.getvalue())
    assert decoded.bit_depth == 16
    # A naive convert("RGB") would clip almost everything to white.
    assert 100 < decoded.rgb.mean() < 160


def test_icc_profiles_are_classified():
    photo = Image.fromarray(sample_photo("coffee"))
    for profile_name, expect_srgb in (("sRGB", True), ("XYZ", False)):
        profile = ImageCms.ImageCmsProfile(ImageCms.createProfile(profile_name))
        buf = io.BytesIO()
        photo.save(buf, format="PNG", icc_profile=profile.tobytes())
        decoded = decode(buf.getvalue())
        assert decoded.is_srgb is expect_srgb, decoded.color_space
        assert decoded.rgb.shape == (400, 600, 3)
    untagged = decode(encode(sample_photo("coffee"), "PNG"))
    assert untagged.color_space == "untagged" and untagged.is_srgb


def test_cmyk_jpeg_is_flagged_and_converted():
    im = Image.fromarray(sample_photo("coffee")).convert("CMYK")
    buf = io.BytesIO()
    im.save(buf, format="JPEG")
    decoded = decode(buf.getvalue())
    assert not decoded.is_srgb
    assert decoded.rgb.shape == (400, 600, 3)


def test_palette_transparency_becomes_alpha():
    im = Image.new("P", (20, 20), 0)
    im.putpalette([255, 0, 0] + [0, 255, 0] * 255)
    im.info["transparency"] = 0
    buf = io.BytesIO()
    im.save(buf, format="PNG", transparency=0)
    decoded = decode(buf.getvalue())
    assert decoded.has_alpha and decoded.alpha is not None and int(decoded.alpha.max()) == 0


def test_jpeg_draft_decodes_smaller_when_asked():
    data = encode(np.asarray(Image.fromarray(sample_photo()).resize((2048, 2048))), "JPEG")
    full = decode(data)
    small = decode(data, max_side=512)
    assert full.rgb.shape[0] == 2048
    assert small.rgb.shape[0] <= 1024 and small.scale < 1
    assert (small.width, small.height) == (2048, 2048)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
@pytest.mark.parametrize("mode", ["RGB", "L"])
def test_fast_decode_matches_pillow_pixel_for_pixel(fmt, mode):
    """The OpenCV fast path must be invisible: same pixels and metadata as Pillow's conversion."""
    from qa import decode as decode_module

    im = Image.fromarray(sample_photo("coffee")).convert(mode)
    data = encode(np.asarray(im.convert("RGB")) if mode == "RGB" else np.asarray(im), fmt)
    fast = decode_module._fast_decode(data, fmt, mode, {}, im.width, im.height)
    assert fast is not None, "plain 8-bit images should take the fast path"
    expected = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    assert np.array_equal(fast, expected)
    decoded = decode(data)
    assert np.array_equal(decoded.rgb, expected) and decoded.rgb.flags.c_contiguous
    assert decoded.color_space == "untagged" and decoded.alpha is None


def test_fast_decode_leaves_truncated_and_special_images_to_pillow():
    from qa import decode as decode_module

    rgb = sample_photo("coffee")
    jpeg = encode(rgb, "JPEG")
    assert decode_module._fast_decode(jpeg[:-2000], "JPEG", "RGB", {}, rgb.shape[1], rgb.shape[0]) is None
    png = encode(rgb, "PNG")
    assert decode_module._fast_decode(png[:-2000], "PNG", "RGB", {}, rgb.shape[1], rgb.shape[0]) is None
    assert decode_module._fast_decode(png, "PNG", "RGB", {"transparency": 0}, rgb.shape[1], rgb.shape[0]) is None
    assert decode_module._fast_decode(png, "PNG", "P", {}, rgb.shape[1], rgb.shape[0]) is None
    with pytest.raises(DecodeError, match="truncated|corrupt"):
        decode(png[:-2000])


def _luma(rgb: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY)


def _asset(data: bytes, **decode_kw):
    from pathlib import Path

    from qa.asset import Asset, sha256_bytes

    return Asset(path=Path("a.jpg"), display_path="a.jpg", data=data, sha256=sha256_bytes(data),
                 image=decode(data, **decode_kw))


def test_luma_only_decode_of_a_jpeg_matches_rgb_luma():
    """A luma-only run reads the JPEG's own Y plane: the RGB->grey luma within a grey level or two
    (more only where RGB clips, under 1% of this photo's pixels)."""
    data = encode(sample_photo("coffee"), "JPEG", quality=90)
    only, full = decode(data, planes=("gray",)), decode(data)
    assert only.rgb is None and only.gray is not None and only.gray.shape == (400, 600)
    assert (only.width, only.height, only.color_space, only.format) == (full.width, full.height, "untagged", "JPEG")
    diff = np.abs(only.gray.astype(np.int16) - _luma(full.rgb))
    assert diff.mean() < 0.1 and (diff <= 2).mean() > 0.99


def test_luma_follows_exif_orientation():
    photo = sample_photo("coffee")  # 400 x 600
    im = Image.fromarray(photo)
    exif = im.getexif()
    exif[0x0112] = 6  # rotate 90 CW on display
    buf = io.BytesIO()
    im.save(buf, format="JPEG", exif=exif.tobytes(), quality=90)
    asset = _asset(buf.getvalue(), planes=("gray",))
    assert (asset.width, asset.height) == (400, 600) and asset.gray_u8.shape == (600, 400)
    upright = np.rot90(_luma(decode(encode(photo, "JPEG", quality=90)).rgb), k=-1)
    assert np.abs(asset.gray_u8.astype(np.int16) - upright).mean() < 0.5


@pytest.mark.parametrize("kind", ["xyz-icc-jpeg", "png", "cmyk-jpeg"])
def test_luma_plane_only_for_plain_jpegs(kind):
    """Files needing colour management or another decoder keep the full RGB path (luma derived from it)."""
    photo = Image.fromarray(sample_photo("coffee"))
    buf = io.BytesIO()
    if kind == "xyz-icc-jpeg":
        photo.save(buf, format="JPEG", icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile("XYZ")).tobytes())
    elif kind == "png":
        photo.save(buf, format="PNG")
    else:
        photo.convert("CMYK").save(buf, format="JPEG")
    asset = _asset(buf.getvalue(), planes=("gray",))
    assert asset.image.gray is None and asset.image.rgb is not None
    assert np.array_equal(asset.gray_u8, _luma(decode(buf.getvalue()).rgb))


def test_rgb_is_decoded_lazily_when_only_luma_was():
    data = encode(sample_photo("coffee"), "JPEG", quality=90)
    asset = _asset(data, planes=("gray",))
    assert asset.image.rgb is None
    assert np.array_equal(asset.rgb, decode(data).rgb) and asset.image.rgb is not None
    assert asset.opaque_mask() is None and asset.pixel_sample(64).shape == (64, 3)


def test_alpha_is_decoded_lazily_with_rgb():
    rgba = np.dstack([sample_photo("coffee"), np.full((400, 600), 255, np.uint8)])
    rgba[:10, :, 3] = 0
    asset = _asset(encode(rgba, "PNG"), want_pixels=False)
    assert asset.image.rgb is None
    mask = asset.opaque_mask()
    assert mask is not None and not mask[:10].any() and mask[10:].all()
