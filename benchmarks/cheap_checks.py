"""Benchmark the cheap checks (format, resolution, sharpness, brand colour, provenance).

    python -m benchmarks.cheap_checks [--n 1000] [--jobs 2]

Prints img/s for a cold run, the time of an unchanged (cached) re-run, and peak memory.
Targets (issue 2, 2-core CPU): >= 150 img/s cold; cached re-run of 1000 assets < 2 s.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks.corpus import make_corpus
from benchmarks.rss import TreeSampler
from qa.config import load_config
from qa.engine import Engine

CHEAP = ["FMT", "RES", "SHP", "BRD", "PRV"]


def peak_rss_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--corpus", default=None, help="reuse a corpus folder (default: a temp folder)")
    ap.add_argument("--rules", default="example-campaign")
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="assetqa-bench-"))
    corpus = Path(args.corpus) if args.corpus else tmp / "corpus"
    t0 = time.perf_counter()
    make_corpus(corpus, args.n)
    gen_s = time.perf_counter() - t0
    config = load_config(args.rules)
    rows = []
    try:
        cache_dir = tmp / "cache"
        engine = Engine(config, select=CHEAP, device="cpu", cache_dir=cache_dir, jobs=args.jobs)
        load_before = os.getloadavg()[0]
        with TreeSampler(interval=0.1) as sampler:
            t0 = time.perf_counter()
            report = engine.check_paths([corpus])
            cold = time.perf_counter() - t0
        rows.append(("cheap checks, cold", args.n, cold, args.n / cold))
        t0 = time.perf_counter()
        again = Engine(config, select=CHEAP, device="cpu", cache_dir=cache_dir, jobs=args.jobs).check_paths([corpus])
        warm = time.perf_counter() - t0
        assert all(a.cached for a in again.assets), "re-run was not served from the cache"
        rows.append(("cached re-run (unchanged)", args.n, warm, args.n / warm))
        active = sorted(engine.checkers)
        planes = sorted(engine.planes)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    own, children = peak_rss_mb()
    print(f"corpus: {args.n} x 1024px JPEG (generated in {gen_s:.1f}s); jobs={args.jobs}; families: {', '.join(active)}; "
          f"decoded up front: {', '.join(planes) or 'headers only'}")
    print(f"{'run':32} {'assets':>7} {'seconds':>9} {'img/s':>9}")
    for name, n, secs, rate in rows:
        print(f"{name:32} {n:7d} {secs:9.2f} {rate:9.1f}")
    cpu_ms = 1000 * sampler.cpu_s / args.n
    cores = os.cpu_count() or 1
    print(f"cold run CPU: {cpu_ms:.1f} ms per image over the process tree (load average before: {load_before:.2f}); "
          f"{cores} cores fully used at that cost would give {1000 * cores / cpu_ms:.0f} img/s")
    print(f"peak RSS: main {own:.0f} MB, largest worker {children:.0f} MB")
    print(f"findings: {report.summary()['findings']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
