"""Brand colour checker (BRD001 coverage, BRD002 off-palette dominant colour) and the shared colour helpers."""
from __future__ import annotations

import time

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from qa import colour
from qa.registry import find_rule, load_all, rule_doc
from qa.testing import asset_from_array, asset_from_file, encode, make_context, sample_photo
from qa.types import Region

PALETTE = [
    {"name": "Brand blue", "hex": "#1F4FD8"},
    {"name": "Brand orange", "hex": "#FF7A00"},
    {"name": "Brand mint", "hex": "#3CC8A0", "tolerance": 2.0},
]


def hex_rgb(h):
    return colour.parse_hex(h)


@pytest.fixture(scope="module")
def checker():
    return load_all()["brand_color"]()


def ctx_with(**opts):
    return make_context("brand_color", {"palette": PALETTE, **opts})


def design(size=1024, off=None, off_box=(560, 520, 940, 900)):
    """A flat design: white background, brand blue header, orange and mint blocks, black/grey text."""
    im = Image.new("RGB", (size, size), (255, 255, 255))
    d = ImageDraw.Draw(im)
    d.rectangle([0, 0, size, 300], fill=hex_rgb("#1F4FD8"))
    d.ellipse([80, 420, 480, 820], fill=hex_rgb("#FF7A00"))
    d.rectangle([600, 380, 900, 460], fill=hex_rgb("#3CC8A0"))
    font = ImageFont.load_default(size=56)
    d.text((60, 120), "Spring sale", fill=(255, 255, 255), font=font)
    d.text((60, 900), "Terms apply - see site", fill=(40, 40, 40), font=font)
    if off is not None:
        d.rectangle(list(off_box), fill=off)
    return np.asarray(im)


def iou(a: Region, b: Region) -> float:
    x0, y0 = max(a.x, b.x), max(a.y, b.y)
    x1, y1 = min(a.x + a.w, b.x + b.w), min(a.y + a.h, b.y + b.h)
    inter = max(0, x1 - x0) * max(0, y1 - y0)
    return inter / (a.area + b.area - inter)


# ----------------------------------------------------------------- qa.colour


def test_parse_hex_and_to_hex():
    assert colour.parse_hex("#1a2B3c") == (0x1A, 0x2B, 0x3C)
    assert colour.parse_hex("abc") == (0xAA, 0xBB, 0xCC)
    assert colour.to_hex((1, 2, 300)) == "#0102ff"
    for bad in ("#12345", "blue", "#gggggg", ""):
        with pytest.raises(ValueError, match="hex colour"):
            colour.parse_hex(bad)


def test_srgb_to_lab_matches_skimage_and_round_trips():
    from skimage.color import rgb2lab

    rgb = np.random.default_rng(0).integers(0, 256, (5000, 3), dtype=np.uint8)
    rgb[:256] = np.arange(256)[:, None]
    ours = colour.srgb_to_lab(rgb)
    ref = rgb2lab(rgb[None].astype(np.float64) / 255.0)[0]
    assert np.abs(ours - ref).max() < 0.01
    assert np.array_equal(colour.lab_to_srgb(ours), rgb)
    assert colour.lab_to_hex(colour.hex_to_lab("#1f4fd8")) == "#1f4fd8"


def test_delta_e00_reference_values():
    # Sharma, Wu & Dalal (2005) CIEDE2000 test data, pairs 1 and 7.
    a = np.array([[50.0, 2.6772, -79.7751], [50.0, 0.0, 0.0]])
    b = np.array([[50.0, 0.0, -82.7485], [50.0, -1.0, 2.0]])
    assert np.allclose(colour.delta_e00(a, b), [2.0425, 2.3669], atol=1e-4)
    m = colour.delta_e00_matrix(a, b)
    assert m.shape == (2, 2) and np.isclose(m[0, 0], 2.0425, atol=1e-4)
    idx, d = colour.nearest_colour(a, b)
    assert list(idx) == [0, 1]


def test_delta_e00_is_skimages_formula_bit_for_bit():
    # qa.colour carries its own copy of skimage's CIEDE2000 (no skimage import in workers): same numbers,
    # including neutrals (no hue), identical colours and hue differences that wrap around 0/360°.
    from skimage.color import deltaE_ciede2000

    rng = np.random.default_rng(3)
    a = rng.random((4000, 3)) * [100, 200, 200] - [0, 100, 100]
    b = rng.random((4000, 3)) * [100, 200, 200] - [0, 100, 100]
    a[:200, 1:] = 0
    b[100:300, 1:] = 0
    b[300:400] = a[300:400]
    a[400:600, 2], b[400:600, 2] = 1e-3, -1e-3
    assert np.array_equal(colour.delta_e00(a, b), deltaE_ciede2000(a, b))
    grid = colour.delta_e00_matrix(a[:8], b[:3])
    assert grid.shape == (8, 3) and np.array_equal(grid, deltaE_ciede2000(a[:8, None], b[None, :3]))
    assert colour.delta_e00(a[5], b[5]) == deltaE_ciede2000(a[5], b[5])


