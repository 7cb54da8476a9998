"""Piecewise-affine mesh warps: move landmarks, and the image between them follows.

The control points are triangulated where they land (Delaunay, scipy) and each target pixel
takes its source position by linear interpolation of the points' displacements inside its
triangle: the exact inverse of an affine warp per triangle, so the warp is continuous and
folds nothing. Points outside the triangulated hull do not move; callers ring their region
with fixed points so the warped patch pastes back seamlessly.
"""

from __future__ import annotations

import cv2
import numpy as np
from scipy.interpolate import LinearNDInterpolator


def border_ring(w: int, h: int, spacing: float) -> np.ndarray:
    """Fixed points along a w x h region's edge (region coordinates)."""
    nx, ny = max(2, int(w / spacing) + 1), max(2, int(h / spacing) + 1)
    xs, ys = np.linspace(0, w - 1, nx), np.linspace(0, h - 1, ny)
    ring = [(x, 0) for x in xs] + [(x, h - 1) for x in xs] + [(0, y) for y in ys[1:-1]] + [(w - 1, y) for y in ys[1:-1]]
    return np.array(ring, np.float32)


def displacement_field(targets: np.ndarray, moves: np.ndarray, w: int, h: int, step: int = 2) -> np.ndarray:
    """(h, w, 2) displacement (target - source) at every pixel of a w x h region.

    `targets` are where the control points land, `moves` how far each moved. Evaluated on a grid
    every `step` pixels and resized up exactly (the field is piecewise linear, so little is lost)."""
    gw, gh = (w + step - 1) // step + 1, (h + step - 1) // step + 1
    gy, gx = np.mgrid[0:gh, 0:gw].astype(np.float64) * step
    interp = LinearNDInterpolator(targets.astype(np.float64), moves.astype(np.float64), fill_value=0.0)
    coarse = interp(gx.ravel(), gy.ravel()).reshape(gh, gw, 2).astype(np.float32)
    if step == 1:
        return np.ascontiguousarray(coarse[:h, :w])
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32) / step  # grid node k sits at pixel k * step
    return cv2.remap(coarse, xx, yy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def remap(image: np.ndarray, field: np.ndarray) -> np.ndarray:
    """Pull each target pixel from target - displacement."""
    h, w = field.shape[:2]
    field = field.astype(np.float32, copy=False)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    return cv2.remap(image, xx - field[..., 0], yy - field[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
