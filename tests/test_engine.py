"""Engine: hostile files become findings, the run continues, originals are untouched, cache works."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from qa.config import load_config
from qa.engine import Engine, UsageError, discover
from qa.types import AssetStatus
from tests.conftest import file_hashes


def _engine(tmp_path: Path, profile: str = "social-square", **kw) -> Engine:
    kw.setdefault("select", ["FMT", "RES"])
    return Engine(load_config(profile), cache_dir=tmp_path / "cache", **kw)


def test_bad_files_become_format_findings_and_run_continues(tmp_path, photo_folder):
    before = file_hashes(photo_folder)
    report = _engine(tmp_path).check_paths([photo_folder])
    by_name = {Path(a.path).name: a for a in report.assets}
    assert set(by_name) == {"square.jpg", "small.png", "empty.jpg", "truncated.jpg"}
    assert by_name["empty.jpg"].status == AssetStatus.ERROR
    assert "zero-byte" in by_name["empty.jpg"].findings[0].message
    assert by_name["truncated.jpg"].status == AssetStatus.ERROR
    assert by_name["truncated.jpg"].findings[0].code == "FMT001"
    assert by_name["square.jpg"].status == AssetStatus.PASS
    codes = {f.code for f in by_name["small.png"].findings}
    assert codes == {"RES001", "RES002"}
    assert report.exit_code() == 1
    assert file_hashes(photo_folder) == before  # originals never written


def test_cached_rerun_returns_identical_results(tmp_path, photo_folder):
    first = _engine(tmp_path).check_paths([photo_folder])
    second = _engine(tmp_path).check_paths([photo_folder])
    assert all(a.cached for a in second.assets if a.sha256)
    strip = lambda r: [(a.path, a.status, [(f.code, f.message) for f in a.findings]) for a in r.assets]  # noqa: E731
    assert strip(first) == strip(second)


def test_cache_invalidated_when_pixels_or_rules_change(tmp_path, photo_folder):
    _engine(tmp_path).check_paths([photo_folder])
    Image.fromarray(np.zeros((1200, 1200, 3), np.uint8)).save(photo_folder / "square.jpg")
    again = _engine(tmp_path).check_paths([photo_folder])
    square = next(a for a in again.assets if a.path.endswith("square.jpg"))
    assert not square.cached
    other_rules = _engine(tmp_path, profile="social-story").check_paths([photo_folder])
    assert not any(a.cached for a in other_rules.assets)


def test_parallel_workers_match_in_process(tmp_path, photo_folder):
    for i in range(40):
        Image.fromarray(np.full((64 + i, 80, 3), i * 5, np.uint8)).save(photo_folder / f"gen_{i:02d}.png")
    serial = _engine(tmp_path, jobs=1, use_cache=False).check_paths([photo_folder])
    parallel = _engine(tmp_path, jobs=2, use_cache=False).check_paths([photo_folder])
    strip = lambda r: [(a.path, a.status, [(f.code, f.message) for f in a.findings]) for a in r.assets]  # noqa: E731
    assert strip(serial) == strip(parallel)


def test_parallel_run_caches_what_an_in_process_run_would(tmp_path, photo_folder):
    """Worker results go into the cache as the workers sent them; the stored entries must be the ones an
    in-process run stores (same report entry, same artifacts), and a re-run must read them back."""
    import json
    import sqlite3

    for i in range(40):
        Image.fromarray(np.full((64 + i, 80, 3), i * 5, np.uint8)).save(photo_folder / f"gen_{i:02d}.png")

    def stored(cache_dir: Path) -> dict[str, dict]:
        with sqlite3.connect(cache_dir / "results.sqlite3") as db:
            return {k: json.loads(v) for k, v in db.execute("SELECT key, value FROM results")}

    select = ["FMT", "RES", "SHP"]
    Engine(load_config("social-square"), select=select, cache_dir=tmp_path / "serial", jobs=1).check_paths([photo_folder])
    engine = lambda: Engine(load_config("social-square"), select=select, cache_dir=tmp_path / "par", jobs=2)  # noqa: E731
    first = engine().check_paths([photo_folder])
    assert stored(tmp_path / "par") == stored(tmp_path / "serial") and len(stored(tmp_path / "serial")) == 44
    again = engine().check_paths([photo_folder])
    assert all(a.cached for a in again.assets if a.sha256)
    strip = lambda r: [(a.path, a.status, [f.to_dict() for f in a.findings]) for a in r.assets]  # noqa: E731
    assert strip(first) == strip(again)


def test_worker_start_up_errors_reach_the_caller():
    """Model-free runs start the pool from a thread; a failure there must surface on the calling thread as
    the pool's own error, not vanish into a thread traceback."""
    from qa.engine import _StarterThread

    def fail() -> None:
        raise OSError("forkserver could not start")

    thread = _StarterThread(fail)
    thread.start()
    thread.join()
    with pytest.raises(OSError, match="forkserver could not start"):
        thread.reraise()
    ok = _StarterThread(lambda: None)
    ok.start()
    ok.join()
    ok.reraise()  # nothing to raise


