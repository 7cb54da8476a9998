from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from skimage import data

from pipelines.avatar import render_presenter
from pipelines.avatar.face import find_features
from pipelines.errors import AvatarError
from pipelines.media import media_info

from .lipcheck import audio_energy, decode_gray, mouth_openness


@pytest.fixture(scope="module")
def portrait(tmp_path_factory) -> Path:
    """The public-domain astronaut portrait scikit-image ships, saved as a brand would upload it."""
    path = tmp_path_factory.mktemp("portrait") / "presenter.jpg"
    cv2.imwrite(str(path), cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 92])
    return path


def test_features_land_on_the_face():
    features = find_features(data.astronaut())
    x, y, w, h = features.box
    assert 150 < x + w / 2 < 260 and 80 < y + h / 2 < 160  # the astronaut's face
    (lx, ly), (rx, ry) = features.left_eye, features.right_eye
    assert lx < rx and abs(ly - ry) < 0.1 * h and 0.25 * w < rx - lx < 0.6 * w
    mx, my = features.mouth
    assert my > max(ly, ry) + 0.25 * h and lx < mx < rx


def test_photo_clip_is_frame_accurate_and_lip_synced(voice, portrait, tmp_path, avatar_cache):
    track, voice_dir = voice
    clip = render_presenter(track, voice_dir, tmp_path / "out", engine="photo",
                            settings={"presenter": str(portrait), "height": 400, "cache_dir": avatar_cache})
    video = tmp_path / "out" / clip.video
    info = media_info(video)
    assert (info.width, info.height) == (clip.width, clip.height) == (320, 400)
    assert clip.engine == "photo" and not clip.has_alpha
    frames = decode_gray(video, clip.width, clip.height)
    assert len(frames) == round(track.duration_s * clip.fps)
    x, y, w, h = clip.face_box
    assert 0 <= x and x + w <= clip.width and 0 <= y and y + h <= clip.height

    openness = mouth_openness(frames, clip.face_box)
    energy = audio_energy(track, voice_dir, len(frames), clip.fps)
    correlation = float(np.corrcoef(openness, energy)[0, 1])
    print(f"photo lip-sync correlation (mouth openness vs audio RMS): {correlation:.3f}")
    assert correlation > 0.5
    # face detection was cached for the next variant
    assert list(Path(avatar_cache).glob("face-*.json"))


def test_photo_errors_are_clear(voice, tmp_path, avatar_cache):
    track, voice_dir = voice
    blank = tmp_path / "wall.png"
    gradient = np.tile(np.linspace(40, 220, 300, dtype=np.uint8), (300, 1))
    cv2.imwrite(str(blank), cv2.merge([gradient, gradient, gradient]))
    cases = {
        str(blank): "no_face_found",
        str(tmp_path / "missing.jpg"): "portrait_missing",
        "ava": "portrait_required",
    }
    not_image = tmp_path / "notes.jpg"
    not_image.write_text("not a picture")
    cases[str(not_image)] = "portrait_unreadable"
    for presenter, code in cases.items():
        with pytest.raises(AvatarError) as err:
            render_presenter(track, voice_dir, tmp_path / code, engine="photo",
                             settings={"presenter": presenter, "height": 200, "cache_dir": avatar_cache})
        assert err.value.code == code, presenter
        assert err.value.message
