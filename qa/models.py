"""Process-wide model hub: every model loads once, lazily, on the chosen device.

Checkers ask `ctx.models.get(name, **options)`; loaders are registered by the
modules that own them with `@model_loader(name)`. Nothing here imports torch
until a model is actually requested, so cached runs and the dashboard stay light.
"""
from __future__ import annotations

import glob
import os
import sys
import threading
from typing import Any, Callable

ModelLoader = Callable[..., Any]
MODEL_LOADERS: dict[str, ModelLoader] = {}


def model_loader(name: str) -> Callable[[ModelLoader], ModelLoader]:
    """Register `fn(device: str, **options) -> model` under `name`."""

    def wrap(fn: ModelLoader) -> ModelLoader:
        MODEL_LOADERS[name] = fn
        return fn

    return wrap


def resolve_device(requested: str = "auto") -> str:
    """`auto` -> `cuda` when torch sees a GPU, else `cpu`. Imports torch only when asked."""
    requested = (requested or "auto").lower()
    if requested not in ("auto", "cpu", "cuda") and not requested.startswith("cuda:"):
        raise ValueError(f"unknown device {requested!r} (expected auto, cpu or cuda)")
    if requested != "auto":
        if requested.startswith("cuda"):
            try:
                import torch

                if not torch.cuda.is_available():
                    raise ValueError("--device cuda requested but no CUDA GPU is available")
            except ImportError as exc:
                raise ValueError("--device cuda requested but torch is not installed") from exc
        return requested
    if not gpu_device_nodes_present():
        return "cpu"
    try:
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    except ImportError:
        return "cpu"


def gpu_device_nodes_present() -> bool:
    """False when this Linux machine certainly has no GPU torch could use: no NVIDIA device nodes
    and no ROCm (/dev/kfd), or CUDA_VISIBLE_DEVICES hides every device.

    Why: `auto` on a CPU machine then answers without importing torch (1-2 s and ~400 MB in the
    process that only coordinates workers). Elsewhere (macOS, Windows) torch is asked.
    """
    if os.environ.get("CUDA_VISIBLE_DEVICES", None) in ("", "-1"):
        return False
    if not sys.platform.startswith("linux"):
        return True
    return bool(glob.glob("/dev/nvidia[0-9]*")) or os.path.exists("/dev/kfd")


class ModelHub:
    """Lazily loads and keeps models for the life of the process."""

    def __init__(self, device: str = "auto"):
        self.requested_device = device
        self._device: str | None = None
        self._models: dict[tuple[str, tuple[tuple[str, Any], ...]], Any] = {}
        self._lock = threading.Lock()
        self.loaded: dict[str, str] = {}  # name -> description, for the report

    @property
    def device(self) -> str:
        if self._device is None:
            self._device = resolve_device(self.requested_device)
        return self._device

    def get(self, name: str, **options: Any) -> Any:
        key = (name, tuple(sorted((k, _hashable(v)) for k, v in options.items())))
        with self._lock:
            if key not in self._models:
                if name not in MODEL_LOADERS:
                    raise KeyError(f"no model loader registered for {name!r}")
                model = MODEL_LOADERS[name](self.device, **options)
                self._models[key] = model
                self.loaded[name] = getattr(model, "model_id", name)
            return self._models[key]


def _hashable(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    return value


_HUB: ModelHub | None = None


def process_hub(device: str = "auto") -> ModelHub:
    """One hub per process (worker processes get their own)."""
    global _HUB
    if _HUB is None or _HUB.requested_device != device:
        _HUB = ModelHub(device)
    return _HUB
