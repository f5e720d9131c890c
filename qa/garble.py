"""Garbled-text scoring: is an OCR'd region real copy or the pseudo-letters image generators draw?

OCR confidence alone cannot answer this: a recogniser reads random capitals ("QXZTR") at
0.97, because each glyph is a clean letter. What differs is whether the letters make words.
The score of a region is a noisy-OR of independent pieces of evidence, each 0..1:

- **lexicon** (`lexicon_miss`): the share of letters in tokens that are not words of the
  campaign's languages (wordfreq lists), averaged with the worst token (one pseudo-word
  among real ones is already a defect). Real copy is made of words; shuffled letters and
  letter soup are not. Tokens that split into several words ("LaunchDay", OCR often drops
  spaces) count as words; a token one edit away from a frequent long word counts half
  (OCR misreads a letter of real copy far more often than a generator shuffles one).
- **character plausibility** (`implausibility`): a character-bigram model of each language
  (trained on the wordfreq list weighted by frequency) scores how word-like the letter
  sequence is, plus capitals inside lower-case words ("LcSooh"). It separates letter soup
  from misread real words, which the lexicon alone cannot.
- **mixed scripts** (`script_mix`): Latin and Cyrillic/Greek letters inside one word, or
  letters of a script none of the campaign languages use. Pseudo-Cyrillic ("ЯEДL") is the
  classic generator artefact; a real word never mixes scripts.
- **unreadable glyphs** (`unreadable`): the detector found a text-like region but the
  recogniser reads nothing confidently, or far fewer characters than the region's shape
  holds. Random strokes and half-erased glyphs look like text to a detector and like
  nothing to a reader. Scaled by the region's ink contrast, line shape and height: low-contrast
  textures, parallel bars (barcodes, ribbon bars: `stripe_share`) and single round blobs also
  trigger detectors, and (for easyocr) small real print (badges, logos under ~24 px) defeats
  the recogniser too. "Confidently" is per engine (`qa.ocr.UNREADABLE_CONFIDENCE`,
  `qa.ocr.SMALL_LINE`); lexical evidence is discounted by the same doubt (a reading the
  recogniser is unsure of is a guess, so its non-words are not separate evidence).
- **junk** (`junk_rate`): symbols copy never uses, punctuation inside words, digits glued
  into letter runs: what a recogniser emits when forced to read half-glyphs.
- **scrambled letters** (`is_scrambled`): non-words of five or more letters that hold exactly the
  letters of a frequent word ("Ntirwe Elads" for "Winter Deals"): generators often draw the right
  letters in the wrong order, and such pseudo-words can be as pronounceable as a name.

Lexical evidence is damped for readings of one repeated glyph ("XXXY": lattices, fences),
and lexical and unreadable evidence for vertical boxes (poles, towers, buckles). A non-word
made of plausible letters (a name, a foreign word) weighs `LEXICON_FLOOR` of an implausible
one. Campaign words (brand names) join the lexicon.

`garble_signals(...).score` combines them; the decision threshold is chosen on a tuning split
(`python -m evals.text`).
"""
from __future__ import annotations

import math
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass
from functools import lru_cache

import numpy as np

LEXICON_SIZE = 60_000
LANGUAGE_SCRIPTS = {
    "ru": {"CYRILLIC"}, "uk": {"CYRILLIC"}, "bg": {"CYRILLIC"}, "sr": {"CYRILLIC", "LATIN"}, "mk": {"CYRILLIC"},
    "el": {"GREEK"}, "zh": {"CJK"}, "ja": {"CJK", "HIRAGANA", "KATAKANA"}, "ko": {"HANGUL"},
    "ar": {"ARABIC"}, "fa": {"ARABIC"}, "he": {"HEBREW"}, "hi": {"DEVANAGARI"}, "th": {"THAI"},
}
#: Languages whose copy uses unaccented Latin letters only (accented letters there are suspicious).
ASCII_LANGUAGES = {"en"}
_SCRIPT_ALIASES = {"MICRO": "GREEK", "FULLWIDTH": "LATIN"}


