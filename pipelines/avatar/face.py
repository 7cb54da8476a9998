"""A still portrait and what we know about it: MediaPipe face-mesh landmarks and a person mask.

Both come from MediaPipe's published models (pipelines.avatar.landmarks) and are cached by the
portrait file's hash, so every variant and aspect of a job (and every later job with the same
presenter) reuses them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from pipelines.avatar import landmarks as lm
from pipelines.avatar.base import cache_key, load_arrays, save_arrays
from pipelines.errors import AvatarError

PRESENTERS_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "store" / "presenters"
# The demo store's public-domain portraits (see fixtures/store/presenters/README.md)
DEMO_PORTRAIT = PRESENTERS_DIR / "astronaut.jpg"  # Eileen Collins, NASA: smiling, teeth showing
DEMO_PORTRAIT_CLOSED = PRESENTERS_DIR / "grace-hopper.jpg"  # Grace Hopper, US Navy: closed mouth


@dataclass
class PortraitFace:
    """Landmarks (468 x (x, y, z), image pixels) and person probability (image size, 0..1)."""

    points: np.ndarray
    person: np.ndarray

    def box(self) -> tuple[int, int, int, int]:
        """Forehead to chin, cheek to cheek (x, y, w, h) in image pixels (the face oval's bounds)."""
        oval = self.points[list(lm.FACE_OVAL), :2]
        x0, y0 = oval.min(axis=0)
        x1, y1 = oval.max(axis=0)
        return int(x0), int(y0), int(round(x1 - x0)), int(round(y1 - y0))


def load_portrait(path: Path | None) -> tuple[np.ndarray, str]:
    """RGB uint8 image and a stable id. None means the bundled demo portrait."""
    if path is None:
        path = DEMO_PORTRAIT
    path = Path(path)
    if not path.is_file():
        raise AvatarError(f"The presenter photo {str(path)!r} does not exist.", code="portrait_missing", stage="avatar")
    raw = np.fromfile(path, np.uint8)
    image = cv2.imdecode(raw, cv2.IMREAD_COLOR)
    if image is None:
        raise AvatarError(f"The presenter photo {path.name!r} is not an image we can read (use JPEG, PNG or WebP).",
                          code="portrait_unreadable", stage="avatar")
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB), path.name


def find_face(image: np.ndarray) -> PortraitFace:
    return PortraitFace(points=lm.face_mesh(image), person=lm.segment_person(image))


def find_face_cached(image: np.ndarray, portrait_id: str, root: Path) -> PortraitFace:
    key = cache_key("face", id=portrait_id, shape=image.shape, models=lm.MEDIAPIPE_VERSION)
    cached = load_arrays(root, key)
    if cached is not None and cached.get("points", np.zeros(0)).shape == (468, 3):
        return PortraitFace(points=cached["points"], person=cached["person"].astype(np.float32) / 255)
    face = find_face(image)
    save_arrays(root, key, {"points": face.points, "person": np.round(face.person * 255).astype(np.uint8)})
    return face
