"""`lipsync`: neural lip-sync in the MuseTalk / LatentSync family, for GPU workers.

Per video frame the face is cropped (square, from the portrait rig that also gives blinks and
head sway), its lower half masked, and both the masked crop and the unmasked reference face
are encoded by a VAE (diffusers AutoencoderKL). A UNet2DConditionModel takes the two latents
concatenated (8 channels) and, through cross-attention, a window of whisper encoder features
around the frame's time, and predicts the face latents in one step; the VAE decodes them and
the mouth region is pasted back with a feathered mask. Frames run in batches, fp16 on CUDA.

Model directory layout (every part loaded with `from_pretrained(model_dir, subfolder=...)`):
    vae/                AutoencoderKL
    unet/               UNet2DConditionModel (in_channels 8, out 4, cross_attention_dim = whisper d_model)
    whisper/            WhisperModel (the encoder is used)
    feature_extractor/  WhisperFeatureExtractor
"""

from __future__ import annotations

import functools
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from pydantic import BaseModel, ConfigDict

from pipelines.avatar.base import PresenterRequest, cache_root
from pipelines.avatar.motion import blink_track, head_motion, read_wav_mono
from pipelines.avatar.output import CLIP_NAME, ClipSpec, FrameWriter
from pipelines.avatar.photo import BLINK_LEVELS, portrait_path, portrait_rig
from pipelines.errors import AvatarError
from pipelines.product import PresenterClip

WHISPER_RATE = 16000
WHISPER_FPS = 50  # encoder positions per second of audio
CHUNK_S = 30  # whisper's fixed input length


class LipsyncConfig(BaseModel):
    model_config = ConfigDict(extra="ignore", protected_namespaces=())

    model_dir: str | None = None  # default: $ADGEN_LIPSYNC_MODEL_DIR
    device: str = "auto"  # auto | cpu | cuda | cuda:N
    batch_size: int = 0  # 0: 16 on CUDA, 4 on CPU
    audio_window: int = 5  # whisper positions each side of a frame (5 -> 10 tokens, 200 ms)
    x264_preset: str = "superfast"
    crf: int = 18


@dataclass
class LipsyncModels:
    vae: object
    unet: object
    encoder: object
    feature_extractor: object
    device: object
    dtype: object
    face_size: int
    latent_scale: float


_load_lock = threading.Lock()


def resolve_device(name: str):
    import torch

    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(name)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise AvatarError("The lipsync engine was asked to run on CUDA but this worker has no GPU.",
                          code="no_gpu", stage="avatar")
    return device


@functools.lru_cache(maxsize=2)
def _load(model_dir: str, device_name: str) -> LipsyncModels:
    import torch
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from transformers import WhisperFeatureExtractor, WhisperModel

    device = torch.device(device_name)
    dtype = torch.float16 if device.type == "cuda" else torch.float32
    try:
        vae = AutoencoderKL.from_pretrained(model_dir, subfolder="vae", torch_dtype=dtype)
        unet = UNet2DConditionModel.from_pretrained(model_dir, subfolder="unet", torch_dtype=dtype)
        whisper = WhisperModel.from_pretrained(model_dir, subfolder="whisper", dtype=dtype)
        extractor = WhisperFeatureExtractor.from_pretrained(model_dir, subfolder="feature_extractor")
    except (OSError, ValueError) as exc:
        raise AvatarError(f"The lipsync model folder {model_dir!r} is incomplete: {exc}",
                          code="model_invalid", stage="avatar") from exc
    encoder = whisper.get_encoder()
    del whisper.decoder  # only the encoder is used; free the decoder's memory
    if unet.config.in_channels != 2 * vae.config.latent_channels:
        raise AvatarError("The lipsync UNet must take the masked and the reference latents (2 x VAE channels).",
                          code="model_invalid", stage="avatar")
    if unet.config.cross_attention_dim != encoder.config.d_model:
        raise AvatarError("The lipsync UNet's cross-attention size does not match the whisper encoder.",
                          code="model_invalid", stage="avatar")
    for module in (vae, unet, encoder):
        module.to(device).eval().requires_grad_(False)
    scale_factor = 2 ** (len(vae.config.block_out_channels) - 1)
    face_size = int(unet.config.sample_size) * scale_factor
    return LipsyncModels(vae, unet, encoder, extractor, device, dtype, face_size,
                         float(getattr(vae.config, "scaling_factor", 0.18215)))


def load_models(model_dir: str | None, device: str = "auto") -> LipsyncModels:
    model_dir = model_dir or os.environ.get("ADGEN_LIPSYNC_MODEL_DIR")
    if not model_dir or not Path(model_dir).is_dir():
        raise AvatarError("The lipsync engine needs its model folder (vae/, unet/, whisper/, feature_extractor/): "
                          "set avatar settings model_dir or ADGEN_LIPSYNC_MODEL_DIR.",
                          code="model_missing", stage="avatar")
    with _load_lock:
        return _load(str(Path(model_dir).resolve()), str(resolve_device(device)))


