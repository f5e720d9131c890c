"""C2PA (Content Credentials) tooling: test certificate chains, signing, reading.

Used by the `provenance` checker (reading/validating) and the `sign` fixer and the
other fixers (writing lineage manifests on their outputs). Works offline with
c2pa-python 0.38.x:

- `generate_test_chain(out_dir)`: an ES256 (P-256) root CA and a leaf certificate
  with KeyUsage digitalSignature and ExtendedKeyUsage emailProtection (the EKU
  c2pa-rs accepts for a locally generated chain). For demos and tests only.
- `sign_created(...)`: manifest for a freshly generated asset (`c2pa.created`,
  digitalSourceType trainedAlgorithmicMedia when `ai_generated`).
- `sign_edit(...)`: manifest for a derived file: `c2pa.opened` with the parent as
  `parentOf` ingredient, then `c2pa.edited` and the specific actions
  (`c2pa.resized`, `c2pa.color_adjustments`, ...). The AI disclosure is kept: the
  parent ingredient carries its own manifest, and when the parent is AI media the
  `c2pa.opened` action also states digitalSourceType trainedAlgorithmicMedia.
- `sign_copy(...)`: a signed copy with unchanged bytes (`c2pa.opened` + parent
  ingredient, AI disclosure): the `sign` fix for PRV001/PRV004.
- `read_provenance(data, mime, trust_anchors_pem=None)`: manifest presence,
  validation state (Invalid / Valid / Trusted), failure status codes, AI
  disclosure, remote-manifest flag, active manifest label and signer.

Outputs are written atomically (temp file in the same directory, fsync,
`os.replace`) and never over the input. `c2pa` is imported lazily so importing
this module costs nothing.
"""
from __future__ import annotations

import datetime as _dt
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Union

from qa.fsutil import atomic_write_bytes

#: IPTC digital source type URIs (https://cv.iptc.org/newscodes/digitalsourcetype/).
IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
TRAINED_ALGORITHMIC_MEDIA = IPTC + "trainedAlgorithmicMedia"
COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA = IPTC + "compositeWithTrainedAlgorithmicMedia"
DIGITAL_CREATION = IPTC + "digitalCreation"
#: Source types that count as an AI disclosure (the last path segment is compared).
AI_SOURCE_TYPES = frozenset({
    "trainedAlgorithmicMedia",
    "compositeWithTrainedAlgorithmicMedia",
})

#: Validation states reported by c2pa-rs, worst first.
STATES = ("Invalid", "Valid", "Trusted")

#: Mime types we sign (c2pa-python can sign more; these are the ones we test).
SIGNABLE_MIMES = ("image/jpeg", "image/png", "image/webp", "image/tiff", "image/gif", "image/avif", "image/heif")

CLAIM_GENERATOR = "assetqa"

BytesOrPath = Union[bytes, bytearray, memoryview, str, os.PathLike]


class C2paToolError(Exception):
    """A signing/reading problem with a human-readable reason."""


# --------------------------------------------------------------------------- chains

@dataclass(frozen=True)
class TestChain:
    """PEM files of a generated test chain (or any signing credentials).

    `leaf_cert_chain_pem` holds the leaf certificate followed by its issuer(s)
    (what the signer embeds in the manifest); `root_pem` is the trust anchor.
    """

    __test__ = False  # not a pytest test class

    root_pem: Path
    leaf_cert_chain_pem: Path
    leaf_key_pem: Path
    alg: str = "es256"
    tsa_url: str | None = None


#: Alias for real (non-test) credentials: same fields, `root_pem` may be the CA bundle.
SigningCredentials = TestChain

_ROOT_CERT = "c2pa-test-root.pem"
_ROOT_KEY = "c2pa-test-root.key.pem"
_CHAIN = "c2pa-test-chain.pem"
_LEAF_KEY = "c2pa-test-leaf.key.pem"


def load_credentials(cert_chain_pem: str | os.PathLike, key_pem: str | os.PathLike,
                     root_pem: str | os.PathLike | None = None, alg: str = "es256",
                     tsa_url: str | None = None) -> TestChain:
    """Credentials from configured files (e.g. a profile's `signing.cert`/`signing.key`)."""
    cert, key = Path(cert_chain_pem), Path(key_pem)
    for p in (cert, key):
        if not p.is_file():
            raise C2paToolError(f"{p}: signing credential file not found")
    return TestChain(root_pem=Path(root_pem) if root_pem else cert, leaf_cert_chain_pem=cert,
                     leaf_key_pem=key, alg=alg, tsa_url=tsa_url)


