"""Shared colour helpers: hex parsing, sRGB <-> CIE Lab, ΔE00 (CIEDE2000), k-means in Lab.

Used by the `brand_color` checker and the recolour fixer, so both measure colour
the same way. Conventions:

* RGB arrays are sRGB, uint8 0..255 (or floats 0..1 where a name says so), last axis = 3.
* Lab is CIE L*a*b* with the D65 white point and the 2° observer, exactly what
  `skimage.color.rgb2lab` returns (L 0..100). `srgb_to_lab` is a fast float32
  re-implementation of it (agrees to < 0.01 units); `lab_to_srgb` is its inverse
  (agrees with `skimage.color.lab2rgb`).
* Colour differences are ΔE00 (CIEDE2000, kL = kC = kH = 1), computed exactly as
  `skimage.color.deltaE_ciede2000` (a copy, without its import cost). ~1 ΔE00 is one
  just-noticeable difference; brand logos often demand <= 2, general use ~3.5. ΔE00 is
  *not* ΔE76 (Euclidean Lab distance): the same pair can read 1.12 ΔE00 and 3.70 ΔE76,
  so always name it.
* k-means runs in Lab with Euclidean distance (fast, standard), seeded k-means++
  initialisation (deterministic for a given seed); centroids closer than a ΔE00
  threshold are then merged, weighted by pixel share (`merge_close_colours`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

import numpy as np

# --------------------------------------------------------------------------- hex

_HEX_RE = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


def parse_hex(value: str) -> tuple[int, int, int]:
    """`"#1A2B3C"`, `"1a2b3c"` or `"#abc"` -> (r, g, b) ints 0..255.

    Raises ValueError with the offending text when it is not a hex colour.
    """
    text = str(value).strip()
    m = _HEX_RE.match(text)
    if not m:
        raise ValueError(f"not a hex colour: {value!r} (expected #RRGGBB or #RGB)")
    digits = m.group(1)
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def to_hex(rgb: Sequence[float] | np.ndarray) -> str:
    """(r, g, b) 0..255 (ints or floats, clipped and rounded) -> `"#rrggbb"`."""
    r, g, b = (min(255, max(0, int(round(float(c))))) for c in list(rgb)[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


# --------------------------------------------------------------------------- sRGB <-> Lab

# sRGB (D65) -> XYZ, the matrix skimage uses; XYZ white D65 (2° observer).
_RGB_TO_XYZ = np.array(
    [[0.412453, 0.357580, 0.180423],
     [0.212671, 0.715160, 0.072169],
     [0.019334, 0.119193, 0.950227]],
    dtype=np.float64,
)
_WHITE_D65 = np.array([0.95047, 1.0, 1.08883], dtype=np.float64)
# Fold the white point into the matrix: rows give X/Xn, Y/Yn, Z/Zn.
_M = (_RGB_TO_XYZ / _WHITE_D65[:, None]).astype(np.float32)


def _linear_lut() -> np.ndarray:
    c = np.arange(256, dtype=np.float64) / 255.0
    lin = np.where(c > 0.04045, ((c + 0.055) / 1.055) ** 2.4, c / 12.92)
    return lin.astype(np.float32)


_LINEAR_LUT = _linear_lut()


def srgb_to_linear(rgb: np.ndarray) -> np.ndarray:
    """sRGB uint8 (…x3) -> linear-light float32 0..1 (IEC 61966-2-1 transfer)."""
    rgb = np.asarray(rgb)
    if rgb.dtype != np.uint8:
        rgb = np.clip(np.rint(rgb), 0, 255).astype(np.uint8)
    return _LINEAR_LUT[rgb]


def srgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB uint8 array (…x3) -> CIE Lab float32 (…x3), D65 / 2° observer.

    Same numbers as `skimage.color.rgb2lab(rgb / 255)` (to < 0.01) at a fraction
    of the cost (a LUT for the transfer curve, float32 throughout); 65k pixels take
    about 2 ms. Floats are accepted and rounded to 0..255 first.
    """
    rgb = np.asarray(rgb)
    shape = rgb.shape
    if shape[-1] != 3:
        raise ValueError(f"expected …x3 RGB, got shape {shape}")
    lin = srgb_to_linear(rgb).reshape(-1, 3)
    xyz = lin @ _M.T  # X/Xn, Y/Yn, Z/Zn
    eps = np.float32(0.008856)
    f = np.where(xyz > eps, np.cbrt(np.maximum(xyz, eps)), np.float32(7.787) * xyz + np.float32(16.0 / 116.0))
    lab = np.empty_like(f)
    lab[:, 0] = 116.0 * f[:, 1] - 16.0
    lab[:, 1] = 500.0 * (f[:, 0] - f[:, 1])
    lab[:, 2] = 200.0 * (f[:, 1] - f[:, 2])
    # skimage computes L from Y directly below the knee: 903.3 * Y.
    low = xyz[:, 1] <= eps
    if np.any(low):
        lab[low, 0] = 903.3 * xyz[low, 1]
    return lab.reshape(shape).astype(np.float32, copy=False)


