"""dashboard.data: fixer sidecar parsing (several shapes), overlays, wipe compare."""
from __future__ import annotations

import base64
import io
import json

import numpy as np
from PIL import Image

from dashboard.data import draw_overlays, index_fixes, load_fixes, open_image, wipe_compare

P = "a" * 64
O = "b" * 64


def _png(path, colour=(10, 20, 30), size=(64, 48)):
    Image.new("RGB", size, colour).save(path)


def test_sidecar_shapes(tmp_path):
    root = tmp_path
    _png(root / "x.fixed.png")
    # nested parent/output, output found next to the sidecar by name
    (root / "x.fixed.png.assetqa.json").write_text(json.dumps(
        {"parent": {"sha256": P, "path": "x.png"}, "fixes": [{"code": "ANA001", "containment": 0.0}],
         "verdict": "accepted"}))
    # flat keys, stem-named sidecar
    _png(root / "y.fixed.jpg")
    (root / "y.fixed.assetqa.json").write_text(json.dumps(
        {"parent_sha256": P.upper(), "output_sha256": O, "fixes": {"fixer": "recolour"},
         "containment": {"changed_outside_region": 3}}))
    # a summary file listing entries, and garbage that must be skipped
    (root / "summary.assetqa.json").write_text(json.dumps(
        {"results": [{"parent": {"sha256": "c" * 64}, "output": {"sha256": "d" * 64, "path": "z.png"}}]}))
    (root / "bad.assetqa.json").write_text("{not json")
    (root / "odd.assetqa.json").write_text(json.dumps([1, 2, "x"]))
    infos = load_fixes(root)
    by_output, by_parent = index_fixes(infos)
    assert len(infos) == 3
    assert len(by_parent[P]) == 2  # parent hashes are normalised to lower case
    nested = next(i for i in infos if i.output_path.endswith("x.fixed.png"))
    assert nested.status == "accepted" and nested.containment == {"ANA001": 0.0}
    assert by_output[O].fixes == [{"fixer": "recolour"}]
    assert by_output[O].containment["changed_outside_region"] == 3
    assert by_output["d" * 64].parent_sha256 == "c" * 64


def test_overlays_are_drawn_in_image_coordinates(tmp_path):
    im = Image.new("RGB", (200, 100), (255, 255, 255))
    mask = np.zeros((400, 800), np.uint8)
    mask[200:, 400:] = 255
    buf = io.BytesIO()
    Image.fromarray(mask).save(buf, format="PNG")
    findings = [
        {"code": "ANA001", "severity": "error", "region": {"x": 0, "y": 0, "w": 400, "h": 200}},
        {"code": "BRD001", "severity": "warning", "details": {"mask_png": base64.b64encode(buf.getvalue()).decode()}},
        {"code": "TXT001", "severity": "info", "details": {"polygon": "not a polygon", "points": [[1]]}},
    ]
    out = np.asarray(draw_overlays(im, findings, (800, 400)))
    assert out.shape == (100, 200, 3)
    assert out[25, 0, 0] > 200 and out[25, 0, 1] < 100  # red box edge at x=0 (scaled 800 -> 200)
    assert tuple(out[75, 150]) != (255, 255, 255)         # mask tint in the bottom-right quarter
    assert tuple(out[75, 20]) == (255, 255, 255)          # untouched elsewhere


def test_open_image_and_wipe(tmp_path):
    Image.new("RGBA", (1000, 500), (255, 0, 0, 0)).save(tmp_path / "t.png")
    im = open_image(tmp_path / "t.png", 256)
    assert im.size == (256, 128) and im.getpixel((5, 5)) == (255, 255, 255)  # transparent -> white
    before = Image.new("RGB", (100, 50), (0, 0, 0))
    after = Image.new("RGB", (100, 50), (255, 255, 255))
    w = np.asarray(wipe_compare(before, after, 30))
    assert w[25, 10].tolist() == [0, 0, 0] and w[25, 80].tolist() == [255, 255, 255]
