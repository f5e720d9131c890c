"""Text checker: real OCR (rapidocr, one easyocr case) on generated images, plus the garble signals.

Images are rendered with matplotlib's bundled DejaVu fonts on photos that ship inside
scikit-image / matplotlib (see evals/text_synth.py), so no system fonts are needed.
"""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from evals.text_synth import (
    HOMOGLYPHS, LOOKALIKE, draw_line, fit_photo, font_path, ink_difference, photo, render_on_photo,
)
from qa.garble import garble_signals, ink_contrast, junk_rate, script_of, stripe_share, word_credit
from qa.registry import load_all
from qa.testing import asset_from_array, make_context
from qa.types import Region


def run(asset, **options):
    checker = load_all()["text"]()
    ctx = make_context("text", {"engine": "rapidocr", **options})
    return checker.check(asset, ctx)


def overlaps(region: Region | None, box: tuple[int, int, int, int]) -> bool:
    if region is None:
        return False
    x, y, w, h = box
    ix = max(0, min(region.x + region.w, x + w) - max(region.x, x))
    iy = max(0, min(region.y + region.h, y + h) - max(region.y, y))
    return ix * iy >= 0.3 * min(region.area, w * h)


@pytest.fixture(scope="module")
def headline():
    s = render_on_photo("Launch Day", "coffee", size=56, seed=1)
    return s, asset_from_array(s.image, "launch.png")


@pytest.fixture(scope="module")
def letter_soup():
    s = render_on_photo("QXZTRV BLKWMP", "chelsea", size=52, seed=2)
    return s, asset_from_array(s.image, "soup.png")


@pytest.fixture(scope="module")
def pseudo_cyrillic():
    s = render_on_photo("ЯЕДL SДLЕ NФW", "rocket", size=52, font="DejaVuSans.ttf", seed=3)
    return s, asset_from_array(s.image, "cyrillic.png")


@pytest.fixture(scope="module")
def competitor():
    s = render_on_photo("Brew with Acme today", "coffee", size=44, seed=4)
    return s, asset_from_array(s.image, "acme.png")


def test_rules_declared_with_inpaint_fixer():
    cls = load_all()["text"]
    codes = {r.code: r for r in cls.rules}
    assert set(codes) == {"TXT001", "TXT002", "TXT003", "TXT004"}
    for code in ("TXT001", "TXT004"):
        assert codes[code].fixer == "inpaint" and codes[code].fix_safety == "unsafe"
    assert all(r.severity.value == "error" for r in cls.rules)
    names = {o.name for o in cls.options}
    assert {"engine", "languages", "required", "forbidden", "allow_text", "max_side", "garble_threshold",
            "match_ratio"} <= names


def test_engine_choice_and_model_ids():
    from qa.ocr import choose_engine

    assert choose_engine("auto", "cpu") == "rapidocr"
    assert choose_engine("auto", "cuda") == "easyocr"
    checker = load_all()["text"]()
    ids = checker.model_ids(make_context("text", {"engine": "easyocr"}))
    assert "easyocr" in ids["ocr"] and "english_g2" in ids["ocr"]
    assert ids["ocr_second_reader"].startswith("rapidocr: ")  # the report names the second reader too
    ids = checker.model_ids(make_context("text", {"engine": "rapidocr"}))
    assert "rapidocr" in ids["ocr"] and "PP-OCR" in ids["ocr"] and "ocr_second_reader" not in ids


def test_option_validation_messages():
    cls = load_all()["text"]
    errors = cls.validate_options({"engine": "tesseract", "garble_threshold": 3, "required": "Launch Day"})
    assert any("engine" in e for e in errors)
    assert any("garble_threshold" in e for e in errors)
    assert any("required" in e for e in errors)


