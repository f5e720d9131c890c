"""The offline style encoder's ONNX export is cached on disk, so later processes never import torch.

The first load in a fresh process exports the efficientnet-lite0 trunk with torch and writes the
.onnx file (atomically) under the assetqa cache folder; a second fresh process loads that file
with onnxruntime alone (checked through `sys.modules`) and embeds identically. A stale or corrupt
cache file is rebuilt, never fatal.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent

PROBE = r"""
import json, sys
import numpy as np
from qa.encoders import get_encoder
from qa.models import ModelHub

encoder = get_encoder(None, ModelHub("cpu"))
rng = np.random.default_rng(3)
images = [rng.integers(0, 256, (150, 200, 3), dtype=np.uint8), np.full((224, 224, 3), 90, np.uint8)]
emb = encoder.embed(images)
print(json.dumps({"torch_imported": "torch" in sys.modules, "backend": encoder.backend, "id": encoder.id,
                  "onnx_path": str(encoder.onnx_path), "blocks": [list(b) for b in encoder.blocks],
                  "embedding": emb.tolist()}))
"""


def _probe(cache_dir: Path) -> dict:
    env = {**os.environ, "ASSETQA_CACHE_DIR": str(cache_dir), "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_second_process_loads_cached_onnx_without_torch(tmp_path):
    from qa.encoders import default_effnet_weights, onnx_cache_file

    cache = tmp_path / "cache"
    expected = onnx_cache_file(default_effnet_weights(), cache)
    assert not expected.exists()

    first = _probe(cache)
    assert first["backend"] == "onnxruntime-cpu"
    assert first["torch_imported"]  # the first process exports with torch
    assert Path(first["onnx_path"]) == expected and expected.is_file()
    assert not [p for p in expected.parent.iterdir() if p.name.endswith(".tmp")]  # atomic write, no leftovers

    second = _probe(cache)
    assert second["torch_imported"] is False, "a cached ONNX export must load without importing torch"
    assert second["backend"] == "onnxruntime-cpu"
    assert second["id"] == first["id"] and second["blocks"] == first["blocks"]
    np.testing.assert_allclose(np.array(second["embedding"]), np.array(first["embedding"]), rtol=1e-5, atol=1e-5)


def test_cache_key_names_encoder_version_and_weights_hash(tmp_path):
    from qa.encoders import FEATURE_VERSION, default_effnet_weights, file_sha256, onnx_cache_file

    weights = default_effnet_weights()
    path = onnx_cache_file(weights, tmp_path)
    assert path.parent == tmp_path / "onnx"
    assert f"-v{FEATURE_VERSION}-" in path.name and file_sha256(weights)[:32] in path.name
    # Other weights (same file name, other bytes) get another cache file.
    other = tmp_path / "w" / Path(weights).name
    other.parent.mkdir()
    data = Path(weights).read_bytes()
    other.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    assert onnx_cache_file(other, tmp_path) != path


def test_corrupt_or_stale_cache_file_is_rebuilt(tmp_path):
    from qa.encoders import EffnetStyleEncoder, _load_cached_onnx, default_effnet_weights, onnx_cache_file

    weights = default_effnet_weights()
    path = onnx_cache_file(weights, tmp_path)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not an onnx model")
    encoder = EffnetStyleEncoder("cpu", onnx_cache_dir=tmp_path)
    assert encoder.backend == "onnxruntime-cpu" and encoder.onnx_path == path
    loaded = _load_cached_onnx(path, encoder.id)
    assert loaded is not None and loaded[1][-1][2] == encoder.blocks[-2][2]
    assert _load_cached_onnx(path, encoder.id.replace("/v", "/v0")) is None  # another encoder id: stale
    img = np.random.default_rng(0).integers(0, 256, (120, 160, 3), dtype=np.uint8)
    again = EffnetStyleEncoder("cpu", onnx_cache_dir=tmp_path)
    np.testing.assert_allclose(again.embed([img]), encoder.embed([img]), rtol=1e-5, atol=1e-5)
