"""Campaign reference index: reference style embeddings + the encoder that made them + calibration.

File format (one file, written atomically): a NumPy ``.npz`` archive (no pickles) holding
``embeddings`` (N x D float32), ``header`` (UTF-8 JSON as uint8) with the format name and
version, the encoder (`id`, spec, blocks), the references (path, sha256) and the calibration,
and, when the encoder has one, the distance prior (``prior_content_var``, ``prior_weight``) so
an index keeps scoring the same way whatever assetqa version reads it.

Distance (`StyleStats`), a diagonal Mahalanobis distance to the references' mean:
- with the encoder's shipped prior (`qa.style_prior`; the offline encoder has one): the prior's
  features (`prior_features`: its discriminant projection's coordinates, then the embedding itself)
  are compared; each feature's scale mixes the references' own variance with the prior's content
  variance (how much that feature moves between different photos of one look; its share falls
  quickly with the number of references, `prior_mix`), features are weighted by the prior's
  discriminative weights, and the distance is the weighted RMS z. The projection (linear
  discriminant directions of looks against content, fitted on the eval's tuning photos) sees
  correlated statistics together: a diagonal distance cannot tell a warm grade (tint, lifted
  blacks and lower saturation moving together) from a warm scene where only the tint moves;
- without a prior (open_clip encoders): each block is standardised by the references' spread,
  shrunk towards the block's mean variance, and the block RMS distances are averaged with the
  colour/tone block weighted by ``COLOUR_WEIGHT``.

Calibration: every reference is scored leave-one-out against the others; the ``base`` is the
90th percentile of those distances. An asset drifts when ``distance / base`` exceeds the
threshold multiplier, so a new image of the references' look scores like a held-out
reference and passes.

An index built with another encoder (another model, other weights, another feature version)
is refused with `IndexMismatchError`: distances across encoders are not comparable.
"""
from __future__ import annotations

import io
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from qa.fsutil import atomic_write_bytes

from qa.config import ConfigError

INDEX_FORMAT = "assetqa-style-index"
INDEX_VERSION = 1
MIN_REFERENCES = 3
#: Without a prior: weight of the colour/tone block relative to each network block, and the
#: shrinkage of per-dimension variance towards the block mean (chosen on the eval's tuning split).
COLOUR_WEIGHT = 4.0
SHRINK = 0.5
CALIBRATION_QUANTILE = 0.9
#: A prior's arrays: stored as arrays in an index file, not in its JSON header.
PRIOR_ARRAYS = ("content_var", "weight", "projection")
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".gif", ".bmp", ".avif", ".heic", ".heif"}


class StyleIndexError(ConfigError, ValueError):
    """A reference index cannot be read or built (message names the file and reason)."""


class IndexMismatchError(StyleIndexError):
    """The index was built with another encoder than the one this run uses."""


# --------------------------------------------------------------------------------------
# Distance
# --------------------------------------------------------------------------------------
def prior_features(emb: np.ndarray, prior: dict[str, Any] | None) -> np.ndarray:
    """The features a prior weighs, per row: the coordinates on its `projection` (a D x k matrix, when it
    has one) followed by the embedding itself. Without a projection (older priors, indexes written before
    it) the embedding alone."""
    x = np.atleast_2d(np.asarray(emb, dtype=np.float64))
    projection = prior_projection(prior)
    return x if projection is None else np.hstack([x @ projection, x])


def prior_projection(prior: dict[str, Any] | None) -> np.ndarray | None:
    """A prior's projection matrix (D x k), or None when it has none."""
    projection = None if prior is None else prior.get("projection")
    return None if projection is None else np.asarray(projection, dtype=np.float64)


