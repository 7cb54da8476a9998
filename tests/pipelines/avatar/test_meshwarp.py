"""The mesh warp's displacement field is scipy's piecewise-linear interpolation, computed faster."""

from __future__ import annotations

import numpy as np
from scipy.interpolate import LinearNDInterpolator

from pipelines.avatar.meshwarp import border_ring, displacement_field, remap


def test_field_matches_scipy_linear_interpolation():
    rng = np.random.default_rng(0)
    w, h = 160, 120
    inner = rng.uniform(4, [w - 4, h - 4], (120, 2))
    # slivers, as a closed mouth makes: pairs of points a fraction of a pixel apart
    slivers = np.concatenate([inner[:20], inner[:20] + [0.3, 0.05]])
    points = np.concatenate([inner[20:], slivers, border_ring(w, h, 16)]).astype(np.float32)
    moves = np.concatenate([rng.normal(0, 3, (len(points) - len(border_ring(w, h, 16)), 2)),
                            np.zeros((len(border_ring(w, h, 16)), 2))]).astype(np.float32)
    field = displacement_field(points, moves, w, h, step=1)
    gx, gy = np.meshgrid(np.arange(w), np.arange(h))
    reference = LinearNDInterpolator(points.astype(np.float64), moves.astype(np.float64), fill_value=0)(gx, gy)
    error = np.abs(field - reference)
    assert np.percentile(error, 99.5) < 0.3 and error.max() < 1.5


def test_remap_moves_content_with_the_field():
    image = np.zeros((40, 40, 3), np.uint8)
    image[10:14, 10:14] = 255
    field = np.zeros((40, 40, 2), np.float32)
    field[..., 1] = 5  # everything moved 5 px down
    moved = remap(image, field)
    assert moved[15:19, 10:14].min() == 255 and moved[10:14, 10:14].max() == 0
