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


def broll_node(artifact_store, engine: str, settings: dict, *, seed: int = 4, width: int = 90, height: int = 160):
    """A `broll` graph node for one scene plus the finished script/voice results it depends on."""
    from pipelines.jobs import BrollParams, Node
    from pipelines.stages import NodeResult
    from pipelines.product import AdScript, Product, Scene, VoiceTrack

    product = Product(url="https://shop.example/cup", title="Arc Espresso Cup", price=24.0, currency="USD")
    script = AdScript(variant_id="v0", framework="pas", hook="Mornings, upgraded.", cta="Shop now", scenes=[
        Scene(voiceover="Meet the Arc.", visual="broll:espresso on a walnut table", camera="orbit", duration_s=1.0)])
    script_result = NodeResult("script", "script", "k-script", {"scripts": [script.model_dump(mode="json")],
                                                                "product": product.model_dump(mode="json")},
                               artifact_store.root)
    voice = VoiceTrack(audio="voice.wav", duration_s=0.8, scene_spans=[(0.0, 0.8)])
    voice_result = NodeResult("voice:0", "voice", "k-voice", voice.model_dump(mode="json"), artifact_store.root)
    node = Node("broll:0:0", "broll", BrollParams(
        variant=0, scene=0, engine=engine, settings=settings, width=width, height=height, preview=False, seed=seed,
    ), ("script", "voice:0"), queue="gpu" if engine == "dit" else "cpu")
    return node, {"script": script_result, "voice:0": voice_result}
