"""MediaPipe's face detector, 468-point face mesh and selfie segmenter, run as raw .tflite files.

The models are MediaPipe's own (Apache-2.0), taken from the mediapipe 0.10.21 wheel at install
time by scripts/fetch_face_models.py; they run under ai-edge-litert (LiteRT), so the mediapipe
package (numpy<2, protobuf<5) is never installed. The pre- and post-processing restate
MediaPipe's graphs:

- detector (face_detection_short_range.pbtxt + face_detection.pbtxt): the image letterboxed to
  128x128, values in [-1, 1]; 896 SSD anchors (strides 8, 16, 16, 16; fixed anchor size);
  16 numbers per anchor (box centre x/y, w/h, then 6 keypoints x/y) scaled by 128 and offset by
  the anchor; sigmoid scores.
- region of interest (face_detection_front_detection_to_roi.pbtxt): the box rotated so the
  eye keypoints 0 -> 1 lie level, scaled 1.5x, square on its long side.
- mesh (face_landmark_cpu.pbtxt): that square cropped to 192x192 with replicated borders,
  values in [0, 1]; 1404 outputs = 468 x (x, y, z) in crop pixels, projected back through the
  crop's rotation. A still photo gets a second pass from the landmarks' own region
  (face_landmark_landmarks_to_roi.pbtxt: eye corners 33 -> 263, 1.5x), as the tracker would.
- segmentation (selfie_segmentation_cpu.pbtxt): 256x256 stretched, [0, 1], the output is the
  person probability already (activation NONE).
"""

from __future__ import annotations

import functools
import math
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from pipelines.errors import AvatarError

MEDIAPIPE_VERSION = "0.10.21"
DETECTOR = "face_detection_short_range.tflite"
MESH = "face_landmark.tflite"
SEGMENTER = "selfie_segmentation.tflite"

# Face mesh indices (mediapipe/python/solutions/face_mesh_connections.py), image-left first.
LIPS_OUTER_UPPER = (61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291)
LIPS_OUTER_LOWER = (61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291)
LIPS_INNER_UPPER = (78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308)
LIPS_INNER_LOWER = (78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308)
# eyes: corners, then the upper and lower lid from the outer to the inner corner
RIGHT_EYE_UPPER = (33, 246, 161, 160, 159, 158, 157, 173, 133)  # the subject's right: image left
RIGHT_EYE_LOWER = (33, 7, 163, 144, 145, 153, 154, 155, 133)
LEFT_EYE_UPPER = (263, 466, 388, 387, 386, 385, 384, 398, 362)
LEFT_EYE_LOWER = (263, 249, 390, 373, 374, 380, 381, 382, 362)
FACE_OVAL = (10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
             152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109)
CHIN = 152
NOSE_TIP = 1


