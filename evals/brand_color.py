"""Eval of the `brand_color` checker (BRD001 palette coverage, BRD002 off-palette dominant colour).

    python -m evals.brand_color

Data, generated in memory (1024 px, JPEG quality 85-95, some PNG with alpha):
random brand palettes (3-6 colours, >= 15 ΔE00 apart) and flat designs drawn from
them on neutral backgrounds with neutral text, in five kinds:

* `on`     palette colours only (negative for both rules);
* `near`   one brand shape re-coloured within 0.8-2.5 ΔE00 of its brand colour
           (a legitimate rendering difference: negative);
* `off`    an added block of an off-palette colour (>= 6 ΔE00 from every brand
           colour), sometimes with brand-coloured text on it, covering 6-14% of
           the image (BRD002 positive, above the 5% `min_share`; its box is the
           expected region);
* `shade`  a large brand shape in a wrong shade, 6-12 ΔE00 off (BRD002 positive);
* `flood`  an off-palette colour covering most of the canvas (BRD001 and BRD002
           positive).

BRD001 labels come from the construction: positive when the off-palette share of
the chromatic pixels is > 0.35, negative when < 0.15 (in between: not scored).
Real photos pasted into a design (`photo`) are run and reported apart (they are
genuinely off-palette; no label), as are two stress kinds: `subtle` (a brand
shape 4.5-6 ΔE00 off: should be flagged) and `gradient` (a brand shape shaded
L* +-8: a judgement call).

`min_share`, `min_coverage` and `k` are chosen on the tuning split (seeds
0..n-1; best F1, ties broken towards the documented default, then the cheaper
k) and reported on the held-out split (seeds 1000..1000+n-1: other palettes,
other layouts). The tolerance is brand policy (3.5 ΔE00), not tuned.
"""
from __future__ import annotations

import argparse
import io
import time
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from qa import colour
from qa.checks.brand_color import BrandColorChecker
from qa.testing import asset_from_bytes, make_context
from qa.types import Region

SIZE = 1024
KINDS = ("on", "near", "off", "shade", "flood")
STRESS = ("subtle", "gradient")  # reported apart, not used for tuning


@dataclass
class Case:
    name: str
    kind: str
    data: bytes
    palette: list[dict]
    brd002: bool | None
    brd001: bool | None
    off_box: Region | None = None
    off_rgb: tuple[int, int, int] | None = None


def random_palette(rng: np.random.Generator) -> list[dict]:
    """3-6 chromatic brand colours, pairwise >= 15 ΔE00 apart."""
    n = int(rng.integers(3, 7))
    labs: list[np.ndarray] = []
    while len(labs) < n:
        L = rng.uniform(35, 75)
        c = rng.uniform(30, 70)
        h = rng.uniform(0, 2 * np.pi)
        lab = np.array([L, c * np.cos(h), c * np.sin(h)])
        rgb = colour.lab_to_srgb(lab)
        lab = colour.srgb_to_lab(rgb).astype(np.float64)  # in gamut
        if colour.chroma(lab) < 25:
            continue
        if all(colour.delta_e00(lab, o) >= 15 for o in labs):
            labs.append(lab)
    return [{"name": f"brand-{i}", "hex": colour.lab_to_hex(lab)} for i, lab in enumerate(labs)]


def off_colour(rng: np.random.Generator, pal_labs: np.ndarray, lo: float, hi: float = 200.0,
               base: np.ndarray | None = None) -> tuple[int, int, int]:
    """A chromatic sRGB colour whose nearest palette ΔE00 lies in [lo, hi] (near `base` when given)."""
    for _ in range(5000):
        if base is None:
            lab = np.array([rng.uniform(30, 80), rng.uniform(-70, 70), rng.uniform(-70, 70)])
        else:
            direction = rng.normal(size=3)
            lab = base + direction / np.linalg.norm(direction) * rng.uniform(lo * 0.6, hi * 1.6)
        rgb = colour.lab_to_srgb(lab)
        lab = colour.srgb_to_lab(rgb)
        if colour.chroma(lab) < 15:
            continue
        d = colour.delta_e00_matrix(lab[None], pal_labs)[0]
        if base is not None:
            if lo <= float(colour.delta_e00(lab, base)) <= hi and d.min() >= lo:
                return tuple(int(v) for v in rgb)
        elif lo <= d.min() <= hi:
            return tuple(int(v) for v in rgb)
    raise RuntimeError("no colour found")


