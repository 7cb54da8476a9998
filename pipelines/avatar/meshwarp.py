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
from scipy.spatial import Delaunay


def border_ring(w: int, h: int, spacing: float) -> np.ndarray:
    """Fixed points along a w x h region's edge (region coordinates)."""
    nx, ny = max(2, int(w / spacing) + 1), max(2, int(h / spacing) + 1)
    xs, ys = np.linspace(0, w - 1, nx), np.linspace(0, h - 1, ny)
    ring = [(x, 0) for x in xs] + [(x, h - 1) for x in xs] + [(0, y) for y in ys[1:-1]] + [(w - 1, y) for y in ys[1:-1]]
    return np.array(ring, np.float32)


def displacement_field(targets: np.ndarray, moves: np.ndarray, w: int, h: int, step: int = 2) -> np.ndarray:
    """(h, w, 2) displacement (target - source) at every pixel of a w x h region: the moves of the
    corners of the pixel's triangle, interpolated barycentrically (what scipy's
    LinearNDInterpolator computes). `targets` are where the control points land, `moves` how far
    each moved. Evaluated on a grid every `step` pixels and resized up exactly (the field is
    piecewise linear, so little is lost)."""
    gw, gh = (w + step - 1) // step + 1, (h + step - 1) // step + 1
    gy, gx = np.mgrid[0:gh, 0:gw].astype(np.float64) * step
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1)
    tri = Delaunay(targets.astype(np.float64))
    # each node's triangle: the triangles are rasterised into an index map (OpenCV, subpixel
    # vertices). scipy's point location walks the mesh and crawls on the sliver triangles a
    # closed mouth makes (~1 s per field against a few ms)
    index = np.full((gh, gw), -1, np.float32)
    corners = np.round(tri.points[tri.simplices] / step * 16).astype(np.int32)
    for k, triangle in enumerate(corners):
        cv2.fillConvexPoly(index, triangle, float(k), lineType=cv2.LINE_8, shift=4)
    which = index.ravel().astype(np.int64)
    missed = np.flatnonzero(which < 0)  # nodes no rasterised triangle covered (slivers, the hull's edge)
    if len(missed):
        which[missed] = tri.find_simplex(grid[missed])
    inside = which >= 0
    transform = tri.transform[which[inside]]  # barycentric coordinates of each node in its triangle
    bary = np.einsum("nij,nj->ni", transform[:, :2], grid[inside] - transform[:, 2])
    bary = np.concatenate([bary, 1 - bary.sum(axis=1, keepdims=True)], axis=1)
    stray = np.flatnonzero(bary.min(axis=1) < -1e-3)  # rasterised into a neighbouring triangle
    if len(stray):
        nodes = np.flatnonzero(inside)[stray]
        exact = tri.find_simplex(grid[nodes])
        found = exact >= 0
        which[nodes[found]] = exact[found]
        transform = tri.transform[exact[found]]
        fixed = np.einsum("nij,nj->ni", transform[:, :2], grid[nodes[found]] - transform[:, 2])
        bary[stray[found]] = np.concatenate([fixed, 1 - fixed.sum(axis=1, keepdims=True)], axis=1)
    coarse = np.zeros((gh * gw, 2), np.float32)
    coarse[inside] = np.einsum("nk,nkd->nd", bary, moves.astype(np.float64)[tri.simplices[which[inside]]])
    coarse = coarse.reshape(gh, gw, 2)
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
