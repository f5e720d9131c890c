"""Labelled images for the sharpness eval and tests: real photos and generated artifacts.

Everything is built in memory from photos that ship inside installed packages
(scikit-image `skimage.data`, matplotlib sample data) plus drawn graphics, so the
set is reproducible offline. Each item is 1024 px on its longer side (the size
the throughput target is stated for) and goes through a JPEG round trip.

Labels:
* `sharp` (negative): native-resolution content — 2x2 mosaics of full-resolution
  photos, the Hubble deep field, drawn graphics/text at 1024 px (flat backgrounds:
  cleanvision's false-positive case), product-on-white composites.
* `upscaled` (positive, SHP002): a 512/341/256 px crop naively resized to 1024
  (bilinear, bicubic, Lanczos, nearest): effective scale 2, 3, 4.
* `blurred` (positive, SHP001): native content with Gaussian blur sigma 1.2-3.
* `borderline` (reported apart, not scored): 1.5x upscales and sigma 0.8 blur.

Splits are by *source*: the tuning split and the held-out split use different
photos and different graphics seeds, so thresholds chosen on tuning are
measured on content they never saw.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

SIZE = 1024


@dataclass
class Item:
    name: str
    rgb: np.ndarray
    label: str  # sharp | upscaled | blurred | borderline
    split: str  # tune | heldout
    scale: float = 1.0  # true effective scale (upscale factor) where known


def _rgb(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a)
    if a.dtype == bool:
        a = a.astype(np.uint8) * 255
    if a.dtype != np.uint8:
        a = np.clip(a * (255 if a.max() <= 1.0 else 1), 0, 255).astype(np.uint8)
    if a.ndim == 2:
        a = np.stack([a] * 3, -1)
    if a.shape[-1] == 4:
        alpha = a[..., 3:4].astype(np.float32) / 255
        a = (a[..., :3] * alpha + 255 * (1 - alpha)).astype(np.uint8)
    return np.ascontiguousarray(a[..., :3])


def photos() -> dict[str, np.ndarray]:
    """Real photos available offline, name -> RGB uint8."""
    from skimage import data

    out = {}
    for name in ("astronaut", "coffee", "chelsea", "rocket", "immunohistochemistry", "hubble_deep_field",
                 "camera", "brick", "grass", "gravel", "moon", "coins", "clock", "cell", "stereo_motorcycle",
                 "retina"):
        try:
            a = getattr(data, name)()
        except Exception:  # optional downloads (pooch) are not available offline
            continue
        if isinstance(a, tuple):
            a = a[0]
        out[name] = _rgb(a)
    try:
        import matplotlib.cbook as cbook

        with cbook.get_sample_data("grace_hopper.jpg") as fh:
            out["grace_hopper"] = _rgb(np.asarray(Image.open(fh).convert("RGB")))
    except Exception:
        pass
    return out


def _crop(a: np.ndarray, h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    H, W = a.shape[:2]
    if H < h or W < w:
        s = max(h / H, w / W)
        # Only used for tiles: shrink-to-fit never happens for the sources we use at <= 512.
        a = np.asarray(Image.fromarray(a).resize((int(np.ceil(W * s)), int(np.ceil(H * s))), Image.Resampling.LANCZOS))
        H, W = a.shape[:2]
    y = int(rng.integers(0, H - h + 1))
    x = int(rng.integers(0, W - w + 1))
    return a[y:y + h, x:x + w]


def mosaic(tiles: list[np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """2x2 mosaic of 512 px native crops (sources smaller than 512 are tiled at 256 px, 4x4)."""
    out = np.zeros((SIZE, SIZE, 3), np.uint8)
    for i, t in enumerate(tiles[:4]):
        y, x = (i // 2) * 512, (i % 2) * 512
        if min(t.shape[:2]) >= 512:
            out[y:y + 512, x:x + 512] = _crop(t, 512, 512, rng)
        else:
            for j in range(4):
                yy, xx = y + (j // 2) * 256, x + (j % 2) * 256
                out[yy:yy + 256, xx:xx + 256] = _crop(t, 256, 256, rng)
    return out


def graphic(seed: int, size: int = SIZE) -> np.ndarray:
    """A flat-colour design with shapes and text, rendered at `size` (sharp edges, flat background)."""
    rng = np.random.default_rng(seed)
    bg = tuple(int(v) for v in rng.integers(200, 256, 3))
    im = Image.new("RGB", (size, size), bg)
    d = ImageDraw.Draw(im)
    s = size / 1024
    for _ in range(int(rng.integers(4, 9))):
        col = tuple(int(v) for v in rng.integers(0, 256, 3))
        x0, y0 = (int(v) for v in rng.integers(0, int(900 * s), 2))
        w, h = (int(v) for v in rng.integers(int(60 * s), int(400 * s), 2))
        if rng.random() < 0.5:
            d.ellipse([x0, y0, x0 + w, y0 + h], fill=col)
        else:
            d.rectangle([x0, y0, x0 + w, y0 + h], fill=col)
    font = ImageFont.load_default(size=max(8, int(rng.integers(28, 72) * s)))
    for line in range(int(rng.integers(2, 5))):
        col = tuple(int(v) for v in rng.integers(0, 120, 3))
        d.text((int(40 * s), int((80 + line * 180) * s)), "Spring sale 2026 — up to 40% off", fill=col, font=font)
    return np.asarray(im)


def product_shot(photo: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A native-resolution photo crop on a large white canvas (mostly flat, sharp subject)."""
    out = np.full((SIZE, SIZE, 3), 250, np.uint8)
    side = min(420, *photo.shape[:2])
    crop = _crop(photo, side, side, rng)
    y, x = (int(v) for v in rng.integers(50, SIZE - side - 50, 2))
    out[y:y + side, x:x + side] = crop
    return out