def test_garble_signals_without_ocr():
    assert script_of("a") == "LATIN" and script_of("Д") == "CYRILLIC" and script_of("Σ") == "GREEK"
    assert word_credit("launch", ("en",)) == 1.0
    assert word_credit("LaunchDay", ("en",)) == 1.0  # OCR dropped the space
    assert word_credit("qxztrv", ("en",)) == 0.0
    # High OCR confidence does not make letter soup legible.
    assert garble_signals("QXZTRV BLKWMP", 0.97).score > 0.9
    assert garble_signals("Launch Day", 0.97).score < 0.1
    mixed = garble_signals("SДLЕ", 0.95)
    assert mixed.script_mix == 1.0 and mixed.score > 0.9
    # The detector saw a long line, the reader got one letter.
    assert garble_signals("M", 0.2, shape=(300, 50)).unreadable > 0.9
    assert junk_rate("fer::r.p,ing") > 0.3 and junk_rate("$19.99 only") == 0.0
    # Unreadable low-contrast texture counts less than unreadable ink on a plain ground.
    assert garble_signals("", 0.0, shape=(300, 50), contrast=30).unreadable == 0.0
    assert garble_signals("", 0.0, shape=(300, 50), contrast=180).unreadable == 1.0


def test_scrambled_letters_and_glued_punctuation():
    """Letters of a real word in the wrong order are garbled even when pronounceable; names are not anagrams
    of frequent words; short non-words are left alone (too many match some word's letters by chance)."""
    from qa.garble import is_scrambled

    assert is_scrambled("Ntirwe", ("en",)) and is_scrambled("EIEPC", ("en",)) and not is_scrambled("ZENTIM", ("en",))
    assert not is_scrambled("Slae", ("en",))  # four letters: below MIN_SCRAMBLED
    shuffled = garble_signals("Ntirwe Elads", 0.99)
    assert shuffled.scrambled == 1.0 and shuffled.score > 0.9
    assert garble_signals("Winter Deals", 0.99).score == 0.0  # the words themselves are words
    assert garble_signals("ZENTIM", 0.99).scrambled == 0.0  # a boat's name: a non-word, but no anagram
    # Partial glyphs read as punctuation glued to letters; copy's own punctuation stays clean.
    assert junk_rate(".hour") > 0.5 and junk_rate("Cpe. Trd:y") > 0.2
    for copy in ("U.S. Open", "10:30 Today", "e.g. this", "Hello, World!", "...more", "www.shop.com", "Note: open"):
        assert junk_rate(copy) == 0.0, copy


def test_reading_order_keeps_words_of_a_line_left_to_right():
    """OCR boxes the words of a line separately; a taller word's box starts higher. Required copy joined in
    (top, left) order read "SALE SUMMER" and failed to match "Summer Sale"."""
    from qa.checks.text import best_match, copy_lines, reading_order
    from qa.ocr import OcrRegion

    def box(text, x, y, w, h):
        return OcrRegion(points=[(x, y), (x + w, y), (x + w, y + h), (x, y + h)], box=Region(x, y, w, h),
                         text=text, confidence=0.99, det_score=0.9)

    regions = [box("SALE", 300, 96, 120, 52), box("SUMMER", 100, 100, 180, 44), box("Shop now", 110, 200, 200, 30)]
    ordered = [r.text for r in reading_order(regions)]
    assert ordered == ["SUMMER", "SALE", "Shop now"]
    assert best_match("Summer Sale", copy_lines(ordered))[0] == 1.0


def test_vocabulary_repetition_and_one_bad_word():
    assert garble_signals("Zephyrix Launch", 0.97).score > 0.5  # unknown brand name reads as a non-word
    assert garble_signals("Zephyrix Launch", 0.97, vocabulary=frozenset({"zephyrix"})).score == 0.0
    assert garble_signals("XXXY", 0.95).score < 0.3  # a lattice read as one repeated letter
    assert garble_signals("IIlI IIII", 0.95).score < 0.3
    # A long line is not a repeated glyph: scrambled copy keeps its lexical evidence whatever its length.
    assert garble_signals("EIEPC CIEEP", 0.99).score > 0.7
    assert garble_signals("Ntirwe Elads on lla tosac", 0.99).score > 0.7
    assert garble_signals("Winter deals on all coats for the whole family", 0.99).score == 0.0
    assert garble_signals("Launch Dxy Qzvxj", 0.95).score > 0.7  # one pseudo-word spoils the line


