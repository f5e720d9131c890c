"""Where does the full checklist spend its time? Seconds per checker family, in one process.

    python -m benchmarks.profile_families [--n 24] [--corpus DIR --campaign FILE] [--select FMT,RES] [--cprofile 25]

Runs the engine in-process (jobs=1, so every call is visible here) over the benchmark
corpus of `benchmarks.compare` (generated unless `--corpus`/`--campaign` are given) and times
`Engine._decode` and `Engine._run_family` per family. The first batch of each family
includes model loading and is reported apart from the steady state (later batches, per image).
`--cprofile K` also prints the K most expensive functions by cumulative time.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import tempfile
import time
from collections import defaultdict
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=24, help="1024 px posters to generate (ignored with --corpus)")
    ap.add_argument("--corpus", default=None)
    ap.add_argument("--campaign", default=None)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--select", default=None, help="comma-separated codes/prefixes (e.g. FMT,RES,SHP,BRD,PRV)")
    ap.add_argument("--cprofile", type=int, default=0, metavar="K")
    args = ap.parse_args(argv)

    from qa.config import load_config
    from qa.engine import Engine

    tmp = None
    if args.corpus:
        corpus, campaign = Path(args.corpus), Path(args.campaign)
    else:
        from benchmarks.compare import make_campaign_corpus

        tmp = Path(tempfile.mkdtemp(prefix="assetqa-profile-"))
        made = make_campaign_corpus(tmp, args.n)
        corpus, campaign = made["std"], made["campaign"]

    calls: dict[str, list[tuple[float, int]]] = defaultdict(list)  # family -> [(seconds, batch size)]
    decode_s = [0.0]
    orig_run, orig_decode = Engine._run_family, Engine._decode

    def timed_run(self, checker, ctx, assets):
        t0 = time.perf_counter()
        try:
            return orig_run(self, checker, ctx, assets)
        finally:
            calls[checker.family].append((time.perf_counter() - t0, len(assets)))

    def timed_decode(self, path, display, data, known=None):
        t0 = time.perf_counter()
        try:
            return orig_decode(self, path, display, data, known)
        finally:
            decode_s[0] += time.perf_counter() - t0

    Engine._run_family, Engine._decode = timed_run, timed_decode
    profiler = cProfile.Profile() if args.cprofile else None
    try:
        t0 = time.perf_counter()
        select = [c.strip() for c in args.select.split(",")] if args.select else None
        engine = Engine(load_config(campaign), select=select, device=args.device, use_cache=False, jobs=1)
        if profiler:
            profiler.enable()
        t1 = time.perf_counter()
        report = engine.check_paths([corpus])
        total = time.perf_counter() - t1
        if profiler:
            profiler.disable()
        setup = t1 - t0
    finally:
        Engine._run_family, Engine._decode = orig_run, orig_decode
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)

    n = len(report.assets)
    accounted = decode_s[0] + sum(s for c in calls.values() for s, _ in c)
    print(f"{n} assets, jobs=1, device {report.device}; engine setup {setup:.2f}s, check_paths {total:.1f}s "
          f"({n / total:.2f} img/s in one process); load average {os.getloadavg()[0]:.2f}")
    print(f"{'stage':14} {'total s':>9} {'share':>7} {'first batch s':>14} {'steady s/img':>13}")
    rows = [("decode", decode_s[0], None, decode_s[0] / max(1, n))]
    for family, c in calls.items():
        fam_total = sum(s for s, _ in c)
        first = c[0][0]
        rest_n = sum(k for _, k in c[1:])
        steady = sum(s for s, _ in c[1:]) / rest_n if rest_n else first / max(1, c[0][1])
        rows.append((family, fam_total, first, steady))
    for name, tot, first, steady in sorted(rows, key=lambda r: -r[1]):
        first_s = f"{first:14.2f}" if first is not None else f"{'':14}"
        print(f"{name:14} {tot:9.2f} {tot / total * 100:6.1f}% {first_s} {steady:13.3f}")
    print(f"{'other':14} {total - accounted:9.2f} {(total - accounted) / total * 100:6.1f}%  "
          f"(discover, hashing, finalize, waivers, report)")
    if profiler:
        buf = io.StringIO()
        pstats.Stats(profiler, stream=buf).sort_stats("cumulative").print_stats(args.cprofile)
        print(buf.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