def _chain_is_usable(chain: TestChain) -> bool:
    try:
        from cryptography import x509

        for p in (chain.root_pem, chain.leaf_cert_chain_pem, chain.leaf_key_pem):
            if not p.is_file():
                return False
        now = _dt.datetime.now(_dt.timezone.utc)
        certs = x509.load_pem_x509_certificates(chain.leaf_cert_chain_pem.read_bytes())
        root = x509.load_pem_x509_certificate(chain.root_pem.read_bytes())
        for c in [*certs, root]:
            if not (c.not_valid_before_utc <= now < c.not_valid_after_utc - _dt.timedelta(days=1)):
                return False
        return certs[0].issuer == root.subject
    except Exception:  # noqa: BLE001 - any parse problem means "regenerate"
        return False


def generate_test_chain(out_dir: str | os.PathLike, *, common_name: str = "assetqa test signer",
                        days: int = 825, force: bool = False) -> TestChain:
    """Create (or reuse) an ES256 root CA + leaf signing certificate in `out_dir`.

    Files: `c2pa-test-root.pem` (trust anchor), `c2pa-test-root.key.pem`,
    `c2pa-test-chain.pem` (leaf then root), `c2pa-test-leaf.key.pem`. Idempotent:
    existing, unexpired, consistent files are reused unless `force`.
    For tests and demos only; production signing uses a CA-issued certificate.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    chain = TestChain(root_pem=out / _ROOT_CERT, leaf_cert_chain_pem=out / _CHAIN, leaf_key_pem=out / _LEAF_KEY)
    if not force and _chain_is_usable(chain):
        return chain

    now = _dt.datetime.now(_dt.timezone.utc) - _dt.timedelta(minutes=5)
    root_key = ec.generate_private_key(ec.SECP256R1())
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    root_name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, "assetqa test root CA"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "assetqa (test only)"),
    ])
    leaf_name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "assetqa (test only)"),
    ])
    root_cert = (
        x509.CertificateBuilder()
        .subject_name(root_name).issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now).not_valid_after(now + _dt.timedelta(days=days + 365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                     crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    leaf_cert = (
        x509.CertificateBuilder()
        .subject_name(leaf_name).issuer_name(root_name)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now).not_valid_after(now + _dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    key_pem = lambda k: k.private_bytes(pem, serialization.PrivateFormat.PKCS8,  # noqa: E731
                                        serialization.NoEncryption())
    atomic_write(chain.root_pem, root_cert.public_bytes(pem))
    atomic_write(out / _ROOT_KEY, key_pem(root_key), mode=0o600)
    atomic_write(chain.leaf_key_pem, key_pem(leaf_key), mode=0o600)
    atomic_write(chain.leaf_cert_chain_pem, leaf_cert.public_bytes(pem) + root_cert.public_bytes(pem))
    return chain


# --------------------------------------------------------------------------- io helpers

def atomic_write(path: str | os.PathLike, data: bytes, *, mode: int | None = None) -> Path:
    """Write `data` atomically (see `qa.fsutil.atomic_write_bytes`)."""
    return atomic_write_bytes(path, data, mode=mode)


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


def _is_pathlike(value: Any) -> bool:
    return isinstance(value, (str, os.PathLike))


def _read_input(value: BytesOrPath) -> tuple[bytes, Path | None]:
    if _is_pathlike(value):
        p = Path(value)
        try:
            return p.read_bytes(), p
        except OSError as exc:
            raise C2paToolError(f"{p}: cannot read ({exc.strerror or exc})") from exc
    return bytes(value), None


def sniff_mime(data: bytes) -> str | None:
    """Mime type from magic bytes (the formats assetqa decodes), or None."""
    from qa.decode import MIME_TYPES, sniff_format

    return MIME_TYPES.get(sniff_format(bytes(data[:256])) or "")


def _mime_for(data: bytes, mime: str | None, path: Path | None) -> str:
    m = mime or sniff_mime(data)
    if not m and path is not None:
        ext = path.suffix.lower().lstrip(".")
        m = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp",
             "tif": "image/tiff", "tiff": "image/tiff", "gif": "image/gif", "avif": "image/avif",
             "heic": "image/heif", "heif": "image/heif"}.get(ext)
    if not m:
        raise C2paToolError(f"{path or 'data'}: cannot tell the image format to sign")
    return "image/jpeg" if m in ("image/jpg", "image/mpo") else m


def _signer(chain: TestChain):
    from c2pa import C2paSignerInfo, Signer

    try:
        cert = Path(chain.leaf_cert_chain_pem).read_bytes()
        key = Path(chain.leaf_key_pem).read_bytes()
    except OSError as exc:
        raise C2paToolError(f"signing credentials unreadable: {exc}") from exc
    info = C2paSignerInfo(alg=chain.alg.lower().encode(), sign_cert=cert, private_key=key,
                          ta_url=chain.tsa_url.encode() if chain.tsa_url else None)
    return Signer.from_info(info)


def _claim_generator_info() -> list[dict[str, str]]:
    try:
        from importlib.metadata import version

        ver = version("assetqa")
    except Exception:  # noqa: BLE001
        ver = "0"
    return [{"name": CLAIM_GENERATOR, "version": ver}]


def _sign_bytes(manifest: dict[str, Any], mime: str, data: bytes, chain: TestChain,
                ingredient: tuple[dict[str, Any], str, bytes] | None = None) -> bytes:
    from c2pa import Builder, C2paError

    try:
        with _signer(chain) as signer, Builder(manifest) as builder:
            if ingredient is not None:
                ing_json, ing_mime, ing_bytes = ingredient
                builder.add_ingredient(ing_json, ing_mime, io.BytesIO(ing_bytes))
            dest = io.BytesIO()
            builder.sign(signer, mime, io.BytesIO(data), dest)
            return dest.getvalue()
    except C2paError as exc:
        raise C2paToolError(f"C2PA signing failed: {exc}") from exc


def _write_output(out_path: str | os.PathLike, signed: bytes, *inputs: Path | None) -> Path:
    out = Path(out_path)
    for src in inputs:
        if src is not None and _same_file(src, out):
            raise C2paToolError(f"{out}: refusing to write over the input file")
    return atomic_write(out, signed)


def c2pa_action(name: str, parameters: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    act: dict[str, Any] = {"action": name, "softwareAgent": {"name": CLAIM_GENERATOR}}
    act.update({k: v for k, v in extra.items() if v is not None})
    if parameters:
        act["parameters"] = parameters
    return act


# --------------------------------------------------------------------------- signing

def sign_created(data: BytesOrPath, mime: Any, out_path: Any = None, chain: TestChain | None = None, *,
                 ai_generated: bool = True, title: str | None = None,
                 digital_source_type: str | None = None, parameters: dict[str, Any] | None = None) -> Path:
    """Sign a freshly generated asset: one `c2pa.created` action.

    Call as `sign_created(data_or_path, mime, out_path, chain)` (mime may be None:
    sniffed from the bytes) or, shorter, `sign_created(path, out_path, chain)`.
    `digitalSourceType` is trainedAlgorithmicMedia when `ai_generated` (the AI
    disclosure), digitalCreation otherwise, unless `digital_source_type` is given.
    Writes a new file at `out_path` (atomically; never over a path input).
    Returns `out_path`.
    """
    if chain is None and isinstance(out_path, TestChain):  # short form (data, out_path, chain)
        mime, out_path, chain = None, mime, out_path
    if out_path is None or chain is None:
        raise TypeError("sign_created needs out_path and chain")
    raw, src = _read_input(data)
    mime = _mime_for(raw, mime, src)
    dst = digital_source_type or (TRAINED_ALGORITHMIC_MEDIA if ai_generated else DIGITAL_CREATION)
    manifest = {
        "claim_generator_info": _claim_generator_info(),
        "title": title or Path(out_path).name,
        "format": mime,
        "assertions": [{
            "label": "c2pa.actions.v2",
            "data": {"actions": [c2pa_action("c2pa.created", parameters, digitalSourceType=dst)]},
        }],
    }
    signed = _sign_bytes(manifest, mime, raw, chain)
    return _write_output(out_path, signed, src)


def sign_edit(parent_path: str | os.PathLike, edited: BytesOrPath, out_path: str | os.PathLike, chain: TestChain, *,
              actions: Iterable[str | dict[str, Any]] = (), parameters: dict[str, Any] | None = None,
              mime: str | None = None, title: str | None = None, ai_generated: bool | None = None,
              include_edited: bool = True, parent_trust_anchors_pem: Any = None,
              allow_invalid_parent: bool = False) -> Path:
    """Sign a derived file: `c2pa.opened` (parent as `parentOf` ingredient), `c2pa.edited`, `actions`.

    `edited` are the new file's bytes (or a path to them); `actions` are extra action
    names (`"c2pa.resized"`) or full action dicts; `parameters` are attached to
    `c2pa.edited` (e.g. `{"description": "upscaled x2 with Real-ESRGAN"}`).
    The AI disclosure is kept: the parent's own manifest travels as the ingredient's
    manifest, and when the parent discloses AI media (or `ai_generated` is True) the
    `c2pa.opened` action carries digitalSourceType trainedAlgorithmicMedia.
    A parent whose own manifest is Invalid (tampered) raises C2paToolError unless
    `allow_invalid_parent` (signing over it would make a broken history read valid;
    the ingredient then records the failure and the checker reports PRV002).
    Writes a new file at `out_path` (atomically; never over the parent or input).
    """
    parent = Path(parent_path)
    parent_bytes, _ = _read_input(parent)
    parent_mime = _mime_for(parent_bytes, None, parent)
    raw, src = _read_input(edited)
    mime = _mime_for(raw, mime, src)
    parent_info = read_provenance(parent_bytes, parent_mime, parent_trust_anchors_pem)
    if parent_info.state == "Invalid" and not allow_invalid_parent:
        raise C2paToolError(
            f"{parent}: the parent's C2PA manifest is invalid ({', '.join(parent_info.status_codes) or parent_info.error}); "
            "refusing to sign a derived file over a broken history (pass allow_invalid_parent=True to record it anyway)"
        )
    if ai_generated is None:
        ai_generated = parent_info.ai_disclosure
    ingredient_label = "parent"
    ingredient = {"title": parent.name, "relationship": "parentOf", "label": ingredient_label}
    opened = c2pa_action("c2pa.opened", {"ingredientIds": [ingredient_label]},
                     digitalSourceType=TRAINED_ALGORITHMIC_MEDIA if ai_generated else None)
    acts: list[dict[str, Any]] = [opened]
    if include_edited:
        acts.append(c2pa_action("c2pa.edited", parameters))
    for a in actions:
        if isinstance(a, str):
            if a in ("c2pa.opened", "c2pa.edited") and any(x["action"] == a for x in acts):
                continue
            acts.append(c2pa_action(a))
        else:
            acts.append(dict(a))
    manifest = {
        "claim_generator_info": _claim_generator_info(),
        "title": title or Path(out_path).name,
        "format": mime,
        "assertions": [{"label": "c2pa.actions.v2", "data": {"actions": acts}}],
    }
    signed = _sign_bytes(manifest, mime, raw, chain, ingredient=(ingredient, parent_mime, parent_bytes))
    return _write_output(out_path, signed, parent, src)


def sign_copy(parent_path: str | os.PathLike, out_path: str | os.PathLike, chain: TestChain, *,
              ai_generated: bool | None = True, title: str | None = None, **kwargs: Any) -> Path:
    """Signed copy of an asset with unchanged bytes (the `sign` fix for PRV001/PRV004).

    The manifest holds `c2pa.opened` with the original as `parentOf` ingredient and,
    when `ai_generated`, digitalSourceType trainedAlgorithmicMedia (None: inherit from
    the parent's manifest). No `c2pa.edited`: the content is not changed.
    """
    parent = Path(parent_path)
    data, _ = _read_input(parent)
    return sign_edit(parent, data, out_path, chain, ai_generated=ai_generated, title=title,
                     include_edited=False, **kwargs)


# --------------------------------------------------------------------------- reading

@dataclass
class ProvenanceInfo:
    """What a C2PA reader says about one asset."""

    present: bool = False
    state: str | None = None  # "Invalid" | "Valid" | "Trusted" (None when absent/unreadable)
    status_codes: list[str] = field(default_factory=list)  # failure codes (active manifest + ingredients)
    informational_codes: list[str] = field(default_factory=list)
    explanations: dict[str, str] = field(default_factory=dict)  # code -> first explanation
    ai_disclosure: bool = False
    ai_disclosure_source: str | None = None  # "active" | "ingredient"
    digital_source_types: list[str] = field(default_factory=list)
    remote: bool = False
    remote_url: str | None = None
    active_label: str | None = None
    signer: str | None = None  # signature_info issuer / common name
    signed_time: str | None = None
    actions: list[str] = field(default_factory=list)  # active manifest actions, in order
    ingredients: list[dict[str, Any]] = field(default_factory=list)  # title, relationship, active_manifest, state
    claim_generator: str | None = None
    unsupported: bool = False  # c2pa cannot read this format
    error: str | None = None  # reader error (not "no manifest")

    @property
    def trusted(self) -> bool:
        return self.state == "Trusted"

    @property
    def untrusted(self) -> bool:
        return self.state == "Valid" or "signingCredential.untrusted" in self.status_codes

    def to_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        return asdict(self)


def _anchors_text(trust_anchors_pem: Any) -> str | None:
    """PEM text from a PEM string, bytes, or a path to a PEM file."""
    if trust_anchors_pem in (None, "", b""):
        return None
    if isinstance(trust_anchors_pem, (bytes, bytearray)):
        return bytes(trust_anchors_pem).decode("ascii", "replace")
    if isinstance(trust_anchors_pem, str) and "-----BEGIN" in trust_anchors_pem:
        return trust_anchors_pem
    p = Path(trust_anchors_pem)
    try:
        return p.read_text(encoding="ascii", errors="replace")
    except OSError as exc:
        raise C2paToolError(f"{p}: trust anchors file unreadable ({exc.strerror or exc})") from exc


_CONTEXTS: dict[str | None, Any] = {}


def _context(anchors: str | None):
    """A c2pa Context (cached per anchor set): no network fetches, trust verified when anchors are set."""
    from c2pa import Context

    ctx = _CONTEXTS.get(anchors)
    if ctx is None:
        settings: dict[str, Any] = {"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}}
        if anchors:
            settings["trust"] = {"trust_anchors": anchors}
            settings["verify"]["verify_trust"] = True
        ctx = Context.from_dict(settings)
        _CONTEXTS[anchors] = ctx
    return ctx


def _source_type_name(value: Any) -> str:
    return str(value or "").rstrip("/").rsplit("/", 1)[-1]


def _manifest_actions(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for assertion in manifest.get("assertions") or []:
        label = str(assertion.get("label", ""))
        if label.startswith("c2pa.actions"):
            out.extend((assertion.get("data") or {}).get("actions") or [])
    return out


def _ai_types(manifest: dict[str, Any]) -> list[str]:
    return [str(a.get("digitalSourceType")) for a in _manifest_actions(manifest) if a.get("digitalSourceType")]


def _find_ai(store: dict[str, Any], label: str | None, seen: set[str]) -> bool:
    """AI disclosure in manifest `label` or, recursively, in its parentOf ingredients."""
    if not label or label in seen:
        return False
    seen.add(label)
    manifest = (store.get("manifests") or {}).get(label) or {}
    if any(_source_type_name(t) in AI_SOURCE_TYPES for t in _ai_types(manifest)):
        return True
    for ing in manifest.get("ingredients") or []:
        if ing.get("relationship", "componentOf") in ("parentOf", "componentOf") and \
                _find_ai(store, ing.get("active_manifest"), seen):
            return True
    return False


def _codes(results: dict[str, Any] | None, info: ProvenanceInfo) -> None:
    if not results:
        return
    sections = []
    if isinstance(results.get("activeManifest"), dict):
        sections.append(results["activeManifest"])
    for delta in results.get("ingredientDeltas") or []:
        vd = (delta or {}).get("validationDeltas") or {}
        if isinstance(vd, dict):
            sections.append(vd)
    for sec in sections:
        for key, bucket in (("failure", info.status_codes), ("informational", info.informational_codes)):
            for item in sec.get(key) or []:
                code = str(item.get("code", ""))
                if code and code not in bucket:
                    bucket.append(code)
                if code and item.get("explanation") and code not in info.explanations:
                    info.explanations[code] = str(item["explanation"])


def _ingredient_failures(ing: dict[str, Any]) -> list[str]:
    codes = [str(f.get("code")) for f in
             ((ing.get("validation_results") or {}).get("activeManifest") or {}).get("failure") or []]
    codes += [str(f.get("code")) for f in ing.get("validation_status") or []]
    return list(dict.fromkeys(c for c in codes if c))


def _ingredient_state(ing: dict[str, Any]) -> str | None:
    if not ing.get("active_manifest"):
        return None
    failures = [c for c in _ingredient_failures(ing) if c != "signingCredential.untrusted"]
    return "Invalid" if failures else "Valid"


def read_provenance(data: bytes, mime: str | None = None, trust_anchors_pem: Any = None) -> ProvenanceInfo:
    """Read and validate the C2PA manifest store embedded in `data`.

    `trust_anchors_pem` is PEM text/bytes or a path to a PEM file; with it a
    valid manifest signed under one of the anchors reads `Trusted`. Never raises
    for bad/unsigned/unsupported input: the outcome is in the returned fields
    (`present`, `remote`, `unsupported`, `error`). Only an unreadable anchors file
    raises C2paToolError (a configuration error).
    """
    from c2pa import C2paError, Reader

    info = ProvenanceInfo()
    anchors = _anchors_text(trust_anchors_pem)
    raw = bytes(data)
    fmt = mime or sniff_mime(raw)
    if fmt in ("image/jpg", "image/mpo"):
        fmt = "image/jpeg"
    try:
        with Reader(fmt, io.BytesIO(raw), context=_context(anchors)) as reader:
            store = json.loads(reader.json())
            try:
                info.remote = not reader.is_embedded()
                info.remote_url = reader.get_remote_url()
            except C2paError:
                pass
    except C2paError.ManifestNotFound:
        return info
    except C2paError.RemoteManifest as exc:
        info.remote = True
        info.error = f"remote manifest unavailable: {exc}"
        return info
    except C2paError.NotSupported as exc:
        info.unsupported = True
        info.error = f"format not supported by C2PA reader: {exc}"
        return info
    except C2paError as exc:
        text = str(exc)
        if text.startswith("Remote") or "remote manifest" in text.lower():
            import re

            info.remote = True
            m = re.search(r"https?://\S+", text)
            info.remote_url = m.group(0).rstrip(".,)") if m else None
            info.error = f"remote manifest unavailable: {text}"
        elif "not supported" in text.lower() or "unsupported" in text.lower():
            info.unsupported = True
            info.error = text
        else:
            # A manifest was found but cannot be parsed: treat as present and Invalid.
            info.present = True
            info.state = "Invalid"
            info.error = text
            code = text.split(":", 1)[0].strip() or "manifest.unreadable"
            info.status_codes.append(f"reader.{code}")
        return info
    except Exception as exc:  # noqa: BLE001 - the native layer can surface odd errors
        info.error = f"C2PA reader failed: {type(exc).__name__}: {exc}"
        return info

    info.present = True
    info.state = store.get("validation_state")
    _codes(store.get("validation_results"), info)
    if not info.status_codes:
        for item in store.get("validation_status") or []:  # older layout
            code = str(item.get("code", ""))
            if code and code not in info.status_codes:
                info.status_codes.append(code)
    label = store.get("active_manifest")
    info.active_label = label
    manifest = (store.get("manifests") or {}).get(label) or {}
    info.actions = [str(a.get("action")) for a in _manifest_actions(manifest)]
    info.digital_source_types = _ai_types(manifest)
    if any(_source_type_name(t) in AI_SOURCE_TYPES for t in info.digital_source_types):
        info.ai_disclosure, info.ai_disclosure_source = True, "active"
    elif _find_ai(store, label, set()):
        info.ai_disclosure, info.ai_disclosure_source = True, "ingredient"
    sig = manifest.get("signature_info") or {}
    info.signer = sig.get("common_name") or sig.get("issuer")
    info.signed_time = sig.get("time")
    gen = manifest.get("claim_generator_info") or []
    if gen and isinstance(gen, list):
        info.claim_generator = " ".join(str(gen[0].get(k, "")) for k in ("name", "version")).strip()
    else:
        info.claim_generator = manifest.get("claim_generator")
    for ing in manifest.get("ingredients") or []:
        info.ingredients.append({
            "title": ing.get("title"),
            "relationship": ing.get("relationship"),
            "active_manifest": ing.get("active_manifest"),
            "state": ing.get("validation_state") or _ingredient_state(ing),
            "status_codes": _ingredient_failures(ing),
        })
    if info.state is None:
        info.state = "Invalid" if info.status_codes else "Valid"
    return info