def test_title_case_words_run_together_are_words():
    """OCR often drops the space between title-case words; the capitals show where the words start."""
    assert garble_signals("DailySpecials", 0.99).score == 0.0  # "specials" is too rare for `_segmentable`
    assert garble_signals("LcSooh", 0.99).score > 0.5  # capitals inside letter soup still count against it
    assert garble_signals("LaunchDxyqz", 0.99).score > 0.5  # one real part does not make the token a word


def test_ink_contrast():
    img = np.full((40, 120, 3), 200, np.uint8)
    img[10:30, 10:110:8] = 20  # dark strokes on a light ground
    assert ink_contrast(img, Region(0, 0, 120, 40)) > 150
    noise = np.random.default_rng(0).integers(90, 130, (40, 120, 3)).astype(np.uint8)
    assert ink_contrast(noise, Region(0, 0, 120, 40)) < 40


def test_eval_lookalikes_are_visibly_different_and_homoglyphs_are_not():
    """The eval's garbled look-alike lines must look wrong: a letter drawn with the Latin letter's own
    strokes would make a "garbled" label on pixel-identical clean copy."""
    latin_of = {c: k for k, v in LOOKALIKE.items() for c in v}
    for glyph in HOMOGLYPHS:
        assert min(ink_difference(k, glyph) for k in "BHIMPSTXcpsy") < 0.01  # a Latin letter's strokes
        assert glyph not in latin_of  # so never used as a look-alike
    for glyph, latin in latin_of.items():
        assert ink_difference(latin, glyph) >= 0.05, (latin, glyph)
    assert ink_difference("R", "Я") > 0.3 and ink_difference("H", "Н") == 0.0


def test_lookalikes_are_chosen_per_font():
    """Fonts differ: Roboto draws Greek χ with Latin x's strokes, so a Roboto look-alike line must not use it
    (the line would be clean copy labelled garbled); DejaVu's χ differs and stays."""
    from evals.text_synth import MIN_LOOKALIKE_INK, garble_text, lookalikes_for

    roboto = str(font_path("Roboto-Regular.ttf"))
    assert ink_difference("x", "χ", roboto) < 0.01 and ink_difference("x", "χ") >= MIN_LOOKALIKE_INK
    assert "χ" not in lookalikes_for(roboto).get("x", "") and "χ" in lookalikes_for("DejaVuSans.ttf")["x"]
    for latin, alts in lookalikes_for(roboto).items():
        assert all(ink_difference(latin, c, roboto) >= MIN_LOOKALIKE_INK for c in alts)
    rng = np.random.default_rng(0)
    lines = [garble_text("xxx XXX taxi box", "lookalike", rng, roboto) for _ in range(20)]
    assert all("χ" not in line for line in lines) and any(line != "xxx XXX taxi box" for line in lines)


def test_bars_are_not_unreadable_glyphs():
    """Barcodes and medal-ribbon bars trigger text detectors; only glyphs have strokes along the line."""
    rng = np.random.default_rng(3)
    bars = np.repeat(rng.integers(0, 255, (1, 160, 3)), 40, axis=0).astype(np.uint8)  # parallel coloured bars
    assert stripe_share(bars, Region(0, 0, 160, 40)) > 0.99
    assert stripe_share(np.ascontiguousarray(bars.transpose(1, 0, 2)), Region(0, 0, 40, 160)) > 0.99  # vertical
    sample = render_on_photo("Launch Day", "coffee", kind="strokes", seed=2)
    x, y, w, h = sample.lines[0].box
    assert stripe_share(sample.image, Region(x, y, w, h)) < 0.85  # pseudo-glyph strokes
    text = render_on_photo("Launch Day", "coffee", seed=2)
    x, y, w, h = text.lines[0].box
    assert stripe_share(text.image, Region(x, y, w, h)) < 0.85
    unread = garble_signals("", 0.0, shape=(300, 50), contrast=180, stripes=0.7).unreadable
    assert unread == 1.0
    assert garble_signals("", 0.0, shape=(300, 50), contrast=180, stripes=0.97).unreadable == 0.0
    assert garble_signals("", 0.0, shape=(300, 50), contrast=180, stripes=0.7, vertical=True).unreadable == 0.5