def test_nearest_centre_and_colour_map_match_brute_force():
    rng = np.random.default_rng(4)
    labs = colour.srgb_to_lab(rng.integers(0, 256, (6, 3), dtype=np.uint8))
    pts = rng.random((3, 5000)).astype(np.float32) * np.array([[100], [200], [200]], np.float32) - [[0], [100], [100]]
    brute = ((pts.T[:, None, :] - labs[None]) ** 2).sum(-1).argmin(1)
    assert np.mean(colour.nearest_centre(pts, labs) == brute) > 0.999  # float rounding may flip exact ties
    img = rng.integers(0, 256, (64, 80, 3), dtype=np.uint8)
    # the map labels only the bins the image uses: the same labels as labelling all 32768 bins
    every_bin = colour.nearest_centre(np.ascontiguousarray(colour.quantised_lab_lut().T), labs)
    assert np.array_equal(colour.nearest_colour_map(img, labs), every_bin[colour.quantised_index(img)])


def test_kmeans_and_dominant_colours_are_deterministic():
    rng = np.random.default_rng(1)
    blue, orange = np.array(hex_rgb("#1F4FD8")), np.array(hex_rgb("#FF7A00"))
    px = np.concatenate([np.clip(blue + rng.normal(0, 1.5, (1400, 3)), 0, 255),
                         np.clip(orange + rng.normal(0, 1.5, (600, 3)), 0, 255)]).astype(np.uint8)
    cols1, _, labels1 = colour.dominant_colours(px, k=8)
    cols2, _, labels2 = colour.dominant_colours(px, k=8)
    assert [c.hex for c in cols1] == [c.hex for c in cols2] and np.array_equal(labels1, labels2)
    # near-duplicate clusters are merged: two colours remain, weighted by share
    assert len(cols1) == 2
    assert abs(cols1[0].share - 0.7) < 0.01 and abs(cols1[1].share - 0.3) < 0.01
    assert colour.delta_e00(cols1[0].lab, colour.hex_to_lab("#1F4FD8")) < 1.0
    assert colour.delta_e00(cols1[1].lab, colour.hex_to_lab("#FF7A00")) < 1.0


def test_nearest_colour_map_labels_pixels():
    img = design()
    labs = colour.palette_labs(["#1F4FD8", "#FF7A00", "#FFFFFF"])
    m = colour.nearest_colour_map(img, labs)
    assert m[100, 500] == 0 and m[620, 280] == 1 and m[1000, 1000] == 2


# ----------------------------------------------------------------- checker


def test_inactive_without_palette(checker):
    assert not checker.is_active(make_context("brand_color"))
    assert checker.is_active(ctx_with())


def test_on_palette_design_passes(tmp_path, checker):
    path = tmp_path / "on_palette.jpg"
    path.write_bytes(encode(design(), "JPEG", quality=88))
    assert checker.check(asset_from_file(path), ctx_with()) == []


def test_off_palette_region_flagged_with_region(checker):
    box = (560, 520, 940, 880)
    img = design(off=(40, 170, 60), off_box=box)  # an off-brand green block
    findings = checker.check(asset_from_array(img, "off.jpg", quality=90), ctx_with())
    brd2 = [f for f in findings if f.code == "BRD002"]
    assert len(brd2) == 1
    f = brd2[0]
    painted = Region(box[0], box[1], box[2] - box[0] + 1, box[3] - box[1] + 1)
    assert f.region is not None and iou(f.region, painted) > 0.8
    d = f.details
    assert colour.delta_e00(colour.hex_to_lab(d["hex"]), colour.srgb_to_lab(np.array([40, 170, 60], np.uint8))) < 3
    assert d["nearest"] in {p["name"] for p in PALETTE} and d["nearest_hex"].startswith("#")
    assert d["delta_e00"] > 3.5 and d["metric"] == "ΔE00"
    assert f.severity.value == "warning" and f.value == d["delta_e00"] and f.threshold == d["tolerance"]
    rule = find_rule("BRD002")
    assert rule.fixer == "recolour" and rule.fix_safety == "safe"


def test_coverage_low_when_off_palette_dominates(checker):
    img = design(off=(150, 40, 160), off_box=(0, 300, 1024, 1024))  # purple takes most of the canvas
    findings = checker.check(asset_from_array(img, "purple.png"), ctx_with())
    got = {f.code: f for f in findings}
    assert set(got) == {"BRD001", "BRD002"}
    assert got["BRD001"].value < 0.75 and got["BRD001"].severity.value == "warning"
    assert got["BRD002"].region.y >= 280


def test_neutrals_ignored_unless_option_off(checker):
    img = design()
    assert checker.check(asset_from_array(img, "n.png"), ctx_with()) == []
    strict = checker.check(asset_from_array(img, "n.png"), ctx_with(ignore_neutrals=False))
    assert "BRD001" in {f.code for f in strict}  # the white background counts against the palette
    # a neutral that is in the palette counts as on-palette
    pal = PALETTE + [{"name": "Paper", "hex": "#FFFFFF"}, {"name": "Ink", "hex": "#282828"}]
    assert checker.check(asset_from_array(img, "n.png"),
                         make_context("brand_color", {"palette": pal, "ignore_neutrals": False})) == []