def upscale(a: np.ndarray, factor: float, method: str) -> tuple[np.ndarray, float]:
    """Naive upscale of a native crop to 1024 px by `factor` (less when the photo is too small).

    Returns the image and the true factor (1024 / crop side).
    """
    src = min(int(round(SIZE / factor)), min(a.shape[:2]))
    rng = np.random.default_rng(src)
    small = _crop(a, src, src, rng)
    f = {"bilinear": Image.Resampling.BILINEAR, "bicubic": Image.Resampling.BICUBIC,
         "lanczos": Image.Resampling.LANCZOS, "nearest": Image.Resampling.NEAREST}[method]
    return np.asarray(Image.fromarray(small).resize((SIZE, SIZE), f)), SIZE / src


def blur(a: np.ndarray, sigma: float) -> np.ndarray:
    return np.asarray(Image.fromarray(a).filter(ImageFilter.GaussianBlur(sigma)))


def jpeg(a: np.ndarray, quality: int) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, "JPEG", quality=quality)
    return buf.getvalue()


TUNE_PHOTOS = ("astronaut", "coffee", "camera", "brick", "rocket", "moon", "coins", "stereo_motorcycle")
HELD_PHOTOS = ("chelsea", "immunohistochemistry", "grass", "gravel", "grace_hopper", "clock", "cell",
               "hubble_deep_field")


def build(split: str) -> list[Item]:
    """All items of one split ('tune' or 'heldout'), RGB arrays (JPEG-encode them with `jpeg`)."""
    ph = photos()
    names = [n for n in (TUNE_PHOTOS if split == "tune" else HELD_PHOTOS) if n in ph]
    rng = np.random.default_rng(1 if split == "tune" else 2)
    items: list[Item] = []
    base_seed = 100 if split == "tune" else 200
    natives: list[tuple[str, np.ndarray]] = []
    # Sharp, native content.
    for i in range(4):
        pick = [names[(i + j) % len(names)] for j in range(4)]
        natives.append((f"mosaic-{'+'.join(pick)}", mosaic([ph[n] for n in pick], rng)))
    for i in range(3):
        natives.append((f"graphic-{base_seed + i}", graphic(base_seed + i)))
    for n in names[:3]:
        natives.append((f"product-{n}", product_shot(ph[n], rng)))
    if split == "heldout" and "hubble_deep_field" in ph:
        hub = ph["hubble_deep_field"]
        natives.append(("hubble_deep_field", hub))
    for name, a in natives:
        items.append(Item(name, a, "sharp", split))
    # Naive upscales (effective scale 2, 3, 4).
    methods = ("bilinear", "bicubic", "lanczos", "nearest")
    k = 0
    for n in names:
        for factor in (2.0, 3.0, 4.0):
            m = methods[k % len(methods)]
            k += 1
            arr, true = upscale(ph[n], factor, m)
            items.append(Item(f"up{factor:g}x-{m}-{n}", arr, "upscaled", split, round(true, 3)))
    for i in range(2):
        g = graphic(base_seed + 50 + i, size=512)
        items.append(Item(f"up2x-bicubic-graphic-{base_seed + 50 + i}",
                          np.asarray(Image.fromarray(g).resize((SIZE, SIZE), Image.Resampling.BICUBIC)), "upscaled",
                          split, 2.0))
    # Gaussian blur of native content.
    sigmas = (1.2, 1.6, 2.0, 3.0)
    for i, (name, a) in enumerate(natives):
        s = sigmas[i % len(sigmas)]
        items.append(Item(f"blur{s:g}-{name}", blur(a, s), "blurred", split))
    # Borderline, reported separately.
    for name, a in natives[:3]:
        arr, true = upscale(a, 1.5, "bicubic")  # a 683 px crop of native 1024 px content
        items.append(Item(f"up1.5x-bicubic-{name}", arr, "borderline", split, round(true, 3)))
    for name, a in natives[:3]:
        items.append(Item(f"blur0.8-{name}", blur(a, 0.8), "borderline", split))
    return items
