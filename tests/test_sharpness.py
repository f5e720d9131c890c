"""Sharpness checker (SHP001 blurry, SHP002 low effective resolution) on real photos and generated images."""
from __future__ import annotations

import time

import numpy as np
import pytest
from PIL import Image, ImageFilter

from evals import sharpness_data as D
from qa.registry import find_rule, load_all, rule_doc
from qa.testing import asset_from_array, asset_from_bytes, asset_from_file, encode, make_context, sample_photo


@pytest.fixture(scope="module")
def ctx():
    return make_context("sharpness")


@pytest.fixture(scope="module")
def checker():
    return load_all()["sharpness"]()


@pytest.fixture(scope="module")
def photos():
    return D.photos()


def run(checker, ctx, rgb, name="a.jpg", quality=90):
    return checker.check(asset_from_bytes(D.jpeg(rgb, quality), name), ctx)


def codes(findings):
    return sorted(f.code for f in findings)


def sharp_mosaic(photos, seed=0):
    rng = np.random.default_rng(seed)
    return D.mosaic([photos[n] for n in ("astronaut", "chelsea", "coffee", "immunohistochemistry")], rng)


def upscale(rgb, factor, method=Image.Resampling.BICUBIC, size=1024):
    src = int(round(size / factor))
    small = rgb[:src, :src]
    assert small.shape[:2] == (src, src)
    return np.asarray(Image.fromarray(small).resize((size, size), method))


def test_sharp_high_res_photo_passes(tmp_path, checker, ctx, photos):
    """A 1024 px mosaic of native-resolution photos, written as a JPEG file, has no finding."""
    path = tmp_path / "sharp.jpg"
    path.write_bytes(D.jpeg(sharp_mosaic(photos), 92))
    assert checker.check(asset_from_file(path), ctx) == []


@pytest.mark.parametrize("name", ["hubble_deep_field", "astronaut", "rocket", "coffee"])
def test_native_photos_pass(checker, ctx, photos, name):
    assert run(checker, ctx, photos[name]) == []


def test_flat_background_sharp_images_pass(checker, ctx, photos):
    """cleanvision's false positive: sharp content on a large flat background is not blurry."""
    rng = np.random.default_rng(3)
    assert run(checker, ctx, D.product_shot(photos["astronaut"], rng)) == []
    assert run(checker, ctx, D.graphic(7)) == []
    # mostly empty canvas with a small sharp subject
    canvas = np.full((1536, 1536, 3), 245, np.uint8)
    canvas[600:856, 700:956] = photos["camera"][:256, :256]
    assert run(checker, ctx, canvas) == []


def test_naive_2x_upscale_flagged_with_effective_scale(checker, ctx, photos):
    findings = run(checker, ctx, upscale(photos["astronaut"], 2.0))
    assert codes(findings) == ["SHP002"]
    f = findings[0]
    assert 1.6 <= f.details["effective_scale"] <= 3.2
    w, h = f.details["effective_size"]
    assert 300 <= w <= 650 and 300 <= h <= 650
    assert f.severity.value == "warning" and 0.0 <= f.score < 1.0
    assert "native resolution" in f.message


@pytest.mark.parametrize("method", [Image.Resampling.BILINEAR, Image.Resampling.LANCZOS])
def test_naive_3x_upscale_flagged(checker, ctx, photos, method):
    findings = run(checker, ctx, upscale(photos["astronaut"], 3.0, method))
    assert len(findings) == 1 and findings[0].code in ("SHP001", "SHP002")
    assert findings[0].details["effective_scale"] >= 2.0


@pytest.mark.parametrize("factor", [2.0, 2.5, 3.0])
def test_nearest_neighbour_upscale_flagged(checker, ctx, photos, factor):
    findings = run(checker, ctx, upscale(photos["astronaut"], factor, Image.Resampling.NEAREST))
    assert codes(findings) == ["SHP002"]
    assert findings[0].details["cause"] == "pixel replication"
    assert findings[0].details["effective_scale"] >= 1.6


@pytest.mark.parametrize("sigma", [1.5, 2.0, 3.0])
def test_gaussian_blur_flagged_blurry(checker, ctx, photos, sigma):
    blurred = np.asarray(Image.fromarray(sharp_mosaic(photos)).filter(ImageFilter.GaussianBlur(sigma)))
    findings = run(checker, ctx, blurred)
    assert codes(findings) == ["SHP001"]
    assert findings[0].value < findings[0].threshold


def test_blurred_graphic_flagged(checker, ctx):
    blurred = np.asarray(Image.fromarray(D.graphic(11)).filter(ImageFilter.GaussianBlur(2.0)))
    assert codes(run(checker, ctx, blurred)) in (["SHP001"], ["SHP002"])


def test_flat_and_tiny_images_are_not_judged(checker, ctx):
    assert run(checker, ctx, np.full((800, 800, 3), 128, np.uint8)) == []
    ramp = np.tile(np.linspace(0, 255, 1024, dtype=np.float32), (1024, 1)).astype(np.uint8)
    assert run(checker, ctx, np.stack([ramp] * 3, -1)) == []
    assert run(checker, ctx, np.zeros((16, 16, 3), np.uint8), name="tiny.png") == []


def test_rgba_png_and_grayscale(checker, ctx):
    photo = sample_photo("astronaut")
    rgba = np.dstack([photo, np.full(photo.shape[:2], 255, np.uint8)])
    assert checker.check(asset_from_array(rgba, "a.png"), ctx) == []
    up = upscale(photo, 2.0)
    gray = up[..., 0]
    assert codes(checker.check(asset_from_bytes(encode(gray, "PNG"), "g.png"), ctx)) == ["SHP002"]


def test_large_image_uses_a_crop_and_stays_cheap(checker, ctx, photos):
    """A 2048 px image is judged on its most detailed 1024 px window."""
    big = np.asarray(Image.fromarray(sharp_mosaic(photos, 1)).resize((2048, 2048), Image.Resampling.BICUBIC))
    asset = asset_from_array(big, "big.png")
    t = time.process_time()
    findings = checker.check(asset, ctx)
    assert codes(findings) == ["SHP002"]
    assert time.process_time() - t < 1.0
    assert findings[0].details["effective_size"][0] < 1400


def test_cost_per_1024px_image(checker, ctx, photos):
    """The screen costs a few ms on a passing 1024 px image (measured in CPU time; generous bound for CI)."""
    data = D.jpeg(sharp_mosaic(photos, 2), 90)
    times = []
    for _ in range(5):
        asset = asset_from_bytes(data, "a.jpg")
        _ = asset.rgb
        t = time.process_time()
        assert checker.check(asset, ctx) == []
        times.append(time.process_time() - t)
    assert min(times) < 0.030


def test_thresholds_are_options(photos):
    checker = load_all()["sharpness"]()
    strict = make_context("sharpness", {"soft_ratio": 0.05, "replication": 0.99})
    assert run(checker, strict, upscale(photos["astronaut"], 2.0)) == []


def test_rules_documented():
    for code in ("SHP001", "SHP002"):
        rule = find_rule(code)
        assert rule is not None and rule.check == "sharpness"
        assert rule.fixer is None  # upscaling cannot add the missing detail
        doc = rule_doc(rule)
        assert "soft_ratio" in doc
    assert "re-export" in find_rule("SHP002").fix.lower() or "re-generate" in find_rule("SHP002").fix.lower()
