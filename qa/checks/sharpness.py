"""Sharpness: blur and effective resolution, scale-normalised (`sharpness`, SHP001-SHP002).

An image can meet the pixel spec while carrying the detail of a much smaller
one (a naive 2x/3x upscale) or be soft (out of focus, blurred). Both show up as
missing energy in the top octaves of the spectrum, so the checks compare octaves
with each other instead of thresholding an absolute Laplacian variance:

* A Laplacian pyramid (OpenCV `pyrDown`/`pyrUp`) of the luma gives the mean energy
  E0 of the top octave (finest detail) and E1, E2 of the next ones. Natural sharp
  content has roughly equal energy per octave, so `E0/E1` is ~0.77-1.8 for a
  native photo, a 1024 px graphic with flat background, or a product on white —
  whatever its contrast, texture or amount of empty background. This is the
  scale-normalised measure: it does not flag sharp high-resolution images with
  large flat areas (cleanvision's known false positive for a plain Laplacian
  variance). A naive 2x upscale has almost nothing in the top octave (`E0/E1`
  0.2-0.6); a Gaussian blur of sigma >= 1.2 even less (< 0.3).
* The effective scale (the factor k such that the image holds the detail of one
  k times smaller per side) is estimated only for images that fail the screen:
  a 384 px window is down-up-sampled at factors 1.25..6 and the residual compared
  with that at 8; where it crosses `loss_fraction` gives k (see `effective_scale`;
  within ~10% on the eval's upscales). Reported as `details.effective_scale` and
  `details.effective_size`.
* Pixel replication (nearest-neighbour upscales) keeps hard block edges, so it
  passes the spectral screen; it is found separately as the fraction of
  duplicated columns and rows (`details.duplicated_lines`; a k-times upscale
  duplicates 1 - 1/k of them, for integer and non-integer k).

Which rule (at most one finding per image): SHP002 (low effective resolution,
typical of a naive upscale) when pixel replication is found or the top octave is
depleted but not empty (`blur_ratio <= E0/E1 < soft_ratio`); SHP001 (blurry) when
it is essentially empty (`E0/E1 < blur_ratio`: Gaussian blur sigma >= ~1.2, or an
upscale of 3x and more, which looks blurred). The split between the two is
approximate by nature (a 3x bicubic upscale and a sigma 1.2 blur have nearly the
same spectrum), so treat them as one "not sharp enough" signal whose message
says which cause is likelier; the eval reports the attribution rate. Images with
almost no detail (a flat colour, a smooth gradient: second-octave energy below
`min_detail`) are not judged. Photos that are soft at the pixel level by nature
(microscopy, fundus images, some scanned textures) are flagged too: relax
`soft_ratio` in their profile. Thresholds were chosen on the tuning split of
`python -m evals.sharpness` and are reported there on a held-out split.

Works on a 1024x1024 crop (the most detailed of a 3x3 grid of candidates) of
larger images, so the cost stays a few ms per image whatever its size. Needs a
full-resolution decode: a DCT-scaled (draft) decode hides softness. Reads only luma
(`pixels = "gray"`): when no other active check needs RGB, a plain JPEG's own Y plane,
which skips the colour decode; otherwise RGB->grey of the same pixels (within a grey
level or two: on the eval's tuning split E0/E1 moves by 0.004% median, 1.5% at most).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from qa.asset import Asset
from qa.context import CheckContext
from qa.imageops import area_downscale
from qa.registry import Checker, Option, Rule, register
from qa.types import Finding, Severity

SHP001 = Rule(
    code="SHP001",
    name="blurry",
    check="sharpness",
    severity=Severity.WARNING,
    what="The image has almost no fine detail at its own pixel scale: the finest octave of the spectrum is "
    "nearly empty compared with the next one (`E0/E1` below `blur_ratio`). Typical of out-of-focus, motion- or "
    "Gaussian-blurred images and of 3x and larger naive upscales. The measure is scale-normalised, so sharp "
    "images with large flat areas (product on white, flat designs) are not flagged.",
    why="Soft images look unprofessional at 100% and are rejected by placements and marketplaces that check "
    "sharpness; blur is not recoverable by sharpening without artifacts.",
    fix="Use a sharp source: re-shoot, re-render or re-export from the original without the blur or resize step.",
)
SHP002 = Rule(
    code="SHP002",
    name="low-effective-resolution",
    check="sharpness",
    severity=Severity.WARNING,
    what="The pixel count meets the spec but the detail does not: the finest octave is depleted (`E0/E1` below "
    "`soft_ratio`, above `blur_ratio`) or pixels are replicated in blocks, so the image carries the detail of a "
    "smaller one (e.g. a naive 2x bicubic or nearest-neighbour upscale). `details.effective_scale` and "
    "`details.effective_size` give the estimated native size (approximate on low-contrast images).",
    why="Naively upscaled images pass a pixel-count check but look soft or blocky on high-density screens and in "
    "print; the spec's resolution exists to get the detail, not the pixel count.",
    fix="Re-generate or re-export the image at its native target resolution from the original source. Do not "
    "just upscale again: interpolation cannot add the missing detail.",
)


def _pick_crop(gray: np.ndarray, side: int) -> np.ndarray:
    """The `side` x `side` window (of a 3x3 grid of positions) with the most gradient energy."""
    h, w = gray.shape
    if h <= side and w <= side:
        return gray
    ch, cw = min(h, side), min(w, side)
    small_scale = 8
    small = area_downscale(gray, (max(1, w // small_scale), max(1, h // small_scale)))
    gy, gx = np.gradient(small.astype(np.float32))
    energy = gx * gx + gy * gy
    best, best_e = (0, 0), -1.0
    for y in np.linspace(0, h - ch, 3).astype(int):
        for x in np.linspace(0, w - cw, 3).astype(int):
            e = float(energy[y // small_scale:(y + ch) // small_scale, x // small_scale:(x + cw) // small_scale].sum())
            if e > best_e:
                best, best_e = (y, x), e
    y, x = best
    return gray[y:y + ch, x:x + cw]


def octave_energies(gray: np.ndarray, levels: int = 3) -> list[float]:
    """Mean squared Laplacian-pyramid coefficients per octave, finest first (uint8 luma 0..255).

    OpenCV's 8-bit `pyrDown`/`pyrUp` (SIMD); rounding adds ~0.08 to each energy, far below
    the energies of any image with detail.
    """
    import cv2

    cur = np.ascontiguousarray(gray)
    out = []
    for _ in range(levels):
        if min(cur.shape) < 8:
            break
        down = cv2.pyrDown(cur)
        up = cv2.pyrUp(down, dstsize=(cur.shape[1], cur.shape[0]))
        out.append(float(cv2.norm(cur, up, cv2.NORM_L2SQR)) / cur.size)
        cur = down
    return out


def replication(gray: np.ndarray, step: int = 4, min_texture: float = 1.5) -> float:
    """Fraction of duplicated columns/rows: the signature of a nearest-neighbour (pixel-replicating) upscale.

    Mean absolute differences between adjacent columns (rows sampled every `step`) and
    between adjacent rows. A nearest upscale by k repeats whole columns, so among textured
    positions (a neighbouring difference above `min_texture` grey levels) a fraction
    1 - 1/k has almost no difference (< 0.3 of its neighbours') — for any k, integer or
    not. Natural content scores ~0.01; flat designs with axis-aligned edges up to ~0.2 on
    one axis. Returns the smaller of the two axes (both must show it); 0 if too flat.
    """
    import cv2

    if min(gray.shape[:2]) < 17:  # fewer than 16 neighbour differences on an axis
        return 0.0
    rows = np.ascontiguousarray(gray[::step])
    cols = np.ascontiguousarray(gray[:, ::step])
    # uint8 absdiff + integer sums: the same means as numpy's int16 diff, at a third of the cost.
    col_diff = cv2.absdiff(rows[:, 1:], rows[:, :-1]).sum(axis=0, dtype=np.uint32) / max(1, rows.shape[0])
    row_diff = cv2.absdiff(cols[1:], cols[:-1]).sum(axis=1, dtype=np.uint32) / max(1, cols.shape[1])
    fractions = []
    for d in (col_diff, row_diff):
        if d.size < 16:
            return 0.0
        pad = np.pad(d, 1, mode="edge")
        local = np.maximum(np.maximum(pad[:-2], pad[2:]), d)
        textured = local > min_texture
        if textured.sum() < 16:
            return 0.0
        fractions.append(float((d[textured] < 0.3 * local[textured]).mean()))
    return min(fractions)


def effective_scale(gray: np.ndarray, loss_fraction: float = 0.08,
                    factors: tuple[float, ...] = (1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 6.0), reference: float = 8.0,
                    crop: int = 256) -> float:
    """Estimated upscale factor k: the image holds the detail of one k times smaller per side.

    Loss at factor s = mean squared difference between the image and its down(s)-up(s) copy
    (area downscale, bicubic upscale), relative to the loss at `reference`. For content
    upscaled by k, loss(s)/loss(ref) ~ log(s/k)/log(ref/k) (equal detail per octave above
    the original's resolution), so the factor s* where it crosses `loss_fraction` gives
    k = (s* / ref^f)^(1/(1-f)). 1.0 = native. Runs on the most detailed `crop` px window: 256 px
    was chosen on the tuning split of `python -m evals.sharpness` (median |log error| 0.055 against
    0.115 at 384 px, at about half the cost).
    """
    import cv2

    g = _pick_crop(gray, crop).astype(np.float32)
    h, w = g.shape

    def loss(s: float) -> float:
        size = (max(2, int(round(w / s))), max(2, int(round(h / s))))
        down = cv2.resize(g, size, interpolation=cv2.INTER_AREA)
        up = cv2.resize(down, (w, h), interpolation=cv2.INTER_CUBIC)
        return float(cv2.norm(g, up, cv2.NORM_L2SQR)) / g.size

    ref = loss(reference)
    if ref <= 1e-6:
        return 1.0
    f = float(loss_fraction)
    prev_s, prev_v = 1.0, 0.0
    crossing = float(factors[-1])
    for s in factors:
        v = loss(s) / ref
        if v >= f:
            t = (f - prev_v) / max(v - prev_v, 1e-9)
            crossing = float(np.exp(np.log(prev_s) + t * (np.log(s) - np.log(prev_s))))
            break
        prev_s, prev_v = s, v
    k = (crossing / reference ** f) ** (1.0 / (1.0 - f))
    return float(max(1.0, k))


def measure(gray: np.ndarray, *, crop: int = 1024) -> dict[str, Any]:
    """Cheap features of a luma image: octave energies, E0/E1, E1/E2, duplicated-line fraction."""
    g = _pick_crop(gray, crop)
    e = octave_energies(g, 3)
    e += [0.0] * (3 - len(e))
    r01 = e[0] / e[1] if e[1] > 1e-9 else 1.0
    r12 = e[1] / e[2] if e[2] > 1e-9 else 1.0
    return {"crop": g, "energies": e, "ratio_01": r01, "ratio_12": r12, "replication": replication(g)}


@register
class SharpnessChecker(Checker):
    """Blur and effective resolution from scale-normalised octave energies (see module docstring)."""

    family = "sharpness"
    description = "Blur and effective resolution (naive upscales, soft images), scale-normalised."
    rules = (SHP001, SHP002)
    options = (
        Option("soft_ratio", 0.70, "Top-octave/next-octave energy ratio E0/E1 below which an image is soft "
               "(SHP002; native sharp content sits at ~0.8-1.1)."),
        Option("blur_ratio", 0.29, "E0/E1 below which the image is reported as blurry (SHP001) rather than as "
               "low effective resolution."),
        Option("replication", 0.30, "Fraction of duplicated columns and rows (both axes) from which an image is "
               "reported as a pixel-replicated (nearest-neighbour) upscale (SHP002); a k-times upscale has 1-1/k."),
        Option("min_detail", 0.25, "Mean squared second-octave coefficient (luma 0..255) below which the image "
               "is too flat to judge (no finding)."),
        Option("loss_fraction", 0.08, "Effective-scale estimate: largest downscale losing less than this "
               "fraction of the detail a factor-8 downscale loses."),
        Option("crop", 1024, "Analyse at most this many pixels per side (the most detailed window), "
               "keeping the cost constant for large images."),
    )
    pixels = "gray"
    version = "2"  # 2: luma can be a JPEG's own Y plane (within a grey level or two of RGB->grey)

    def check(self, asset: Asset, ctx: CheckContext) -> list[Finding]:
        o = ctx.options
        gray = asset.gray_u8  # a plain JPEG's own Y plane in luma-only runs, else RGB->grey
        h, w = gray.shape
        if min(h, w) < 32:
            return []
        m = measure(gray, crop=int(o["crop"]))
        e0, e1, e2 = m["energies"]
        decoded_scale = float(getattr(asset.image, "scale", 1.0) or 1.0)
        base = {
            "energy_ratio": round(m["ratio_01"], 4),
            "energy_ratio_next": round(m["ratio_12"], 4),
            "octave_energies": [round(v, 4) for v in m["energies"]],
        }
        if decoded_scale < 1.0:
            base["decoded_scale"] = decoded_scale
        true_w, true_h = asset.width, asset.height
        rep = m["replication"]
        if rep >= float(o["replication"]):
            p = 1.0 / max(1.0 - rep, 0.1) / decoded_scale
            details = dict(base, effective_scale=round(p, 3), duplicated_lines=round(rep, 4),
                           effective_size=[int(round(true_w / p)), int(round(true_h / p))], cause="pixel replication")
            return [SHP002.finding(
                f"pixel-replicated upscale ({rep:.0%} of columns/rows duplicate their neighbour): the detail is "
                f"that of about {details['effective_size'][0]}x{details['effective_size'][1]} px; re-generate or "
                f"re-export at native resolution",
                score=1.0 - rep, value=round(rep, 4), threshold=float(o["replication"]), details=details,
            )]
        if e1 < float(o["min_detail"]):
            return []  # too flat to judge (solid colour, smooth gradient)
        r = m["ratio_01"]
        if r >= float(o["soft_ratio"]):
            return []
        s = effective_scale(m["crop"], float(o["loss_fraction"])) / decoded_scale
        size = [int(round(true_w / s)), int(round(true_h / s))]
        details = dict(base, effective_scale=round(s, 3), effective_size=size)
        score = float(min(1.0, r / float(o["soft_ratio"])))
        if r < float(o["blur_ratio"]):
            return [SHP001.finding(
                f"blurry: the finest detail octave holds {r:.2f} of the next octave's energy (sharp images "
                f">= {o['soft_ratio']}); detail comparable to a {size[0]}x{size[1]} px image",
                score=score, value=round(r, 4), threshold=float(o["soft_ratio"]), details=details,
            )]
        return [SHP002.finding(
            f"low effective resolution: detail of about {size[0]}x{size[1]} px in a {true_w}x{true_h} px image "
            f"(effective scale {s:.2f}, top/next octave energy {r:.2f} < {o['soft_ratio']}; likely a naive "
            f"upscale); re-generate or re-export at native resolution",
            score=score, value=round(r, 4), threshold=float(o["soft_ratio"]), details=details,
        )]
