"""Provenance: real C2PA signing with a generated ES256 chain, validation states, checker policy."""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from qa.c2pa_tools import (
    C2paToolError,
    TestChain,
    generate_test_chain,
    read_provenance,
    sign_copy,
    sign_created,
    sign_edit,
)
from qa.checks.provenance import ProvenanceChecker
from qa.testing import asset_from_bytes, encode, make_context, sample_photo
from qa.types import Severity


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> TestChain:
    return generate_test_chain(tmp_path_factory.mktemp("certs"))


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("prv")


def _photo(fmt: str = "JPEG", name: str = "astronaut", side: int = 256) -> bytes:
    img = Image.fromarray(sample_photo(name)).resize((side, side), Image.Resampling.LANCZOS)
    return encode(np.asarray(img), fmt, **({"quality": 90} if fmt == "JPEG" else {}))


def _signed(work: Path, chain: TestChain, fmt: str = "JPEG", ai: bool = True) -> Path:
    ext = {"JPEG": "jpg", "PNG": "png"}[fmt]
    out = work / f"signed_{'ai' if ai else 'noai'}.{ext}"
    if not out.exists():
        sign_created(_photo(fmt), None, out, chain, ai_generated=ai, title=out.name)
    return out


def _codes(data: bytes, name: str, **options) -> dict[str, Severity]:
    findings = ProvenanceChecker().check(asset_from_bytes(data, name), make_context("provenance", options))
    return {f.code: f.severity for f in findings}


# ----------------------------------------------------------------------------- c2pa_tools

def test_chain_is_es256_with_email_protection_and_idempotent(chain):
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID

    leaf = x509.load_pem_x509_certificates(chain.leaf_cert_chain_pem.read_bytes())[0]
    assert isinstance(leaf.public_key(), ec.EllipticCurvePublicKey)
    assert leaf.public_key().curve.name == "secp256r1"
    eku = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in list(eku)
    assert leaf.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature
    before = chain.root_pem.read_bytes()
    again = generate_test_chain(chain.root_pem.parent)
    assert again == chain and chain.root_pem.read_bytes() == before  # reused, not regenerated


@pytest.mark.parametrize("fmt,mime", [("JPEG", "image/jpeg"), ("PNG", "image/png")])
def test_signed_reads_valid_untrusted_then_trusted_with_anchor(work, chain, fmt, mime):
    data = _signed(work, chain, fmt).read_bytes()
    info = read_provenance(data, mime)
    assert info.present and info.state == "Valid"
    assert "signingCredential.untrusted" in info.status_codes
    assert info.ai_disclosure and info.actions == ["c2pa.created"]
    assert info.signer == "assetqa test signer" and info.active_label.startswith("urn:c2pa:")
    trusted = read_provenance(data, mime, chain.root_pem)
    assert trusted.state == "Trusted" and "signingCredential.untrusted" not in trusted.status_codes
    # The signed file still decodes to the same size.
    assert Image.open(io.BytesIO(data)).size == (256, 256)


def test_tampered_byte_is_invalid_with_data_hash_mismatch(work, chain):
    data = bytearray(_signed(work, chain).read_bytes())
    data[-2000] ^= 0xFF  # entropy-coded pixel data
    info = read_provenance(bytes(data), "image/jpeg", chain.root_pem)
    assert info.state == "Invalid"
    assert "assertion.dataHash.mismatch" in info.status_codes
    codes = _codes(bytes(data), "t.jpg", trust_anchors=str(chain.root_pem))
    assert codes == {"PRV002": Severity.ERROR}


def test_unsigned_and_garbage_do_not_raise():
    info = read_provenance(_photo(), "image/jpeg")
    assert not info.present and info.state is None and info.error is None
    junk = read_provenance(b"not an image", "image/jpeg")
    assert not junk.present and junk.error


def test_ai_disclosure_present_and_absent(work, chain):
    assert read_provenance(_signed(work, chain, ai=True).read_bytes()).ai_disclosure
    info = read_provenance(_signed(work, chain, ai=False).read_bytes())
    assert info.present and not info.ai_disclosure
    assert info.digital_source_types[0].endswith("/digitalCreation")


