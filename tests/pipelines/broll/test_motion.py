from __future__ import annotations

import numpy as np
import pytest

from pipelines.broll import CAMERAS, BrollRequest, render_broll
from pipelines.broll.motion import load_image
from pipelines.broll.subject import find_subject_box
from pipelines.errors import BrollError, EngineNotFound
from pipelines.runner import run_node
from pipelines.media import media_info
from .helpers import PRODUCT_BOX, broll_node, count_frames, product_photo, read_frames, red_mask  # noqa: F401


def _request(photo, **overrides) -> BrollRequest:
    values = dict(image=str(photo), subject_box=PRODUCT_BOX, prompt="studio shot", product_title="Red Box",
                  camera="push_in", duration_s=1.0, width=144, height=256, fps=24, seed=3)
    values.update(overrides)
    return BrollRequest(**values)


def test_clip_is_h264_yuv420p_of_the_requested_size_and_length(product_photo, tmp_path):
    clip = render_broll(_request(product_photo), tmp_path)
    video = tmp_path / clip.video
    info = media_info(video)
    assert (info.width, info.height) == (144, 256) == (clip.width, clip.height)
    assert info.video_codec == "h264" and info.pix_fmt == "yuv420p"
    assert info.audio_codec is None
    assert count_frames(video) == 24
    assert abs(info.duration_s - 1.0) < 0.05 and clip.duration_s == pytest.approx(1.0)
    assert clip.engine == "motion" and clip.seed == 3


@pytest.mark.parametrize("camera", CAMERAS)
@pytest.mark.parametrize("size", [(144, 256), (256, 144)])
def test_every_move_keeps_the_product_in_frame_and_moves(product_photo, tmp_path, camera, size):
    width, height = size
    clip = render_broll(_request(product_photo, camera=camera, width=width, height=height,
                                 duration_s=0.75, fps=16), tmp_path)
    frames = read_frames(tmp_path / clip.video)
    assert len(frames) == 12
    box_area = None
    for index, frame in enumerate(frames):
        red = red_mask(frame)
        if camera == "reveal" and index < len(frames) // 2:
            continue  # the product is still being revealed
        assert red.sum() > 0.02 * width * height, f"{camera}: product missing in frame {index}"
        ys, xs = np.nonzero(red)
        # the whole product is visible: nothing red touches the frame's edge
        assert xs.min() > 0 and ys.min() > 0 and xs.max() < width - 1 and ys.max() < height - 1, \
            f"{camera}: product cut off in frame {index}"
        box_area = red.sum()
        b, g, r = (frame[..., i].astype(int) for i in range(3))
        # compositing must not leak colour (chroma mistakes show up as green or magenta)
        assert not ((g > r + 60) & (g > b + 60)).any(), f"{camera}: green fringe in frame {index}"
    assert box_area
    # the camera moved (static still breathes a little)
    change = np.abs(frames[0].astype(int) - frames[-1].astype(int)).mean()
    assert change > 0.3, f"{camera} did not move"


def test_motion_is_smooth_not_stepped(product_photo, tmp_path):
    """A slow push must change every frame a little, not jump by whole pixels now and then."""
    clip = render_broll(_request(product_photo, camera="push_in", duration_s=1.0, fps=24), tmp_path)
    frames = read_frames(tmp_path / clip.video)
    diffs = [np.abs(a.astype(int) - b.astype(int)).mean() for a, b in zip(frames, frames[1:])]
    assert min(diffs) > 0.05  # no frozen frames
    assert max(diffs) < 6 * np.median(diffs)  # no jumps


def test_subject_found_by_saliency_when_the_scraper_gave_none(product_photo, tmp_path):
    x, y, w, h = find_subject_box(load_image(str(product_photo)))
    px, py, pw, ph = PRODUCT_BOX
    inter = max(0, min(x + w, px + pw) - max(x, px)) * max(0, min(y + h, py + ph) - max(y, py))
    assert inter / (w * h + pw * ph - inter) > 0.5
    clip = render_broll(_request(product_photo, subject_box=None, camera="pan_left"), tmp_path)
    for frame in read_frames(tmp_path / clip.video):
        assert red_mask(frame).sum() > 0


def test_preview_renders_at_half_size(product_photo, tmp_path):
    clip = render_broll(_request(product_photo, width=1080, height=1920, preview=True, duration_s=0.2, fps=10),
                        tmp_path)
    assert (clip.width, clip.height) == (540, 960)
    assert (media_info(tmp_path / clip.video).width, media_info(tmp_path / clip.video).height) == (540, 960)


def test_same_request_gives_the_same_pixels(product_photo, tmp_path):
    a = render_broll(_request(product_photo, camera="parallax"), tmp_path / "a")
    b = render_broll(_request(product_photo, camera="parallax"), tmp_path / "b")
    fa, fb = read_frames(tmp_path / "a" / a.video), read_frames(tmp_path / "b" / b.video)
    assert all(np.array_equal(x, y) for x, y in zip(fa, fb))


def test_without_an_image_it_makes_a_designed_backdrop(tmp_path):
    clip = render_broll(BrollRequest(prompt="morning coffee", product_title="Espresso cup", camera="parallax",
                                     duration_s=0.5, width=128, height=128, fps=12), tmp_path)
    frames = read_frames(tmp_path / clip.video)
    assert len(frames) == 6 and frames[0].std() > 3  # not a flat colour


def test_unknown_camera_falls_back_to_a_push(product_photo):
    assert _request(product_photo, camera="dolly_zoom").camera == "push_in"


def test_unreadable_image_is_a_clear_error(tmp_path):
    bad = tmp_path / "not-an-image.jpg"
    bad.write_text("<html>")
    with pytest.raises(BrollError) as err:
        render_broll(BrollRequest(image=str(bad), camera="push_in", duration_s=0.5, width=64, height=64), tmp_path)
    assert err.value.code == "broll_bad_image"


