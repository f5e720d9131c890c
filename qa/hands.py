"""MediaPipe hand and pose models, loaded once per process through the model hub.

Weights come from the `mediapipe==0.10.21` wheel itself (`mediapipe/modules/...`):
palm_detection_full + hand_landmark_full for hands, pose_detection + pose_landmark_full
for the body skeleton. Nothing is downloaded. mediapipe is imported only inside the
loaders, so importing this module costs nothing.

Device: the legacy solution graphs of the pip wheel run on the CPU (XNNPACK). On a CUDA
machine the hand model is tried through the Tasks API with MediaPipe's GPU delegate and
falls back to the CPU graph when that delegate cannot start; `model_id` says which ran.
(The GPU path was not exercised here: no GPU machine was available.) The legacy solution API takes one
image per call, so "batching" is a loop over images with a loaded graph.
"""
from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qa.fsutil import sha256_file
from qa.models import model_loader

HAND_FILES = ("palm_detection/palm_detection_full.tflite", "hand_landmark/hand_landmark_full.tflite")
POSE_FILES = ("pose_detection/pose_detection.tflite", "pose_landmark/pose_landmark_full.tflite")

# Landmark indices (MediaPipe hand topology).
WRIST = 0
FINGERS = ((1, 2, 3, 4), (5, 6, 7, 8), (9, 10, 11, 12), (13, 14, 15, 16), (17, 18, 19, 20))
FINGER_NAMES = ("thumb", "index", "middle", "ring", "pinky")
POSE_WRISTS = (15, 16)  # left, right wrist in the 33-point pose skeleton
POSE_ELBOWS = (13, 14)


def modules_dir() -> Path:
    """mediapipe's bundled model folder, found without importing mediapipe (that costs seconds:
    it imports matplotlib), so naming the weights for the cache key stays cheap."""
    spec = importlib.util.find_spec("mediapipe")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("mediapipe is not installed")
    return Path(list(spec.submodule_search_locations)[0]) / "modules"


@functools.lru_cache(maxsize=None)
def _weights_id(files: tuple[str, ...]) -> str:
    parts = []
    for rel in files:
        p = modules_dir() / rel
        digest = sha256_file(p)[:12] if p.exists() else "missing"
        parts.append(f"{Path(rel).stem}:{digest}")
    return f"mediapipe=={importlib.metadata.version('mediapipe')} " + " ".join(parts)


@dataclass
class Hand:
    """One detected hand, landmarks in pixels of the image it was detected on."""

    xy: np.ndarray  # 21x2 pixel coordinates
    z: np.ndarray  # 21 relative depths (image-x scale)
    world: np.ndarray  # 21x3 metres, origin at the hand's centre
    label: str  # "Left" / "Right" as MediaPipe reports it (mirrored-selfie convention)
    score: float  # handedness classification score

    @property
    def box(self) -> tuple[float, float, float, float]:
        x0, y0 = self.xy.min(axis=0)
        x1, y1 = self.xy.max(axis=0)
        return float(x0), float(y0), float(x1), float(y1)

    @property
    def size(self) -> float:
        """Hand scale in pixels: wrist to middle-finger MCP (robust to finger pose)."""
        return float(np.linalg.norm(self.xy[9] - self.xy[0]) + 1e-6)


@dataclass
class Person:
    xy: np.ndarray  # 33x2 pixels
    visibility: np.ndarray  # 33


class HandDetector:
    """Wrapper over `mp.solutions.hands.Hands` (static images), thread-safe."""

    def __init__(self, max_num_hands: int = 4, min_detection_confidence: float = 0.3, model_complexity: int = 1,
                 device: str = "cpu"):
        import mediapipe as mp

        self._hands = mp.solutions.hands.Hands(
            static_image_mode=True, max_num_hands=int(max_num_hands),
            min_detection_confidence=float(min_detection_confidence), model_complexity=int(model_complexity),
        )
        self._lock = threading.Lock()
        self.device = "cpu"
        self.model_id = _weights_id(HAND_FILES) + f" (cpu; requested {device})"

    def detect(self, rgb: np.ndarray) -> list[Hand]:
        h, w = rgb.shape[:2]
        with self._lock:
            res = self._hands.process(np.ascontiguousarray(rgb[..., :3]))
        out: list[Hand] = []
        if not res.multi_hand_landmarks:
            return out
        worlds = res.multi_hand_world_landmarks or [None] * len(res.multi_hand_landmarks)
        for lms, world, hd in zip(res.multi_hand_landmarks, worlds, res.multi_handedness):
            xy = np.array([[p.x * w, p.y * h] for p in lms.landmark], dtype=np.float64)
            z = np.array([p.z * w for p in lms.landmark], dtype=np.float64)
            wl = (np.array([[p.x, p.y, p.z] for p in world.landmark], dtype=np.float64)
                  if world is not None else np.zeros((21, 3)))
            c = hd.classification[0]
            out.append(Hand(xy=xy, z=z, world=wl, label=str(c.label), score=float(c.score)))
        return out

    def detect_batch(self, images: list[np.ndarray]) -> list[list[Hand]]:
        return [self.detect(im) for im in images]


