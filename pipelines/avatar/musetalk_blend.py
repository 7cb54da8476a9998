"""MuseTalk 1.5's face crop and paste-back, as published (`musetalk/utils/preprocessing.py`,
`musetalk/utils/blending.py`, `scripts/inference.py` at 0a89dec).

Crop: from 68 face landmarks (iBUG order), the box spans the jaw line's x range; its top sits as
far above landmark 29 (lower nose bridge, moved by `bbox_shift`; 1.5 uses 0) as the chin is below
it; v1.5 adds `extra_margin` (10 px) under the chin. The crop is resized to 256 x 256
(Lanczos), its lower half masked for the UNet.

Paste-back (`get_image`): the generated face is resized into the box; a square 1.5x the box
around its centre is the blending region; the mask is the face region inside the box, cut to the
lower half of that square and blurred with a kernel of 5 % of its width.

What we cannot reproduce without extra weights, and do instead:
- landmarks: MuseTalk runs DWPose + S3FD; we take MediaPipe's face mesh (pipelines.avatar.landmarks)
  and pick the 68 iBUG points from it (`MESH_TO_68`, the usual correspondence); without the mesh
  models, an average face placed in scikit-image's LBP face box (`landmarks_from_box`);
- face region: MuseTalk segments it with BiSeNet face parsing ("jaw" mode: skin + lips, nose
  removed); we use the jaw contour polygon from the same landmarks.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

FACE_SIZE = 256
EXPAND = 1.5
UPPER_BOUNDARY_RATIO = 0.5


@dataclass(frozen=True)
class FaceLandmarks:
    """The 68-point landmarks MuseTalk uses, as an (68, 2) array in image pixels."""

    points: np.ndarray

    @property
    def jaw(self) -> np.ndarray:
        return self.points[0:17]


# average 68-point face (iBUG 300-W layout) in units where the eye centres are (-0.5, 0) and
# (0.5, 0) and the mouth centre is at y = 1.0 -- only the points MuseTalk reads need be exact-ish:
# the jaw (0-16), the nose bridge (27-30) and the mouth (48-67, for the face region)
def _mean_shape() -> np.ndarray:
    pts = np.zeros((68, 2), np.float32)
    angles = np.linspace(np.pi, 0, 17)  # jaw: ear to ear under the chin
    pts[0:17, 0] = 1.15 * np.cos(angles)
    pts[0:17, 1] = 0.05 + 1.45 * np.sin(angles) ** 1.3
    pts[17:27, 0] = np.linspace(-0.95, 0.95, 10)  # brows
    pts[17:27, 1] = -0.45
    pts[27:31, 0] = 0.0  # nose bridge 27..30
    pts[27:31, 1] = [0.0, 0.18, 0.36, 0.55]
    pts[31:36, 0] = np.linspace(-0.22, 0.22, 5)  # nostrils
    pts[31:36, 1] = 0.62
    pts[36:42] = [[-0.7, 0], [-0.6, -0.06], [-0.4, -0.06], [-0.3, 0], [-0.4, 0.05], [-0.6, 0.05]]
    pts[42:48] = pts[36:42] * [-1, 1]
    mouth = np.linspace(0, 2 * np.pi, 12, endpoint=False)
    pts[48:60, 0] = 0.42 * np.cos(mouth + np.pi)
    pts[48:60, 1] = 1.0 - 0.12 * np.sin(mouth + np.pi)
    inner = np.linspace(0, 2 * np.pi, 8, endpoint=False)
    pts[60:68, 0] = 0.3 * np.cos(inner + np.pi)
    pts[60:68, 1] = 1.0 - 0.03 * np.sin(inner + np.pi)
    return pts


MEAN_SHAPE = _mean_shape()


# MediaPipe face-mesh index of each iBUG 68 point
MESH_TO_68 = (162, 234, 93, 58, 172, 136, 149, 148, 152, 377, 378, 365, 397, 288, 323, 454, 389,  # jaw
              71, 63, 105, 66, 107, 336, 296, 334, 293, 301,  # brows
              168, 197, 5, 4, 75, 97, 2, 326, 305,  # nose bridge 27-30, nostrils
              33, 160, 158, 133, 153, 144, 362, 385, 387, 263, 373, 380,  # eyes
              61, 39, 37, 0, 267, 269, 291, 405, 314, 17, 84, 181,  # outer lips
              78, 82, 13, 312, 308, 317, 14, 87)  # inner lips


def landmarks_from_mesh(mesh: np.ndarray) -> FaceLandmarks:
    return FaceLandmarks(np.asarray(mesh, np.float32)[list(MESH_TO_68), :2].copy())


def landmarks_from_box(box: tuple[int, int, int, int]) -> FaceLandmarks:
    """The average face in a frontal-face detector box (brows to lower lip, cheek to cheek)."""
    x, y, w, h = box
    return landmarks_from_features((x + 0.3 * w, y + 0.38 * h), (x + 0.7 * w, y + 0.38 * h), (x + 0.5 * w, y + 0.82 * h))


def landmarks_from_features(left_eye, right_eye, mouth) -> FaceLandmarks:
    """68 landmarks placed from two eye centres and the mouth centre (a similarity transform of
    the average face, plus the eye-to-mouth distance for the vertical scale)."""
    left, right, mouth = (np.asarray(p, np.float32) for p in (left_eye, right_eye, mouth))
    across = right - left
    ipd = float(np.hypot(*across)) or 1.0
    ux = across / ipd
    uy = np.array([-ux[1], ux[0]], np.float32)
    eye_mid = (left + right) / 2
    down = float(np.dot(mouth - eye_mid, uy)) or ipd
    pts = eye_mid + np.outer(MEAN_SHAPE[:, 0] * ipd, ux) + np.outer(MEAN_SHAPE[:, 1] * down, uy)
    return FaceLandmarks(pts.astype(np.float32))


def crop_box(landmarks: FaceLandmarks, image_height: int, *, bbox_shift: int = 0,
             extra_margin: int = 10) -> tuple[int, int, int, int]:
    """(x1, y1, x2, y2) as `get_landmark_and_bbox` + inference.py's v1.5 margin."""
    pts = landmarks.points.astype(np.int32)
    half_face = pts[29].copy()
    if bbox_shift:
        half_face[1] += bbox_shift
    half_face_dist = int(np.max(pts[:, 1])) - int(half_face[1])
    upper = max(0, int(half_face[1]) - half_face_dist)
    x1, y1, x2, y2 = int(np.min(pts[:, 0])), upper, int(np.max(pts[:, 0])), int(np.max(pts[:, 1]))
    y2 = min(y2 + extra_margin, image_height)
    return x1, y1, x2, y2


