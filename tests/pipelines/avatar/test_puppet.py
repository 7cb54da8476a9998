from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipelines.avatar import ENGINES, render_presenter
from pipelines.avatar.looks import LOOKS
from pipelines.avatar.motion import blink_track, mouth_track
from pipelines.errors import AvatarError, EngineNotFound
from pipelines.media import media_info
from .lipcheck import audio_energy, decode_gray, mouth_openness


def test_puppet_clip_is_frame_accurate_and_lip_synced(voice, tmp_path, avatar_cache):
    track, voice_dir = voice
    clip = render_presenter(track, voice_dir, tmp_path / "out", engine="puppet",
                            settings={"height": 400, "brand_color": "#2255aa", "cache_dir": avatar_cache})
    video = tmp_path / "out" / clip.video
    info = media_info(video)
    assert (info.width, info.height) == (clip.width, clip.height) == (320, 400)
    assert info.video_codec == "h264" and info.pix_fmt == "yuv420p" and info.audio_codec == "aac"
    assert not clip.has_alpha and clip.key_color is None
    frames = decode_gray(video, clip.width, clip.height)
    assert len(frames) == round(track.duration_s * clip.fps)
    assert clip.duration_s == pytest.approx(track.duration_s, abs=1 / clip.fps)
    x, y, w, h = clip.face_box
    assert 0 <= x and x + w <= clip.width and 0 <= y and y + h <= clip.height
    assert 0.2 < w / clip.width < 0.6  # head-and-shoulders framing

    openness = mouth_openness(frames, clip.face_box)
    energy = audio_energy(track, voice_dir, len(frames), clip.fps)
    correlation = float(np.corrcoef(openness, energy)[0, 1])
    print(f"puppet lip-sync correlation (mouth openness vs audio RMS): {correlation:.3f}")
    assert correlation > 0.5
    rest = openness[0]  # the clip starts in silence: the closed mouth's own dark lip line
    assert openness.max() > 0.1 and openness.max() > 2 * rest  # the mouth really opens...
    assert np.percentile(openness, 10) <= rest + 0.2 * (openness.max() - rest)  # ...and comes back shut
    # the drawn look is cached for the next variant (and the next worker process)
    assert list(Path(avatar_cache).glob("puppet-*.npz"))


def test_every_look_renders_distinctly(tmp_path, avatar_cache):
    from pipelines.avatar.puppet import puppet_assets

    firsts = []
    for name in LOOKS:
        assets = puppet_assets(name, "#ff3d57", 160, 200, avatar_cache)
        frame = assets.frame(0, 0, 0, assets.quantise(np.array([1, 0.6, 0, 0.5, 0, 0])), 0)
        assert frame.shape == (200, 160, 3)
        firsts.append(frame.astype(np.int16))
    for i in range(len(firsts)):
        for j in range(i + 1, len(firsts)):
            assert np.abs(firsts[i] - firsts[j]).mean() > 3, "two looks render the same"


def test_brand_colour_tints_outfit_and_backdrop(avatar_cache):
    from pipelines.avatar.puppet import puppet_assets

    red = puppet_assets("leo", "#e02020", 160, 200, avatar_cache).frame(0, 0, 0, (0, 1, 0, 0, 0, 0), 0)
    blue = puppet_assets("leo", "#2040e0", 160, 200, avatar_cache).frame(0, 0, 0, (0, 1, 0, 0, 0, 0), 0)
    torso = (slice(185, 198), slice(20, 50))
    assert red[torso][..., 0].mean() > red[torso][..., 2].mean() + 60
    assert blue[torso][..., 2].mean() > blue[torso][..., 0].mean() + 60


def test_coarticulation_keeps_closures_and_avoids_flicker(voice):
    track, _ = voice
    fps = 30
    n = round(track.duration_s * fps)
    mouth = mouth_track(track, n, fps)
    openness = mouth[:, 0]
    # no single-frame spikes: the second difference stays small
    assert np.abs(np.diff(openness, 2)).max() < 0.45
    # lips meet during bilabials long enough to be seen
    for ph in track.phonemes:
        if ph.viseme == "mbp" and ph.end - ph.start > 0.06:
            frame = int((ph.start + ph.end) / 2 * fps)
            assert openness[frame] < 0.45


def test_blinks_are_natural():
    closure = blink_track(30 * 60, 30, seed=1)
    starts = np.flatnonzero((closure[1:] >= 1) & (closure[:-1] < 1))
    per_minute = len(starts)
    assert 10 <= per_minute <= 35
    assert (closure >= 1).mean() < 0.05


def test_unknown_engine_and_look_are_clear_errors(voice, tmp_path, avatar_cache):
    track, voice_dir = voice
    with pytest.raises(EngineNotFound) as err:
        render_presenter(track, voice_dir, tmp_path / "a", engine="nope")
    assert "puppet" in err.value.message
    with pytest.raises(AvatarError) as err:
        render_presenter(track, voice_dir, tmp_path / "b", settings={"look": "zorro", "cache_dir": avatar_cache})
    assert err.value.code == "unknown_look"
    missing = track.model_copy(update={"audio": "gone.wav"})
    with pytest.raises(AvatarError) as err:
        render_presenter(missing, voice_dir, tmp_path / "c")
    assert err.value.code == "voice_audio_missing"
    assert "puppet" in ENGINES.names()


def test_stage_settings_preview_and_presenter_look(voice, tmp_path, avatar_cache):
    """The avatar stage passes the brand kit's presenter, brand colour and preview flag."""
    track, voice_dir = voice
    short = track.model_copy(update={"duration_s": 0.5})
    clip = render_presenter(short, voice_dir, tmp_path / "out", engine="puppet",
                            settings={"presenter": "omar", "brand_color": "#111111", "preview": True,
                                      "cache_dir": avatar_cache})
    assert (clip.width, clip.height) == (432, 540) and clip.duration_s == pytest.approx(0.5)
    assert media_info(tmp_path / "out" / clip.video).height == 540


def test_every_voice_viseme_has_a_mouth_shape():
    visemes = pytest.importorskip("pipelines.voice.visemes")
    from pipelines.avatar.motion import VISEME_SHAPES, canonical_viseme

    for label in visemes.VISEMES:
        assert canonical_viseme(label) in VISEME_SHAPES
    assert canonical_viseme("mbp") == "mbp" and canonical_viseme("rest") == "rest"