def hex_to_lab(value: str) -> np.ndarray:
    """`"#RRGGBB"` -> Lab float32 (3,)."""
    return srgb_to_lab(np.array(parse_hex(value), dtype=np.uint8))


_XYZ_TO_RGB = np.linalg.inv(_RGB_TO_XYZ)


def lab_to_srgb(lab: np.ndarray) -> np.ndarray:
    """CIE Lab (…x3, D65 / 2°) -> sRGB uint8 (…x3); out-of-gamut values are clipped.

    The inverse of `srgb_to_lab`; agrees with `skimage.color.lab2rgb` (which it replaces for speed).
    """
    lab = np.asarray(lab, dtype=np.float64)
    shape = lab.shape
    flat = lab.reshape(-1, 3)
    fy = (flat[:, 0] + 16.0) / 116.0
    fx = fy + flat[:, 1] / 500.0
    fz = fy - flat[:, 2] / 200.0
    f = np.stack([fx, fy, fz], axis=1)
    xyz = np.where(f > 0.2068966, f ** 3, (f - 16.0 / 116.0) / 7.787) * _WHITE_D65
    lin = np.clip(xyz @ _XYZ_TO_RGB.T, 0.0, 1.0)
    srgb = np.where(lin > 0.0031308, 1.055 * np.power(lin, 1 / 2.4) - 0.055, 12.92 * lin)
    return np.clip(np.rint(srgb * 255.0), 0, 255).astype(np.uint8).reshape(shape)


def lab_to_hex(lab: Sequence[float] | np.ndarray) -> str:
    """A Lab triple -> `"#rrggbb"` (sRGB, clipped to gamut)."""
    return to_hex(lab_to_srgb(np.asarray(lab, dtype=np.float64).reshape(3)))


def chroma(lab: np.ndarray) -> np.ndarray:
    """C*ab = sqrt(a*^2 + b*^2) of Lab colours (…x3) -> (…)."""
    lab = np.asarray(lab, dtype=np.float32)
    return np.hypot(lab[..., 1], lab[..., 2])


def is_neutral(lab: np.ndarray, chroma_threshold: float) -> np.ndarray:
    """Whites, greys and blacks: C*ab below `chroma_threshold` (Lab units)."""
    return chroma(lab) < float(chroma_threshold)


# --------------------------------------------------------------------------- ΔE00