class PoseDetector:
    """Wrapper over `mp.solutions.pose.Pose` (static images; one person per call)."""

    def __init__(self, min_detection_confidence: float = 0.5, device: str = "cpu"):
        import mediapipe as mp

        self._pose = mp.solutions.pose.Pose(
            static_image_mode=True, model_complexity=1, enable_segmentation=False,
            min_detection_confidence=float(min_detection_confidence),
        )
        self._lock = threading.Lock()
        self.model_id = _weights_id(POSE_FILES) + f" (cpu; requested {device})"

    def detect(self, rgb: np.ndarray) -> list[Person]:
        h, w = rgb.shape[:2]
        with self._lock:
            res = self._pose.process(np.ascontiguousarray(rgb[..., :3]))
        if not res.pose_landmarks:
            return []
        lm = res.pose_landmarks.landmark
        xy = np.array([[p.x * w, p.y * h] for p in lm], dtype=np.float64)
        vis = np.array([p.visibility for p in lm], dtype=np.float64)
        return [Person(xy=xy, visibility=vis)]


class TasksHandDetector:
    """The Tasks `HandLandmarker` built from the wheel's two hand .tflite files (in-memory .task).

    Used for `device="cuda"` with MediaPipe's GPU delegate; same `detect` interface as HandDetector.
    """

    def __init__(self, max_num_hands: int = 4, min_detection_confidence: float = 0.3, model_complexity: int = 1,
                 device: str = "cuda"):
        from mediapipe.tasks.python import BaseOptions, vision

        delegate = BaseOptions.Delegate.GPU if str(device).startswith("cuda") else BaseOptions.Delegate.CPU
        opts = vision.HandLandmarkerOptions(
            base_options=BaseOptions(model_asset_buffer=hand_task_bytes(), delegate=delegate),
            running_mode=vision.RunningMode.IMAGE, num_hands=int(max_num_hands),
            min_hand_detection_confidence=float(min_detection_confidence),
        )
        self._lm = vision.HandLandmarker.create_from_options(opts)
        self._lock = threading.Lock()
        self.device = "cuda" if delegate == BaseOptions.Delegate.GPU else "cpu"
        self.model_id = _weights_id(HAND_FILES) + f" (tasks, {self.device})"

    def detect(self, rgb: np.ndarray) -> list[Hand]:
        import mediapipe as mp

        h, w = rgb.shape[:2]
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb[..., :3]))
        with self._lock:
            res = self._lm.detect(image)
        out: list[Hand] = []
        for i, lms in enumerate(res.hand_landmarks):
            xy = np.array([[p.x * w, p.y * h] for p in lms], dtype=np.float64)
            z = np.array([p.z * w for p in lms], dtype=np.float64)
            world = res.hand_world_landmarks[i] if i < len(res.hand_world_landmarks) else None
            wl = np.array([[p.x, p.y, p.z] for p in world], dtype=np.float64) if world else np.zeros((21, 3))
            c = res.handedness[i][0]
            out.append(Hand(xy=xy, z=z, world=wl, label=str(c.category_name), score=float(c.score)))
        return out

    def detect_batch(self, images: list[np.ndarray]) -> list[list[Hand]]:
        return [self.detect(im) for im in images]


@model_loader("mediapipe-hands")
def load_hands(device: str, **opts: Any) -> Any:
    """CPU: the legacy solution graph. CUDA: the Tasks HandLandmarker with the GPU delegate, falling
    back to the CPU graph when the wheel's GPU delegate cannot start (no EGL/GL context)."""
    if str(device).startswith("cuda"):
        try:
            return TasksHandDetector(device=device, **opts)
        except Exception:  # noqa: BLE001 - any delegate failure means: run on the CPU
            pass
    return HandDetector(device=device, **opts)


@model_loader("mediapipe-pose")
def load_pose(device: str, **opts: Any) -> PoseDetector:
    return PoseDetector(device=device, **opts)


def hand_task_bytes() -> bytes:
    """The two hand .tflite files zipped in memory as a `.task` bundle for the Tasks HandLandmarker."""
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.write(modules_dir() / HAND_FILES[0], "hand_detector.tflite")
        zf.write(modules_dir() / HAND_FILES[1], "hand_landmarks_detector.tflite")
    return buf.getvalue()


__all__ = ["Hand", "Person", "HandDetector", "TasksHandDetector", "PoseDetector", "FINGERS", "FINGER_NAMES", "WRIST",
           "POSE_WRISTS", "POSE_ELBOWS", "hand_task_bytes"]