def crop_face(image: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    x1, y1, x2, y2 = box
    return cv2.resize(image[y1:y2, x1:x2], (FACE_SIZE, FACE_SIZE), interpolation=cv2.INTER_LANCZOS4)


def expanded_box(box: tuple[int, int, int, int], expand: float = EXPAND) -> tuple[int, int, int, int]:
    """`get_crop_box`: the square blending region around the face box."""
    x, y, x1, y1 = box
    xc, yc = (x + x1) // 2, (y + y1) // 2
    s = int(max(x1 - x, y1 - y) // 2 * expand)
    return xc - s, yc - s, xc + s, yc + s


def face_region(landmarks: FaceLandmarks, shape: tuple[int, int]) -> np.ndarray:
    """0/255 mask of the lower face (jaw contour closed across the nose bridge), image-sized."""
    mask = np.zeros(shape[:2], np.uint8)
    cv2.fillPoly(mask, [np.round(landmarks.jaw).astype(np.int32)], 255)
    return mask


def blend_mask(box: tuple[int, int, int, int], region: np.ndarray) -> np.ndarray:
    """Float mask (H, W, 1) in 0..1 over the whole image, as `get_image` builds it."""
    height, width = region.shape[:2]
    x, y, x1, y1 = box
    xs, ys, xe, ye = expanded_box(box)
    side = xe - xs
    # the face region inside the face box only, inside the expanded square
    local = np.zeros((ye - ys, xe - xs), np.uint8)
    inside = np.zeros_like(region)
    inside[max(y, 0):y1, max(x, 0):x1] = region[max(y, 0):y1, max(x, 0):x1]
    sx0, sy0, sx1, sy1 = max(xs, 0), max(ys, 0), min(xe, width), min(ye, height)
    local[sy0 - ys:sy1 - ys, sx0 - xs:sx1 - xs] = inside[sy0:sy1, sx0:sx1]
    local[:int(local.shape[0] * UPPER_BOUNDARY_RATIO)] = 0  # keep the lower half: the talking area
    kernel = int(0.05 * side // 2 * 2) + 1
    local = cv2.GaussianBlur(local, (kernel, kernel), 0)
    full = np.zeros((height, width), np.float32)
    full[sy0:sy1, sx0:sx1] = local[sy0 - ys:sy1 - ys, sx0 - xs:sx1 - xs] / 255.0
    return full[..., None]


def paste_face(image: np.ndarray, face: np.ndarray, box: tuple[int, int, int, int], mask: np.ndarray) -> np.ndarray:
    """The generated 256 px face resized into the box and blended through the mask."""
    x1, y1, x2, y2 = box
    pasted = image.copy()
    pasted[y1:y2, x1:x2] = cv2.resize(face, (x2 - x1, y2 - y1))
    out = pasted.astype(np.float32) * mask + image.astype(np.float32) * (1 - mask)
    return np.round(out).astype(np.uint8)
