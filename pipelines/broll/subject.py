"""Where the product is in a photo, and its cut-out, without any model weights.

The subject box is what motion must keep in frame. With no box from the scraper, it comes from
a saliency map: spectral-residual saliency (Hou & Zhang 2007) + distance from the border colour
(product shots are usually on a plain backdrop) + edge density, weighted by a centre prior.
The cut-out for parallax is GrabCut seeded with that box.
"""

from __future__ import annotations

import cv2
import numpy as np

Box = tuple[int, int, int, int]


def _normalise(values: np.ndarray) -> np.ndarray:
    low, high = np.percentile(values, 1), np.percentile(values, 99.5)
    return np.clip((values - low) / max(high - low, 1e-6), 0.0, 1.0).astype(np.float32)


def saliency_map(image_bgr: np.ndarray, size: int = 128) -> np.ndarray:
    """A [0,1] map (size x size*aspect) of how much each place looks like the subject."""
    height, width = image_bgr.shape[:2]
    scale = size / max(height, width)
    small = cv2.resize(image_bgr, (max(8, round(width * scale)), max(8, round(height * scale))),
                       interpolation=cv2.INTER_AREA)
    lab = cv2.cvtColor(small, cv2.COLOR_BGR2LAB).astype(np.float32)

    # spectral residual on the lightness channel
    gray = lab[..., 0]
    spectrum = np.fft.fft2(gray)
    log_amp = np.log(np.abs(spectrum) + 1e-6)
    residual = log_amp - cv2.blur(log_amp, (3, 3))
    spectral = np.abs(np.fft.ifft2(np.exp(residual + 1j * np.angle(spectrum)))) ** 2
    spectral = _normalise(cv2.GaussianBlur(spectral.astype(np.float32), (0, 0), 2.5))

    # distance from the backdrop colour, estimated on the border
    border = np.concatenate([lab[0], lab[-1], lab[:, 0], lab[:, -1]])
    backdrop = np.median(border, axis=0)
    distance = _normalise(cv2.GaussianBlur(np.linalg.norm(lab - backdrop, axis=2), (0, 0), 1.5))

    edges = cv2.Canny(small, 60, 160).astype(np.float32)
    density = _normalise(cv2.GaussianBlur(edges, (0, 0), 4.0))

    h, w = gray.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    centre = np.exp(-(((xx / w - 0.5) / 0.35) ** 2 + ((yy / h - 0.5) / 0.35) ** 2) / 2)
    # a uniform border means the distance cue is reliable; a busy one means it is not
    border_spread = float(np.mean(np.linalg.norm(border - backdrop, axis=1)))
    distance_weight = 1.2 if border_spread < 12 else 0.5
    combined = (0.8 * spectral + distance_weight * distance + 0.6 * density) * (0.4 + 0.6 * centre)
    return _normalise(combined)


def find_subject_box(image_bgr: np.ndarray) -> Box:
    """The bounding box (x, y, w, h, image pixels) of the most salient region."""
    height, width = image_bgr.shape[:2]
    sal = saliency_map(image_bgr)
    sh, sw = sal.shape
    threshold, _ = cv2.threshold((sal * 255).astype(np.uint8), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    mask = (sal * 255 >= max(threshold, 60)).astype(np.uint8)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask)
    if count <= 1:
        return (width // 6, height // 6, width * 2 // 3, height * 2 // 3)
    # keep the components holding most of the saliency mass (a product can be in parts)
    mass = np.array([sal[labels == i].sum() for i in range(1, count)])
    order = np.argsort(mass)[::-1]
    keep = [order[0]]
    for i in order[1:]:
        if mass[i] >= 0.25 * mass[order[0]]:
            keep.append(i)
    x0 = min(stats[i + 1, cv2.CC_STAT_LEFT] for i in keep)
    y0 = min(stats[i + 1, cv2.CC_STAT_TOP] for i in keep)
    x1 = max(stats[i + 1, cv2.CC_STAT_LEFT] + stats[i + 1, cv2.CC_STAT_WIDTH] for i in keep)
    y1 = max(stats[i + 1, cv2.CC_STAT_TOP] + stats[i + 1, cv2.CC_STAT_HEIGHT] for i in keep)
    sx, sy = width / sw, height / sh
    box = [x0 * sx, y0 * sy, (x1 - x0) * sx, (y1 - y0) * sy]
    # too small a box means a highlight, not a product: grow it around its centre
    min_w, min_h = width * 0.25, height * 0.25
    if box[2] < min_w:
        box[0] -= (min_w - box[2]) / 2
        box[2] = min_w
    if box[3] < min_h:
        box[1] -= (min_h - box[3]) / 2
        box[3] = min_h
    return clamp_box(tuple(int(round(v)) for v in box), width, height)


def clamp_box(box, width: int, height: int) -> Box:
    x, y, w, h = (int(round(v)) for v in box)
    x = min(max(0, x), width - 1)
    y = min(max(0, y), height - 1)
    w = max(1, min(w, width - x))
    h = max(1, min(h, height - y))
    return (x, y, w, h)


def subject_matte(image_bgr: np.ndarray, box: Box, *, work_size: int = 256, iterations: int = 3) -> np.ndarray:
    """A soft [0,1] float matte of the subject, GrabCut seeded with its box, feathered."""
    height, width = image_bgr.shape[:2]
    scale = min(1.0, work_size / max(height, width))
    small = cv2.resize(image_bgr, (max(8, round(width * scale)), max(8, round(height * scale))),
                       interpolation=cv2.INTER_AREA)
    sh, sw = small.shape[:2]
    x, y, w, h = (int(round(v * scale)) for v in box)
    x, y, w, h = clamp_box((x, y, w, h), sw, sh)
    rect_ok = w < sw - 2 or h < sh - 2
    mask = np.zeros((sh, sw), np.uint8)
    try:
        if not rect_ok:  # GrabCut needs some certain background: shrink a box that is the whole image
            x, y, w, h = sw // 12, sh // 12, sw - sw // 6, sh - sh // 6
        bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
        cv2.setRNGSeed(0)
        cv2.grabCut(small, mask, (x, y, max(2, w), max(2, h)), bgd, fgd, iterations, cv2.GC_INIT_WITH_RECT)
        hard = np.isin(mask, (cv2.GC_FGD, cv2.GC_PR_FGD)).astype(np.uint8)
    except cv2.error:
        hard = np.zeros((sh, sw), np.uint8)
        hard[y:y + h, x:x + w] = 1
    if hard.sum() < 0.02 * sw * sh:  # GrabCut found nothing usable: an ellipse in the box
        hard = np.zeros((sh, sw), np.uint8)
        cv2.ellipse(hard, (x + w // 2, y + h // 2), (max(1, w // 2), max(1, h // 2)), 0, 0, 360, 1, -1)
    # keep the largest blob, fill its holes, feather its edge
    count, labels, stats, _ = cv2.connectedComponentsWithStats(hard)
    if count > 2:
        biggest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
        hard = (labels == biggest).astype(np.uint8)
    hard = cv2.morphologyEx(hard, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    matte = cv2.resize(hard.astype(np.float32), (width, height), interpolation=cv2.INTER_LINEAR)
    feather = max(1.0, 0.006 * max(width, height))
    return np.clip(cv2.GaussianBlur(matte, (0, 0), feather), 0.0, 1.0)