def test_box_too_tall_for_two_letters_counts_as_vertical():
    """An unsure reading in a box 1.5-2x taller than wide (a tote's "BE") is weighed as vertical, not as a line."""
    from qa.checks.text import TextChecker
    from qa.ocr import OcrRegion

    def region(w: int, h: int) -> OcrRegion:
        pts = [(10.0, 10.0), (10.0 + w, 10.0), (10.0 + w, 10.0 + h), (10.0, 10.0 + h)]
        return OcrRegion(points=pts, box=Region(10, 10, w, h), text="BE", confidence=0.38)

    ctx = make_context("text", {"engine": "rapidocr"})
    rgb = np.full((200, 200, 3), 230, np.uint8)
    rgb[40:120, 40:60] = 20  # dark ink on a light ground, so the contrast cue does not mute the score
    (tall, tall_sig), (wide, wide_sig) = TextChecker.assess([region(78, 153), region(153, 78)], ctx, rgb)
    assert tall.box.h > 1.5 * tall.box.w and wide.box.w > wide.box.h
    assert 0 < tall_sig.unreadable <= 0.5 * wide_sig.unreadable + 1e-9


def test_clean_headline_passes_and_required_copy_found(headline):
    sample, asset = headline
    findings = run(asset, required=["Launch Day"])
    assert [f.code for f in findings] == [], [f.message for f in findings]


def test_required_copy_missing(headline):
    _, asset = headline
    findings = run(asset, required=["Grand Opening", "launch day"])
    assert [f.code for f in findings] == ["TXT002"]
    assert "Grand Opening" in findings[0].message
    assert findings[0].details["texts"]  # what was read, for the reviewer


def test_letter_soup_flagged_with_region(letter_soup):
    sample, asset = letter_soup
    findings = run(asset)
    garbled = [f for f in findings if f.code == "TXT001"]
    assert garbled, [f.message for f in findings]
    assert any(overlaps(f.region, sample.lines[0].box) for f in garbled)
    f = garbled[0]
    assert f.details["engine"] == "rapidocr" and f.details["signals"]["lexicon_miss"] > 0.5
    assert f.to_dict()["region"]["w"] > 0


def test_pseudo_cyrillic_flagged(pseudo_cyrillic):
    sample, asset = pseudo_cyrillic
    garbled = [f for f in run(asset) if f.code == "TXT001"]
    assert any(overlaps(f.region, sample.lines[0].box) for f in garbled)


def test_forbidden_word_found_with_region(competitor):
    sample, asset = competitor
    findings = run(asset, forbidden=["Acme", "Globex"])
    forbidden = [f for f in findings if f.code == "TXT003"]
    assert len(forbidden) == 1 and "Acme" in forbidden[0].message
    assert overlaps(forbidden[0].region, sample.lines[0].box)
    # Whole words only: "Acme" does not match inside another word.
    assert not [f for f in run(competitor[1], forbidden=["Brewer", "Day"]) if f.code == "TXT003"]


def test_text_not_allowed_flags_every_region(headline, letter_soup):
    for sample, asset in (headline, letter_soup):
        findings = run(asset, allow_text=False)
        assert findings and all(f.code == "TXT004" for f in findings)
        assert any(overlaps(f.region, sample.lines[0].box) for f in findings)


def test_photo_without_text_is_clean():
    asset = asset_from_array(fit_photo(photo("chelsea"), 768), "cat.png")
    assert run(asset, allow_text=False, required=[]) == []
    missing = run(asset, required=["Launch Day"])
    assert [f.code for f in missing] == ["TXT002"] and "no text read" in missing[0].message


