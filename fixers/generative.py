"""Generative inpainting/outpainting backend: a user-supplied torch network.

No inpainting weights ship on PyPI, so this backend is used only when a profile
points `fix.inpaint.weights` (or `fix.outpaint.weights`) at a local checkpoint.

Network interface (the LaMa / lama-cleaner `big-lama.pt` convention)::

    forward(image: float32[N, 3, H, W] in 0..1, mask: float32[N, 1, H, W] in {0, 1}) -> float32[N, 3, H, W] in 0..1

where mask = 1 marks pixels to fill. H and W are padded to a multiple of `pad_to`
(8) by reflection before the call and cropped after.

Accepted checkpoint forms (`load_inpainter(path)`):

1. **TorchScript** (`torch.jit.save`, e.g. lama-cleaner's `big-lama.pt`): loaded with
   `torch.jit.load(path, map_location=device)`.
2. **state_dict + architecture spec**: `model.pt` / `model.pth` / `model.safetensors`-free
   plain `torch.save(state_dict)` plus a JSON file beside it (`model.json`, or
   `<file>.json`) that names the class and its constructor arguments::

       {"arch": "package.module:ClassName", "kwargs": {...}, "pad_to": 8}

   The class is imported, built, `load_state_dict(strict=True)` is applied (weights
   are loaded with `weights_only=True`, so a checkpoint cannot run code).
3. A **diffusers** folder (`model_index.json`): needs the `diffusers` package, which
   assetqa does not install; a clear error says so.

`TinyInpaintNet` below is a reference implementation of the interface (a few
convolutions); tests save a randomly initialised one to check the plumbing.
Generative fixes are always *unsafe* (they invent content).
"""
from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import numpy as np

from qa.fsutil import sha256_file
from qa.models import model_loader


class GenerativeUnavailable(Exception):
    """The configured generative backend cannot be loaded (message says why)."""


class GenerativeInpainter:
    """Wraps a torch network with the interface above; `inpaint(rgb, mask)` works on numpy."""

    def __init__(self, net: Any, device: str, model_id: str, pad_to: int = 8, max_side: int = 1024):
        self.net = net
        self.device = device
        self.model_id = model_id
        self.pad_to = max(1, int(pad_to))
        self.max_side = max_side

    def _run(self, crop: np.ndarray, mask: np.ndarray) -> np.ndarray:
        import torch
        import torch.nn.functional as F

        h, w = mask.shape
        img = torch.from_numpy(crop.astype(np.float32) / 255.0).permute(2, 0, 1)[None]
        msk = torch.from_numpy(mask.astype(np.float32))[None, None]
        ph = (-h) % self.pad_to
        pw = (-w) % self.pad_to
        if ph or pw:
            mode = "reflect" if h > ph and w > pw else "replicate"
            img = F.pad(img, (0, pw, 0, ph), mode=mode)
            msk = F.pad(msk, (0, pw, 0, ph), mode="constant", value=0.0)
        with torch.inference_mode():
            out = self.net(img.to(self.device), msk.to(self.device))
        if isinstance(out, (tuple, list)):
            out = out[0]
        if not hasattr(out, "shape") or out.ndim != 4 or out.shape[1] != 3:
            raise GenerativeUnavailable(f"{self.model_id}: network returned {getattr(out, 'shape', type(out))}, "
                                        "expected [N, 3, H, W]")
        arr = out[0, :, :h, :w].float().clamp(0, 1).permute(1, 2, 0).cpu().numpy()
        return (arr * 255.0 + 0.5).astype(np.uint8)

    def inpaint(self, rgb: np.ndarray, mask: np.ndarray, context: int = 64) -> np.ndarray:
        """Fill `mask` in `rgb` (full-size result); the network sees a padded crop around the mask."""
        out = rgb.copy()
        ys, xs = np.nonzero(mask)
        if ys.size == 0:
            return out
        H, W = mask.shape
        y0, y1 = max(0, ys.min() - context), min(H, ys.max() + 1 + context)
        x0, x1 = max(0, xs.min() - context), min(W, xs.max() + 1 + context)
        crop = rgb[y0:y1, x0:x1]
        m = mask[y0:y1, x0:x1]
        filled = self._run(crop, m)
        region = out[y0:y1, x0:x1]
        region[m] = filled[m]
        return out


