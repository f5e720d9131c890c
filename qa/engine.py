"""The check pipeline: discover -> hash -> cache -> decode once -> checks (batched) -> finalize -> waivers.

`Engine.check_paths` gates a delivery; `Engine.check_bytes` checks one in-memory
asset (the fixer re-check uses it). Decoding and cheap checks run in worker
processes when `jobs > 1`; each worker loads models once, lazily.
"""
from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import multiprocessing as mp
import os
import sys
import threading
import time
import traceback
import types
import uuid
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from qa import __version__
from qa.asset import Asset, sha256_bytes
from qa.cache import ResultCache
from qa.checks.internal import ENG001
from qa.checks.spec import FMT001
from qa.config import Config
from qa.context import CheckContext
from qa.decode import EXTENSION_FORMATS, DecodeError, decode
from qa.models import process_hub
from qa.registry import Checker, load_all, select_codes
from qa.types import AssetResult, AssetStatus, Finding, Report

#: Batch size for model-backed checks and for work sent to a worker process.
CHUNK = 8
#: A batch also closes once its decoded pixels reach this (eight 2048 px images; two at 4096 px),
#: which bounds a worker's memory for large deliveries.
MAX_BATCH_PIXELS = 8 * 2048 * 2048
ARTIFACT_PREFIX = "artifact:"
#: (sha256, size, mtime_ns) of a file as the main process hashed it.
Stamp = tuple[str, int, int]


class UsageError(Exception):
    """Bad command-line input (missing path...): exit code 2 with a message."""


def discover(paths: Iterable[str | Path], extensions: Iterable[str] | None = None) -> list[tuple[Path, str]]:
    """Expand files and folders into (path, display path) pairs, sorted, hidden folders skipped.

    Explicitly named files are always included (an unsupported one becomes a FMT001 finding).
    """
    exts = {e.lower().lstrip(".") for e in (extensions or EXTENSION_FORMATS)}
    found: dict[Path, str] = {}
    cwd = Path.cwd().resolve()  # once: resolving is a few lstat() calls per path component
    for raw in paths:
        p = Path(raw).expanduser()
        if not p.exists():
            raise UsageError(f"{raw}: no such file or directory")
        if p.is_file():
            real = p.resolve()
            found.setdefault(real, _display(real, cwd))
            continue
        for root, dirs, files in os.walk(p):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if name.startswith(".") or name.lower().rsplit(".", 1)[-1] not in exts or "." not in name:
                    continue
                real = (Path(root) / name).resolve()
                found.setdefault(real, _display(real, cwd))
    return sorted(((path, disp) for path, disp in found.items()), key=lambda item: item[1])


def _display(real: Path, cwd: Path) -> str:
    """A resolved path relative to the resolved working directory when inside it, else absolute."""
    try:
        return real.relative_to(cwd).as_posix()
    except ValueError:
        return real.as_posix()


@dataclass
class EngineSettings:
    """What a worker process needs to rebuild the engine."""

    config: Config
    select: list[str] | None
    ignore: list[str] | None
    device: str