def test_missing_path_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="no such file"):
        _engine(tmp_path).check_paths([tmp_path / "nope"])


def test_discover_walks_supported_extensions_and_skips_hidden(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / ".hidden").mkdir()
    for name in ("a/x.JPG", "a/y.webp", "a/notes.txt", ".hidden/z.png", "b.tiff"):
        (tmp_path / name).write_bytes(b"x")
    found = sorted(Path(d).name for _, d in discover([tmp_path]))
    assert found == ["b.tiff", "x.JPG", "y.webp"]


def test_per_path_ignores_and_severity_overrides(tmp_path, photo_folder):
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "extends: social-square\n"
        "per_path_ignores:\n  '*small.png': [RES002]\n"
        "severity:\n  RES001: warning\n"
    )
    report = Engine(load_config(profile), select=["RES"], cache_dir=tmp_path / "c").check_paths([photo_folder])
    small = next(a for a in report.assets if a.path.endswith("small.png"))
    assert [(f.code, f.severity.value) for f in small.findings] == [("RES001", "warning")]
    assert small.status == AssetStatus.PASS


def test_check_bytes_runs_selected_checks_on_memory(tmp_path):
    from qa.testing import encode, sample_photo

    engine = _engine(tmp_path)
    result = engine.check_bytes(encode(sample_photo("coffee"), "PNG"), "mem/coffee.png")
    assert {f.code for f in result.findings} == {"RES001", "RES002"}
    assert result.status == AssetStatus.FAIL


def test_unchanged_files_reuse_recorded_hashes_and_edits_are_noticed(tmp_path, photo_folder):
    import os

    old = 1_600_000_000
    for p in photo_folder.iterdir():
        os.utime(p, (old, old))
    first = _engine(tmp_path).check_paths([photo_folder])
    assert not any(a.cached for a in first.assets)
    second = _engine(tmp_path).check_paths([photo_folder])
    assert all(a.cached for a in second.assets if a.sha256)
    # Same name, new pixels (and a new mtime): must be re-hashed and re-checked.
    target = photo_folder / "small.png"
    Image.fromarray(np.zeros((1200, 1200, 3), np.uint8)).save(target)
    os.utime(target, (old + 10, old + 10))
    third = _engine(tmp_path).check_paths([photo_folder])
    small = next(a for a in third.assets if a.path.endswith("small.png"))
    assert not small.cached and small.findings == [] and small.width == 1200


def test_batches_close_at_the_pixel_budget(tmp_path, photo_folder, monkeypatch):
    """Large deliveries are checked a few images at a time, with the same findings as one big batch."""
    import qa.engine as engine_module

    for i in range(6):
        Image.fromarray(np.full((300, 400, 3), 40 * i, np.uint8)).save(photo_folder / f"big_{i}.png")
    engine = _engine(tmp_path, jobs=1, use_cache=False, select=["FMT", "RES", "SHP"])
    items = [(p, p.name, None) for p in sorted(photo_folder.glob("big_*.png"))]
    whole = engine._check_loaded(items)
    sizes: list[int] = []
    run_families = engine._run_families
    monkeypatch.setattr(engine, "_run_families", lambda batch, results: (sizes.append(len(batch)),
                                                                        run_families(batch, results)))
    monkeypatch.setattr(engine_module, "MAX_BATCH_PIXELS", 2 * 300 * 400)
    split = engine._check_loaded(items)
    assert sizes == [2, 2, 2]
    strip = lambda rs: [(r.path, [(f.code, f.message) for f in r.findings]) for r in rs]  # noqa: E731
    assert strip(split) == strip(whole) and any(r.findings for r in whole)


def test_worker_reuses_the_main_hash_only_for_unchanged_files(tmp_path):
    import hashlib
    import os

    path = tmp_path / "a.png"
    Image.fromarray(np.full((40, 50, 3), 90, np.uint8)).save(path)
    os.utime(path, (1_700_000_000, 1_700_000_000))
    st = path.stat()
    real = hashlib.sha256(path.read_bytes()).hexdigest()
    engine = _engine(tmp_path, jobs=1, use_cache=False)
    recorded = "f" * 64  # stands in for the hash the main process recorded
    asset, _ = engine._decode(path, "a.png", None, (recorded, st.st_size, st.st_mtime_ns))
    assert asset is not None and asset.sha256 == recorded
    asset, _ = engine._decode(path, "a.png", None, (recorded, st.st_size + 1, st.st_mtime_ns))
    assert asset is not None and asset.sha256 == real
    os.utime(path)  # touched just now: a same-size rewrite within the mtime tick is possible, so re-hash
    st = path.stat()
    asset, _ = engine._decode(path, "a.png", None, (recorded, st.st_size, st.st_mtime_ns))
    assert asset is not None and asset.sha256 == real