def test_unknown_engine_is_a_clear_error(product_photo, tmp_path):
    with pytest.raises(EngineNotFound):
        render_broll(_request(product_photo), tmp_path, engine="sora")


def test_the_stage_renders_once_then_serves_the_cache(artifact_store):
    node, deps = broll_node(artifact_store, "motion", {}, width=90, height=160)
    first = run_node(artifact_store, node, deps)
    second = run_node(artifact_store, node, deps)
    assert not first.cached and second.cached and second.dir == first.dir
    assert second.meta["engine"] == "motion" and second.meta["duration_s"] == pytest.approx(0.8, abs=0.04)
    # the stage stores a plan (the renderer draws it live at the size its layout needs)
    from pipelines.broll.motion import load_plan

    assert second.meta["video"] is None and (second.meta["width"], second.meta["height"]) == (90, 160)
    clip = load_plan(second.dir / second.meta["plan"])
    assert (clip.width, clip.height, clip.frame_count) == (90, 160, 24)


def test_a_panorama_becomes_a_card_not_a_giant_canvas(tmp_path):
    import cv2

    photo = np.full((200, 2400, 3), 235, np.uint8)
    cv2.rectangle(photo, (1150, 40), (1250, 160), (30, 30, 220), -1)
    path = tmp_path / "panorama.png"
    cv2.imwrite(str(path), photo)
    clip = render_broll(BrollRequest(image=str(path), camera="pan_right", duration_s=0.5, width=144, height=256,
                                     fps=12), tmp_path)
    for frame in read_frames(tmp_path / clip.video):
        assert red_mask(frame).sum() > 0


def test_long_clips_are_cut_into_shots_on_the_beat(product_photo, tmp_path):
    from pipelines.broll.motion import MotionConfig, shot_plan

    request = _request(product_photo, camera="pan_left", duration_s=5.0, fps=8, cuts=[2.25])
    plan = shot_plan(request, MotionConfig())
    assert [frames for frames, _, _ in plan] == [18, 22]  # the cut moved from 2.5 s onto the beat
    assert plan[0][1] == "pan_left" and plan[1][1] != "pan_left" and plan[1][2] > plan[0][2]
    clip = render_broll(request, tmp_path)
    frames = read_frames(tmp_path / clip.video)
    assert len(frames) == 40
    diffs = [np.abs(a.astype(int) - b.astype(int)).mean() for a, b in zip(frames, frames[1:])]
    assert int(np.argmax(diffs)) == 17  # the hard cut between frame 17 and 18
    assert all(red_mask(f).sum() > 0 for f in frames)
    assert shot_plan(_request(product_photo, duration_s=3.0), MotionConfig()) == [(72, "push_in", 1.0)]


def test_a_plan_draws_the_frames_the_clip_would_hold(product_photo, tmp_path):
    """The renderer draws motion b-roll live from a plan; it must be the same picture as the clip."""
    from pipelines.broll.motion import is_motion_plan, load_plan

    request = _request(product_photo, camera="pan_right", duration_s=1.0)
    clip = render_broll(request, tmp_path / "file")
    planned = render_broll(request, tmp_path / "plan", live=True)
    assert planned.video is None and is_motion_plan(planned.plan)
    assert (planned.width, planned.height, planned.duration_s) == (clip.width, clip.height, clip.duration_s)
    assert planned.subject_box == clip.subject_box
    # the plan carries its own photo, so the artifact can move to another worker
    moved = tmp_path / "moved"
    (tmp_path / "plan").rename(moved)
    live = load_plan(moved / planned.plan)
    import cv2
    drawn = [cv2.cvtColor(buf, cv2.COLOR_YUV2BGR_I420) for buf in live.frames()]
    encoded = read_frames(tmp_path / "file" / clip.video)
    assert len(drawn) == len(encoded) == 24
    for a, b in zip(drawn, encoded):
        assert np.abs(a.astype(int) - b.astype(int)).mean() < 3  # only x264's loss apart
    # drawn at another size (a split-screen panel), the product is still whole and in frame
    panel = load_plan(moved / planned.plan, 144, 128)
    for buf in panel.frames(limit=5):
        red = red_mask(cv2.cvtColor(buf, cv2.COLOR_YUV2BGR_I420))
        ys, xs = np.nonzero(red)
        assert red.sum() > 0.02 * 144 * 128 and xs.min() > 0 and xs.max() < 143 and ys.min() > 0 and ys.max() < 127
    rgb = panel.still(0.5)
    assert rgb.shape == (128, 144, 3)


def test_an_unreadable_plan_is_a_clear_error(tmp_path):
    from pipelines.broll.motion import load_plan

    bad = tmp_path / "broll.plan.json"
    bad.write_text("{not json")
    with pytest.raises(BrollError) as info:
        load_plan(bad)
    assert info.value.code == "broll_bad_plan"


def test_detail_scale_follows_the_photo_resolution(product_photo, tmp_path):
    """A small shop photo enlarged to fill the frame can be drawn smaller (the renderer upscales
    it); a large one is drawn at full size."""
    import cv2

    from pipelines.broll.motion import MotionClip, MotionConfig

    small = MotionClip(_request(product_photo), MotionConfig(), 1080, 1920)  # 480x320 photo
    assert small.detail_scale() == 0.5
    big_photo = tmp_path / "big.jpg"
    cv2.imwrite(str(big_photo), cv2.resize(cv2.imread(str(product_photo)), (4800, 3200)))
    big = MotionClip(_request(big_photo, subject_box=(2500, 900, 1200, 1500)), MotionConfig(), 1080, 1920)
    assert big.detail_scale() == 1.0