@dataclass
class StyleStats:
    """Per-dimension centre and scale of a set of embeddings, plus the block layout.

    Without a prior each block is standardised by the set's own spread, shrunk towards the
    block's mean variance, and block distances are averaged (colour block weighted).
    With an encoder prior (`qa.style_prior`: per-dimension content variance and
    discriminative weights fitted on the eval's tuning photos), the scale mixes the set's
    spread with the content variance, dimensions are weighted, and the distance is the
    weighted RMS over all dimensions.
    """

    mean: np.ndarray
    scale: np.ndarray
    blocks: list[tuple[str, int, int]]
    colour_weight: float = COLOUR_WEIGHT
    weight: np.ndarray | None = None
    prior: dict[str, Any] | None = None  # set when the stats are over `prior_features`

    @classmethod
    def fit(cls, emb: np.ndarray, blocks: Sequence[Sequence[Any]], colour_weight: float = COLOUR_WEIGHT,
            shrink: float = SHRINK, prior: dict[str, Any] | None = None) -> "StyleStats":
        emb = prior_features(emb, prior)
        mean = emb.mean(axis=0)
        var = emb.var(axis=0) if emb.shape[0] > 1 else np.zeros_like(mean)
        norm_blocks = [(str(b[0]), int(b[1]), int(b[2])) for b in blocks]
        if prior is not None:
            weight = np.asarray(prior["weight"], dtype=np.float64)
            scale = np.sqrt(prior_scale_sq(var, prior, emb.shape[0]))
            return cls(mean=mean, scale=scale, blocks=norm_blocks, colour_weight=colour_weight, weight=weight,
                       prior=prior)
        scale = np.empty_like(mean)
        for _, s, e in norm_blocks:
            v = var[s:e]
            pooled = float(v.mean()) if v.size else 0.0
            # Floor: 1% of the block's RMS magnitude, so identical references do not give zero scales.
            floor = (0.01 * float(np.sqrt(np.mean(mean[s:e] ** 2))) + 1e-6) ** 2
            scale[s:e] = np.sqrt((1 - shrink) * v + shrink * pooled + floor)
        return cls(mean=mean, scale=scale, blocks=norm_blocks, colour_weight=colour_weight)

    def z(self, x: np.ndarray) -> np.ndarray:
        z = (prior_features(x, self.prior) - self.mean) / self.scale
        return z * self.weight if self.weight is not None else z

    @property
    def offset(self) -> int:
        """Where the embedding starts in `mean`, `scale` and `z` (after the prior's projected coordinates)."""
        projection = prior_projection(self.prior)
        return 0 if projection is None else projection.shape[1]

    def block_distances(self, x: np.ndarray) -> np.ndarray:
        z, o = self.z(x), self.offset
        return np.stack([np.sqrt(np.mean(z[:, o + s:o + e] ** 2, axis=1)) for _, s, e in self.blocks], axis=1)

    def weights(self) -> np.ndarray:
        return np.array([self.colour_weight if name == "colour" else 1.0 for name, _, _ in self.blocks])

    def distance(self, x: np.ndarray) -> np.ndarray:
        if self.weight is not None:
            z = self.z(x)
            return np.sqrt(np.sum(z ** 2, axis=1) / max(1.0, float(np.sum(self.weight ** 2))))
        w = self.weights()
        return self.block_distances(x) @ w / w.sum()


def prior_mix(prior: dict[str, Any], n: int) -> float:
    """Share of the prior's content variance in each dimension's scale for a set of `n` embeddings.

    A prior with ``pseudo_count`` k and ``pseudo_power`` p uses mix = (k / (n + k)) ** p (shipped:
    k=4, p=3: 0.064 for 6 references, 0.003 for 24): large reference sets are scaled by their own
    spread, which is specific to their look (a lifted black point is exactly flat across a matte
    campaign), while a handful of references still gets a sane scale. Older priors give a fixed
    ``shrink``.
    """
    if prior.get("pseudo_count") is not None:
        k = float(prior["pseudo_count"])
        return (k / (max(int(n), 1) + k)) ** float(prior.get("pseudo_power", 1.0)) if k > 0 else 0.0
    return float(prior.get("shrink", 0.8))


def prior_scale_sq(var: np.ndarray, prior: dict[str, Any], n: int) -> np.ndarray:
    """Squared per-dimension scale of a set of `n` embeddings with variance `var` under a prior:
    the set's variance mixed with the prior's content variance (`prior_mix`)."""
    mix = prior_mix(prior, n)
    return (1 - mix) * var + mix * np.asarray(prior["content_var"], dtype=np.float64) + 1e-12