def audio_features(models: LipsyncModels, samples: np.ndarray, rate: int):
    """Whisper encoder states for the whole track at 50 positions per second: (T, d_model)."""
    import torch
    from scipy.signal import resample_poly

    audio = resample_poly(samples, WHISPER_RATE, rate).astype(np.float32) if rate != WHISPER_RATE else samples
    chunk = CHUNK_S * WHISPER_RATE
    states = []
    for start in range(0, max(len(audio), 1), chunk):
        piece = audio[start:start + chunk]
        features = models.feature_extractor(piece, sampling_rate=WHISPER_RATE, return_tensors="pt").input_features
        with torch.inference_mode():
            hidden = models.encoder(features.to(models.device, models.dtype)).last_hidden_state[0]
        used = int(np.ceil(len(piece) / WHISPER_RATE * WHISPER_FPS))
        states.append(hidden[:max(used, 1)])
    return torch.cat(states, 0)


def feather_mask(size: int) -> np.ndarray:
    """Where generated pixels replace the original in the face crop: the lower face, soft edges."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    inside = (((xx - 0.5) / 0.36) ** 2 + ((yy - 0.68) / 0.3) ** 2) <= 1
    mask = cv2.GaussianBlur(inside.astype(np.float32), (0, 0), size * 0.05)
    return mask[..., None]


class LipsyncEngine:
    name = "lipsync"

    def __init__(self, config: LipsyncConfig):
        self.config = config

    def __call__(self, request: PresenterRequest, out_dir: Path) -> PresenterClip:
        import torch

        models = load_models(self.config.model_dir, self.config.device)
        request.report(0.05, "lip-sync model loaded")
        rig = portrait_rig(portrait_path(request), request.width, request.height, str(cache_root(request.settings)))
        n, fps = request.n_frames, request.fps
        samples, rate = read_wav_mono(request.audio)
        states = audio_features(models, samples, rate)
        request.report(0.15, "audio encoded")
        blinks = np.round(blink_track(n, fps, request.seed) * (BLINK_LEVELS - 1)).astype(int)
        motion = head_motion(n, fps, request.seed, request.energy(), scale=request.height / 1080)
        dx, dy = np.round(motion.dx).astype(int), np.round(motion.dy).astype(int)

        # the face crop: a square over the lower face and chin, at rest position
        fx, fy, fw, fh = rig.face_box
        side = int(min(1.35 * fw, request.width, request.height))
        cx0 = int(np.clip(fx + fw / 2 - side / 2, 0, request.width - side))
        cy0 = int(np.clip(fy + 0.55 * fh - side / 2, 0, request.height - side))
        size = models.face_size
        mask = feather_mask(side)
        reference = cv2.resize(rig.canvas[cy0:cy0 + side, cx0:cx0 + side], (size, size), interpolation=cv2.INTER_AREA)

        def to_tensor(images: np.ndarray):
            t = torch.from_numpy(images).to(models.device).permute(0, 3, 1, 2)
            return (t.to(models.dtype) / 127.5 - 1)

        with torch.inference_mode():
            ref_latent = models.vae.encode(to_tensor(reference[None])).latent_dist.mode() * models.latent_scale
        batch = self.config.batch_size or (16 if models.device.type == "cuda" else 4)
        window = self.config.audio_window
        positions = torch.arange(-window, window, device=states.device)
        spec = ClipSpec(request.width, request.height, fps, n, request.audio, request.duration_s)
        out = Path(out_dir) / CLIP_NAME
        with FrameWriter(out, spec, preset=self.config.x264_preset, crf=self.config.crf) as writer:
            for start in range(0, n, batch):
                idx = np.arange(start, min(start + batch, n))
                frames = [rig.frame(int(dx[i]), int(dy[i]), 0, 0, int(blinks[i])) for i in idx]
                boxes = [(int(np.clip(cx0 + dx[i], 0, request.width - side)),
                          int(np.clip(cy0 + dy[i], 0, request.height - side))) for i in idx]
                crops = np.stack([cv2.resize(f[y:y + side, x:x + side], (size, size), interpolation=cv2.INTER_AREA)
                                  for f, (x, y) in zip(frames, boxes)])
                masked = crops.copy()
                masked[:, size // 2:] = 0  # the network sees the upper face only, plus the reference
                centres = torch.as_tensor((idx / fps * WHISPER_FPS).round().astype(np.int64), device=states.device)
                token_idx = (centres[:, None] + positions[None]).clamp(0, len(states) - 1)
                audio_tokens = states[token_idx]  # (B, 2*window, d_model)
                with torch.inference_mode():
                    masked_latent = models.vae.encode(to_tensor(masked)).latent_dist.mode() * models.latent_scale
                    sample = torch.cat([masked_latent, ref_latent.expand(len(idx), -1, -1, -1)], dim=1)
                    timestep = torch.zeros(len(idx), device=models.device, dtype=torch.long)
                    predicted = models.unet(sample, timestep, encoder_hidden_states=audio_tokens).sample
                    decoded = models.vae.decode(predicted / models.latent_scale).sample
                faces = ((decoded.float().clamp(-1, 1) + 1) * 127.5).round().byte().permute(0, 2, 3, 1).cpu().numpy()
                for frame, face, (x, y) in zip(frames, faces, boxes):
                    face = cv2.resize(face, (side, side), interpolation=cv2.INTER_CUBIC).astype(np.float32)
                    region = frame[y:y + side, x:x + side].astype(np.float32)
                    frame[y:y + side, x:x + side] = (face * mask + region * (1 - mask)).round().astype(np.uint8)
                    writer.write(frame)
                request.report(0.15 + 0.85 * idx[-1] / n, "lip-syncing")
        return PresenterClip(video=CLIP_NAME, has_alpha=False, key_color=None, width=request.width,
                             height=request.height, fps=fps, duration_s=n / fps, face_box=rig.face_box,
                             engine=self.name)


# --------------------------------------------------------------------------- random-weight models

ARCHITECTURES = {
    # real size: sd-vae-ft-mse VAE, MuseTalk's UNet (SD 1.x layout, 8 in-channels, whisper-tiny
    # cross-attention), whisper-tiny encoder; 256 px face crops
    "full": {
        "vae": dict(block_out_channels=(128, 256, 512, 512), layers_per_block=2, latent_channels=4,
                    down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4,
                    norm_num_groups=32, sample_size=256),
        "unet": dict(sample_size=32, in_channels=8, out_channels=4, layers_per_block=2,
                     block_out_channels=(320, 640, 1280, 1280), cross_attention_dim=384, attention_head_dim=8,
                     down_block_types=("CrossAttnDownBlock2D",) * 3 + ("DownBlock2D",),
                     up_block_types=("UpBlock2D",) + ("CrossAttnUpBlock2D",) * 3),
        "whisper": dict(d_model=384, encoder_layers=4, decoder_layers=4, encoder_attention_heads=6,
                        decoder_attention_heads=6, encoder_ffn_dim=1536, decoder_ffn_dim=1536, num_mel_bins=80,
                        vocab_size=51865),
    },
    # a few kilobytes of weights, same classes and data flow; 32 px face crops
    "tiny": {
        "vae": dict(block_out_channels=(8, 16), layers_per_block=1, latent_channels=4,
                    down_block_types=("DownEncoderBlock2D",) * 2, up_block_types=("UpDecoderBlock2D",) * 2,
                    norm_num_groups=4, sample_size=32),
        "unet": dict(sample_size=16, in_channels=8, out_channels=4, layers_per_block=1,
                     block_out_channels=(8, 16), cross_attention_dim=16, attention_head_dim=2, norm_num_groups=4,
                     down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
                     up_block_types=("UpBlock2D", "CrossAttnUpBlock2D")),
        "whisper": dict(d_model=16, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2,
                        decoder_attention_heads=2, encoder_ffn_dim=32, decoder_ffn_dim=32, num_mel_bins=80,
                        vocab_size=64, max_target_positions=32, pad_token_id=0, bos_token_id=1,
                        eos_token_id=2, decoder_start_token_id=1, suppress_tokens=[], begin_suppress_tokens=[]),
    },
}


def save_random_models(model_dir: Path, architecture: str = "tiny", seed: int = 0) -> Path:
    """Write a complete model folder with randomly initialised weights (tests and benchmarks:
    the real classes, loader and inference path, without downloading anything)."""
    import torch
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from transformers import WhisperConfig, WhisperFeatureExtractor, WhisperModel

    arch = ARCHITECTURES[architecture]
    torch.manual_seed(seed)
    model_dir = Path(model_dir)
    AutoencoderKL(**arch["vae"]).save_pretrained(model_dir / "vae")
    UNet2DConditionModel(**arch["unet"]).save_pretrained(model_dir / "unet")
    WhisperModel(WhisperConfig(**arch["whisper"])).save_pretrained(model_dir / "whisper")
    WhisperFeatureExtractor(feature_size=arch["whisper"]["num_mel_bins"]).save_pretrained(model_dir / "feature_extractor")
    return model_dir