def test_per_entry_tolerance(checker):
    """A shade ~3 ΔE00 from brand blue passes at the default 3.5 but not at a logo tolerance of 2."""
    target = colour.hex_to_lab("#1F4FD8").astype(np.float64)
    shade = colour.lab_to_srgb(target + np.array([3.5, 0.0, 0.0]))
    de = float(colour.delta_e00(colour.srgb_to_lab(shade), target))
    assert 2.3 < de < 3.4
    img = design()
    img = img.copy()
    img[:300] = shade
    assert checker.check(asset_from_array(img, "s.png"), ctx_with()) == []
    tight = [dict(p, tolerance=2.0) if p["name"] == "Brand blue" else p for p in PALETTE]
    found = checker.check(asset_from_array(img, "s.png"), make_context("brand_color", {"palette": tight}))
    assert "BRD002" in {f.code for f in found}


def test_transparent_pixels_are_excluded(checker):
    img = design(off=(40, 170, 60), off_box=(560, 520, 940, 880))
    alpha = np.full(img.shape[:2], 255, np.uint8)
    alpha[520:881, 560:941] = 0  # the off-palette block is fully transparent
    rgba = np.dstack([img, alpha])
    assert checker.check(asset_from_array(rgba, "t.png"), ctx_with()) == []


def test_real_photo_reports_coverage(checker):
    findings = checker.check(asset_from_array(sample_photo("coffee"), "coffee.jpg"), ctx_with())
    codes = {f.code for f in findings}
    assert "BRD001" in codes and "BRD002" in codes
    for f in findings:
        if f.code == "BRD002":
            assert f.region is not None and f.region.w > 0 and f.region.x + f.region.w <= 600


def test_palette_validation_messages():
    from pathlib import Path

    from qa.config import validate_document

    errors = validate_document({"checks": {"brand_color": {"palette": [{"name": "x", "hex": "#12"}]}}},
                               Path("campaign.yaml"))
    assert any("palette[0]" in e and "hex colour" in e and "campaign.yaml" in e for e in errors)
    errors = validate_document({"checks": {"brand_color": {"palette": [{"hex": "#123456", "tol": 2}]}}},
                               Path("c.yaml"))
    assert any("unknown key" in e for e in errors)
    assert validate_document({"checks": {"brand_color": {"palette": ["#123456", {"hex": "#abcdef",
                                                                                 "tolerance": 2}]}}},
                             Path("c.yaml")) == []


def test_cost_per_1024px_image(checker):
    img = design()
    ctx = ctx_with()
    times = []
    for _ in range(5):
        asset = asset_from_array(img, "d.jpg", quality=90)
        _ = asset.rgb
        t = time.process_time()
        checker.check(asset, ctx)
        times.append(time.process_time() - t)
    assert min(times) < 0.030


def test_rules_documented():
    doc = rule_doc(find_rule("BRD001"))
    assert "ΔE00" in doc and "min_coverage" in doc and "severity" in doc.lower()
    assert "neutral_chroma" in rule_doc(find_rule("BRD002"))


def test_degenerate_images(checker):
    """Fully transparent, 1x1 and single-colour images give no traceback (and no finding when on-palette)."""
    clear = np.zeros((64, 64, 4), np.uint8)
    clear[..., 1] = 255  # green but alpha = 0 everywhere
    assert checker.check(asset_from_array(clear, "clear.png"), ctx_with()) == []
    assert checker.check(asset_from_array(np.full((1, 1, 3), 255, np.uint8), "dot.png"), ctx_with()) == []
    solid = np.zeros((50, 80, 3), np.uint8)
    solid[:] = hex_rgb("#1F4FD8")
    assert checker.check(asset_from_array(solid, "solid.png"), ctx_with()) == []
    off = np.zeros((50, 80, 3), np.uint8)
    off[:] = (120, 0, 140)
    got = {f.code: f for f in checker.check(asset_from_array(off, "off.png"), ctx_with())}
    assert set(got) == {"BRD001", "BRD002"}
    assert got["BRD002"].region == Region(0, 0, 80, 50)


@pytest.mark.parametrize("shape", [(1024, 1024), (768, 1024), (1000, 1500), (300, 451)])
def test_area_downscale_matches_exact_area_average(shape):
    """The halving chain must agree with OpenCV's exact INTER_AREA to within rounding."""
    import cv2

    from qa.imageops import area_downscale

    rgb = cv2.resize(sample_photo("astronaut"), (shape[1], shape[0]), interpolation=cv2.INTER_CUBIC)
    s = 256 / max(shape)
    size = (max(1, round(shape[1] * s)), max(1, round(shape[0] * s)))
    exact = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA).astype(int)
    fast = area_downscale(rgb, size)
    assert fast.shape == exact.shape and fast.dtype == np.uint8
    diff = np.abs(fast.astype(int) - exact)
    if max(shape) % 256 == 0:  # power-of-two ratios: the chain is the same box filter, up to rounding
        assert diff.max() <= 1
    else:  # cell borders fall on 2-px steps, so only pixels at strong edges differ noticeably
        assert diff.mean() < 1.5
