"""Anatomy (hands) checker: real MediaPipe inference on rendered hands composited on real photos.

No installed package ships a photo in which MediaPipe finds a hand, so the hands are rendered
from a 21-point skeleton (see evals/anatomy.py) and the artifacts are controlled variants of
the same draw (a duplicated finger, no forearm).
"""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from evals.anatomy import build
from qa.checks.anatomy import ANA001, ANA002, ANA004, AnatomyChecker
from qa.registry import load_all
from qa.testing import asset_from_array, make_context, sample_photo
from qa.types import Severity


@pytest.fixture(scope="module")
def ctx():
    import qa.hands  # noqa: F401

    return make_context("anatomy")


@pytest.fixture(scope="module")
def samples(ctx):
    o = ctx.options
    detector = ctx.models.get("mediapipe-hands", max_num_hands=int(o["max_hands"]),
                              min_detection_confidence=float(o["min_detection"]))
    out = build(1, "tuning", detector, side=640, seed=3, kinds=("extra", "floating"))
    assert out, "no rendered hand was detectable"
    return {s.label: s for s in out}


def codes(findings):
    return {f.code for f in findings}


def test_rules_declared():
    cls = load_all()["anatomy"]
    assert cls is AnatomyChecker
    got = {r.code: r for r in cls.rules}
    assert set(got) == {"ANA001", "ANA002", "ANA003", "ANA004", "ANA005"}
    assert got["ANA001"].name == "extra-fingers" and got["ANA001"].severity is Severity.ERROR
    assert got["ANA002"].severity is Severity.ERROR
    for code in ("ANA003", "ANA004", "ANA005"):
        assert got[code].severity is Severity.WARNING
    for r in cls.rules:
        assert r.fixer == "inpaint" and r.fix_safety == "unsafe" and r.check == "anatomy"


def test_modules_do_not_import_mediapipe_at_import_time():
    code = "import sys, qa.hands, qa.checks.anatomy; assert 'mediapipe' not in sys.modules; print('ok')"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    from qa.models import MODEL_LOADERS

    assert "mediapipe-hands" in MODEL_LOADERS and "mediapipe-pose" in MODEL_LOADERS


def test_clean_hand_passes(ctx, samples):
    s = samples["clean"]
    findings = AnatomyChecker().check(asset_from_array(s.image, "clean.png"), ctx)
    assert findings == [], [f.message for f in findings]
    # the hand was really seen, with model ids that name the shipped weights
    res = AnatomyChecker().analyse(asset_from_array(s.image, "clean.png"), ctx)
    assert len(res["hands"]) == 1
    assert "mediapipe==0.10.21" in AnatomyChecker().model_ids(ctx)["mediapipe-hands"]


def test_extra_finger_flagged_with_region(ctx, samples):
    s = samples["extra"]
    asset = asset_from_array(s.image, "extra.png")
    findings = AnatomyChecker().check(asset, ctx)
    hit = [f for f in findings if f.code == ANA001.code]
    assert hit, [f.message for f in findings]
    f = hit[0]
    assert f.severity is Severity.ERROR and f.region is not None and f.score < 1
    r = f.region
    assert 0 <= r.x and 0 <= r.y and r.x + r.w <= asset.width and r.y + r.h <= asset.height
    x0, y0, x1, y1 = s.hand_box  # the rendered hand's landmarks lie inside the padded region
    assert r.x <= x0 + 2 and r.y <= y0 + 2 and r.x + r.w >= x1 - 2 and r.y + r.h >= y1 - 2
    assert f.to_dict()["region"]["w"] > 0


def test_floating_hand_flagged(ctx, samples):
    s = samples["floating"]
    findings = AnatomyChecker().check(asset_from_array(s.image, "floating.png"), ctx)
    assert ANA004.code in codes(findings), [f.message for f in findings]
    assert ANA002.code not in codes(findings)


def test_photo_without_hands_has_no_findings(ctx):
    asset = asset_from_array(sample_photo("astronaut"), "astronaut.png")
    assert AnatomyChecker().check(asset, ctx) == []


def test_options_and_odd_inputs(ctx, samples):
    no_tta = make_context("anatomy", {"tta": False, "pose": False, "max_side": 512})
    findings = AnatomyChecker().check(asset_from_array(samples["extra"].image, "e.png"), no_tta)
    assert ANA001.code in codes(findings)
    gray = np.asarray(samples["clean"].image.mean(axis=2), dtype=np.uint8)
    tiny = np.zeros((3, 5, 3), np.uint8)
    rgba = np.dstack([samples["clean"].image, np.full(samples["clean"].image.shape[:2], 255, np.uint8)])
    for arr, name in ((gray, "g.png"), (tiny, "t.png"), (rgba, "a.png")):
        out = AnatomyChecker().check(asset_from_array(arr, name), ctx)
        assert isinstance(out, list)


def test_tasks_hand_landmarker_from_in_memory_bundle(samples):
    """The Tasks HandLandmarker (used with the GPU delegate on CUDA) loads from the in-memory .task zip."""
    from qa.hands import TasksHandDetector

    det = TasksHandDetector(device="cpu")
    hands = det.detect(samples["clean"].image)
    assert len(hands) >= 1 and hands[0].xy.shape == (21, 2) and hands[0].world.shape == (21, 3)
    assert "tasks, cpu" in det.model_id