def model_dir() -> Path:
    configured = os.environ.get("ADGEN_FACE_MODEL_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "adgen" / f"mediapipe-{MEDIAPIPE_VERSION}"


class _Model:
    """One LiteRT interpreter; calls are serialised (an interpreter is not thread-safe)."""

    def __init__(self, path: Path):
        try:
            from ai_edge_litert.interpreter import Interpreter
        except ImportError as exc:  # pragma: no cover - a broken install
            raise AvatarError("The photo presenter needs the ai-edge-litert package (pip install ai-edge-litert).",
                              code="face_model_missing", stage="avatar") from exc
        self.interpreter = Interpreter(model_path=str(path), num_threads=1)
        self.interpreter.allocate_tensors()
        self.input = self.interpreter.get_input_details()[0]["index"]
        self.outputs = [d["index"] for d in self.interpreter.get_output_details()]
        self.lock = threading.Lock()

    def __call__(self, tensor: np.ndarray) -> list[np.ndarray]:
        with self.lock:
            self.interpreter.set_tensor(self.input, np.ascontiguousarray(tensor[None], np.float32))
            self.interpreter.invoke()
            return [self.interpreter.get_tensor(i).copy() for i in self.outputs]


@functools.lru_cache(maxsize=None)
def _model(name: str) -> _Model:
    path = model_dir() / name
    if not path.is_file():
        raise AvatarError(f"MediaPipe's face model {name} is not installed in {path.parent}. Run "
                          f"`python scripts/fetch_face_models.py` (part of `make setup`), or point "
                          f"ADGEN_FACE_MODEL_DIR at a folder holding it.", code="face_model_missing", stage="avatar")
    return _Model(path)


# --------------------------------------------------------------------------- detector


@functools.lru_cache(maxsize=1)
def _anchors() -> np.ndarray:
    """(896, 2) anchor centres, normalised, in MediaPipe's order (SsdAnchorsCalculator)."""
    centres = []
    for stride, per_cell in ((8, 2), (16, 6)):  # layers of equal stride share one grid
        side = 128 // stride
        for y in range(side):
            for x in range(side):
                centres += [((x + 0.5) / side, (y + 0.5) / side)] * per_cell
    return np.array(centres, np.float32)


@dataclass(frozen=True)
class Roi:
    """A rotated square in image pixels: centre, side, rotation (radians, clockwise on screen)."""

    cx: float
    cy: float
    side: float
    rotation: float

    def to_crop(self, size: int) -> np.ndarray:
        """2x3 matrix from crop pixels to image pixels."""
        c, s = math.cos(self.rotation), math.sin(self.rotation)
        k = self.side / size
        return np.float32([[c * k, -s * k, self.cx - self.side / 2 * (c - s)],
                           [s * k, c * k, self.cy - self.side / 2 * (s + c)]])


def _rotation(p0, p1) -> float:
    angle = -math.atan2(-(p1[1] - p0[1]), p1[0] - p0[0])
    return math.atan2(math.sin(angle), math.cos(angle))


def detect_face(image: np.ndarray, min_score: float = 0.5) -> tuple[np.ndarray, np.ndarray, float] | None:
    """The most confident face: box (cx, cy, w, h) and 6 keypoints (x, y) in image pixels, score."""
    h, w = image.shape[:2]
    side = max(h, w)
    square = np.zeros((side, side, 3), np.uint8)  # keep_aspect_ratio with BORDER_ZERO
    ox, oy = (side - w) // 2, (side - h) // 2
    square[oy:oy + h, ox:ox + w] = image
    tensor = cv2.resize(square, (128, 128), interpolation=cv2.INTER_AREA).astype(np.float32) / 127.5 - 1
    regressors, scores = _model(DETECTOR)(tensor)
    raw = regressors[0]
    score = 1 / (1 + np.exp(-np.clip(scores[0, :, 0], -80, 80)))
    best = int(np.argmax(score))
    if score[best] < min_score:
        return None
    anchor = _anchors()[best]
    values = raw[best] / 128.0
    box = np.float32([values[0] + anchor[0], values[1] + anchor[1], values[2], values[3]])
    keypoints = values[4:16].reshape(6, 2) + anchor
    to_px = np.float32([side, side])
    offset = np.float32([ox, oy])
    box_px = np.concatenate([box[:2] * to_px - offset, box[2:] * to_px])
    return box_px, keypoints * to_px - offset, float(score[best])


def _mesh_in(image: np.ndarray, roi: Roi) -> tuple[np.ndarray, float]:
    crop = cv2.warpAffine(image, roi.to_crop(192), (192, 192), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_REPLICATE)
    points, flag = _model(MESH)(crop.astype(np.float32) / 255.0)
    points = points.reshape(468, 3)
    matrix = roi.to_crop(192)
    xy = points[:, :2] @ matrix[:, :2].T + matrix[:, 2]
    z = points[:, 2:] * roi.side / 192
    presence = float(flag.reshape(-1)[0])
    if not 0 <= presence <= 1:
        presence = 1 / (1 + math.exp(-presence))
    return np.concatenate([xy, z], axis=1).astype(np.float32), presence


def _roi_from_landmarks(points: np.ndarray) -> Roi:
    lo, hi = points[:, :2].min(axis=0), points[:, :2].max(axis=0)
    centre = (lo + hi) / 2
    return Roi(float(centre[0]), float(centre[1]), float(max(hi - lo)) * 1.5, _rotation(points[33], points[263]))


def face_mesh(image: np.ndarray) -> np.ndarray:
    """(468, 3) landmarks of the most confident face in image pixels (z in pixels too).

    Raises AvatarError(no_face_found) when there is no face."""
    found = detect_face(image)
    if found is None:
        raise AvatarError("No face was found in the presenter photo. Use a well-lit, front-facing portrait "
                          "where the face is at least a tenth of the picture.", code="no_face_found", stage="avatar")
    box, keypoints, _ = found
    roi = Roi(float(box[0]), float(box[1]), float(max(box[2], box[3])) * 1.5, _rotation(keypoints[0], keypoints[1]))
    points, presence = _mesh_in(image, roi)
    for _ in range(2):  # a still photo: refine from the landmarks' own region, as the tracker does
        points, presence = _mesh_in(image, _roi_from_landmarks(points))
    if presence < 0.5:
        raise AvatarError("The face in the presenter photo could not be traced (turned away or covered?). "
                          "Use a front-facing portrait.", code="no_face_found", stage="avatar")
    return points


def segment_person(image: np.ndarray) -> np.ndarray:
    """Person probability per pixel (float32 0..1, the image's size)."""
    h, w = image.shape[:2]
    tensor = cv2.resize(image, (256, 256), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    (mask,) = _model(SEGMENTER)(tensor)
    return np.clip(cv2.resize(mask[0, :, :, 0], (w, h), interpolation=cv2.INTER_LINEAR), 0, 1).astype(np.float32)
