"""`lipsync` = MuseTalk 1.5 as published: a tiny random model in the published folder layout,
loaded by the real loader; its audio tokens and UNet input checked against an independent
re-statement of the published code (audio_processor.get_whisper_chunk, unet.PositionalEncoding,
vae.get_latents_for_unet), and rendered end to end on the CPU."""

from __future__ import annotations

import json
import math
import threading

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("diffusers")

from pipelines.avatar import ENGINES, render_presenter  # noqa: E402
from pipelines.avatar import musetalk_blend as blend  # noqa: E402
from pipelines.avatar.lipsync import (audio_prompts, generate_faces, load_models, save_random_models,  # noqa: E402
                                      unet_latents)
from pipelines.avatar.motion import read_wav_mono  # noqa: E402
from pipelines.avatar.musetalk_audio import add_positional_encoding, to_16k  # noqa: E402
from pipelines.errors import AvatarError  # noqa: E402
from pipelines.media import media_info  # noqa: E402

from .lipcheck import decode_gray, synth_voice  # noqa: E402


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return save_random_models(tmp_path_factory.mktemp("musetalk") / "musetalk-1.5", "tiny")


def test_tiny_model_is_written_in_the_published_layout(model_dir):
    files = sorted(str(p.relative_to(model_dir)) for p in model_dir.rglob("*") if p.is_file())
    assert {"musetalkV15/musetalk.json", "musetalkV15/unet.pth", "sd-vae/config.json",
            "sd-vae/diffusion_pytorch_model.safetensors", "whisper/config.json", "whisper/model.safetensors",
            "whisper/preprocessor_config.json"} <= set(files)
    config = json.loads((model_dir / "musetalkV15/musetalk.json").read_text())
    assert config["_class_name"] == "UNet2DConditionModel" and config["in_channels"] == 8
    # whisper-tiny is published as the full seq2seq model; the encoder keys carry the model. prefix
    assert json.loads((model_dir / "whisper/config.json").read_text())["architectures"] == [
        "WhisperForConditionalGeneration"]


# --------------------------------------------------------------------------- the published steps, re-stated


def published_whisper_chunk(whisper, input_features, librosa_length, fps=25, left=2, right=2):
    """musetalk/utils/audio_processor.py get_whisper_chunk, restated with plain torch ops."""
    per_frame = 2 * (left + right + 1)
    feats = []
    for feature in input_features:
        hidden = whisper.encoder(feature, output_hidden_states=True).hidden_states
        feats.append(torch.stack(hidden, dim=2))
    feats = torch.cat(feats, dim=1)
    multiplier = 50 / fps
    num_frames = math.floor((librosa_length / 16000) * fps)
    feats = feats[:, :math.floor((librosa_length / 16000) * 50), ...]
    pad = math.ceil(multiplier)
    feats = torch.cat([torch.zeros_like(feats[:, :pad * left]), feats, torch.zeros_like(feats[:, :pad * 3 * right])], 1)
    clips = []
    for frame_index in range(num_frames):
        index = math.floor(frame_index * multiplier)
        clip = feats[:, index:index + per_frame]
        assert clip.shape[1] == per_frame
        clips.append(clip)
    prompts = torch.cat(clips, dim=0)  # T, 10, 5, d
    t, c, h, w = prompts.shape
    return torch.stack([prompts[:, ci, hi] for ci in range(c) for hi in range(h)], dim=1)  # b (c h) w


def published_pe(x, d_model):
    """musetalk/models/unet.py PositionalEncoding, in numpy."""
    position = np.arange(5000, dtype=np.float32)[:, None]
    div_term = np.exp(np.arange(0, d_model, 2).astype(np.float32) * (-math.log(10000.0) / d_model))
    pe = np.zeros((5000, d_model), np.float32)
    pe[:, 0::2] = np.sin(position * div_term)
    pe[:, 1::2] = np.cos(position * div_term)
    return x + torch.from_numpy(pe[None, :x.shape[1]])


