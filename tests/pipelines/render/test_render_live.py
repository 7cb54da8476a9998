"""Motion b-roll drawn live into the render's one ffmpeg process (no intermediate clip)."""

from __future__ import annotations

import os

import cv2
import numpy as np
import pytest

from pipelines.broll import BrollRequest, render_broll
from pipelines.errors import BrollError, Cancelled, RenderError
from pipelines.media import media_info
from pipelines.render import RenderOptions, build_timeline, render
from pipelines.render.live import LiveFeeds


@pytest.fixture(scope="module")
def red_product(tmp_path_factory):
    photo = np.full((320, 480, 3), 230, np.uint8)
    cv2.rectangle(photo, (250, 90), (369, 239), (30, 30, 220), -1)  # BGR red product
    path = tmp_path_factory.mktemp("live") / "product.jpg"
    cv2.imwrite(str(path), photo)
    return path


def _live_timeline(render_inputs, red_product, tmp_path, layout_framework="listicle"):
    voice, script = render_inputs["voice"], render_inputs["script"]
    script = script.model_copy(update={"framework": layout_framework})  # listicle -> split screen
    broll = {}
    for i, (scene, (a, b)) in enumerate(zip(script.scenes, voice.scene_spans)):
        if scene.visual != "avatar":
            out = tmp_path / f"broll{i}"
            clip = render_broll(BrollRequest(image=str(red_product), subject_box=(250, 90, 120, 150),
                                             camera="push_in", duration_s=b - a + 0.3, width=540, height=960),
                                out, live=True)
            broll[i] = (clip, out / clip.plan)
    return build_timeline(render_inputs["product"], script, voice, render_inputs["root"] / "voice",
                          render_inputs["presenter"], render_inputs["root"], broll, {"name": "Orbit"})


def _open_fds() -> int:
    """Open pipes of this process (other tests' files may close meanwhile; a leak only adds)."""
    pipes = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            pipes += os.readlink(f"/proc/self/fd/{fd}").startswith("pipe:")
        except OSError:
            pass
    return pipes


def _red_share(path, t: float, box) -> float:
    cap = cv2.VideoCapture(str(path))
    cap.set(cv2.CAP_PROP_POS_MSEC, t * 1000)
    ok, frame = cap.read()
    cap.release()
    assert ok
    x0, y0, x1, y1 = box
    part = frame[y0:y1, x0:x1].astype(int)
    red = (part[..., 2] > 150) & (part[..., 1] < 90) & (part[..., 0] < 90)
    return red.mean()


def test_live_broll_fills_its_split_panel(render_inputs, red_product, tmp_path):
    timeline = _live_timeline(render_inputs, red_product, tmp_path)
    before = _open_fds()
    out = render(timeline, "9:16", tmp_path / "out", RenderOptions(preview=True))
    assert _open_fds() <= before  # every pipe closed
    video = tmp_path / "out" / out.file
    info = media_info(video)
    assert (info.width, info.height) == (540, 960) and info.video_codec == "h264"
    assert abs(info.duration_s - timeline.duration_s) < 0.1
    product_seg = next(s for s in timeline.segments if s.kind == "product_image")
    t = (product_seg.start + product_seg.end) / 2
    # split on a tall frame: product panel on top, presenter below
    assert _red_share(video, t, (0, 0, 540, 480)) > 0.05
    assert _red_share(video, t, (0, 480, 540, 960)) < 0.01


def test_an_unreadable_live_photo_fails_the_render_cleanly(render_inputs, red_product, tmp_path):
    timeline = _live_timeline(render_inputs, red_product, tmp_path)
    (tmp_path / "broll1" / "image.jpg").write_bytes(b"not a jpeg")
    before = _open_fds()
    with pytest.raises(BrollError) as info:
        render(timeline, "9:16", tmp_path / "out", RenderOptions(preview=True))
    assert info.value.code == "broll_bad_image" and "could not be read" in str(info.value)
    assert _open_fds() <= before


class _BreaksAfter:
    """A clip whose drawing fails mid-stream (a writer thread's error must reach the render)."""

    width, height, fps = 64, 64, 30.0

    def frames(self, limit=None):
        buffer = np.zeros((96, 64), np.uint8)
        for i in range(3):
            yield buffer
        raise MemoryError("out of memory while drawing")


def test_a_writer_that_fails_mid_stream_fails_the_command(tmp_path):
    feeds = LiveFeeds()
    before = _open_fds()
    args = [*feeds.add(_BreaksAfter(), 30), "-f", "null", "-"]
    with pytest.raises(RenderError) as info:
        feeds.run(args)
    assert info.value.code == "broll_draw_failed" and "out of memory" in str(info.value)
    assert _open_fds() <= before
    unused = LiveFeeds()
    unused.add(_BreaksAfter(), 30)
    unused.close()  # a command that never ran releases its pipes
    assert _open_fds() <= before


def test_cancelling_stops_the_live_writers(render_inputs, red_product, tmp_path):
    timeline = _live_timeline(render_inputs, red_product, tmp_path)
    calls = {"n": 0}

    def cancelled() -> bool:
        calls["n"] += 1
        return calls["n"] > 2

    before = _open_fds()
    with pytest.raises(Cancelled):
        render(timeline, "9:16", tmp_path / "out", RenderOptions(), is_cancelled=cancelled)
    assert _open_fds() <= before
