"""Does memory stay bounded on a big delivery? Peak RSS of the cheap checks over many small images.

    python -m benchmarks.memory [--n 10000] [--side 256] [--jobs 2]

Generates `--n` distinct images (default 256 px so 10,000 generate in seconds; 9 in 10 JPEG,
1 in 10 PNG), runs the cheap checks (format, resolution, sharpness, brand colour, provenance)
with `--jobs` worker processes and a result cache, and prints:

- peak RSS of the main process and of the largest worker (`resource.getrusage`), and the
  sampled peak of the whole process tree;
- the main process's RSS after every 10 % of the assets, and the growth per asset: the engine
  keeps one `AssetResult` (findings, artifacts) per asset for the report, so some growth is
  expected; decoded pixels and file bytes must not accumulate;
- the size of the report per asset (JSON) for comparison.

Target (issue 8): peak RSS < 3 GB on 10,000 images.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

CHEAP = ["FMT", "RES", "SHP", "BRD", "PRV"]


def make_small_corpus(folder: Path, n: int, side: int = 256, seed: int = 0) -> float:
    """`n` distinct `side`-px images from real photos (random crop, colour patch, text); seconds taken."""
    from PIL import Image, ImageDraw

    from qa.testing import sample_photo

    folder.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    bases = [Image.fromarray(sample_photo(p)) for p in ("astronaut", "coffee", "chelsea", "rocket")]
    for i in range(n):
        base = bases[i % len(bases)]
        w, h = base.size
        frac = float(rng.uniform(0.6, 1.0))
        cw, ch = int(w * frac), int(h * frac)
        x0, y0 = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
        im = base.resize((side, side), Image.Resampling.BILINEAR, box=(x0, y0, x0 + cw, y0 + ch))
        draw = ImageDraw.Draw(im)
        x, y = (int(v) for v in rng.integers(0, side - side // 4, 2))
        draw.rectangle([x, y, x + side // 6, y + side // 8], fill=tuple(int(c) for c in rng.integers(0, 255, 3)))
        draw.text((4, 4), f"Launch Day #{i}", fill=(255, 255, 255))
        sub = folder / f"{i // 1000:02d}"  # 1000 files per folder, as deliveries are usually organised
        sub.mkdir(exist_ok=True)
        if i % 10 == 9:
            im.save(sub / f"img_{i:05d}.png")
        else:
            im.save(sub / f"img_{i:05d}.jpg", quality=85)
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--side", type=int, default=256)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--rules", default="example-campaign")
    ap.add_argument("--workdir", default=None, help="keep the corpus here (default: a temp folder)")
    args = ap.parse_args(argv)

    from benchmarks.rss import TreeSampler, rusage_peaks_mb
    from qa.config import load_config
    from qa.engine import Engine

    tmp = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="assetqa-memory-"))
    corpus = tmp / "corpus"
    try:
        existing = sum(1 for _ in corpus.rglob("img_*")) if corpus.exists() else 0
        gen_s = make_small_corpus(corpus, args.n, args.side) if existing != args.n else 0.0
        cache_dir = tmp / "cache"
        shutil.rmtree(cache_dir, ignore_errors=True)
        config = load_config(args.rules)
        step = max(1, args.n // 10)
        marks: list[tuple[int, float, float]] = []  # (done, main RSS MB, seconds)
        sampler = TreeSampler(interval=0.25)
        t0 = time.perf_counter()
        next_mark = [0]

        def progress(done: int, total: int) -> None:
            if done >= next_mark[0]:
                marks.append((done, _own_rss_mb(), time.perf_counter() - t0))
                next_mark[0] = done + step

        rss_start = _own_rss_mb()
        with sampler:
            engine = Engine(config, select=CHEAP, device="cpu", cache_dir=cache_dir, jobs=args.jobs, progress=progress)
            report = engine.check_paths([corpus])
        seconds = time.perf_counter() - t0
        own, child = rusage_peaks_mb()
        report_bytes = len(json.dumps(report.to_dict()))
        n = len(report.assets)
        print(f"corpus: {n} x {args.side} px images (90% JPEG q85, 10% PNG), generated in {gen_s:.1f}s; "
              f"cheap checks ({', '.join(sorted(engine.checkers))}), jobs={args.jobs}, result cache on")
        print(f"load average now: {', '.join(f'{v:.2f}' for v in os.getloadavg())}; cpus={os.cpu_count()}")
        print(f"run: {seconds:.1f}s ({n / seconds:.1f} img/s at {args.side} px)")
        print(f"{'assets done':>12} {'main RSS MB':>12} {'seconds':>9}")
        for done, rss, secs in marks:
            print(f"{done:12d} {rss:12.1f} {secs:9.1f}")
        print(f"{'(report)':>12} {_own_rss_mb():12.1f} {seconds:9.1f}")
        if len(marks) >= 3:
            (d0, r0, _), (d1, r1, _) = marks[1], marks[-1]
            if d1 > d0:
                print(f"main-process growth while checking: {(r1 - r0) * 1024 * 1024 / (d1 - d0) / 1024:.1f} KB/asset "
                      f"(between {d0} and {d1} assets done)")
        print(f"report JSON: {report_bytes / n / 1024:.2f} KB/asset ({report_bytes / 1e6:.1f} MB in all)")
        worker = max(child, sampler.worker_peak_mb)  # forkserver workers are not our waited children
        print(f"peak RSS: main {own:.0f} MB (at start {rss_start:.0f} MB), largest worker {worker:.0f} MB, "
              f"sampled process tree {sampler.peak_mb:.0f} MB; target < 3072 MB: "
              f"{'yes' if max(sampler.peak_mb, own + args.jobs * worker) < 3072 else 'NO'}")
        print(f"findings: {report.summary().get('findings')}")
    finally:
        if not args.workdir:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


def _own_rss_mb() -> float:
    with open("/proc/self/status", "rb") as fh:
        for line in fh:
            if line.startswith(b"VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


if __name__ == "__main__":
    sys.exit(main())
