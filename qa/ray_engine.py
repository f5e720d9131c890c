"""Scale-out backend: the same checks as Ray Data batch inference (`assetqa check --engine ray`).

The driver keeps discovery, hashing, the cache, whole-delivery checks and waivers
(exactly as the local engine); only the per-asset work runs on Ray. Files are read
as bytes by Ray tasks and decoded with assetqa's own safe decoder (Ray's
`read_images` fails the whole job on one corrupt file and skips webp/avif/heic).
Model-backed checks run in an actor pool, so each actor loads models once; on a
cluster with GPUs, actors ask for a GPU when `--device` is not cpu.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

from qa.engine import EngineSettings, results_from_worker, worker_payload
from qa.types import AssetResult


class _CheckActor:
    """Holds one Engine (and so one set of loaded models) per Ray actor."""

    def __init__(self, settings: EngineSettings):
        from qa.engine import Engine

        self.engine = Engine(settings.config, settings.select, settings.ignore, settings.device,
                             use_cache=False, jobs=1)

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        import json

        items = [(Path(p), d, bytes(b)) for p, d, b in zip(batch["path"], batch["display"], batch["bytes"])]
        out = []
        for res in self.engine._check_loaded(items):
            out.append(json.dumps(worker_payload(res)))
        return {"result": out}


def _read_bytes(row: dict[str, Any]) -> dict[str, Any]:
    try:
        row["bytes"] = Path(row["path"]).read_bytes()
    except OSError:
        row["bytes"] = b""  # decodes to a FMT001 "zero-byte" finding naming the file
    return row


def run_chunks_on_ray(
    settings: EngineSettings,
    files: list[tuple[Path, str]],
    chunks: list[list[int]],
    address: str | None = None,
    jobs: int = 0,
) -> Iterator[tuple[list[int], list[AssetResult], list[dict[str, Any]]]]:
    """Check every file in `chunks` on Ray; yields (indices, results, cache payloads) like the local runner."""
    import json

    try:
        import ray
        from ray.data import ActorPoolStrategy
    except ImportError as exc:
        raise ValueError("--engine ray needs Ray: pip install 'assetqa[ray]'") from exc
    import logging

    for name in ("ray", "ray.data"):
        logging.getLogger(name).setLevel(logging.WARNING)
    ray.data.DataContext.get_current().enable_progress_bars = False
    if not ray.is_initialized():
        if address:
            ray.init(address=address, include_dashboard=False, log_to_driver=False)
        else:
            ray.init(num_cpus=max(1, jobs or 2), include_dashboard=False, log_to_driver=False)
    order = [i for chunk in chunks for i in chunk]
    rows = [{"index": i, "path": str(files[i][0]), "display": files[i][1]} for i in order]
    ds = ray.data.from_items(rows).map(_read_bytes)
    wants_gpu = settings.device not in ("cpu",) and ray.cluster_resources().get("GPU", 0) > 0
    batch_size = max(len(c) for c in chunks)
    # One actor on small clusters (an actor pool of 2 x 1 CPU deadlocks the read stage on 2 CPUs).
    results = ds.map_batches(
        _CheckActor,
        fn_constructor_args=(settings,),
        batch_size=batch_size,
        compute=ActorPoolStrategy(size=max(1, jobs // 2) if jobs else 1),
        num_cpus=0.5 if not wants_gpu else 1,
        num_gpus=1 if wants_gpu else 0,
        batch_format="numpy",
    )
    payloads = [json.loads(r["result"]) for r in results.take_all()]
    by_display = {p["path"]: p for p in payloads}
    for chunk in chunks:
        yield chunk, *results_from_worker([by_display[files[i][1]] for i in chunk])