def delta_e00(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    """ΔE00 (CIEDE2000, kL=kC=kH=1) between Lab arrays (…x3) that broadcast against each other."""
    a, b = np.broadcast_arrays(np.asarray(lab1, np.float64), np.asarray(lab2, np.float64))
    shape = a.shape[:-1]
    return _ciede2000(a.reshape(-1, 3), b.reshape(-1, 3)).reshape(shape)[()]


def _ciede2000(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    """`skimage.color.deltaE_ciede2000` (kL=kC=kH=1) for (N,3) float64 arrays: the same operations in
    the same order, so the same numbers bit for bit (tests/test_brand_color.py compares them).

    Why a copy: importing skimage.color (and the scipy.linalg it pulls in) costs each worker process
    ~0.15 s of CPU (0.3 ms per image over a 1000-image run with 2 workers), and its input handling
    adds ~25% to the small (centroids x palette) calls the brand check makes.
    """
    L1, a1, b1 = lab1.T
    L2, a2, b2 = lab2.T
    # a* is stretched according to the mean chroma; the rest is computed in the "prime" coordinates
    c7 = (0.5 * (np.hypot(a1, b1) + np.hypot(a2, b2))) ** 7
    scale = 1 + 0.5 * (1 - np.sqrt(c7 / (c7 + 25**7)))
    C1, h1 = _polar_2pi(a1 * scale, b1)
    C2, h2 = _polar_2pi(a2 * scale, b2)
    Lbar = 0.5 * (L1 + L2)
    tmp = (Lbar - 50) ** 2
    L_term = (L2 - L1) / (1 + 0.015 * tmp / np.sqrt(20 + tmp))
    Cbar = 0.5 * (C1 + C2)
    C_term = (C2 - C1) / (1 + 0.045 * Cbar)
    h_diff = h2 - h1
    h_sum = h1 + h2
    CC = C1 * C2
    dH = h_diff.copy()
    dH[h_diff > np.pi] -= 2 * np.pi
    dH[h_diff < -np.pi] += 2 * np.pi
    dH[CC == 0.0] = 0.0  # a neutral colour has no hue
    dH_term = 2 * np.sqrt(CC) * np.sin(dH / 2)
    Hbar = h_sum.copy()
    wrap = np.logical_and(CC != 0.0, np.abs(h_diff) > np.pi)
    Hbar[wrap * (h_sum < 2 * np.pi)] += 2 * np.pi
    Hbar[wrap * (h_sum >= 2 * np.pi)] -= 2 * np.pi
    Hbar[CC == 0.0] *= 2
    Hbar *= 0.5
    T = (1 - 0.17 * np.cos(Hbar - np.deg2rad(30)) + 0.24 * np.cos(2 * Hbar)
         + 0.32 * np.cos(3 * Hbar + np.deg2rad(6)) - 0.20 * np.cos(4 * Hbar - np.deg2rad(63)))
    H_term = dH_term / (1 + 0.015 * Cbar * T)
    c7 = Cbar**7
    Rc = 2 * np.sqrt(c7 / (c7 + 25**7))
    dtheta = np.deg2rad(30) * np.exp(-(((np.rad2deg(Hbar) - 275) / 25) ** 2))
    R_term = -np.sin(2 * dtheta) * Rc * C_term * H_term
    dE2 = L_term**2
    dE2 += C_term**2
    dE2 += H_term**2
    dE2 += R_term
    return np.sqrt(np.maximum(dE2, 0))


def _polar_2pi(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(radius, angle in [0, 2pi)) as skimage's `_cart2polar_2pi`."""
    r, t = np.hypot(x, y), np.arctan2(y, x)
    t += np.where(t < 0.0, 2 * np.pi, 0)
    return r, t


def delta_e00_matrix(labs_a: np.ndarray, labs_b: np.ndarray) -> np.ndarray:
    """Pairwise ΔE00: (N,3) x (M,3) -> (N, M). Use for small N*M (centroids vs palette)."""
    a = np.asarray(labs_a, dtype=np.float64).reshape(-1, 1, 3)
    b = np.asarray(labs_b, dtype=np.float64).reshape(1, -1, 3)
    if a.shape[0] == 0 or b.shape[1] == 0:
        return np.zeros((a.shape[0], b.shape[1]), dtype=np.float64)
    return delta_e00(a, b)


def nearest_colour(labs: np.ndarray, palette_labs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each Lab colour (N,3): index of the nearest palette colour by ΔE00, and that ΔE00."""
    d = delta_e00_matrix(labs, palette_labs)
    idx = np.argmin(d, axis=1)
    return idx, d[np.arange(d.shape[0]), idx]


# --------------------------------------------------------------------------- k-means

def kmeans(points: np.ndarray, k: int, *, seed: int = 0, iters: int = 10, tol: float = 0.1,
           weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Lloyd's k-means with k-means++ seeding; deterministic for a given `seed`.

    `points` (N,3) float (Lab colours); returns (centroids (K',3) float32, labels (N,) int) where
    K' <= k (fewer when there are fewer distinct points; empty clusters are dropped).
    Stops after `iters` rounds or when no centroid moves more than `tol` (Lab units:
    0.1 is far below a just-noticeable difference). Euclidean distance: in Lab this
    is ΔE76, the standard choice for clustering. About 1-2 ms for 2048 points, k=8.
    """
    x = np.asarray(points, dtype=np.float32).reshape(-1, 3)
    n = x.shape[0]
    if n == 0:
        return np.zeros((0, 3), np.float32), np.zeros(0, np.int64)
    w = np.ones(n, np.float32) if weights is None else np.asarray(weights, np.float32)
    k = int(max(1, min(k, n)))
    rng = np.random.default_rng(seed)
    # k-means++ seeding (weighted), sampling by inverse CDF (cheaper than rng.choice(p=...)).
    def pick(p: np.ndarray) -> int:
        cdf = np.cumsum(p, dtype=np.float64)
        return int(min(np.searchsorted(cdf, rng.random() * cdf[-1], side="right"), n - 1))

    xt = np.ascontiguousarray(x.T)  # (3, N): one row per channel (cheaper than reducing over a length-3 axis)

    def sq_dist(centre: np.ndarray) -> np.ndarray:
        return (xt[0] - centre[0]) ** 2 + (xt[1] - centre[1]) ** 2 + (xt[2] - centre[2]) ** 2

    centres = [x[pick(w)]]
    d2 = sq_dist(centres[0])
    for _ in range(1, k):
        p = d2 * w
        if float(p.sum()) <= 1e-9:
            break  # every point already coincides with a centre
        centres.append(x[pick(p)])
        d2 = np.minimum(d2, sq_dist(centres[-1]))
    c = np.stack(centres).astype(np.float32)
    xw = x * w[:, None]

    labels = nearest_centre(xt, c)
    for _ in range(iters):
        counts = np.bincount(labels, weights=w, minlength=c.shape[0])
        keep = counts > 0
        sums = _channel_sums(labels, xw, c.shape[0])
        new = c.copy()
        new[keep] = sums[keep] / counts[keep, None]
        shift = float(np.abs(new - c).max())
        c = new
        labels = nearest_centre(xt, c)
        if shift < tol:
            break
    used = np.unique(labels)
    if used.size < c.shape[0]:
        remap = np.full(c.shape[0], -1, np.int64)
        remap[used] = np.arange(used.size)
        c, labels = c[used], remap[labels]
    return c, labels.astype(np.int64, copy=False)


def _channel_sums(labels: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Per-label sums of (N,3) `values` -> (n,3) float64, in one bincount over bins 3*label + channel.

    The same sums, bit for bit, as one `np.bincount(labels, weights=values[:, j])` per channel (each
    bin adds its values in input order), at a third of the calls.
    """
    bins = (np.asarray(labels, np.intp)[:, None] * 3 + np.arange(3)).reshape(-1)
    return np.bincount(bins, weights=np.asarray(values).reshape(-1), minlength=3 * n).reshape(n, 3)


@dataclass
class DominantColour:
    """One dominant colour of an image: its Lab centroid, sRGB hex and share of pixels (0..1)."""

    lab: np.ndarray
    hex: str
    share: float
    members: list[int]  # indices of the k-means clusters merged into it

    def to_dict(self) -> dict:
        return {"hex": self.hex, "lab": [round(float(v), 2) for v in self.lab], "share": round(self.share, 4)}


def merge_close_colours(centroids: np.ndarray, weights: np.ndarray,
                        threshold: float = 3.0) -> list[tuple[np.ndarray, float, list[int]]]:
    """Greedily merge the closest pair of centroids while it is closer than `threshold` ΔE00.

    The merged colour is the weight-averaged Lab of the pair. Returns
    [(lab, weight, member_indices)], heaviest first.
    """
    labs = [np.asarray(c, np.float64) for c in centroids]
    ws = [float(w) for w in weights]
    members = [[i] for i in range(len(labs))]
    alive = list(range(len(labs)))
    if len(labs) > 1:
        d = delta_e00_matrix(np.stack(labs), np.stack(labs))
        np.fill_diagonal(d, np.inf)
        while len(alive) > 1:
            sub = d[np.ix_(alive, alive)]
            a, b = np.unravel_index(int(np.argmin(sub)), sub.shape)
            if sub[a, b] >= threshold:
                break
            i, j = alive[a], alive[b]
            wi, wj = ws[i], ws[j]
            labs[i] = (labs[i] * wi + labs[j] * wj) / max(wi + wj, 1e-12)
            ws[i] = wi + wj
            members[i] = members[i] + members[j]
            alive.remove(j)
            others = [t for t in alive if t != i]
            if others:
                row = delta_e00_matrix(labs[i][None], np.stack([labs[t] for t in others]))[0]
                d[i, others] = row
                d[others, i] = row
    groups = [(labs[t], ws[t], members[t]) for t in alive]
    groups.sort(key=lambda g: -g[1])
    return groups


def dominant_colours(rgb_pixels: np.ndarray, k: int = 8, *, seed: int = 0, merge_delta_e: float = 3.0,
                     iters: int = 10) -> tuple[list[DominantColour], np.ndarray, np.ndarray]:
    """Dominant colours of sampled pixels (N,3 uint8 sRGB): k-means in Lab, merge < `merge_delta_e` ΔE00.

    Returns (colours heaviest first, Lab of the pixels (N,3), label of each pixel
    into the returned colours (N,)). Shares sum to 1.
    """
    px = np.asarray(rgb_pixels).reshape(-1, 3)
    if px.shape[0] == 0:
        return [], np.zeros((0, 3), np.float32), np.zeros(0, np.int64)
    if px.dtype != np.uint8:
        px = np.clip(np.rint(px), 0, 255).astype(np.uint8)
    # Cluster the distinct colours (quantised to 6 bits per channel, weighted by their counts: flat
    # designs have few, photos ~1000 of 2048), then recompute each centroid from the exact pixels.
    q = px >> 2
    packed = (q[:, 0].astype(np.uint32) << 12) | (q[:, 1].astype(np.uint32) << 6) | q[:, 2]
    uniq, inverse, counts = np.unique(packed, return_inverse=True, return_counts=True)
    inverse = inverse.reshape(-1)
    lab = srgb_to_lab(px)
    ulab = (_channel_sums(inverse, lab, uniq.size) / counts[:, None]).astype(np.float32)
    centroids, ulabels = kmeans(ulab, k, seed=seed, iters=iters, weights=counts.astype(np.float32))
    labels = ulabels[inverse]
    share = np.bincount(labels, minlength=centroids.shape[0]).astype(np.float64)
    centroids = _channel_sums(labels, lab, centroids.shape[0]) / np.maximum(share, 1)[:, None]
    groups = merge_close_colours(centroids, share / share.sum(), merge_delta_e)
    cluster_to_group = np.zeros(centroids.shape[0], np.int64)
    out: list[DominantColour] = []
    rgbs = lab_to_srgb(np.stack([g[0] for g in groups]))
    for gi, (c, w, members) in enumerate(groups):
        cluster_to_group[members] = gi
        out.append(DominantColour(lab=c.astype(np.float32), hex=to_hex(rgbs[gi]), share=float(w), members=members))
    return out, lab, cluster_to_group[labels]


_LAB_LUT_BITS = 5
_LAB_LUT: np.ndarray | None = None


def quantised_lab_lut() -> np.ndarray:
    """Lab of the centre of every 5-bit-per-channel RGB bin, (32768, 3) float32, built once per process.

    Index with `quantised_index(rgb)`. Quantisation error is up to ~2 ΔE00: good for
    assigning pixels to well-separated colours (region maps), not for measuring ΔE.
    """
    global _LAB_LUT
    if _LAB_LUT is None:
        n = 1 << _LAB_LUT_BITS
        step = 256 // n
        centres = (np.arange(n) * step + step // 2).astype(np.uint8)
        r, g, b = np.meshgrid(centres, centres, centres, indexing="ij")
        _LAB_LUT = srgb_to_lab(np.stack([r, g, b], -1).reshape(-1, 3))
    return _LAB_LUT


def quantised_index(rgb: np.ndarray) -> np.ndarray:
    """sRGB uint8 (…x3) -> index into `quantised_lab_lut()` (…)."""
    rgb = np.asarray(rgb, np.uint8)
    shift = 8 - _LAB_LUT_BITS
    r = (rgb[..., 0] >> shift).astype(np.int32)
    g = (rgb[..., 1] >> shift).astype(np.int32)
    b = (rgb[..., 2] >> shift).astype(np.int32)
    return (r << (2 * _LAB_LUT_BITS)) | (g << _LAB_LUT_BITS) | b


def nearest_centre(points_t: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Index of the nearest centre (Euclidean) for each column of `points_t` (3, N), as int16.

    |x-c|^2 - |x|^2 = |c|^2 - 2 x.c, for all centres at once as a (K, N) array: callers pass a few
    thousand points at most (k-means on distinct colours, the colour bins present in an image), where
    numpy's per-call overhead, not arithmetic, dominates. Written per channel rather than `c @ points_t`:
    numpy hands that to BLAS, which with more than one thread on a busy machine spends 1-3 ms on thread
    hand-offs for what is 0.1 ms of arithmetic. argmin keeps the first of equal distances.
    """
    c = np.asarray(centres, np.float32).reshape(-1, 3)
    cc = (c * c).sum(1)
    dot = c[:, 0:1] * points_t[0] + c[:, 1:2] * points_t[1] + c[:, 2:3] * points_t[2]
    return (-2.0 * dot + cc[:, None]).argmin(axis=0).astype(np.int16)


def nearest_colour_map(rgb: np.ndarray, colour_labs: np.ndarray) -> np.ndarray:
    """Label every pixel of an sRGB image (HxWx3 uint8) with its nearest colour (Euclidean Lab), via the LUT.

    Fast (a lookup per pixel): the nearest colour is computed once per 5-bit RGB bin, and only for
    the bins the image uses (a few thousand of the 32768 in a 128 px photo).
    """
    idx = quantised_index(rgb)
    lut_t = _quantised_lab_lut_t()
    present = np.flatnonzero(np.bincount(idx.reshape(-1), minlength=lut_t.shape[1]))
    bin_label = np.zeros(lut_t.shape[1], np.int16)
    bin_label[present] = nearest_centre(lut_t[:, present], colour_labs)
    return bin_label[idx]


@lru_cache(maxsize=1)
def _quantised_lab_lut_t() -> np.ndarray:
    """`quantised_lab_lut()` transposed to (3, 32768), contiguous: one row per channel for the dot products."""
    return np.ascontiguousarray(quantised_lab_lut().T)


def palette_labs(hexes: Iterable[str]) -> np.ndarray:
    """A list of hex colours -> (P,3) Lab float32."""
    vals = [parse_hex(h) for h in hexes]
    if not vals:
        return np.zeros((0, 3), np.float32)
    return srgb_to_lab(np.array(vals, dtype=np.uint8))