def published_latents(vae, crop_rgb, generator):
    """musetalk/models/vae.py get_latents_for_unet on an RGB 256 px crop."""
    def preprocess(img, half_mask):
        x = torch.FloatTensor(np.transpose(np.asarray([img]) / 255.0, (3, 0, 1, 2))).squeeze()
        if half_mask:
            mask = torch.zeros((256, 256))
            mask[:128, :] = 1
            x = x * (mask > 0.5)
        x = (x - 0.5) / 0.5  # transforms.Normalize(mean=0.5, std=0.5)
        return x.unsqueeze(0)

    masked = vae.config.scaling_factor * vae.encode(preprocess(crop_rgb, True)).latent_dist.sample(generator)
    ref = vae.config.scaling_factor * vae.encode(preprocess(crop_rgb, False)).latent_dist.sample(generator)
    return torch.cat([masked, ref], dim=1)


def published_models(model_dir):
    """Loaded the way musetalk/utils/utils.load_all_model and scripts/inference.py do."""
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from transformers import AutoFeatureExtractor, WhisperModel

    unet = UNet2DConditionModel(**json.loads((model_dir / "musetalkV15/musetalk.json").read_text()))
    unet.load_state_dict(torch.load(model_dir / "musetalkV15/unet.pth", map_location="cpu"))
    vae = AutoencoderKL.from_pretrained(model_dir / "sd-vae")
    whisper = WhisperModel.from_pretrained(model_dir / "whisper").eval()
    extractor = AutoFeatureExtractor.from_pretrained(model_dir / "whisper")
    return unet.eval(), vae.eval(), whisper, extractor


def test_audio_tokens_and_unet_input_match_the_published_steps(model_dir, tmp_path):
    track = synth_voice(tmp_path, seconds=1.3, rate=24000)
    samples, rate = read_wav_mono(tmp_path / track.audio)
    ours = load_models(str(model_dir), "cpu")
    unet, vae, whisper, extractor = published_models(model_dir)

    wav = to_16k(samples, rate)
    features = [extractor(wav, return_tensors="pt", sampling_rate=16000).input_features]
    with torch.no_grad():
        expected = published_pe(published_whisper_chunk(whisper, features, len(wav)), 16)
    got = add_positional_encoding(audio_prompts(ours, samples, rate))
    n_frames = math.floor(len(wav) / 16000 * 25)
    assert got.shape == expected.shape == (n_frames, 50, 16)  # 10 positions x (embeddings + 4 layers)
    assert torch.allclose(got, expected, atol=1e-5)
    # a frame in the middle: its first token is layer 0 (the embeddings) of position 2*i - 4
    with torch.no_grad():
        states = whisper.encoder(features[0], output_hidden_states=True).hidden_states
    i = 20
    assert torch.allclose(got[i, 0] - published_pe(torch.zeros(1, 50, 16), 16)[0, 0], states[0][0, 2 * i - 4], atol=1e-5)
    assert torch.allclose(got[i, 9] - published_pe(torch.zeros(1, 50, 16), 16)[0, 9], states[4][0, 2 * i - 3], atol=1e-5)

    crop = np.random.default_rng(0).integers(0, 255, (256, 256, 3), dtype=np.uint8)
    with torch.no_grad():
        expected_latents = published_latents(vae, crop, torch.Generator().manual_seed(7))
        latents = unet_latents(ours, crop, torch.Generator().manual_seed(7))
    assert latents.shape == expected_latents.shape == (1, 8, 32, 32)
    assert torch.allclose(latents, expected_latents, atol=1e-5)
    # the UNet step: timestep 0, PE'd audio, decoded by the VAE at 1 / 0.18215
    with torch.no_grad():
        predicted = unet(expected_latents.expand(2, -1, -1, -1), torch.tensor([0]),
                         encoder_hidden_states=expected[:2]).sample
        image = (vae.decode(predicted / 0.18215).sample / 2 + 0.5).clamp(0, 1)
    reference_faces = (image.permute(0, 2, 3, 1).numpy() * 255).round().astype(np.uint8)
    faces = generate_faces(ours, latents, audio_prompts(ours, samples, rate)[:2])
    assert faces.shape == (2, 256, 256, 3)
    assert np.abs(faces.astype(int) - reference_faces.astype(int)).max() <= 1