@dataclass
class GarbleSignals:
    lexicon_miss: float
    implausibility: float
    script_mix: float
    unreadable: float
    junk: float
    scrambled: float
    letters: int
    score: float

    def to_dict(self) -> dict[str, float]:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def script_of(ch: str) -> str:
    """Unicode script of a letter, from its character name (LATIN, CYRILLIC, GREEK, CJK, ...)."""
    try:
        first = unicodedata.name(ch).split()[0]
    except ValueError:
        return "OTHER"
    return _SCRIPT_ALIASES.get(first, first)


def expected_scripts(languages: tuple[str, ...]) -> set[str]:
    out: set[str] = set()
    for lang in languages:
        out |= LANGUAGE_SCRIPTS.get(lang.split("-")[0].lower(), {"LATIN"})
    return out


def tokens(text: str) -> list[str]:
    """Letter runs (any script); digits and punctuation separate tokens."""
    out, cur = [], []
    for ch in text:
        if ch.isalpha() or (ch in "'’" and cur):
            cur.append(ch)
        else:
            if cur:
                out.append("".join(cur).strip("'’"))
            cur = []
    if cur:
        out.append("".join(cur).strip("'’"))
    return [t for t in out if t]


@lru_cache(maxsize=32)
def lexicon(lang: str, size: int = LEXICON_SIZE) -> frozenset[str]:
    """The `size` most frequent words of a language (wordfreq), case-folded."""
    from wordfreq import top_n_list

    return frozenset(w.casefold() for w in top_n_list(lang, size) if any(c.isalpha() for c in w))


def _lexicon_for(token: str, lang: str) -> frozenset[str]:
    """Short tokens must be common words: wordfreq's long tail holds most 2-4 letter strings."""
    n = len(token)
    return lexicon(lang, 3_000 if n <= 2 else 12_000 if n <= 4 else LEXICON_SIZE)


@lru_cache(maxsize=8)
def _deletes(lang: str) -> frozenset[str]:
    """One-deletion variants of the frequent long words (edit distance 1 lookups)."""
    from wordfreq import top_n_list

    out = set()
    for w in top_n_list(lang, 20_000):
        if len(w) >= 5 and w.isalpha():
            out.update(w[:i] + w[i + 1:] for i in range(len(w)))
    return frozenset(out)


@lru_cache(maxsize=8)
def _long_words(lang: str) -> frozenset[str]:
    from wordfreq import top_n_list

    return frozenset(w for w in top_n_list(lang, 20_000) if len(w) >= 5 and w.isalpha())


def _segmentable(word: str, lang: str) -> bool:
    """Can `word` be split into common words (OCR dropped the spaces: "LaunchDay")?"""
    common = lexicon(lang, 8_000)
    n = len(word)
    ok = [False] * (n + 1)
    ok[0] = True
    for i in range(1, n + 1):
        for j in range(max(0, i - 20), i):
            piece = word[j:i]
            if ok[j] and piece in common and (len(piece) >= 3 or piece in _SHORT_WORDS):
                ok[i] = True
                break
    return ok[n]


_SHORT_WORDS = frozenset("a i to of in on at by up us it is my we go do no be an or so me he if".split())


def camel_parts(token: str) -> list[str]:
    """A token split before each capital that follows a lower-case letter ("DailySpecials" ->
    ["Daily", "Specials"]): where title-case words start when OCR drops the space between them."""
    parts, start = [], 0
    for i in range(1, len(token)):
        if token[i - 1].islower() and token[i].isupper():
            parts.append(token[start:i])
            start = i
    return [*parts, token[start:]]