class Engine:
    """Runs the selected checker families over assets, sharing decode and features."""

    def __init__(
        self,
        config: Config,
        select: list[str] | None = None,
        ignore: list[str] | None = None,
        device: str = "auto",
        use_cache: bool = True,
        cache_dir: str | Path | None = None,
        jobs: int = 0,
        signoffs: str | Path | None = None,
        progress: Callable[[int, int], None] | None = None,
        backend: str = "local",
        ray_address: str | None = None,
    ):
        self.config = config
        self.settings = EngineSettings(config, select, ignore, device)
        families = load_all()
        self.selected = sorted(select_codes(select if select else config.select, list(ignore or []) + config.ignore))
        self.models = process_hub(device)
        self.checkers: dict[str, Checker] = {}
        self.contexts: dict[str, CheckContext] = {}
        for family, cls in families.items():
            if not any(rule.code in self.selected for rule in cls.rules):
                continue
            checker = cls()
            ctx = CheckContext(family, config.family_options(family), config, self.models)
            if checker.is_active(ctx):
                self.checkers[family] = checker
                self.contexts[family] = ctx
        self.use_cache = use_cache
        self.cache_dir = cache_dir
        self.jobs = jobs
        self.signoffs = signoffs
        self.progress = progress
        if backend not in ("local", "ray"):
            raise ValueError(f"unknown engine {backend!r} (expected local or ray)")
        self.backend = backend
        self.ray_address = ray_address
        self.needs_pixels = any(c.needs_pixels for c in self.checkers.values())
        #: Pixel planes decoded up front: only those the active checks declare (see `Checker.pixels`).
        self.planes = frozenset(c.pixels for c in self.checkers.values() if c.needs_pixels)
        self._done = 0  # assets finished in the current check_paths run (for progress)
        self.max_pixels = int(config.family_options("format").get("max_pixels") or 100_000_000)

    # ----- identity -------------------------------------------------------------------------
    def model_ids(self) -> dict[str, str]:
        ids: dict[str, str] = {}
        for family, checker in self.checkers.items():
            ids.update(checker.model_ids(self.contexts[family]))
        return ids

    def fingerprint(self) -> str:
        """Everything besides the bytes that changes results: part of every cache key."""
        blob = json.dumps(
            {
                "tool": __version__,
                "rules": self.config.hash,
                "selected": self.selected,
                "checkers": {f: c.version for f, c in sorted(self.checkers.items())},
                "models": self.model_ids(),
            },
            sort_keys=True,
        )
        return hashlib.sha256(blob.encode()).hexdigest()[:20]

    # ----- single assets ----------------------------------------------------------------------
    def check_bytes(self, data: bytes, display_path: str) -> AssetResult:
        """Check one in-memory asset with all selected checks (no cache, no whole-batch checks)."""
        result = self._check_loaded([(Path(display_path), display_path, data)])[0]
        return self._finish(result)

    def _decode(self, path: Path, display: str, data: bytes | None,
                known: Stamp | None = None) -> tuple[Asset | None, AssetResult | None]:
        """Read (unless `data` is given), hash and decode one asset.

        `known` is the (sha256, size, mtime_ns) the main process recorded while hashing; it is
        trusted only if the opened file still has that size and mtime and is not brand new,
        the same rule as the stat cache, so large PNGs are not hashed twice.
        """
        sha = None
        if data is None:
            try:
                with open(path, "rb") as fh:
                    st = os.fstat(fh.fileno())
                    data = fh.read()
            except OSError as exc:
                return None, self._error_result(display, None, f"cannot read file: {exc.strerror or exc}")
            if known and (st.st_size, st.st_mtime_ns) == known[1:] and _settled(st):
                sha = known[0]
        if sha is None:
            sha = sha256_bytes(data)
        try:
            image = decode(data, max_pixels=self.max_pixels, want_pixels=self.needs_pixels, planes=self.planes)
        except DecodeError as exc:
            return None, self._error_result(display, sha, exc.reason)
        return Asset(path=path, display_path=display, data=data, sha256=sha, image=image), None

    def _error_result(self, display: str, sha: str | None, reason: str) -> AssetResult:
        finding = FMT001.finding(f"{display}: {reason}", score=0.0, value=reason)
        return AssetResult(path=display, sha256=sha, width=None, height=None, status=AssetStatus.ERROR,
                           findings=[finding])

    def _check_loaded(self, items: list[tuple[Path, str, bytes | None]],
                      known: list[Stamp | None] | None = None) -> list[AssetResult]:
        """Decode each item once, then run every active family over the decodable ones as a batch.

        A batch closes early once its decoded pixels reach `MAX_BATCH_PIXELS`, so a chunk of
        4096 px deliveries holds a few images in memory at a time, not eight.
        """
        results: list[AssetResult] = []
        batch: list[tuple[int, Asset]] = []
        pixels = 0
        for n, (path, display, data) in enumerate(items):
            t0 = time.perf_counter()
            asset, error = self._decode(path, display, data, known[n] if known else None)
            if error is not None:
                error.seconds = time.perf_counter() - t0
                results.append(error)
                continue
            assert asset is not None
            batch.append((len(results), asset))
            results.append(AssetResult(path=display, sha256=asset.sha256, width=asset.width, height=asset.height,
                                       format=asset.image.format, seconds=time.perf_counter() - t0))
            pixels += asset.width * asset.height if self.needs_pixels else 0
            if pixels >= MAX_BATCH_PIXELS:
                self._run_families(batch, results)
                batch, pixels = [], 0
        if batch:
            self._run_families(batch, results)
        return results

    def _run_families(self, batch: list[tuple[int, Asset]], results: list[AssetResult]) -> None:
        """Run every active family over one batch of decoded assets; fill their results in place."""
        assets = [asset for _, asset in batch]
        per_asset: list[list[Finding]] = [[] for _ in assets]
        for family, checker in self.checkers.items():
            ctx = self.contexts[family]
            t0 = time.perf_counter()
            found = self._run_family(checker, ctx, assets)
            share = (time.perf_counter() - t0) / len(assets)
            for i, findings in enumerate(found):
                per_asset[i].extend(findings)
                results[batch[i][0]].seconds += share
        for i, (slot, asset) in enumerate(batch):
            res = results[slot]
            res.findings = [f for f in per_asset[i] if f.code in self.selected or f.code == ENG001.code]
            res.artifacts = {
                k[len(ARTIFACT_PREFIX):]: v for k, v in asset._features.items() if k.startswith(ARTIFACT_PREFIX)
            }

    def _run_family(self, checker: Checker, ctx: CheckContext, assets: list[Asset]) -> list[list[Finding]]:
        """Run one family; a crash becomes an ENG001 finding on the affected assets, never a traceback."""
        try:
            batch = checker.check_batch(assets, ctx)
            if len(batch) != len(assets):
                raise RuntimeError(f"{checker.family} returned {len(batch)} results for {len(assets)} assets")
            return batch
        except Exception:  # noqa: BLE001 - fall back to one asset at a time to isolate the failure
            out = []
            for asset in assets:
                try:
                    out.append(checker.check(asset, ctx))
                except Exception as exc:  # noqa: BLE001
                    detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
                    out.append([ENG001.finding(f"check '{checker.family}' failed on {asset.display_path}: {detail}",
                                               score=0.0, value=checker.family)])
            return out

    # ----- post-processing -------------------------------------------------------------------
    def _finish(self, result: AssetResult, waivers: dict[tuple[str, str], dict] | None = None) -> AssetResult:
        """Apply severity overrides, per-path ignores and waivers; derive the status."""
        ignored_selectors = self.config.ignored_for(result.path)
        ignored = select_codes(ignored_selectors, None) if ignored_selectors else set()
        kept: list[Finding] = []
        for f in result.findings:
            if f.code in ignored:
                continue
            f.severity = self.config.severity_overrides.get(f.code, f.severity)
            if waivers and result.sha256 and (result.sha256, f.code) in waivers:
                f.waived = True
                f.waiver = waivers[(result.sha256, f.code)]
            kept.append(f)
        result.findings = sorted(kept, key=lambda f: (-f.severity.rank, f.code, f.message))
        if any(f.code == FMT001.code for f in kept):
            result.status = AssetStatus.ERROR
        elif any(not f.waived and f.severity.rank >= self.config.fail_on.rank for f in kept):
            result.status = AssetStatus.FAIL
        else:
            result.status = AssetStatus.PASS
        return result

    def _finalize_batch(self, results: list[AssetResult]) -> None:
        for family, checker in self.checkers.items():
            try:
                extra = checker.finalize(results, self.contexts[family])
            except Exception as exc:  # noqa: BLE001
                detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
                print(f"assetqa: whole-delivery check '{family}' failed: {detail}", file=sys.stderr)
                continue
            for index, findings in extra.items():
                results[index].findings.extend(f for f in findings if f.code in self.selected)

    # ----- whole runs --------------------------------------------------------------------------
    def check_paths(self, paths: Iterable[str | Path]) -> Report:
        """Gate files and folders; see module docstring. Raises UsageError for missing paths."""
        started = time.perf_counter()
        files = discover(paths)
        fingerprint = self.fingerprint()
        cache = ResultCache(self.cache_dir) if self.use_cache else None
        results: list[AssetResult | None] = [None] * len(files)
        keys: list[str | None] = [None] * len(files)
        stamps: list[Stamp | None] = [None] * len(files)
        self._done = 0
        interrupted = False
        try:
            # Hashing and cache lookups stream into the workers: checking starts with the first
            # uncached block instead of after the whole folder has been read and hashed.
            misses = self._uncached_chunks(files, fingerprint, cache, results, keys, stamps)
            for batch_indices, batch_results, payloads in self._run_misses(files, misses, stamps):
                stored = []
                for n, (i, res) in enumerate(zip(batch_indices, batch_results)):
                    results[i] = res
                    if cache and keys[i]:
                        stored.append((keys[i], payloads[n] if payloads else _cache_payload(res)))
                if cache:
                    cache.put_many(stored)
                self._done += len(batch_indices)
                if self.progress:
                    self.progress(self._done, len(files))
        except KeyboardInterrupt:
            interrupted = True
        finally:
            if cache:
                cache.close()
        final = [r for r in results if r is not None]
        self._finalize_batch(final)
        waivers = self._load_waivers()
        for res in final:
            self._finish(res, waivers)
        report = Report(
            tool_version=__version__,
            created=datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
            rules_name=self.config.name,
            rules_hash=self.config.hash,
            rules_path=str(self.config.path) if self.config.path else None,
            fail_on=self.config.fail_on,
            selected=self.selected,
            models=self.model_ids(),
            device=self.models.requested_device if not any(c.uses_models for c in self.checkers.values()) else self.models.device,
            assets=final,
            report_id=uuid.uuid4().hex[:12],
            seconds=time.perf_counter() - started,
            interrupted=interrupted,
        )
        return report

    def _uncached_chunks(
        self,
        files: list[tuple[Path, str]],
        fingerprint: str,
        cache: ResultCache | None,
        results: list[AssetResult | None],
        keys: list[str | None],
        stamps: list[Stamp | None],
        block: int = 64,
    ) -> Iterator[list[int]]:
        """Hash files block by block, fill `results` with cache hits and read errors, yield chunks of misses.

        A file whose size, mtime and inode match the last run reuses its recorded hash (git's
        index trick), so an unchanged folder is only stat()ed; any change means a fresh read and hash.
        """
        pending: list[int] = []
        for start in range(0, len(files), block):
            indices = range(start, min(start + block, len(files)))
            known = cache.known_hashes([str(files[i][0]) for i in indices]) if cache else {}
            fresh_hashes: list[tuple[str, int, int, int, str]] = []
            for i in indices:
                path, display = files[i]
                try:
                    st = path.stat()
                    stamp = (st.st_size, st.st_mtime_ns, st.st_ino)
                    prev = known.get(str(path))
                    sha = prev[1] if prev and prev[0] == stamp else None
                    if sha is None:
                        sha = sha256_bytes(path.read_bytes())
                        if _settled(st):
                            fresh_hashes.append((str(path), *stamp, sha))
                except OSError as exc:
                    results[i] = self._error_result(display, None, f"cannot read file: {exc.strerror or exc}")
                    continue
                keys[i] = f"{sha}:{Path(display).suffix.lower()}:{fingerprint}"
                stamps[i] = (sha, st.st_size, st.st_mtime_ns)
            hits = {}
            if cache:
                cache.remember_hashes(fresh_hashes)
                hits = cache.get_many(keys[i] for i in indices if keys[i])
            for i in indices:
                if keys[i] is None:
                    continue
                hit = hits.get(keys[i])  # type: ignore[arg-type]
                if hit is None:
                    pending.append(i)
                    continue
                res = _from_cache_payload(hit)
                res.path = files[i][1]
                res.cached = True
                results[i] = res
            self._done += sum(results[i] is not None for i in indices)
            if self.progress:
                self.progress(self._done, len(files))
            while len(pending) >= CHUNK:
                yield pending[:CHUNK]
                pending = pending[CHUNK:]
        if pending:
            yield pending

    def _load_waivers(self) -> dict[tuple[str, str], dict] | None:
        if not self.signoffs:
            return None
        from qa.signoffs import load_waivers

        return load_waivers(self.signoffs)

    def _run_misses(self, files: list[tuple[Path, str]], chunk_iter: Iterator[list[int]],
                    stamps: list[Stamp | None]):
        """Yield (indices, results, cache payloads) per chunk, in-process (payloads None: the caller builds
        them) or from worker processes (the payloads they sent, stored as they are).

        `chunk_iter` is lazy (hashing streams into it); a few chunks are read ahead to decide
        whether the work is worth starting worker processes for.
        """
        lookahead = 4
        first = list(itertools.islice(chunk_iter, lookahead))
        if not first:
            return
        exhausted = len(first) < lookahead
        if not exhausted:
            extra = next(chunk_iter, None)
            exhausted = extra is None
            if extra is not None:
                first.append(extra)
        n_work = sum(len(c) for c in first) if exhausted else len(files)
        chunks = itertools.chain(first, chunk_iter)
        if self.backend == "ray":
            from qa.ray_engine import run_chunks_on_ray

            yield from run_chunks_on_ray(self.settings, files, list(chunks), address=self.ray_address,
                                         jobs=self.jobs)
            return
        jobs = self._effective_jobs(n_work)
        if jobs <= 1:
            for chunk in chunks:
                yield chunk, self._check_chunk(files, chunk, stamps), None
            return
        threads = max(1, (os.cpu_count() or 1) // jobs)
        with ProcessPoolExecutor(
            max_workers=jobs, mp_context=_worker_context(), initializer=_worker_init,
            initargs=(self.settings, threads),
        ) as pool:
            pending: dict[Future, list[int]] = {}
            queue: Iterator[list[int]] | None = iter(chunks)
            starting = self._start_workers(pool, threads)
            try:
                while queue is not None or pending:
                    if starting is not None and not starting.is_alive():
                        starting.reraise()  # the pool could not start: its error, not a thread traceback
                        starting = None
                    if starting is not None:
                        # Model-free runs check chunks here while the workers start (see `_start_workers`).
                        chunk = next(queue, None) if queue is not None else None
                        if chunk is None:
                            queue = None
                            starting.join()
                            continue
                        yield chunk, self._check_chunk(files, chunk, stamps), None
                        continue
                    while queue is not None and len(pending) < jobs * 2:  # bounded in-flight work
                        chunk = next(queue, None)
                        if chunk is None:
                            queue = None
                            break
                        with _main_module_hidden(), _worker_thread_env(threads):
                            fut = pool.submit(_worker_check, [(str(files[i][0]), files[i][1], stamps[i])
                                                              for i in chunk])
                        pending[fut] = chunk
                    if not pending:
                        continue
                    finished, _ = wait(list(pending), return_when=FIRST_COMPLETED)
                    for fut in finished:
                        chunk = pending.pop(fut)
                        yield chunk, *results_from_worker(fut.result())
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise

    def _check_chunk(self, files: list[tuple[Path, str]], chunk: list[int],
                     stamps: list[Stamp | None]) -> list[AssetResult]:
        """Check one chunk of `files` in this process."""
        return self._check_loaded([(files[i][0], files[i][1], None) for i in chunk], [stamps[i] for i in chunk])

    def _start_workers(self, pool: ProcessPoolExecutor, threads: int) -> "_StarterThread | None":
        """Start the pool's processes; for model-free runs, from a thread, returned so the caller can check
        chunks itself meanwhile.

        Why: the first submit blocks until the forkserver has imported its preloads and forked every worker
        (~0.3 s), which would leave the cores idle at the start of every run. Runs with models start them
        here, on this thread: checking chunks in this process would load a third copy of the models.
        """
        def start() -> None:
            with _main_module_hidden(), _worker_thread_env(threads):
                pool.submit(_worker_ready)  # spawns every worker process

        if any(c.uses_models for c in self.checkers.values()):
            start()
            return None
        thread = _StarterThread(start)
        thread.start()
        return thread

    def _effective_jobs(self, n_work: int) -> int:
        if self.jobs and self.jobs > 0:
            return min(self.jobs, max(1, (n_work + CHUNK - 1) // CHUNK))
        if n_work < 4 * CHUNK:
            return 1
        if any(c.uses_models for c in self.checkers.values()) and self.models.requested_device != "cpu":
            # A GPU is shared best by one process that batches; CPU-only runs spread over cores.
            if self.models.device != "cpu":
                return 1
        return max(1, min(os.cpu_count() or 1, 8))


_WORKER: Engine | None = None


class _StarterThread(threading.Thread):
    """Runs `Engine._start_workers`' start-up; keeps its exception for the caller to raise."""

    def __init__(self, target: Callable[[], None]):
        super().__init__(name="assetqa-start-workers", daemon=True)
        self._start_pool = target
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self._start_pool()
        except BaseException as exc:  # noqa: BLE001 - re-raised on the calling thread by `reraise`
            self.error = exc

    def reraise(self) -> None:
        if self.error is not None:
            raise self.error


def _settled(st: os.stat_result, seconds: float = 2.0) -> bool:
    """True when a file was last written more than `seconds` ago. A recorded hash is trusted for an
    unchanged (size, mtime) only then: a file written just now may change again within its mtime tick."""
    return time.time() - st.st_mtime > seconds


#: Checker modules whose import is pure Python/numpy (no model runtimes, no native thread pools).
FORK_SAFE_CHECK_MODULES = ("qa.checks.internal", "qa.checks.spec", "qa.checks.sharpness", "qa.checks.brand_color",
                           "qa.checks.provenance", "qa.colour", "qa.imageops")


@contextlib.contextmanager
def _main_module_hidden() -> Iterator[None]:
    """Start workers without re-running the parent's `__main__` (a script, a notebook, a
    Streamlit page): spawn/forkserver children import it otherwise. Workers need only qa.engine."""
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


#: Thread-count variables of the math libraries (OpenMP, MKL, OpenBLAS).
THREAD_ENV_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


@contextlib.contextmanager
def _worker_thread_env(threads: int) -> Iterator[None]:
    """Workers' math-library thread counts, in the environment while workers (and the forkserver
    they fork from) start. OpenBLAS reads them once, when numpy loads, which in a forkserver child
    is before `_worker_init` runs: two BLAS threads per worker on cores the workers already fill
    made numpy's small matrix products (Lab conversion, k-means, colour maps) 10-25x slower."""
    saved = {var: os.environ.get(var) for var in THREAD_ENV_VARS}
    os.environ.update({var: str(threads) for var in THREAD_ENV_VARS})
    try:
        yield
    finally:
        for var, value in saved.items():
            if value is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = value


def _worker_context() -> mp.context.BaseContext:
    """forkserver where available: plain fork deadlocks when the parent already runs threads
    (onnxruntime, mediapipe, torch pools), and spawn re-imports everything per worker."""
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        # Modules every worker needs, imported once in the server instead of once per worker.
        # Nothing here may start threads at import (forked children would inherit locked state).
        ctx.set_forkserver_preload(["qa.engine", "numpy", "PIL.Image", "cv2", *FORK_SAFE_CHECK_MODULES])
        return ctx
    return mp.get_context("spawn")


def _worker_init(settings: EngineSettings, threads: int = 1) -> None:
    global _WORKER
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and keeps finished work
    # Worker processes already use every core: keep each one's math libraries to its share, or the
    # processes oversubscribe the CPU (torch, OpenMP and OpenCV each default to all cores). Libraries
    # loaded later read these; numpy's OpenBLAS got them from `_worker_thread_env` at start.
    for var in THREAD_ENV_VARS:
        os.environ[var] = str(threads)
    try:
        import cv2

        cv2.setNumThreads(threads)
    except ImportError:
        pass
    _WORKER = Engine(settings.config, settings.select, settings.ignore, settings.device, use_cache=False, jobs=1)


def _worker_ready() -> None:
    """A no-op task: submitting it makes the pool start its worker processes."""


def _worker_check(items: list[tuple[str, str, Stamp | None]]) -> list[dict[str, Any]]:
    assert _WORKER is not None
    out = []
    for res in _WORKER._check_loaded([(Path(p), d, None) for p, d, _ in items], [k for _, _, k in items]):
        out.append(worker_payload(res))
    return out


def worker_payload(res: AssetResult) -> dict[str, Any]:
    """A result as a worker (process or Ray actor) sends it back: the cache payload plus its timing."""
    payload = _cache_payload(res)
    payload["seconds"] = res.seconds
    return payload


def _cache_payload(res: AssetResult) -> dict[str, Any]:
    """What the result cache stores for one asset: the report entry plus its artifacts."""
    payload = res.to_dict()
    payload["artifacts"] = res.artifacts
    return payload


def _from_cache_payload(data: dict[str, Any]) -> AssetResult:
    """The result a `_cache_payload` describes (a cache hit, or what a worker sent)."""
    res = AssetResult.from_dict(data)
    res.artifacts = data.get("artifacts", {})
    return res


def results_from_worker(payloads: list[dict[str, Any]]) -> tuple[list[AssetResult], list[dict[str, Any]]]:
    """Results from what a worker sent (`worker_payload`), and the payloads less their timing: what the
    cache stores, so the main process does not serialise each result again."""
    results, stored = [], []
    for data in payloads:
        seconds = float(data.pop("seconds", 0.0))
        res = _from_cache_payload(data)
        res.seconds = seconds
        results.append(res)
        stored.append(data)
    return results, stored