def test_rows_of_coins_are_not_garbled_text():
    """The detector takes rows of coins for text lines ("O000O", "回日OO"); round readings are damped."""
    for side in (768, 1024):
        asset = asset_from_array(fit_photo(photo("coins"), side), f"coins_{side}.png")
        assert [f.code for f in run(asset, required=[]) if f.code == "TXT001"] == []
    assert garble_signals("回日OO", 0.3, shape=(200, 50)).score < 0.2
    assert garble_signals("Gocd Qxo", 0.9).score > 0.5  # round letters inside varied pseudo-words still count


def test_whole_frame_detection_is_not_a_text_line():
    """The detector's near-square box over the whole coffee photo (read "0元") is dropped;
    a long thin line filling the frame (a tight headline crop) is kept."""
    from qa.checks.text import plausible_text_box

    w, h = 768, 512
    frame = [(0, 0), (767, 0), (767, 511), (0, 511)]
    banner = [(4, 100), (764, 100), (764, 400), (4, 400)]  # 760 x 300: line-shaped, 58% of the area
    assert not plausible_text_box(frame, w, h, 0.5)
    assert plausible_text_box(banner, w, h, 0.5)
    assert plausible_text_box(frame, w, h, 1.0)  # 1 disables the filter
    asset = asset_from_array(fit_photo(photo("coffee"), 768), "coffee.png")
    assert [f for f in run(asset) if f.code == "TXT001"] == []
    assert run(asset, allow_text=False) == []


def test_large_image_small_copy_read_from_full_resolution():
    """Detection runs at max_side; recognition crops the original pixels."""
    rng = np.random.default_rng(5)
    canvas = Image.fromarray(fit_photo(photo("coffee"), 2400)).convert("RGB")
    line = draw_line(canvas, "Free Shipping", "clean", font_path("DejaVuSans-Bold.ttf"), 40, 0.0, rng, [])
    assert line is not None
    asset = asset_from_array(np.asarray(canvas), "big.jpg", quality=92)
    assert run(asset, required=["Free Shipping"], max_side=1024) == []


def test_unsure_reading_is_retried_upside_down():
    """Copy lying upside down (packaging on a table) is real copy. The angle classifier only turns crops
    it is sure of; with it off, the engine's own 180-degree retry must still read the line."""
    from qa.ocr import RapidOcrEngine

    engine = RapidOcrEngine("cpu")
    engine._ocr.use_cls = False
    sample = render_on_photo("Launch Day", "coffee", size=48, seed=5)
    regions = engine.read(np.ascontiguousarray(sample.image[::-1, ::-1]))
    assert [(r.text, r.confidence > 0.9) for r in regions] == [("Launch Day", True)]


def test_easyocr_engine_reads_and_flags():
    """One easyocr run (offline weights, CPU here): clean copy found, letter soup flagged."""
    rng = np.random.default_rng(6)
    canvas = Image.fromarray(fit_photo(photo("coffee"), 640)).convert("RGB")
    occupied: list = []
    clean = draw_line(canvas, "Launch Day", "clean", font_path("DejaVuSans-Bold.ttf"), 52, 0.0, rng, occupied)
    soup = draw_line(canvas, "QXZTRV BLKWMP", "clean", font_path("DejaVuSans-Bold.ttf"), 48, 0.0, rng, occupied)
    assert clean and soup
    asset = asset_from_array(np.asarray(canvas), "two.png")
    checker = load_all()["text"]()
    ctx = make_context("text", {"engine": "easyocr", "required": ["Launch Day"]})
    findings = checker.check(asset, ctx)
    assert not [f for f in findings if f.code == "TXT002"], [f.message for f in findings]
    garbled = [f for f in findings if f.code == "TXT001"]
    assert any(overlaps(f.region, soup.box) for f in garbled), [f.message for f in findings]
    assert not any(overlaps(f.region, clean.box) for f in garbled)
    assert garbled[0].details["engine"] == "easyocr"
    # easyocr's regions were re-read by PP-OCR's recogniser (second_reader: auto), and the report says so
    second = garbled[0].details["second_reading"]
    assert second["engine"] == "rapidocr" and second["text"], second