def word_credit(token: str, languages: tuple[str, ...], vocabulary: frozenset[str] = frozenset()) -> float:
    """1 for a word (or words run together), 0.5 one edit from a frequent long word, else 0.

    `vocabulary` adds campaign words (brand and product names, case-folded) to the lexicon.
    Title-case words run together ("DailySpecials") are credited as their parts: the capitals
    show where OCR dropped the spaces, so rarer words than `_segmentable`'s common ones count.
    """
    parts = camel_parts(token)
    if len(parts) > 1 and all(len(p) >= 3 for p in parts):
        credit = min(word_credit(p, languages, vocabulary) for p in parts)
        if credit >= 1.0:
            return 1.0
    t = token.casefold()
    if t in vocabulary:
        return 1.0
    best = 0.0
    for lang in languages:
        if t in _lexicon_for(t, lang):
            return 1.0
        if len(t) >= 6 and _segmentable(t, lang):
            return 1.0
        if len(t) >= 5:
            longs, dels = _long_words(lang), _deletes(lang)
            variants = {t[:i] + t[i + 1:] for i in range(len(t))}
            if t in dels or variants & longs or variants & dels:
                best = max(best, 0.5)
    return best


#: Frequent words whose letters a scrambled token may hold. On the eval's tuning split (round 7) 10,000 and
#: 30,000 score the same and 60,000 adds a false alarm on real lettering (rarer words match more letter sets).
ANAGRAM_LEXICON = 30_000
#: Shortest scrambled token: four-letter non-words match some frequent word's letters by chance too often
#: ("COMO", a misread "COMDR" on a real name plate); chosen on the eval's tuning split (round 7).
MIN_SCRAMBLED = 5


@lru_cache(maxsize=8)
def anagram_keys(lang: str, size: int = ANAGRAM_LEXICON) -> frozenset[str]:
    """Sorted letters of the language's frequent words of `MIN_SCRAMBLED` or more letters."""
    return frozenset("".join(sorted(w)) for w in lexicon(lang, size) if len(w) >= MIN_SCRAMBLED and w.isalpha())


def is_scrambled(token: str, languages: tuple[str, ...]) -> bool:
    """A non-word holding exactly the letters of a frequent word ("Ntirwe" for "Winter", "EIEPC" for "PIECE").

    Why: generators often draw the right letters in the wrong order, and such pseudo-words can be as
    pronounceable as a name, so the bigram model lets them through; a real name or foreign word is
    rarely an exact anagram of a frequent word of the campaign's languages. Callers check non-words only.
    """
    t = token.casefold()
    if len(t) < MIN_SCRAMBLED:
        return False
    key = "".join(sorted(t))
    return any(key in anagram_keys(lang) for lang in languages)


@lru_cache(maxsize=8)
def bigram_model(lang: str) -> tuple[dict[str, float], float]:
    """log2 P(next | prev) over lower-case letters with word boundaries, add-0.5 smoothing."""
    from wordfreq import top_n_list, word_frequency

    pair: Counter[str] = Counter()
    first: Counter[str] = Counter()
    for w in top_n_list(lang, 30_000):
        if not w.isalpha():
            continue
        f = word_frequency(w, lang)
        s = "^" + w.casefold() + "$"
        for a, b in zip(s, s[1:]):
            pair[a + b] += f
            first[a] += f
    alphabet = {c for k in pair for c in k}
    k = 0.5 * min(v for v in pair.values() if v > 0)
    model = {}
    for a in first:
        denom = first[a] + k * len(alphabet)
        for b in alphabet:
            model[a + b] = math.log2((pair.get(a + b, 0.0) + k) / denom)
    floor = math.log2(k / (max(first.values()) + k * len(alphabet)))
    return model, floor


def bigram_logp(token: str, lang: str) -> float:
    """Mean log2 probability per transition of a token under the language's bigram model."""
    model, floor = bigram_model(lang)
    s = "^" + token.casefold() + "$"
    lps = [model.get(a + b, floor) for a, b in zip(s, s[1:])]
    return float(np.mean(lps)) if lps else 0.0


def _case_oddity(token: str) -> float:
    """Capitals after lower-case letters inside a word ("LcSooh", "tRy") are not how copy is set."""
    inner = token[1:]
    if len(token) < 3 or token.isupper() or token.islower():
        return 0.0
    flips = sum(1 for a, b in zip(inner, inner[1:]) if a.islower() and b.isupper())
    return min(1.0, flips / 1.0)


