"""Find a face and its features in a still portrait, with models that ship inside our wheels.

The face comes from scikit-image's bundled LBP frontal-face cascade (opencv-python-headless 5
no longer ships its Haar cascades; mediapipe wheels carry no models). Eyes and mouth are then
placed from face proportions and refined on the image: the eyes are the darkest blobs in the
eye band, the mouth line is the darkest row in the lower face.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass
from pathlib import Path

import cv2
import numpy as np

from pipelines.errors import AvatarError


@dataclass(frozen=True)
class FaceFeatures:
    """In image pixels. The box is the detector's square (brows to lower lip, roughly)."""

    box: tuple[int, int, int, int]  # x, y, w, h
    left_eye: tuple[float, float]  # image-left eye centre
    right_eye: tuple[float, float]
    mouth: tuple[float, float]  # centre of the lip line
    mouth_width: float

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "FaceFeatures":
        return cls(box=tuple(int(v) for v in data["box"]), left_eye=tuple(data["left_eye"]),
                   right_eye=tuple(data["right_eye"]), mouth=tuple(data["mouth"]),
                   mouth_width=float(data["mouth_width"]))


@functools.lru_cache(maxsize=1)
def _cascade():
    from skimage import data
    from skimage.feature import Cascade

    return Cascade(data.lbp_frontal_face_cascade_filename())


def detect_face(image: np.ndarray) -> tuple[int, int, int, int] | None:
    """Largest frontal face as (x, y, w, h) in image pixels, or None."""
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    scale = min(1.0, 640 / max(gray.shape))
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
    side = min(small.shape)
    found = _cascade().detect_multi_scale(img=small.astype(np.float32) / 255, scale_factor=1.15, step_ratio=1,
                                          min_size=(int(side * 0.1), int(side * 0.1)),
                                          max_size=(int(side * 0.95), int(side * 0.95)))
    if not found:
        return None
    best = max(found, key=lambda d: d["width"] * d["height"])
    return (int(best["c"] / scale), int(best["r"] / scale), int(best["width"] / scale), int(best["height"] / scale))


def _darkest_blob(gray: np.ndarray, x0: int, y0: int, x1: int, y1: int, sigma: float) -> tuple[float, float]:
    region = gray[max(y0, 0):y1, max(x0, 0):x1].astype(np.float32)
    if region.size == 0:
        return ((x0 + x1) / 2, (y0 + y1) / 2)
    blurred = cv2.GaussianBlur(region, (0, 0), max(sigma, 0.8))
    # prefer the centre of the search box: eyes sit near their expected place
    yy, xx = np.mgrid[0:region.shape[0], 0:region.shape[1]].astype(np.float32)
    prior = ((xx - region.shape[1] / 2) / region.shape[1]) ** 2 + ((yy - region.shape[0] / 2) / region.shape[0]) ** 2
    score = blurred + prior * 120
    y, x = np.unravel_index(int(np.argmin(score)), score.shape)
    return (max(x0, 0) + float(x), max(y0, 0) + float(y))


def find_features(image: np.ndarray) -> FaceFeatures:
    box = detect_face(image)
    if box is None:
        raise AvatarError("No face was found in the presenter photo. Use a well-lit, front-facing portrait "
                          "where the face is at least a tenth of the picture.", code="no_face_found", stage="avatar")
    x, y, w, h = box
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    eye_y0, eye_y1 = int(y + 0.22 * h), int(y + 0.52 * h)
    left = _darkest_blob(gray, int(x + 0.12 * w), eye_y0, int(x + 0.46 * w), eye_y1, 0.03 * w)
    right = _darkest_blob(gray, int(x + 0.54 * w), eye_y0, int(x + 0.88 * w), eye_y1, 0.03 * w)
    # the lip line: darkest row (averaged over the mouth's middle) between nose and chin
    band = gray[int(y + 0.68 * h):int(y + 0.98 * h), int(x + 0.35 * w):int(x + 0.65 * w)].astype(np.float32)
    if band.size:
        rows = cv2.GaussianBlur(band, (0, 0), max(0.015 * w, 0.8)).mean(axis=1)
        prior = ((np.arange(len(rows)) - 0.4 * len(rows)) / len(rows)) ** 2 * 60
        mouth_y = y + 0.68 * h + float(np.argmin(rows + prior))
    else:
        mouth_y = y + 0.8 * h
    eye_mid = (left[0] + right[0]) / 2
    mouth_x = 0.5 * eye_mid + 0.5 * (x + w / 2)
    return FaceFeatures(box=box, left_eye=left, right_eye=right, mouth=(mouth_x, mouth_y),
                        mouth_width=0.42 * w)


def load_portrait(path: Path | None) -> tuple[np.ndarray, str]:
    """RGB uint8 image and a stable id. None means the bundled demo portrait (skimage astronaut,
    public domain, NASA)."""
    if path is None:
        from skimage import data

        return np.ascontiguousarray(data.astronaut()[..., :3]), "skimage:astronaut"
    path = Path(path)
    if not path.is_file():
        raise AvatarError(f"The presenter photo {str(path)!r} does not exist.", code="portrait_missing", stage="avatar")
    raw = np.fromfile(path, np.uint8)
    image = cv2.imdecode(raw, cv2.IMREAD_COLOR)
    if image is None:
        raise AvatarError(f"The presenter photo {path.name!r} is not an image we can read (use JPEG, PNG or WebP).",
                          code="portrait_unreadable", stage="avatar")
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB), path.name
