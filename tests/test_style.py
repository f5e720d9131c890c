"""Style checker (STY001-STY003), reference index, encoders: real weights, real photos.

Reference sets are built from real photos shipped in installed packages (skimage, matplotlib)
with the eval's looks (`evals.style.apply_look`): a consistent colour grade, illustration
renderings, monochrome. Images are generated in tmp_path.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from evals.style import apply_look, load_rgb, photo_files, random_crops
from qa import encoders as enc_mod
from qa.models import process_hub
from qa.style_index import IndexMismatchError, StyleIndex, StyleIndexError, load_index
from qa.testing import asset_from_array, make_config

pytestmark = pytest.mark.slow
REF_LOOK = "cool_matte"


@pytest.fixture(scope="module")
def encoder():
    return enc_mod.get_encoder(None, process_hub("cpu"))


@pytest.fixture(scope="module")
def crops() -> dict[str, list[np.ndarray]]:
    files = photo_files()
    rng = np.random.default_rng(7)
    return {p: random_crops(load_rgb(files[p]), 4, rng, max_side=320)
            for p in ("astronaut", "coffee", "rocket", "chelsea", "motorcycle")}


def _save(img: np.ndarray, path: Path, quality: int = 92) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(img).save(path, quality=quality) if path.suffix == ".jpg" else Image.fromarray(img).save(path)
    return path


@pytest.fixture(scope="module")
def campaign(tmp_path_factory, crops) -> Path:
    """refs/: 6 photos in one grade (cool matte); assets/: a delivery mostly in that grade (new subjects and new
    crops of the references' subjects), the same subject ungraded (vivid colour, no matte), in B&W and as a
    cel-shaded illustration, and a resized JPEG copy. Mostly on-look, as deliveries are: STY002 compares each
    asset with the batch median, which a half off-look batch would not have."""
    root = tmp_path_factory.mktemp("campaign")
    for p in ("astronaut", "coffee", "rocket"):
        for i in range(2):
            _save(apply_look(crops[p][i], REF_LOOK), root / "refs" / f"{p}{i}.jpg")
    a = root / "assets"
    _save(apply_look(crops["chelsea"][0], REF_LOOK), a / "on_look_cat.jpg")
    _save(apply_look(crops["motorcycle"][0], REF_LOOK), a / "on_look_bike.jpg")
    _save(apply_look(crops["motorcycle"][2], REF_LOOK), a / "on_look_bike2.jpg")
    _save(apply_look(crops["coffee"][2], REF_LOOK), a / "on_look_coffee.jpg")
    _save(apply_look(crops["rocket"][2], REF_LOOK), a / "on_look_rocket.jpg")
    _save(apply_look(crops["chelsea"][3], "vivid"), a / "ungraded_cat.jpg")
    _save(apply_look(crops["chelsea"][1], "bw"), a / "bw_cat.jpg")
    _save(apply_look(crops["chelsea"][2], "cel"), a / "cel_cat.png")
    copy = Image.fromarray(apply_look(crops["chelsea"][0], REF_LOOK))
    copy.resize((copy.width * 3 // 4, copy.height * 3 // 4), Image.Resampling.BILINEAR).save(a / "z_copy.jpg", quality=70)
    return root


@pytest.fixture(scope="module")
def index_file(campaign) -> Path:
    from qa.cli import main

    out = campaign / "campaign.index"
    assert main(["index", str(campaign / "refs"), "--out", str(out), "--device", "cpu"]) == 0
    return out


def _engine_report(campaign: Path, options: dict):
    from qa.engine import Engine

    config = make_config({"checks": {"style": options}}, base_dir=campaign)
    engine = Engine(config, select=["STY"], device="cpu", use_cache=False)
    report = engine.check_paths([campaign / "assets"])
    return {Path(a.path).name: a for a in report.assets}, report


def test_offline_encoder_is_real_and_identified(encoder):
    assert encoder.id.startswith("effnet-lite0-style/v")
    weights = enc_mod.default_effnet_weights()
    assert enc_mod.file_sha256(weights)[:12] in encoder.id
    assert enc_mod.encoder_id_for_spec(None) == encoder.id  # computed without loading
    emb = encoder.embed([apply_look(np.full((64, 80, 3), 128, np.uint8), "neutral"), np.zeros((30, 30, 3), np.uint8)])
    assert emb.shape == (2, encoder.dim) and np.isfinite(emb).all()
    # Real ImageNet weights classify a real cat photo as a cat (classes 281-285).
    import torch
    from efficientnet_lite_pytorch import EfficientNet

    net = EfficientNet.from_name("efficientnet-lite0")
    net.load_state_dict(torch.load(weights, map_location="cpu", weights_only=True))
    net.eval()
    x = (enc_mod.center_square(load_rgb(photo_files()["chelsea"])).astype(np.float32) - 127.0) / 128.0
    with torch.no_grad():
        top = int(net(torch.from_numpy(x.transpose(2, 0, 1)[None].copy())).argmax())
    assert 281 <= top <= 285


def test_drift_graded_references_vs_other_looks(campaign, index_file):
    by_name, report = _engine_report(campaign, {"index": str(index_file)})
    drift = {n: [f for f in a.findings if f.code == "STY001"] for n, a in by_name.items()}
    # New subjects in the references' grade pass; other grades, B&W and illustration drift.
    assert not any(drift[n] for n in drift if n.startswith("on_look"))
    for name in ("bw_cat.jpg", "cel_cat.png", "ungraded_cat.jpg"):
        assert drift[name], f"{name} should drift"
        f = drift[name][0]
        assert f.value > f.threshold and f.details["encoder"].startswith("effnet-lite0-style/")
    assert any("less saturated" in h or "fewer colours" in h or "flatter" in h
               for h in drift["bw_cat.jpg"][0].details["colour_differences"] + drift["cel_cat.png"][0].details["colour_differences"])
    assert "style-encoder" in report.models or any("style" in k for k in report.models)


def test_batch_outlier_and_near_duplicate(campaign, index_file):
    by_name, _ = _engine_report(campaign, {"index": str(index_file)})
    dup = [f for f in by_name["z_copy.jpg"].findings if f.code == "STY003"]
    assert dup and dup[0].details["duplicate_of"].endswith("on_look_cat.jpg")
    others = [n for n, a in by_name.items() if n != "z_copy.jpg" and any(f.code == "STY003" for f in a.findings)]
    assert others == []
    outliers = {n for n, a in by_name.items() if any(f.code == "STY002" for f in a.findings)}
    assert outliers and outliers <= {"bw_cat.jpg", "cel_cat.png", "ungraded_cat.jpg"}


def test_references_folder_builds_index_in_memory(campaign):
    by_name, _ = _engine_report(campaign, {"references": str(campaign / "refs")})
    assert any(f.code == "STY001" for f in by_name["cel_cat.png"].findings)
    assert not any(f.code == "STY001" for f in by_name["on_look_bike.jpg"].findings)


def test_index_round_trip(index_file, encoder, campaign):
    index = load_index(index_file)
    assert index.encoder_id == encoder.id and len(index.references) == 6
    assert index.embeddings.shape == (6, encoder.dim)
    loo = np.array(index.calibration["loo_distances"])
    assert (loo / index.base <= 1.0 + 1e-6).mean() >= 0.8  # held-out references pass
    # Embeddings in the file are the encoder's embeddings of the reference files.
    from qa.encoders import embed_assets
    from qa.testing import asset_from_file

    refs = [asset_from_file(campaign / "refs" / Path(r["path"]).name) for r in index.references]
    assert np.allclose(embed_assets(encoder, refs), index.embeddings, atol=1e-4)
    again = index_file.with_name("copy.index")
    index.save(again)
    back = load_index(again)
    assert back.encoder_id == index.encoder_id and np.array_equal(back.embeddings, index.embeddings)
    assert back.calibration == index.calibration and back.prior is not None
    # The shipped prior's discriminant projection travels in the file, so the index scores the same way.
    assert np.array_equal(back.prior["projection"], index.prior["projection"])
    assert "projection" not in back.calibration["prior_meta"]
    assert np.allclose(back.drift(index.embeddings), index.drift(index.embeddings))


def test_index_from_another_encoder_is_refused(index_file, campaign, tmp_path):
    from qa.cli import main
    from qa.engine import Engine

    index = load_index(index_file)
    other = StyleIndex(encoder_id="openclip/v2/ViT-B-32@tag@laion2b_s34b_b79k", encoder_spec="openclip:ViT-B-32:laion2b_s34b_b79k",
                       blocks=index.blocks, embeddings=index.embeddings, references=index.references,
                       calibration=index.calibration)
    path = other.save(tmp_path / "other.index")
    with pytest.raises(IndexMismatchError, match="built with encoder"):
        load_index(path).require_encoder(index.encoder_id)
    # Explicit offline encoder + foreign index: refused when the engine starts, before any asset.
    config = make_config({"checks": {"style": {"index": str(path), "encoder": "effnet-lite0-style"}}})
    with pytest.raises(IndexMismatchError, match="not comparable"):
        Engine(config, select=["STY"], device="cpu", use_cache=False)
    rules = tmp_path / "campaign.yaml"
    rules.write_text(f"checks:\n  style:\n    index: {path}\n    encoder: effnet-lite0-style\n")
    assert main(["check", str(campaign / "assets"), "--rules", str(rules), "--no-cache"]) == 2
    # Not an index at all / missing: clear errors naming the file.
    bogus = tmp_path / "bogus.index"
    bogus.write_bytes(b"not an npz")
    with pytest.raises(StyleIndexError, match="bogus.index"):
        load_index(bogus)
    assert main(["index", str(tmp_path / "missing"), "--out", str(tmp_path / "x.index")]) == 2


def test_index_needs_three_references(tmp_path, crops, capsys):
    from qa.cli import main

    for i in range(2):
        _save(crops["coffee"][i], tmp_path / "refs" / f"r{i}.jpg")
    (tmp_path / "refs" / "broken.jpg").write_bytes(b"\xff\xd8\xff garbage")
    assert main(["index", str(tmp_path / "refs"), "--out", str(tmp_path / "x.index"), "--device", "cpu"]) == 2
    err = capsys.readouterr().err
    assert "at least 3" in err
    assert not (tmp_path / "x.index").exists()


def test_embedding_cache_by_content_hash(encoder, tmp_path):
    img = apply_look(np.tile(np.linspace(0, 255, 96, dtype=np.uint8)[None, :, None], (64, 1, 3)), "warm_film")
    calls = []

    def loader():
        calls.append(1)
        return img, img

    first = enc_mod.embed_rgb_cached(encoder, [("sha-test-1", loader)], cache_dir=tmp_path)
    enc_mod._MEM_CACHE.clear()
    second = enc_mod.embed_rgb_cached(encoder, [("sha-test-1", loader)], cache_dir=tmp_path)
    assert len(calls) == 1 and np.array_equal(first, second)
    assert list(tmp_path.rglob("sha-test-1.npy"))


def test_bad_encoder_specs_are_clear_errors(tmp_path):
    from qa.config import validate_document

    with pytest.raises(enc_mod.EncoderError, match="random weights are never used"):
        enc_mod.parse_encoder_spec("openclip:RN50")
    with pytest.raises(enc_mod.EncoderError, match="unknown encoder"):
        enc_mod.parse_encoder_spec("resnet")
    with pytest.raises(enc_mod.EncoderError, match="not found"):
        enc_mod.get_encoder(f"openclip:RN50:{tmp_path / 'none.pt'}", process_hub("cpu"))
    errors = validate_document({"checks": {"style": {"encoder": "clip"}}}, tmp_path / "p.yaml")
    assert errors and "checks.style.encoder" in errors[0]


def test_openclip_local_checkpoint(tmp_path):
    import open_clip
    import torch

    cfg = {
        "embed_dim": 32,
        "vision_cfg": {"image_size": 64, "layers": 2, "width": 64, "patch_size": 16, "head_width": 32},
        "text_cfg": {"context_length": 16, "vocab_size": 1000, "width": 32, "heads": 2, "layers": 1},
    }
    cfg_path = tmp_path / "assetqa-tiny-vit.json"
    cfg_path.write_text(json.dumps(cfg))
    open_clip.add_model_config(cfg_path)
    model = open_clip.create_model("assetqa-tiny-vit", pretrained=None)
    ckpt = tmp_path / "tiny.pt"
    torch.save(model.state_dict(), ckpt)

    spec = f"openclip:assetqa-tiny-vit:{ckpt}"
    encoder = enc_mod.get_encoder(spec, process_hub("cpu"))
    assert encoder.id == enc_mod.encoder_id_for_spec(spec)
    assert enc_mod.file_sha256(ckpt)[:12] in encoder.id
    imgs = [np.full((50, 70, 3), v, np.uint8) for v in (20, 120, 220)]
    emb = encoder.embed(imgs)
    assert emb.shape == (3, 32 + enc_mod.COLOUR_DIM)
    assert np.allclose(np.linalg.norm(emb[:, :32], axis=1), 1.0, atol=1e-4)
    # The loaded weights are the checkpoint's (not random): same features as the saved model.
    x = torch.from_numpy(((enc_mod.center_square(imgs[1], 64).astype(np.float32) / 255 - encoder._mean) / encoder._std)
                         .transpose(2, 0, 1)[None].copy())
    with torch.no_grad():
        ref = torch.nn.functional.normalize(model.eval().encode_image(x), dim=-1).numpy()
    assert np.allclose(emb[1, :32], ref[0], atol=1e-4)
    # A checkpoint that does not fit the model is a clear error.
    bad = tmp_path / "bad.pt"
    torch.save({"visual.proj": torch.zeros(3, 3)}, bad)
    with pytest.raises(enc_mod.EncoderError, match="cannot load weights"):
        enc_mod.get_encoder(f"openclip:assetqa-tiny-vit:{bad}", process_hub("cpu"))


def test_checker_declarations_documented():
    from qa.registry import find_rule, rule_doc

    for code in ("STY001", "STY002", "STY003"):
        rule = find_rule(code)
        assert rule is not None and rule.check == "style"
        doc = rule_doc(rule)
        assert "checks.style" in doc and "drift_threshold" in doc


def test_single_asset_without_references_is_silent(encoder):
    from qa.checks.style import StyleChecker
    from qa.testing import make_context

    ctx = make_context("style", {"batch_checks": True})
    checker = StyleChecker()
    asset = asset_from_array(apply_look(np.full((40, 40, 3), 90, np.uint8), "neutral"))
    assert checker.check_batch([asset], ctx) == [[]]
    assert len(asset.feature("artifact:style_embedding", lambda: None)) == encoder.dim
    assert checker.finalize([], ctx) == {}


def test_leave_one_out_closed_form_matches_definition():
    import numpy as np

    from qa import style_index as si

    rng = np.random.default_rng(7)
    blocks = [("net", 0, 40), ("colour", 40, 60)]
    emb = rng.normal(size=(60, 60)) * rng.uniform(0.1, 3.0, size=60)
    synthetic_prior = {"content_var": rng.uniform(0.5, 2.0, size=60), "weight": rng.uniform(0, 1, size=60),
                       "shrink": 0.5}
    projected_prior = {"content_var": rng.uniform(0.5, 2.0, size=63), "weight": rng.uniform(0, 1, size=63),
                       "pseudo_count": 4.0, "pseudo_power": 3.0, "projection": rng.normal(size=(60, 3))}
    for prior in (None, synthetic_prior, projected_prior):
        slow = np.array([si.StyleStats.fit(np.delete(emb, i, 0), blocks, si.COLOUR_WEIGHT, si.SHRINK, prior)
                         .distance(emb[i])[0] for i in range(len(emb))])
        fast = si._leave_one_out_closed_form(emb, blocks, si.COLOUR_WEIGHT, si.SHRINK, prior)
        np.testing.assert_allclose(fast, slow, rtol=1e-9, atol=1e-9)


def test_prior_projection_is_a_distance_over_the_projected_coordinates_and_the_embedding():
    """With a projection, the prior weighs [emb @ P, emb]: the same as a prior without one applied to those
    features, for the distance, the calibration and the nearest reference."""
    import numpy as np

    from qa import style_index as si

    rng = np.random.default_rng(3)
    blocks = [("net", 0, 8), ("colour", 8, 12)]
    refs, assets = rng.normal(size=(9, 12)), rng.normal(size=(4, 12))
    P = rng.normal(size=(12, 2))
    base = {"content_var": rng.uniform(0.5, 2.0, size=14), "weight": rng.uniform(0.1, 1, size=14),
            "pseudo_count": 4.0, "pseudo_power": 3.0}
    projected = dict(base, projection=P)
    feats = si.prior_features(refs, projected)
    assert feats.shape == (9, 14) and np.allclose(feats[:, :2], refs @ P) and np.allclose(feats[:, 2:], refs)
    with_projection = si.StyleStats.fit(refs, blocks, prior=projected).distance(assets)
    on_features = si.StyleStats.fit(feats, blocks, prior=base).distance(si.prior_features(assets, projected))
    np.testing.assert_allclose(with_projection, on_features, rtol=1e-12)
    assert not np.allclose(with_projection, si.StyleStats.fit(refs, blocks, prior=dict(
        base, content_var=base["content_var"][2:], weight=base["weight"][2:])).distance(assets))
    cal = si.calibrate(refs, blocks, prior=projected)
    assert np.isclose(cal["base"], si.calibrate(feats, blocks, prior=base)["base"])
    # Block distances (and the colour explanations) read the embedding's part, after the 2 projected coordinates.
    stats = si.StyleStats.fit(refs, blocks, prior=projected)
    z = stats.z(assets)
    assert stats.offset == 2
    np.testing.assert_allclose(stats.block_distances(assets)[:, 1], np.sqrt(np.mean(z[:, 10:14] ** 2, axis=1)))