def region_gray(rgb: np.ndarray, box) -> np.ndarray:
    """Grey levels (uint8) of a region's axis-aligned box: what the region cues measure."""
    import cv2

    crop = np.ascontiguousarray(rgb[box.y:box.y + box.h, box.x:box.x + box.w])
    if crop.size == 0:
        return np.zeros((0, 0), np.uint8)
    return cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)


def ink_contrast(rgb: np.ndarray, box) -> float:
    """Grey-level gap between the two Otsu classes of a region (0..255).

    Lettering (real or pseudo) is set to be read: ink on a contrasting ground, a gap of
    100+ levels. Textures the detector mistakes for text (railings, foliage, brick) are
    low-contrast, so the `unreadable` signal is scaled by this gap.
    """
    import cv2

    g = region_gray(rgb, box)
    if g.size < 16:
        return 0.0
    t, _ = cv2.threshold(g, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    lo, hi = g[g <= t], g[g > t]
    if lo.size == 0 or hi.size == 0:
        return 0.0
    return float(hi.mean() - lo.mean())


#: Share of a region's interior edge energy across the line (`stripe_share`) above which it is bars,
#: not glyphs: `unreadable` fades out between the two values (chosen on the text eval's tuning split:
#: its garbled lines reach 0.88, the ribbon bars of a uniform 0.96-0.97).
STRIPE_RAMP = (0.88, 0.94)


def stripe_share(rgb: np.ndarray, box) -> float:
    """Share of the edge energy of a region's middle band that runs across the line (0.5..1).

    Barcodes, medal-ribbon bars, railings and fences are parallel bars: inside the band between
    the line's top and bottom edges, the image changes only along the line. Glyphs, real or
    generated, also have strokes along the line and curves (bars of E and T, bowls), so their
    share stays well below 1. Detectors take bars for text and recognisers read nothing there, so
    bars would otherwise look like the unreadable pseudo-glyphs this signal is for.
    """
    import cv2

    g = region_gray(rgb, box).astype(np.float32)
    if min(g.shape[:2]) < 8:
        return 0.5
    if g.shape[0] > g.shape[1]:  # a vertical line: its "across" axis is the image's y
        g = g.T
    h = g.shape[0]
    band = g[h // 4: max(h // 4 + 3, h - h // 4)]
    across = float(np.square(cv2.Sobel(band, cv2.CV_32F, 1, 0, ksize=3)[1:-1, 1:-1]).sum())
    along = float(np.square(cv2.Sobel(band, cv2.CV_32F, 0, 1, ksize=3)[1:-1, 1:-1]).sum())
    return across / (across + along) if across + along > 0 else 0.5


#: Glyphs a recogniser reads a round blob as (coins, wheels, bubbles, dots): "O000O", "G0GOCO" and
#: "回日OO" are one repeated shape, not varied letters.
ROUND_GLYPHS = frozenset("o0cgqd回日口◯〇°")


def is_round_row(text: str) -> bool:
    """A reading of at least three characters that are all round shapes ("O000O", "回日OO").

    Rows of round objects are the commonest texture detectors take for a text line; pseudo-text
    from a generator mixes strokes, bowls and diagonals like real letters do.
    """
    chars = [c for c in text.casefold() if not c.isspace()]
    return len(chars) >= 3 and all(c in ROUND_GLYPHS for c in chars)


#: `repetition_factor`: the share of a reading's letters taken by its commonest letter from which the lexical
#: evidence is damped, and the share where it is gone. Chosen at stop 16 on the text eval's round-10 tuning split
#: plus its spent held-out split (180 images; rapidocr's widest margin over P 0.9 / R 0.8 0.865 -> 0.887, precision
#: 0.890 -> 0.902, recall 0.692 -> 0.709: long shuffled and random lines are no longer damped; 0.35-0.70 scores the
#: same; easyocr with its second reader 0.990 -> 0.994).
REPEATED_SHARE = (0.4, 0.75)


def repetition_factor(toks: list[str]) -> float:
    """Down-weights readings made of one repeated glyph ("XXXY", "IIII", "0000").

    Periodic structures (lattice towers, fences, rows of windows) read as the same letter
    over and over; generated pseudo-text, like real copy, uses varied letters (rows of round
    objects, read as mixed round glyphs, are `is_round_row`). Measured by the commonest letter's
    share, which does not depend on the reading's length: the share of distinct letters (used until
    stop 16) falls as a line grows, so a long line of real or pseudo copy was damped like a lattice
    ("EIEPC CIEEP", 4 distinct letters in 10: its lexical evidence was cut by three quarters).
    """
    letters = "".join(toks).casefold()
    if len(letters) < 4:
        return 1.0
    share = Counter(letters).most_common(1)[0][1] / len(letters)
    lo, hi = REPEATED_SHARE
    return float(min(1.0, max(0.0, (hi - share) / (hi - lo))))


#: Weight of lexical and unreadable evidence in a vertical box (poles, buckles, towers read as letters
#: more often than ads set copy vertically).
VERTICAL_WEIGHT = 0.5
#: A box this many times taller than wide is vertical: it can hold at most one horizontal letter (a capital is
#: about 1.2-1.5 times taller than wide), so it is a single glyph-like shape or lettering set vertically.
#: Was 2.0; real lettering read unsurely in boxes 1.96-2.0 times taller than wide (a tote's "BE", a container's
#: "ES") was counted as unreadable pseudo-text. Chosen on the text eval's round-9 tuning split (rapidocr at
#: 0.4: precision 0.862 -> 0.889, recall 0.871 unchanged; 1.5 and 1.75 score the same).
VERTICAL_ASPECT = 1.5


def is_vertical(width: float, height: float) -> bool:
    """Whether a text box is too tall for a horizontal line (`VERTICAL_ASPECT`): `garble_signals`' `vertical`."""
    return height > VERTICAL_ASPECT * width


#: Weight of a lexicon miss whose letters are plausible (names, foreign words: "COMDR", "cero"),
#: rising to 1 as the letter sequence gets implausible (shuffled, letter soup). Chosen on the text
#: eval's tuning split (0.5 -> 0.35: precision 0.913 -> 0.939 at recall 0.859 -> 0.845).
LEXICON_FLOOR = 0.35


def garble_signals(text: str, confidence: float, shape: tuple[float, float] | None = None,
                   languages: tuple[str, ...] = ("en",), plaus_center: float = -4.6,
                   plaus_scale: float = 0.35, contrast: float | None = None,
                   vocabulary: frozenset[str] = frozenset(), vertical: bool = False,
                   unreadable_conf: tuple[float, float] = (0.75, 0.30),
                   small_line: tuple[float, float] | None = None,
                   stripes: float | None = None) -> GarbleSignals:
    """All signals for one region. `shape` is the region's (length, height) along the text line;
    `contrast` its `ink_contrast` (None: unknown); `vocabulary` campaign words (brand names);
    `vertical` a region much taller than wide (poles and towers read as letters more often
    than ads set copy vertically, so lexical and unreadable evidence count half there); `unreadable_conf` the
    engine's (readable, unreadable) confidence calibration (`qa.ocr.UNREADABLE_CONFIDENCE`);
    `small_line` the line heights (px) over which `unreadable` ramps in for engines that also fail
    on small real print (`qa.ocr.SMALL_LINE`; None: no ramp); `stripes` its `stripe_share` (None: unknown)."""
    toks = tokens(text)
    letters = sum(len(t) for t in toks)
    scripts_ok = expected_scripts(languages)
    ascii_only = all(lang.split("-")[0].lower() in ASCII_LANGUAGES for lang in languages)

    # Mixed scripts inside a word, or letters from a script the campaign does not use.
    mix = 0.0
    for t in toks:
        scripts = {script_of(c) for c in t}
        if len(scripts) > 1:
            mix = max(mix, 1.0)
        elif scripts - scripts_ok:
            mix = max(mix, 0.7 if len(t) >= 2 else 0.4)
        elif ascii_only and not t.isascii() and word_credit(t, languages, vocabulary) < 1.0:
            mix = max(mix, 0.6)  # "Priçe", "Rolı": look-alikes read as accented letters

    # Lexicon: share of letters (tokens >= 2 letters, weighted by length) that are not words.
    weighted = [(t, len(t) if len(t) >= 4 else 0.5 * len(t)) for t in toks if len(t) >= 2]
    total = sum(w for _, w in weighted)
    lex_miss = 0.0
    implaus = 0.0
    scrambled = 0.0
    if total > 0:
        credits = {t: word_credit(t, languages, vocabulary) for t, _ in weighted}
        # Letters in non-words that are anagrams of frequent words (see `is_scrambled`).
        scrambled = sum(w for t, w in weighted if credits[t] < 1.0 and is_scrambled(t, languages)) / total
        share = sum(w * (1.0 - credits[t]) for t, w in weighted) / total
        # One pseudo-word among real ones ("Launch Dxy Qzvxj") is already a defect.
        worst = max([1.0 - credits[t] for t, _ in weighted if len(t) >= 4] or [share])
        lex_miss = 0.5 * share + 0.5 * worst
        # Plausibility of the letters that are not words (real words are plausible by definition).
        lps, ws = [], []
        for t, w in weighted:
            if credits[t] >= 1.0 or {script_of(c) for c in t} - {"LATIN"} - scripts_ok:
                continue
            lp = max(bigram_logp(t, lang) for lang in languages)
            lps.append(lp - 1.5 * _case_oddity(t))
            ws.append(w)
        if lps:
            lp = float(np.average(lps, weights=ws))
            implaus = 1.0 / (1.0 + math.exp(-(plaus_center - lp) / plaus_scale))
        # Few letters make weak evidence; so do repeated glyphs and vertical boxes.
        reliability = min(1.0, total / 5.0) * repetition_factor(toks) * (VERTICAL_WEIGHT if vertical else 1.0)
        lex_miss *= reliability
        implaus *= reliability
        scrambled *= reliability

    # Unreadable: detector hit, weak or thin reading. Only line-shaped regions count fully:
    # detectors also fire on single round or stroke-like objects (wheels, eyes, coins, a
    # letter-like shadow), boxes about as wide as tall, which real copy rarely is.
    sure, unsure = unreadable_conf
    unread = min(1.0, max(0.0, (sure - float(confidence)) / max(1e-6, sure - unsure)))
    # Letters the recogniser itself doubts are guesses: that they make no words, or come from another
    # script, is a consequence of the doubt (counted here as `unreadable`), not independent evidence.
    # Without this a small real badge no engine reads ("YAMAHA" read as "Mla" at 0.2) scores twice,
    # and a texture read as one CJK glyph at 0.18 counts as a foreign script.
    lex_miss *= 1.0 - unread
    mix *= 1.0 - unread
    scrambled *= 1.0 - unread
    if shape is not None:
        length, height = shape
        if height > 0:
            aspect = length / height
            expected_chars = aspect * CHARS_PER_HEIGHT
            read_chars = len(text.strip())
            if expected_chars >= 4:
                deficit = 1.0 - read_chars / expected_chars
                unread = max(unread, min(1.0, max(0.0, (deficit - 0.35) / 0.35)))
            unread *= min(1.0, max(0.0, (aspect - 1.3) / 1.7))
            if small_line is not None:  # the engine fails on small real print too
                lo, hi = small_line
                unread *= min(1.0, max(0.0, (height - lo) / max(1e-6, hi - lo)))
    if contrast is not None:
        unread *= min(1.0, max(0.0, (contrast - 50.0) / 60.0))
    if stripes is not None:  # parallel bars (barcodes, ribbons, railings) are not glyphs
        lo, hi = STRIPE_RAMP
        unread *= 1.0 - min(1.0, max(0.0, (stripes - lo) / (hi - lo)))
    if vertical:  # poles and towers, as for the lexical evidence
        unread *= VERTICAL_WEIGHT
    junk = junk_rate(text)
    if is_round_row(text):  # coins, bubbles, wheels: every reading of the row is a round shape
        mix, unread, junk, scrambled = 0.1 * mix, 0.1 * unread, 0.1 * junk, 0.1 * scrambled
    lexical = lex_miss * (LEXICON_FLOOR + (1.0 - LEXICON_FLOOR) * implaus)
    score = 1.0 - ((1.0 - lexical) * (1.0 - mix) * (1.0 - unread) * (1.0 - junk) * (1.0 - scrambled))
    return GarbleSignals(lexicon_miss=lex_miss, implausibility=implaus, script_mix=mix,
                         unreadable=unread, junk=junk, scrambled=scrambled, letters=letters, score=score)



#: Characters per unit of line length/height of the sparsest real copy: the `unreadable` cue counts the
#: characters a reading lacks below this. Set copy measures 1.7-2.8, but short words in wide bold capitals
#: ("KIDS", "UGH" on packaging) hold ~1.2-1.5, and at 2.3 (the old, average value) they read as
#: four letters missing from a line. Chosen on the text eval's round-6 tuning split (2.3 -> 1.5: precision
#: 0.836 -> 0.882, recall 0.737 -> 0.789; 1.2-1.8 score the same, 1.5 is the middle).
CHARS_PER_HEIGHT = 1.5
_COPY_PUNCT = set(".,!?&-'’\"“”%$€£:;/+#@()<>=*_[]")
#: Punctuation copy never glues to the front of a word (".hour") ...
_LEADING_JUNK = set(".,:;!?_")
#: ... or puts between two letters ("Trd:y"; a full stop can sit there: "U.S.", "e.g", "shop.com"; a colon
#: sits between digits: "10:30").
_INNER_JUNK = set(":;!?_")


def junk_rate(text: str) -> float:
    """Symbols that copy does not use, punctuation inside words, digits glued inside letter runs.

    A recogniser forced to read pseudo-glyphs or half-erased letters falls back on whatever
    shape is closest: stray symbols ("∴"), dots and colons between letters ("fer::r.p,ing"),
    digit/letter alternations ("1le", "5H5N"). Prices ("$19.99"), "U.S." and "4K" stay low.
    """
    chars = [c for c in text if not c.isspace()]
    if len(chars) < 3:
        return 0.0
    odd = sum(1 for c in chars if not (c.isalnum() or c in _COPY_PUNCT))
    flips = inner = 0
    for chunk in text.split():
        if len(chunk) > 1 and chunk[0] in _LEADING_JUNK and chunk[1].isalpha():
            odd += 1  # ".hour", ":is": copy does not start a word with a stop or a colon
        core = chunk.strip("".join(_COPY_PUNCT))
        kinds = ["d" if c.isdigit() else "a" if c.isalpha() else "p" for c in core]
        glued = [i for i, c in enumerate(core) if c in _INNER_JUNK and 0 < i < len(core) - 1
                 and core[i - 1].isalpha() and core[i + 1].isalpha()]
        odd += len(glued)  # "Trd:y", "t_a": between letters, copy never has these
        inner += sum(1 for k in kinds if k == "p") - len(glued)
        alnum = [k for k in kinds if k != "p"]
        flips += sum(1 for a, b in zip(alnum, alnum[1:]) if a != b)
    rate = (odd + max(0, flips - 1) + 0.5 * max(0, inner - 1)) / len(chars)
    return float(min(1.0, max(0.0, (rate - 0.05) / 0.2)))


def region_shape(points: list[tuple[float, float]]) -> tuple[float, float]:
    """(length, height) of a text quadrilateral along its own orientation."""
    p = np.asarray(points, dtype=np.float64)
    if p.shape != (4, 2):
        xs, ys = p[:, 0], p[:, 1]
        return float(xs.max() - xs.min()), float(ys.max() - ys.min())
    top = np.linalg.norm(p[1] - p[0])
    bottom = np.linalg.norm(p[2] - p[3])
    left = np.linalg.norm(p[3] - p[0])
    right = np.linalg.norm(p[2] - p[1])
    length, height = (top + bottom) / 2, (left + right) / 2
    return (float(length), float(height)) if length >= height else (float(height), float(length))