def _import_arch(spec: str) -> Any:
    if ":" not in spec:
        raise GenerativeUnavailable(f"arch {spec!r} must be 'package.module:ClassName'")
    module, _, name = spec.partition(":")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise GenerativeUnavailable(f"cannot import architecture {spec!r}: {exc}") from exc


def _spec_for(path: Path) -> dict[str, Any] | None:
    for candidate in (path.with_suffix(".json"), path.parent / (path.name + ".json")):
        if candidate.is_file():
            try:
                return json.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                raise GenerativeUnavailable(f"{candidate}: invalid architecture spec ({exc})") from exc
    return None


def load_inpainter(path: str | Path, device: str = "cpu") -> GenerativeInpainter:
    """Load a local inpainting checkpoint (see the module docstring); cached once per process."""
    from qa.models import process_hub

    return process_hub(device).get("generative-inpaint", path=str(Path(path).expanduser().resolve()))


@model_loader("generative-inpaint")
def _load(device: str, path: str) -> GenerativeInpainter:
    import torch

    p = Path(path)
    if p.is_dir():
        if (p / "model_index.json").is_file():
            try:
                importlib.import_module("diffusers")
            except ImportError as exc:
                raise GenerativeUnavailable(
                    f"{p}: a diffusers pipeline needs the `diffusers` package (pip install diffusers); "
                    "or export the network to TorchScript"
                ) from exc
            raise GenerativeUnavailable(f"{p}: diffusers pipelines are not wired in this version; "
                                        "export the inpainting network to TorchScript")
        raise GenerativeUnavailable(f"{p}: a folder without model_index.json is not a known checkpoint layout")
    if not p.is_file():
        raise GenerativeUnavailable(f"{p}: weights file not found")
    digest = sha256_file(p)[:12]
    dev = "cuda" if device.startswith("cuda") and torch.cuda.is_available() else "cpu"
    spec = _spec_for(p)
    if spec is None:
        try:
            net = torch.jit.load(str(p), map_location=dev)
        except Exception as exc:  # noqa: BLE001 - anything torch raises means "not TorchScript"
            raise GenerativeUnavailable(
                f"{p}: not a TorchScript file and no architecture spec ({p.with_suffix('.json').name}) beside it"
            ) from exc
        net.eval()
        return GenerativeInpainter(net, dev, f"torchscript:{p.name}@{digest}")
    cls = _import_arch(str(spec.get("arch", "")))
    net = cls(**dict(spec.get("kwargs") or {}))
    try:
        state = torch.load(str(p), map_location=dev, weights_only=True)
    except Exception as exc:  # noqa: BLE001
        raise GenerativeUnavailable(f"{p}: cannot read state_dict ({exc})") from exc
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    try:
        net.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        raise GenerativeUnavailable(f"{p}: weights do not match {spec['arch']} ({str(exc).splitlines()[0]})") from exc
    net.to(dev).eval()
    return GenerativeInpainter(net, dev, f"{spec['arch']}:{p.name}@{digest}", pad_to=int(spec.get("pad_to", 8)))


def tiny_inpaint_net(width: int = 8) -> Any:
    """Build the reference network (importing torch only when called)."""
    return _tiny_cls()(width=width)


_TINY: Any = None


def _tiny_cls() -> Any:
    global _TINY
    if _TINY is None:
        import torch
        from torch import nn

        class TinyInpaintNet(nn.Module):
            """Reference implementation of the interface: image*(1-mask) ++ mask -> convs -> blend."""

            def __init__(self, width: int = 8):
                super().__init__()
                self.body = nn.Sequential(
                    nn.Conv2d(4, width, 3, padding=1), nn.ReLU(),
                    nn.Conv2d(width, width, 3, padding=2, dilation=2), nn.ReLU(),
                    nn.Conv2d(width, 3, 3, padding=1), nn.Sigmoid(),
                )

            def forward(self, image: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
                x = torch.cat([image * (1 - mask), mask], dim=1)
                pred = self.body(x)
                return image * (1 - mask) + pred * mask

        TinyInpaintNet.__module__ = __name__
        TinyInpaintNet.__qualname__ = "TinyInpaintNet"
        _TINY = TinyInpaintNet
    return _TINY


def __getattr__(name: str) -> Any:
    # `fixers.generative:TinyInpaintNet` works as an architecture spec without importing torch at import time.
    if name == "TinyInpaintNet":
        return _tiny_cls()
    raise AttributeError(name)
