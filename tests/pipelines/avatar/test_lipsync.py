from __future__ import annotations

import pytest

pytest.importorskip("torch")
pytest.importorskip("diffusers")

from pipelines.avatar import ENGINES, render_presenter  # noqa: E402
from pipelines.avatar.lipsync import load_models, save_random_models  # noqa: E402
from pipelines.errors import AvatarError  # noqa: E402
from pipelines.media import media_info  # noqa: E402

from .lipcheck import decode_gray  # noqa: E402


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return save_random_models(tmp_path_factory.mktemp("lipsync-model"), "tiny")


def test_tiny_random_model_loads_through_the_real_loader(model_dir):
    models = load_models(str(model_dir), "cpu")
    assert models.face_size == 32  # UNet sample 16 x VAE downscale 2
    assert models.unet.config.in_channels == 2 * models.vae.config.latent_channels
    assert models.unet.config.cross_attention_dim == models.encoder.config.d_model


def test_lipsync_renders_a_frame_accurate_clip_on_cpu(voice, model_dir, tmp_path, avatar_cache):
    track, voice_dir = voice
    short = track.model_copy(update={"duration_s": 0.3})  # nine frames: batches of 4, 4 and 1
    clip = render_presenter(short, voice_dir, tmp_path / "out", engine="lipsync",
                            settings={"model_dir": str(model_dir), "device": "cpu", "height": 200,
                                      "cache_dir": avatar_cache})
    info = media_info(tmp_path / "out" / clip.video)
    assert (info.width, info.height) == (160, 200) and clip.engine == "lipsync"
    frames = decode_gray(tmp_path / "out" / clip.video, clip.width, clip.height)
    assert len(frames) == 9
    # paste-back is feathered: pixels far from the face are the untouched portrait
    x, y, w, h = clip.face_box
    assert frames[:, :max(y - w // 2, 1), :].std(axis=0).mean() < 2.0


def test_missing_model_dir_is_a_clear_error(voice, tmp_path):
    track, voice_dir = voice
    with pytest.raises(AvatarError) as err:
        render_presenter(track, voice_dir, tmp_path / "out", engine="lipsync",
                         settings={"model_dir": str(tmp_path / "nowhere"), "device": "cpu"})
    assert err.value.code == "model_missing"
    assert "lipsync" in ENGINES.names()


def test_incomplete_model_dir_is_a_clear_error(tmp_path):
    (tmp_path / "vae").mkdir()
    with pytest.raises(AvatarError) as err:
        load_models(str(tmp_path), "cpu")
    assert err.value.code == "model_invalid"