def test_sure_second_reading_rescues_a_misread_word():
    """Real lettering easyocr misread ("Iiahanab") but PP-OCR read surely ("Bahamas") is not garbled; an unsure
    second reading, or none, leaves the first reading's score, and non-words in both readings stay garbled."""
    from qa.checks.text import ENGINE_GARBLE_THRESHOLDS, SECOND_READING_CONFIDENCE, TextChecker
    from qa.ocr import OcrRegion

    pts = [(10.0, 10.0), (210.0, 10.0), (210.0, 60.0), (10.0, 60.0)]
    region = OcrRegion(points=pts, box=Region(10, 10, 200, 50), text="Iiahanab", confidence=0.7)
    ctx = make_context("text", {"engine": "easyocr"})
    canvas = Image.new("RGB", (240, 100), (230, 230, 230))
    ImageDraw.Draw(canvas).text((20, 14), "Bahamas", font=ImageFont.truetype(str(font_path("DejaVuSans-Bold.ttf")), 36),
                                fill=(20, 20, 20))
    rgb = np.asarray(canvas)
    (_, alone), = TextChecker.assess([region], ctx, rgb)
    (_, rescued), = TextChecker.assess([region], ctx, rgb, [("Bahamas", 0.99)])
    (_, unsure), = TextChecker.assess([region], ctx, rgb, [("Bahamas", SECOND_READING_CONFIDENCE - 0.05)])
    (_, worse), = TextChecker.assess([region], ctx, rgb, [("Qxzv", 0.99)])
    threshold = ENGINE_GARBLE_THRESHOLDS["easyocr"]
    assert alone.score >= threshold > rescued.score
    assert unsure.score == alone.score
    assert worse.score >= threshold  # pseudo-letters for both recognisers stay garbled


def test_rapidocr_rereads_given_regions(headline):
    """`reread` recognises another engine's quadrilaterals without detecting (the second reader's path)."""
    _, asset = headline
    engine = make_context("text", {"engine": "rapidocr"}).models.get("ocr.rapidocr")
    (region,) = engine.read(asset.rgb)
    assert engine.reread(asset.rgb, [region.points]) == [(region.text, region.confidence)]
    assert engine.reread(asset.rgb, []) == []


def test_second_reader_option():
    from qa.checks.text import TextChecker

    checker = TextChecker()
    assert checker.second_reader(make_context("text", {"engine": "easyocr"})) == "rapidocr"
    assert checker.second_reader(make_context("text", {"engine": "easyocr", "second_reader": "off"})) is None
    assert checker.second_reader(make_context("text", {"engine": "rapidocr"})) is None
    assert TextChecker.validate_options({"second_reader": "maybe"}) == ["second_reader: 'maybe' is not one of auto, off"]


def test_copy_rules_also_match_sure_second_readings():
    """Required copy one recogniser misread ("Vukesior") but the other read surely ("VILLAGE STORES") is present;
    copy found in a second reading carries that region's box. Unsure second readings are not matched."""
    from qa.checks.text import SECOND_READING_CONFIDENCE, best_match, copy_candidates
    from qa.ocr import OcrRegion

    def region(x: int, text: str) -> OcrRegion:
        pts = [(x, 10.0), (x + 200.0, 10.0), (x + 200.0, 50.0), (x, 50.0)]
        return OcrRegion(points=pts, box=Region(x, 10, 200, 40), text=text, confidence=0.7)

    sign, other = region(10, "Vukesior"), region(300, "Acme Brew")
    assert best_match("Village Stores", [sign.text, other.text])[0] < 0.7  # the first reading alone misses it
    sure = [(sign, None, ("VILLAGE STORES", 0.99)), (other, None, ("Acme Brew", 0.99))]
    candidates = copy_candidates(sure)
    ratio, idx = best_match("Village Stores", [t for t, _ in candidates])
    assert ratio == 1.0 and candidates[idx][1] == sign.box
    unsure = [(sign, None, ("VILLAGE STORES", SECOND_READING_CONFIDENCE - 0.1)), (other, None, None)]
    assert best_match("Village Stores", [t for t, _ in copy_candidates(unsure)])[0] < 0.7