def _encode(arr: np.ndarray, rng: np.random.Generator) -> bytes:
    buf = io.BytesIO()
    if rng.random() < 0.8:
        Image.fromarray(arr[..., :3]).save(buf, "JPEG", quality=int(rng.choice([85, 90, 95])))
    else:
        alpha = np.full(arr.shape[:2], 255, np.uint8)
        alpha[:24] = 0  # a transparent strip of off-palette pixels that must be ignored
        rgba = np.dstack([arr[..., :3], alpha])
        rgba[:24, :, :3] = (255, 0, 255)
        Image.fromarray(rgba).save(buf, "PNG")
    return buf.getvalue()


def make_case(seed: int, kind: str, photo: np.ndarray | None = None) -> Case:
    all_kinds = KINDS + STRESS
    rng = np.random.default_rng(seed * 10 + all_kinds.index(kind) if kind in all_kinds else seed * 10 + 9)
    palette = random_palette(rng)
    pal_rgb = [colour.parse_hex(p["hex"]) for p in palette]
    pal_labs = colour.palette_labs([p["hex"] for p in palette])
    bg = (int(rng.choice([255, 250, 245])),) * 3 if rng.random() < 0.8 else (30, 30, 30)
    im = Image.new("RGB", (SIZE, SIZE), bg[:3])
    d = ImageDraw.Draw(im)
    boxes = []
    # brand shapes covering a good part of the canvas
    for i in range(int(rng.integers(3, 7))):
        w, h = (int(v) for v in rng.integers(180, 520, 2))
        x, y = int(rng.integers(0, SIZE - w)), int(rng.integers(0, SIZE - h))
        col = pal_rgb[i % len(pal_rgb)]
        (d.ellipse if rng.random() < 0.4 else d.rectangle)([x, y, x + w, y + h], fill=col)
        boxes.append((x, y, w, h, i % len(pal_rgb)))
    font = ImageFont.load_default(size=int(rng.integers(32, 64)))
    for line in range(3):
        ink = (20, 20, 20) if bg[0] > 128 else (240,) * 3
        if rng.random() < 0.3:
            ink = pal_rgb[int(rng.integers(len(pal_rgb)))]  # brand-coloured copy (anti-aliased edges)
        d.text((40, 60 + 330 * line), "New collection — shop now", fill=ink, font=font)
    brd002, brd001, off_box, off_rgb = False, False, None, None
    if kind == "near":
        x, y, w, h, j = boxes[0]
        shade = off_colour(rng, pal_labs[j:j + 1], 0.8, 2.5, base=pal_labs[j].astype(np.float64))
        d.rectangle([x, y, x + w, y + h], fill=shade)
    elif kind == "off":
        area = rng.uniform(0.06, 0.14) * SIZE * SIZE
        w = int(rng.uniform(0.6, 1.6) * np.sqrt(area))
        h = int(min(SIZE - 1, area / w))
        x, y = int(rng.integers(0, SIZE - w)), int(rng.integers(0, SIZE - h))
        off_rgb = off_colour(rng, pal_labs, 6.0)
        if rng.random() < 0.5:
            d.rectangle([x, y, x + w - 1, y + h - 1], fill=off_rgb)
        else:  # an off-palette badge with brand-coloured text on it
            d.rectangle([x, y, x + w - 1, y + h - 1], fill=off_rgb)
            d.text((x + 10, y + h // 3), "SALE -40%", fill=pal_rgb[0], font=font)
        off_box, brd002 = Region(x, y, w, h), True
    elif kind in ("shade", "subtle"):  # the largest brand shape a shade off: 6-12 or 4.5-6 ΔE00
        x, y, w, h, j = max(boxes, key=lambda b: b[2] * b[3])
        lo, hi = (6.0, 12.0) if kind == "shade" else (4.5, 6.0)
        off_rgb = off_colour(rng, pal_labs, lo, hi, base=pal_labs[j].astype(np.float64))
        d.rectangle([x, y, x + w - 1, y + h - 1], fill=off_rgb)
        off_box, brd002 = Region(x, y, w, h), True
    elif kind == "flood":
        off_rgb = off_colour(rng, pal_labs, 12.0)
        d.rectangle([0, 180, SIZE - 1, SIZE - 1], fill=off_rgb)
        x, y, w, h, j = boxes[0]
        d.rectangle([40, 300, 300, 500], fill=pal_rgb[j])
        off_box, brd002 = Region(0, 180, SIZE, SIZE - 180), True
    elif kind == "gradient":
        # the largest brand shape shaded top to bottom (L* -8 .. +8): brand colour under lighting
        x, y, w, h, j = max(boxes, key=lambda b: b[2] * b[3])
        base = pal_labs[j].astype(np.float64)
        for row in range(h):
            lab = base + np.array([-8.0 + 16.0 * row / max(1, h - 1), 0.0, 0.0])
            d.line([x, y + row, x + w - 1, y + row], fill=tuple(int(v) for v in colour.lab_to_srgb(lab)))
        brd002 = None
    elif kind == "photo" and photo is not None:
        ph = np.asarray(Image.fromarray(photo).resize((512, int(512 * photo.shape[0] / photo.shape[1]))))
        im.paste(Image.fromarray(ph), (int(rng.integers(0, SIZE - 512)), int(rng.integers(0, SIZE - ph.shape[0]))))
        brd002 = None
    arr = np.asarray(im)
    # BRD001 label from the construction: off-palette share of chromatic pixels
    if kind in ("photo", "gradient"):
        brd001 = None
    else:
        lab = colour.srgb_to_lab(arr[::4, ::4].reshape(-1, 3))
        chromatic = colour.chroma(lab) >= 8.0
        if off_rgb is not None:
            is_off = np.all(arr[::4, ::4].reshape(-1, 3) == np.array(off_rgb, np.uint8), axis=1)
            share = float(is_off.sum()) / max(1, int(chromatic.sum()))
        else:
            share = 0.0
        brd001 = True if share > 0.35 else False if share < 0.15 else None
    return Case(f"{kind}-{seed}", kind, _encode(arr, rng), palette, brd002, brd001, off_box, off_rgb)


def build(split: str, n: int) -> list[Case]:
    from qa.testing import sample_photo

    base = 0 if split == "tune" else 1000
    cases = [make_case(base + s, k) for s in range(n) for k in KINDS]
    photos = ("astronaut", "coffee", "chelsea", "rocket") if split == "tune" else (
        "immunohistochemistry", "hubble_deep_field", "retina", "colorwheel")
    for i, name in enumerate(photos):
        cases.append(make_case(base + i, "photo", sample_photo(name)))
    return cases


def iou(a: Region, b: Region) -> float:
    x0, y0 = max(a.x, b.x), max(a.y, b.y)
    x1, y1 = min(a.x + a.w, b.x + b.w), min(a.y + a.h, b.y + b.h)
    inter = max(0, x1 - x0) * max(0, y1 - y0)
    return inter / max(1, a.area + b.area - inter)


def run(cases: list[Case], options: dict) -> list[dict]:
    checker = BrandColorChecker()
    out = []
    for c in cases:
        ctx = make_context("brand_color", {"palette": c.palette, **options})
        asset = asset_from_bytes(c.data, f"{c.name}.jpg")
        _ = asset.rgb
        t = time.process_time()  # CPU time: the machine is shared, wall time is noisy
        findings = checker.check(asset, ctx)
        ms = (time.process_time() - t) * 1000
        brd2 = [f for f in findings if f.code == "BRD002"]
        best_iou = None
        if c.off_box is not None and brd2:
            # the finding for the painted colour: the one whose hex is closest to it
            off_lab = colour.srgb_to_lab(np.array(c.off_rgb, np.uint8))
            f = min(brd2, key=lambda f: float(colour.delta_e00(colour.hex_to_lab(f.details["hex"]), off_lab)))
            best_iou = iou(f.region, c.off_box) if f.region else 0.0
        out.append({"case": c, "brd001": any(f.code == "BRD001" for f in findings), "brd002": bool(brd2),
                    "iou": best_iou, "ms": ms, "n002": len(brd2)})
    return out


def prf(rows: list[dict], key: str) -> tuple[float, float, float, int, int, int]:
    scored = [r for r in rows if getattr(r["case"], key) is not None]
    tp = sum(1 for r in scored if r[key] and getattr(r["case"], key))
    fp = sum(1 for r in scored if r[key] and not getattr(r["case"], key))
    fn = sum(1 for r in scored if not r[key] and getattr(r["case"], key))
    p = tp / max(tp + fp, 1)
    rc = tp / max(tp + fn, 1)
    return p, rc, 2 * p * rc / max(p + rc, 1e-9), tp, fp, fn, sum(1 for r in scored if not getattr(r["case"], key))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m evals.brand_color", description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=16, help="seeds per kind and split")
    args = ap.parse_args(argv)
    t0 = time.time()
    tune_cases, held_cases = build("tune", args.n), build("heldout", args.n)
    # --- choose options on the tuning split only
    best, best_key = None, None
    shares = (0.02, 0.03, 0.05, 0.08)
    for k in (8, 12):
        f1s = [prf(run(tune_cases, {"k": k, "min_share": ms}), "brd002")[2] for ms in shares]
        top = max(f1s)
        plateau = [i for i, f in enumerate(f1s) if f >= top - 1e-9]
        default_ms = next(o.default for o in BrandColorChecker.options if o.name == "min_share")
        if shares.index(default_ms) in plateau:
            ms = default_ms  # the documented default is on the best plateau: keep it
        else:
            ms = shares[plateau[len(plateau) // 2]]  # centre of the best plateau: margin on both sides
        key = (round(top, 4), -k)  # best F1, then the cheaper k
        if best_key is None or key > best_key:
            best, best_key = {"k": k, "min_share": ms}, key
    # coverage threshold: measure coverage once per labelled tuning case, then sweep
    checker = BrandColorChecker()
    covs, labels = [], []
    for c in tune_cases:
        if c.brd001 is None:
            continue
        res = checker.analyse(asset_from_bytes(c.data, f"{c.name}.jpg"),
                              make_context("brand_color", {"palette": c.palette, **best}))
        covs.append(1.0 if res["coverage"] is None else res["coverage"])
        labels.append(c.brd001)
    covs_a, labels_a = np.array(covs), np.array(labels)
    cov_best, cov_key = 0.75, None
    for mc in np.round(np.arange(0.40, 0.96, 0.05), 2):
        flagged = covs_a < mc
        tp = int((flagged & labels_a).sum())
        fp = int((flagged & ~labels_a).sum())
        fn = int((~flagged & labels_a).sum())
        f1 = 2 * tp / max(2 * tp + fp + fn, 1)
        key = (round(f1, 4), -abs(float(mc) - 0.75))  # ties: closest to the documented default
        if cov_key is None or key > cov_key:
            cov_best, cov_key = float(mc), key
    chosen = {**best, "min_coverage": cov_best}
    defaults = {o.name: o.default for o in BrandColorChecker.options}
    print("brand_color eval: options chosen on the TUNING split only, then run on the HELD-OUT split "
          "(tolerance 3.5 ΔE00 is policy, not tuned)")
    print("chosen:", chosen, "| declared defaults:", {k: defaults[k] for k in chosen})
    print("BRD002 scored on on/near (negative) and off/shade/flood (positive) designs; BRD001 on construction labels")
    print(f"{'split':9s} {'rule':6s} {'prec':>6s} {'recall':>6s} {'F1':>6s}  tp/fp/fn   region IoU (mean, >=0.5)   "
          f"ms/image (mean, p95)")
    for name, cases in (("tuning", tune_cases), ("held-out", held_cases)):
        rows = run(cases, chosen)
        ious = [r["iou"] for r in rows if r["iou"] is not None]
        ms = [r["ms"] for r in rows]
        stress = run([make_case((0 if name == "tuning" else 1000) + s, k) for s in range(8) for k in STRESS], chosen)
        for key, label in (("brd002", "BRD002"), ("brd001", "BRD001")):
            p, rc, f1, tp, fp, fn, neg = prf(rows, key)
            extra = (f"{np.mean(ious):.3f}, {np.mean(np.array(ious) >= 0.5):.3f}" if key == "brd002" and ious
                     else "")
            head = f"{name:9s} {label:6s} {p:6.3f} {rc:6.3f} {f1:6.3f}  "
            if key == "brd002":
                print(f"{head}{tp}/{fp}/{fn:<5d} {extra:26s} {np.mean(ms):.2f}, {np.percentile(ms, 95):.2f}")
            else:
                print(f"{head}{tp}/{fp}/{fn}  ({tp + fn} positives, {neg} negatives)")
        by_kind = {k: [r for r in rows if r["case"].kind == k] for k in KINDS + ("photo",)}
        print("          flagged by kind (BRD002): " + ", ".join(
            f"{k} {sum(r['brd002'] for r in v)}/{len(v)}" for k, v in by_kind.items() if v)
            + "; ms on-palette designs {:.2f}".format(np.mean([r["ms"] for r in by_kind["on"]])))
        print("          stress (not tuned): " + ", ".join(
            f"{k} flagged BRD002 {sum(r['brd002'] for r in stress if r['case'].kind == k)}/"
            f"{sum(1 for r in stress if r['case'].kind == k)}" for k in STRESS)
            + " (subtle = a brand shape 4.5-6 ΔE00 off, should be flagged; gradient = a brand shape shaded "
              "L* +-8, a judgement call)")
        errs = [f"{r['case'].name}({'fp' if r['brd002'] else 'fn'})" for r in rows
                if r["case"].brd002 is not None and r["brd002"] != r["case"].brd002]
        if errs:
            print("          BRD002 errors: " + ", ".join(errs[:12]) + (" ..." if len(errs) > 12 else ""))
    print(f"(total eval time {time.time() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
