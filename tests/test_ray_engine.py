"""`--engine ray`: a local Ray cluster gives the same findings as the local engine on the demo campaign."""
from __future__ import annotations

import pytest

ray = pytest.importorskip("ray", reason="Ray is an optional extra: pip install 'assetqa[ray]'")

from qa.config import load_config  # noqa: E402
from qa.demo import build_demo  # noqa: E402
from qa.engine import Engine  # noqa: E402


def _strip(report):
    return [(a.path, a.status.value, sorted((f.code, f.message) for f in a.findings)) for a in report.assets]


@pytest.mark.slow
def test_ray_engine_matches_local_engine_on_demo(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    paths = build_demo(tmp_path / "demo")
    config = load_config(paths["campaign"])
    local = Engine(config, device="cpu", use_cache=False, jobs=1).check_paths([paths["assets"]])
    try:
        distributed = Engine(config, device="cpu", use_cache=False, jobs=2, backend="ray").check_paths(
            [paths["assets"]])
    finally:
        ray.shutdown()
    assert len(local.assets) >= 10
    assert _strip(distributed) == _strip(local)
    assert local.exit_code() == distributed.exit_code() == 1