def test_sign_edit_opened_parent_ingredient_then_edited_keeps_ai(work, chain):
    parent = _signed(work, chain, "JPEG", ai=True)
    small = Image.open(parent).resize((128, 128), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    small.save(buf, "PNG")
    before = parent.read_bytes()
    out = sign_edit(parent, buf.getvalue(), work / "edit.png", chain, actions=["c2pa.resized"],
                    parameters={"description": "resized to 128 px"})
    assert parent.read_bytes() == before  # the original is untouched
    info = read_provenance(out.read_bytes(), "image/png", chain.root_pem)
    assert info.state == "Trusted"
    assert info.actions[:2] == ["c2pa.opened", "c2pa.edited"] and "c2pa.resized" in info.actions
    assert len(info.ingredients) == 1
    ing = info.ingredients[0]
    assert ing["relationship"] == "parentOf" and ing["title"] == parent.name
    parent_label = read_provenance(before, "image/jpeg").active_label
    assert ing["active_manifest"] == parent_label
    assert info.ai_disclosure  # kept from the parent
    # Checker is clean on the trusted, disclosed edit.
    assert _codes(out.read_bytes(), "edit.png", require_manifest=True, require_ai_disclosure=True,
                  require_trusted=True, trust_anchors=str(chain.root_pem)) == {}


def test_ai_disclosure_is_found_through_the_parent_ingredient(work, chain):
    parent = _signed(work, chain, "JPEG", ai=True)
    out = sign_edit(parent, _photo("JPEG", side=128), work / "edit_ing.jpg", chain, ai_generated=False)
    info = read_provenance(out.read_bytes(), "image/jpeg", chain.root_pem)
    assert info.state == "Trusted" and info.digital_source_types == []
    assert info.ai_disclosure and info.ai_disclosure_source == "ingredient"
    unsigned_parent = work / "plain.jpg"
    unsigned_parent.write_bytes(_photo())
    out = sign_edit(unsigned_parent, _photo("JPEG", side=128), work / "edit_plain.jpg", chain)
    assert not read_provenance(out.read_bytes()).ai_disclosure


def test_invalid_parent_is_refused_or_reported(work, chain):
    tampered = bytearray(_signed(work, chain).read_bytes())
    tampered[-2000] ^= 0xFF
    parent = work / "tampered.jpg"
    parent.write_bytes(bytes(tampered))
    with pytest.raises(C2paToolError, match="invalid"):
        sign_edit(parent, _photo(side=128), work / "laundered.jpg", chain)
    assert not (work / "laundered.jpg").exists()
    out = sign_edit(parent, _photo(side=128), work / "laundered.jpg", chain, allow_invalid_parent=True)
    info = read_provenance(out.read_bytes(), None, chain.root_pem)
    assert info.state == "Trusted" and info.ingredients[0]["state"] == "Invalid"
    assert "assertion.dataHash.mismatch" in info.ingredients[0]["status_codes"]
    assert _codes(out.read_bytes(), "l.jpg", trust_anchors=str(chain.root_pem)) == {"PRV002": Severity.ERROR}


def test_sign_copy_fixes_missing_manifest_and_disclosure(work, chain):
    src = work / "plain_copy_src.png"
    src.write_bytes(_photo("PNG"))
    campaign = {"require_manifest": True, "require_ai_disclosure": True, "trust_anchors": str(chain.root_pem)}
    assert _codes(src.read_bytes(), "p.png", **campaign) == {"PRV001": Severity.ERROR}
    out = sign_copy(src, work / "plain_copy_signed.png", chain, ai_generated=True)
    info = read_provenance(out.read_bytes(), None, chain.root_pem)
    assert info.actions == ["c2pa.opened"] and info.ingredients[0]["relationship"] == "parentOf"
    assert _codes(out.read_bytes(), "p.png", **campaign) == {}
    assert np.array_equal(np.asarray(Image.open(out)), np.asarray(Image.open(src)))


def test_never_writes_over_input_and_leaves_no_temp_files(work, chain):
    src = work / "src.jpg"
    src.write_bytes(_photo())
    with pytest.raises(C2paToolError, match="over the input"):
        sign_created(src, None, src, chain)
    with pytest.raises(C2paToolError, match="over the input"):
        sign_edit(src, src.read_bytes(), src, chain)
    assert not list(work.glob(".*.tmp"))


# ----------------------------------------------------------------------------- checker policy

def test_checker_policy(work, chain):
    anchors = str(chain.root_pem)
    unsigned = _photo()
    signed = _signed(work, chain).read_bytes()
    no_ai = _signed(work, chain, ai=False).read_bytes()
    # Default policy: unsigned passes, valid-untrusted warns.
    assert _codes(unsigned, "u.jpg") == {}
    assert _codes(signed, "s.jpg") == {"PRV003": Severity.WARNING}
    # Campaign policy.
    campaign = {"require_manifest": True, "require_ai_disclosure": True, "trust_anchors": anchors}
    assert _codes(unsigned, "u.jpg", **campaign) == {"PRV001": Severity.ERROR}
    assert _codes(signed, "s.jpg", **campaign) == {}
    assert _codes(no_ai, "n.jpg", **campaign) == {"PRV004": Severity.ERROR}
    assert _codes(unsigned, "u.jpg", require_ai_disclosure=True) == {"PRV004": Severity.ERROR}
    assert _codes(unsigned, "u.jpg", require_manifest=True, missing_severity="warning") == {"PRV001": Severity.WARNING}
    # Required trust without the right anchor -> PRV003 error.
    assert _codes(signed, "s.jpg", require_trusted=True) == {"PRV003": Severity.ERROR}
    assert _codes(signed, "s.jpg", require_trusted=True, trust_anchors=anchors) == {}


def test_checker_fix_hints_and_unreadable_anchors(work, chain):
    checker = ProvenanceChecker()
    assert checker.rule("PRV001").fixer == "sign" and checker.rule("PRV001").fix_safety == "safe"
    assert checker.rule("PRV004").fixer == "sign" and checker.rule("PRV004").fix_safety == "safe"
    findings = checker.check(asset_from_bytes(_signed(work, chain).read_bytes(), "s.jpg"),
                             make_context("provenance", {"trust_anchors": str(work / "missing.pem")}))
    assert [f.code for f in findings] == ["PRV003"] and "missing.pem" in findings[0].message


def test_remote_manifest_is_reported_as_unavailable_not_missing(chain):
    from c2pa import Builder

    from qa.c2pa_tools import TRAINED_ALGORITHMIC_MEDIA, _signer

    manifest = {"claim_generator_info": [{"name": "test"}], "assertions": [{"label": "c2pa.actions.v2", "data": {
        "actions": [{"action": "c2pa.created", "digitalSourceType": TRAINED_ALGORITHMIC_MEDIA}]}}]}
    out = io.BytesIO()
    with Builder(manifest) as builder, _signer(chain) as signer:
        builder.set_no_embed()
        builder.set_remote_url("https://example.invalid/manifest.c2pa")
        builder.sign(signer, "image/jpeg", io.BytesIO(_photo()), out)
    info = read_provenance(out.getvalue(), "image/jpeg")
    assert info.remote and not info.present and info.remote_url == "https://example.invalid/manifest.c2pa"
    assert _codes(out.getvalue(), "r.jpg", require_manifest=True) == {"PRV005": Severity.WARNING}


def test_other_formats_give_clean_results(chain, tmp_path):
    arr = sample_photo("coffee")[:96, :96]
    for fmt in ("GIF", "WEBP", "TIFF"):
        data = encode(arr, fmt)
        assert _codes(data, f"x.{fmt.lower()}", require_manifest=True) == {"PRV001": Severity.ERROR}
        out = sign_created(data, None, tmp_path / f"s.{fmt.lower()}", chain, ai_generated=True)
        assert read_provenance(out.read_bytes(), None, chain.root_pem).state == "Trusted"


def test_engine_reads_relative_trust_anchors_from_profile(tmp_path, chain, work):
    import shutil

    from qa.config import load_config
    from qa.engine import Engine

    (tmp_path / "certs").mkdir()
    shutil.copy(chain.root_pem, tmp_path / "certs" / "root.pem")
    assets = tmp_path / "assets"
    assets.mkdir()
    shutil.copy(_signed(work, chain), assets / "signed.jpg")
    (assets / "unsigned.jpg").write_bytes(_photo())
    (tmp_path / "campaign.yaml").write_text(
        "extends: default\nchecks:\n  provenance:\n    require_manifest: true\n"
        "    require_ai_disclosure: true\n    trust_anchors: certs/root.pem\n", encoding="utf-8")
    engine = Engine(load_config(tmp_path / "campaign.yaml"), select=["PRV"], cache_dir=tmp_path / "cache")
    report = engine.check_paths([assets])
    by_name = {Path(a.path).name: [f.code for f in a.findings] for a in report.assets}
    assert by_name == {"signed.jpg": [], "unsigned.jpg": ["PRV001"]}