def test_crop_box_follows_the_published_landmark_rule():
    landmarks = blend.landmarks_from_features((100, 100), (160, 100), (130, 160))
    pts = landmarks.points.astype(np.int32)
    x1, y1, x2, y2 = blend.crop_box(landmarks, 400)
    assert (x1, x2) == (pts[:, 0].min(), pts[:, 0].max())
    assert y2 == pts[:, 1].max() + 10  # v1.5's extra margin
    assert pts[29, 1] - y1 == pts[:, 1].max() - pts[29, 1]  # as far above the nose bridge as the chin is below
    assert pts[8, 1] == pts[:, 1].max() and pts[29, 1] > 100  # chin lowest; nose bridge below the eyes


def test_lipsync_renders_a_frame_accurate_clip_on_cpu(voice, model_dir, tmp_path):
    track, voice_dir = voice
    short = track.model_copy(update={"duration_s": 0.3})  # 9 frames at 30 fps from 7 frames at 25 fps
    clip = render_presenter(short, voice_dir, tmp_path / "out", engine="lipsync",
                            settings={"model_dir": str(model_dir), "device": "cpu", "height": 200})
    info = media_info(tmp_path / "out" / clip.video)
    assert (info.width, info.height) == (160, 200) and clip.engine == "lipsync"
    frames = decode_gray(tmp_path / "out" / clip.video, clip.width, clip.height)
    assert len(frames) == 9
    # only the lower face is generated: the top of the picture is the untouched portrait
    x, y, w, h = clip.face_box
    assert frames[:, :max(y, 1), :].std(axis=0).mean() < 2.0


def test_two_clips_at_once_on_one_loaded_model(voice, model_dir, tmp_path):
    track, voice_dir = voice
    short = track.model_copy(update={"duration_s": 0.2})
    settings = {"model_dir": str(model_dir), "device": "cpu", "height": 120, "batch_size": 2}
    errors, clips = [], {}

    def run(name):
        try:
            clips[name] = render_presenter(short, voice_dir, tmp_path / name, engine="lipsync", settings=settings)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(f"c{i}",)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    videos = [decode_gray(tmp_path / name / clips[name].video, 96, 120) for name in sorted(clips)]
    assert all(np.array_equal(videos[0], v) for v in videos[1:])  # same seed, same clip, whoever ran first


def test_missing_model_dir_is_a_clear_error(voice, tmp_path):
    track, voice_dir = voice
    with pytest.raises(AvatarError) as err:
        render_presenter(track, voice_dir, tmp_path / "out", engine="lipsync",
                         settings={"model_dir": str(tmp_path / "nowhere"), "device": "cpu"})
    assert err.value.code == "model_missing"
    assert "lipsync" in ENGINES.names()


def test_incomplete_model_dir_is_a_clear_error(tmp_path):
    (tmp_path / "sd-vae").mkdir()
    with pytest.raises(AvatarError) as err:
        load_models(str(tmp_path), "cpu")
    assert err.value.code == "model_invalid" and "musetalkV15/unet.pth" in err.value.message


def test_damaged_weights_are_a_clear_error(model_dir, tmp_path):
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(model_dir, broken)
    data = (broken / "musetalkV15/unet.pth").read_bytes()
    (broken / "musetalkV15/unet.pth").write_bytes(data[: len(data) // 2])
    with pytest.raises(AvatarError) as err:
        load_models(str(broken), "cpu")
    assert err.value.code == "model_corrupt"
