"""Shared helpers for b-roll tests: a synthetic product photo whose product is easy to find."""

from __future__ import annotations

import subprocess

import cv2
import numpy as np
import pytest

from pipelines.media import FFPROBE

# a red "product" on a pale studio backdrop, off centre
PRODUCT_BOX = (250, 90, 120, 150)  # x, y, w, h in the 480x320 photo


@pytest.fixture(scope="session")
def product_photo(tmp_path_factory):
    height, width = 320, 480
    yy, xx = np.mgrid[0:height, 0:width]
    photo = np.dstack([225 + 15 * yy / height, 228 + 10 * xx / width, 232 - 8 * yy / height]).astype(np.uint8)
    x, y, w, h = PRODUCT_BOX
    cv2.rectangle(photo, (x, y), (x + w - 1, y + h - 1), (30, 30, 220), -1)  # BGR red
    cv2.rectangle(photo, (x + 20, y + 25), (x + w - 21, y + 60), (250, 250, 250), -1)  # a label
    path = tmp_path_factory.mktemp("photos") / "product.jpg"
    cv2.imwrite(str(path), photo, [cv2.IMWRITE_JPEG_QUALITY, 95])
    return path


def red_mask(frame_bgr: np.ndarray) -> np.ndarray:
    b, g, r = (frame_bgr[..., i].astype(int) for i in range(3))
    return (r > 150) & (g < 90) & (b < 90)


def read_frames(path) -> list[np.ndarray]:
    capture = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(frame)
    capture.release()
    return frames


def count_frames(path) -> int:
    out = subprocess.run([FFPROBE, "-v", "error", "-count_frames", "-select_streams", "v:0",
                          "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", str(path)],
                         capture_output=True, text=True, check=True)
    return int(out.stdout.strip())