def test_auto_device_on_a_cpu_machine_does_not_import_torch(tmp_path, photo_folder):
    """The coordinating process stays light: `auto` answers "cpu" from the device nodes."""
    import subprocess
    import sys

    from qa.models import gpu_device_nodes_present

    if gpu_device_nodes_present():
        pytest.skip("this machine has a GPU: auto must ask torch")
    code = (
        "import sys; from qa.config import load_config; from qa.engine import Engine; "
        f"r = Engine(load_config('default'), device='auto', use_cache=False, jobs=1).check_paths([{str(photo_folder)!r}]); "
        "print(r.device, 'torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[-2:] == ["cpu", "False"]


def _worker_math_threads() -> tuple[str | None, int | None]:
    """(OPENBLAS_NUM_THREADS when this process's image started, OpenBLAS's own thread count or None)."""
    import ctypes

    raw = Path("/proc/self/environ").read_bytes().split(b"\0")
    env = dict(item.decode().split("=", 1) for item in raw if b"=" in item)
    mapped = {line.split()[-1] for line in Path("/proc/self/maps").read_text().splitlines() if "/" in line}
    libs = sorted(p for p in mapped if "openblas" in p.lower() and ".so" in p and "numpy" in p)  # numpy's own BLAS
    count = None
    for lib in libs:
        for name in ("openblas_get_num_threads64_", "openblas_get_num_threads"):
            fn = getattr(ctypes.CDLL(lib), name, None)
            if fn is not None:
                count = int(fn())
    return env.get("OPENBLAS_NUM_THREADS"), count


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads /proc (Linux)")
def test_workers_start_with_single_threaded_math():
    """Two BLAS threads per worker on cores the workers already fill made numpy's small matrix
    products 10-25x slower; the thread counts must be in place before the worker imports numpy."""
    from concurrent.futures import ProcessPoolExecutor

    from qa.engine import _main_module_hidden, _worker_context, _worker_thread_env

    with ProcessPoolExecutor(max_workers=1, mp_context=_worker_context()) as pool:
        with _main_module_hidden(), _worker_thread_env(1):
            env_value, blas_threads = pool.submit(_worker_math_threads).result()
    assert env_value == "1"
    assert blas_threads in (None, 1)


def _sharpness_folder(tmp_path: Path) -> Path:
    """Plain JPEGs a luma-only run decodes without RGB: sharp, blurred, 2x upscaled, pixel-replicated."""
    from PIL import ImageFilter

    from qa.testing import sample_photo

    folder = tmp_path / "sharpness"
    folder.mkdir()
    photo = Image.fromarray(sample_photo("astronaut"))
    photo.save(folder / "sharp.jpg", quality=90)
    photo.filter(ImageFilter.GaussianBlur(2)).save(folder / "blurred.jpg", quality=90)
    photo.resize((256, 256), Image.Resampling.BICUBIC).resize((512, 512), Image.Resampling.BICUBIC).save(
        folder / "upscaled.jpg", quality=90)
    photo.resize((256, 256)).resize((512, 512), Image.Resampling.NEAREST).save(folder / "replicated.jpg", quality=90)
    return folder


def test_cheap_run_without_rgb_checks_decodes_no_rgb(tmp_path, monkeypatch):
    import qa.asset as asset_module
    import qa.decode as decode_module

    rgb_decodes: list[str] = []
    for module, name in ((decode_module, "_fast_decode"), (decode_module, "_to_srgb"), (asset_module, "decode_rgb")):
        original = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, _o=original, _n=name, **k: rgb_decodes.append(_n) or _o(*a, **k))
    engine = _engine(tmp_path, select=["FMT", "RES", "SHP", "PRV"], jobs=1, use_cache=False)
    assert engine.planes == {"gray"}
    report = engine.check_paths([_sharpness_folder(tmp_path)])
    assert rgb_decodes == [] and {f.code for a in report.assets for f in a.findings} >= {"SHP001", "SHP002"}


def test_luma_only_findings_match_the_full_rgb_path(tmp_path):
    """The JPEG's own luma gives the findings RGB->grey gives; the measured ratios move by under 1%."""
    folder = _sharpness_folder(tmp_path)
    luma = _engine(tmp_path, select=["FMT", "RES", "SHP", "PRV"], jobs=1, use_cache=False)
    full = _engine(tmp_path, select=["FMT", "RES", "SHP", "PRV"], jobs=1, use_cache=False)
    full.planes = frozenset({"rgb", "gray"})  # what a run with any RGB check decodes
    a, b = luma.check_paths([folder]), full.check_paths([folder])
    codes = lambda r: {x.path: sorted(f.code for f in x.findings) for x in r.assets}  # noqa: E731
    assert codes(a) == codes(b) and any("SHP002" in c for c in codes(a).values())
    for x, y in zip(a.assets, b.assets):
        for f, g in zip(sorted(x.findings, key=lambda f: f.code), sorted(y.findings, key=lambda f: f.code)):
            if f.code.startswith("SHP"):
                assert abs(f.details["energy_ratio"] - g.details["energy_ratio"]) <= 0.01 * g.details["energy_ratio"]


def test_planes_follow_the_active_checks(tmp_path):
    assert _engine(tmp_path, select=["FMT", "RES"]).planes == frozenset()
    assert _engine(tmp_path, select=["SHP"]).planes == {"gray"}
    assert _engine(tmp_path, profile="example-campaign", select=["SHP", "BRD"]).planes == {"gray", "rgb"}
