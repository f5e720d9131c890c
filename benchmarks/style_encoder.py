"""Offline style encoder (effnet-lite0-style): load cost and batched throughput at 224 px on CPU.

    python -m benchmarks.style_encoder [--n 128] [--batch 32] [--repeat 3]

1. Load: two fresh processes share one empty cache folder. The first exports the ONNX trunk with
   torch and caches it; the second loads the cached .onnx with onnxruntime only. For each it
   prints seconds to a usable encoder, whether torch was imported and the peak RSS.
2. Throughput (this process, cached ONNX model): `--n` real-photo crops (scikit-image photos,
   about 448 px, as the checker passes them) embedded in batches of `--batch`; prints img/s of
   the whole embed (resize to 224 px + network + colour/tone statistics) and of the network
   alone, the CPU time per image, and the load average (`uptime`) at the time: wall-clock numbers
   depend on the other jobs sharing the CPU.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LOAD_PROBE = r"""
import json, resource, sys, time
t = time.perf_counter()
from qa.encoders import get_encoder
from qa.models import ModelHub
encoder = get_encoder(None, ModelHub("cpu"))
print(json.dumps({"seconds": round(time.perf_counter() - t, 2), "torch_imported": "torch" in sys.modules,
                  "backend": encoder.backend, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
"""


def _uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        load = os.getloadavg() if hasattr(os, "getloadavg") else ()
        return "load average: " + ", ".join(f"{x:.2f}" for x in load)


def load_costs(cache_dir: Path) -> list[dict]:
    env = {**os.environ, "ASSETQA_CACHE_DIR": str(cache_dir), "PYTHONPATH": str(ROOT)}
    out = []
    for _ in range(2):
        res = subprocess.run([sys.executable, "-c", LOAD_PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=600)
        if res.returncode != 0:
            raise SystemExit(res.stderr[-2000:])
        out.append(json.loads(res.stdout.strip().splitlines()[-1]))
    return out


def throughput(n: int, batch: int, repeat: int) -> dict:
    import numpy as np

    from evals.style import random_crops
    from qa import encoders as enc
    from qa.models import ModelHub
    from qa.testing import sample_photo

    encoder = enc.get_encoder(None, ModelHub("cpu"))
    rng = np.random.default_rng(1)
    base = [sample_photo(name) for name in ("astronaut", "coffee", "chelsea", "rocket")]
    images = [random_crops(base[i % len(base)], 1, rng, max_side=448)[0] for i in range(n)]
    colour = [enc.colour_input(im) for im in images]
    old_batch, enc.BATCH_SIZE = enc.BATCH_SIZE, batch
    try:
        encoder.embed(images[:batch], colour[:batch])  # warm-up
        best_full, best_cpu = 0.0, float("inf")
        for _ in range(repeat):
            t, c = time.perf_counter(), time.process_time()
            encoder.embed(images, colour)
            best_full = max(best_full, n / (time.perf_counter() - t))
            best_cpu = min(best_cpu, 1000 * (time.process_time() - c) / n)
        crops = np.stack([enc.center_square(im, encoder.input_size) for im in images])
        best_net = 0.0
        for _ in range(repeat):
            t = time.perf_counter()
            for s in range(0, n, batch):
                encoder.network_features(crops[s:s + batch])
            best_net = max(best_net, n / (time.perf_counter() - t))
    finally:
        enc.BATCH_SIZE = old_batch
    return {"encoder": encoder.id, "backend": encoder.backend, "threads": enc.onnx_threads(), "n": n, "batch": batch,
            "embed_img_s": round(best_full, 1), "network_img_s": round(best_net, 1),
            "embed_cpu_ms_per_img": round(best_cpu, 1)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=128)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="assetqa-bench-") as tmp:
        first, second = load_costs(Path(tmp))
        print(f"load, first process (exports ONNX with torch, caches it): {first}")
        print(f"load, later process (cached ONNX, onnxruntime only):      {second}")
        os.environ["ASSETQA_CACHE_DIR"] = tmp
        print(f"before throughput: {_uptime()}")
        res = throughput(args.n, args.batch, args.repeat)
        print(f"after throughput:  {_uptime()}")
    print(f"throughput at 224 px, batch {res['batch']}, {res['n']} images, {os.cpu_count()} CPUs "
          f"({res['backend']}, {res['threads']} threads): embed {res['embed_img_s']} img/s (resize + network + "
          f"colour stats), network {res['network_img_s']} img/s; embed CPU {res['embed_cpu_ms_per_img']} ms/img")
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