def leave_one_out_moments(emb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row i of `emb` (n, d): the mean and population variance of all the other rows, and
    row i minus that mean, from the full sums (no loop over rows)."""
    X = np.asarray(emb, dtype=np.float64)
    n = X.shape[0]
    mu = X.mean(axis=0)
    Xc = X - mu
    m = n - 1
    Q = (Xc ** 2).sum(axis=0)
    mean_o = mu - Xc / m
    var_o = np.maximum((Q - Xc ** 2) / m - (Xc / m) ** 2, 0.0)
    return mean_o, var_o, Xc * n / m


def prior_for(encoder_id: str) -> dict[str, Any] | None:
    """The shipped distance prior for an encoder id (None: no prior, e.g. open_clip encoders)."""
    from qa.style_prior import PRIORS

    prior = PRIORS.get(encoder_id.split("@", 1)[0])
    if not prior:
        return None
    return {k: (np.asarray(v, dtype=np.float64) if k in PRIOR_ARRAYS else v) for k, v in prior.items()}


def leave_one_out(emb: np.ndarray, blocks: Sequence[Sequence[Any]], colour_weight: float = COLOUR_WEIGHT,
                  shrink: float = SHRINK, prior: dict[str, Any] | None = None) -> np.ndarray:
    """Distance of each row to the stats of all other rows.

    Small sets refit `StyleStats` per row (the definition); larger ones (whole deliveries, for
    batch outliers) use the closed form below, which is O(n*d) instead of O(n^2*d) and is
    tested against the definition.
    """
    emb = np.asarray(emb)
    n = emb.shape[0]
    if n > LOO_CLOSED_FORM_FROM:
        return _leave_one_out_closed_form(emb, blocks, colour_weight, shrink, prior)
    out = np.zeros(n)
    for i in range(n):
        others = np.delete(emb, i, axis=0)
        out[i] = StyleStats.fit(others, blocks, colour_weight, shrink, prior).distance(emb[i])[0]
    return out


LOO_CLOSED_FORM_FROM = 48


def _leave_one_out_closed_form(emb: np.ndarray, blocks: Sequence[Sequence[Any]], colour_weight: float,
                               shrink: float, prior: dict[str, Any] | None) -> np.ndarray:
    """`leave_one_out` via the mean and variance of "all rows but i" derived from the full sums."""
    n = np.asarray(emb).shape[0]
    mean_o, var_o, diff = leave_one_out_moments(prior_features(emb, prior))
    if prior is not None:
        weight = np.asarray(prior["weight"], dtype=np.float64)
        z = diff / np.sqrt(prior_scale_sq(var_o, prior, n - 1)) * weight
        return np.sqrt(np.sum(z ** 2, axis=1) / max(1.0, float(np.sum(weight ** 2))))
    norm = [(str(b[0]), int(b[1]), int(b[2])) for b in blocks]
    w = np.array([colour_weight if name == "colour" else 1.0 for name, _, _ in norm])
    dist = np.zeros((n, len(norm)))
    for k, (_, start, end) in enumerate(norm):
        v = var_o[:, start:end]
        pooled = v.mean(axis=1, keepdims=True)
        floor = (0.01 * np.sqrt(np.mean(mean_o[:, start:end] ** 2, axis=1, keepdims=True)) + 1e-6) ** 2
        z = diff[:, start:end] / np.sqrt((1 - shrink) * v + shrink * pooled + floor)
        dist[:, k] = np.sqrt(np.mean(z ** 2, axis=1))
    return dist @ w / w.sum()


def calibrate(emb: np.ndarray, blocks: Sequence[Sequence[Any]], colour_weight: float = COLOUR_WEIGHT,
              shrink: float = SHRINK, prior: dict[str, Any] | None = None) -> dict[str, Any]:
    loo = leave_one_out(emb, blocks, colour_weight, shrink, prior)
    base = float(np.quantile(loo, CALIBRATION_QUANTILE)) if loo.size else 1.0
    return {
        "method": "standardised diagonal distance to the references' mean, leave-one-out",
        "quantile": CALIBRATION_QUANTILE,
        "base": max(base, 1e-6),
        "loo_distances": [round(float(d), 6) for d in loo],
        "colour_weight": colour_weight,
        "shrink": shrink,
        "prior": (prior or {}).get("name"),
    }


# --------------------------------------------------------------------------------------
# The index
# --------------------------------------------------------------------------------------
@dataclass
class StyleIndex:
    encoder_id: str
    encoder_spec: str
    blocks: list[tuple[str, int, int]]
    embeddings: np.ndarray
    references: list[dict[str, str]]
    calibration: dict[str, Any]
    created: str = ""
    source: str | None = None  # file it was read from (for messages)
    extra: dict[str, Any] = field(default_factory=dict)
    _stats: StyleStats | None = field(default=None, repr=False)

    prior: dict[str, Any] | None = None

    @property
    def stats(self) -> StyleStats:
        if self._stats is None:
            self._stats = StyleStats.fit(self.embeddings, self.blocks,
                                         float(self.calibration.get("colour_weight", COLOUR_WEIGHT)),
                                         float(self.calibration.get("shrink", SHRINK)), self.prior)
        return self._stats

    @property
    def base(self) -> float:
        return float(self.calibration["base"])

    def drift(self, emb: np.ndarray) -> np.ndarray:
        """Drift ratio (distance / calibrated base) per row: about 1 for a typical reference."""
        return self.stats.distance(emb) / self.base

    def nearest(self, emb: np.ndarray) -> list[int]:
        st = self.stats
        w = st.weight if st.weight is not None else 1.0
        refs, x = prior_features(self.embeddings, self.prior), prior_features(emb, self.prior)
        z = (x[:, None, :] - refs[None]) / st.scale * w
        return [int(i) for i in np.argmin(np.sqrt((z ** 2).mean(axis=2)), axis=1)]

    def require_encoder(self, encoder_id: str) -> None:
        if encoder_id != self.encoder_id:
            where = f"{self.source}: " if self.source else ""
            raise IndexMismatchError(
                f"{where}reference index was built with encoder {self.encoder_id!r} but this run uses "
                f"{encoder_id!r}; embeddings from different encoders are not comparable. Rebuild the index "
                f"(assetqa index REFS --out FILE --encoder {self.encoder_spec}) or set checks.style.encoder "
                "to the index's encoder."
            )

    def header(self) -> dict[str, Any]:
        return {
            "format": INDEX_FORMAT,
            "version": INDEX_VERSION,
            "created": self.created,
            "encoder": {"id": self.encoder_id, "spec": self.encoder_spec, "blocks": [list(b) for b in self.blocks],
                        "dim": int(self.embeddings.shape[1])},
            "references": self.references,
            "calibration": self.calibration,
            **({"extra": self.extra} if self.extra else {}),
        }

    def save(self, path: str | Path) -> Path:
        """Write atomically (temp file in the same directory, fsync, rename)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        header = json.dumps(self.header(), sort_keys=True).encode("utf-8")
        buf = io.BytesIO()
        arrays = {"embeddings": self.embeddings.astype(np.float32), "header": np.frombuffer(header, dtype=np.uint8)}
        if self.prior is not None:
            arrays["prior_content_var"] = np.asarray(self.prior["content_var"], dtype=np.float64)
            arrays["prior_weight"] = np.asarray(self.prior["weight"], dtype=np.float64)
            projection = prior_projection(self.prior)
            if projection is not None:
                arrays["prior_projection"] = projection
        np.savez(buf, **arrays)
        atomic_write_bytes(path, buf.getvalue())
        return path


def load_index(path: str | Path) -> StyleIndex:
    """Read an index file; errors name the file and the reason."""
    path = Path(path)
    if not path.is_file():
        raise StyleIndexError(f"{path}: reference index not found")
    try:
        with np.load(path, allow_pickle=False) as data:
            header = json.loads(bytes(data["header"].astype(np.uint8)).decode("utf-8"))
            emb = np.asarray(data["embeddings"], dtype=np.float32)
            prior = None
            if "prior_weight" in data.files:
                prior = {"content_var": np.asarray(data["prior_content_var"]),
                         "weight": np.asarray(data["prior_weight"])}
                if "prior_projection" in data.files:
                    prior["projection"] = np.asarray(data["prior_projection"])
    except (OSError, ValueError, KeyError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise StyleIndexError(f"{path}: not a readable assetqa style index ({exc.__class__.__name__}: {exc})") from exc
    if header.get("format") != INDEX_FORMAT:
        raise StyleIndexError(f"{path}: not an assetqa style index (format {header.get('format')!r})")
    if int(header.get("version", 0)) > INDEX_VERSION:
        raise StyleIndexError(f"{path}: index version {header.get('version')} is newer than this assetqa supports")
    enc = header.get("encoder") or {}
    blocks = [(str(b[0]), int(b[1]), int(b[2])) for b in enc.get("blocks", [])]
    if emb.ndim != 2 or not blocks or blocks[-1][2] != emb.shape[1]:
        raise StyleIndexError(f"{path}: embeddings shape {emb.shape} does not match the declared blocks")
    return StyleIndex(
        encoder_id=str(enc.get("id")), encoder_spec=str(enc.get("spec")), blocks=blocks, embeddings=emb,
        references=list(header.get("references") or []), calibration=dict(header.get("calibration") or {}),
        created=str(header.get("created", "")), source=str(path), extra=dict(header.get("extra") or {}),
        prior=_with_prior_meta(prior, header),
    )


def _with_prior_meta(prior: dict[str, Any] | None, header: dict[str, Any]) -> dict[str, Any] | None:
    if prior is None:
        return None
    meta = (header.get("calibration") or {}).get("prior_meta") or {}
    return {**meta, **prior}


def build_index_from_embeddings(emb: np.ndarray, encoder: Any, encoder_spec: str,
                                references: list[dict[str, str]]) -> StyleIndex:
    emb = np.asarray(emb, dtype=np.float32)
    if emb.shape[0] < MIN_REFERENCES:
        raise StyleIndexError(
            f"a reference index needs at least {MIN_REFERENCES} reference images (got {emb.shape[0]}): "
            "calibration measures the references' own spread"
        )
    prior = prior_for(encoder.id)
    calibration = calibrate(emb, encoder.blocks, prior=prior)
    if prior is not None:
        calibration["prior_meta"] = {k: v for k, v in prior.items() if k not in PRIOR_ARRAYS}
    return StyleIndex(
        encoder_id=encoder.id, encoder_spec=encoder_spec, blocks=[tuple(b) for b in encoder.blocks], embeddings=emb,
        references=references, calibration=calibration,
        created=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), prior=prior,
    )


def list_reference_files(paths: Sequence[str | Path]) -> list[Path]:
    """Image files in the given files/folders (recursively, sorted); hidden files skipped."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw).expanduser()
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in IMAGE_EXTENSIONS
                          and not any(part.startswith(".") for part in f.relative_to(p).parts))
        elif p.is_file():
            out.append(p)
        else:
            raise StyleIndexError(f"{p}: no such file or folder")
    return out


def build_index(paths: Sequence[str | Path], encoder: Any, encoder_spec: str,
                cache_dir: Path | None = None) -> tuple[StyleIndex, list[str]]:
    """Decode and embed the reference images; returns the index and per-file problems (skipped files)."""
    from qa.asset import Asset, sha256_bytes
    from qa.decode import DecodeError, decode
    from qa.encoders import embed_assets

    files = list_reference_files(paths)
    assets: list[Asset] = []
    problems: list[str] = []
    for f in files:
        try:
            data = f.read_bytes()
            assets.append(Asset(path=f, display_path=str(f), data=data, sha256=sha256_bytes(data), image=decode(data)))
        except DecodeError as exc:
            problems.append(f"{f}: skipped, cannot decode ({getattr(exc, 'reason', exc)})")
        except OSError as exc:
            problems.append(f"{f}: skipped, cannot read ({exc.strerror or exc})")
    if not assets:
        raise StyleIndexError(f"no decodable reference images in {', '.join(str(p) for p in paths)}")
    emb = embed_assets(encoder, assets, cache_dir)
    refs = [{"path": a.display_path, "sha256": a.sha256} for a in assets]
    return build_index_from_embeddings(emb, encoder, encoder_spec, refs), problems
