"""`lipsync`: MuseTalk 1.5 (MIT, TMElyralab) loaded and run as published, for GPU workers.

Model folder, the published layout (`adgen models pull musetalk-1.5` fills it):
    musetalkV15/musetalk.json   UNet2DConditionModel(**config)
    musetalkV15/unet.pth        its state dict (torch.save)
    sd-vae/                     stabilityai/sd-vae-ft-mse (diffusers AutoencoderKL)
    whisper/                    openai/whisper-tiny (transformers, with preprocessor_config.json)

Inference (scripts/inference.py, v1.5): the face crop (musetalk_blend) at 256 x 256; VAE latents
(x 0.18215, a posterior sample) of the crop with its lower half blacked out and of the whole
crop, concatenated -> 8 channels; whisper-tiny features per 25 fps frame (musetalk_audio) plus
the positional encoding as the cross-attention input; the UNet at timestep 0 predicts the face
latents, the VAE decodes them, and the face is blended back through the lower-face mask. Frames
are made at 25 fps and retimed (nearest frame) to the clip's frame rate. fp16 on CUDA.

A still portrait is MuseTalk's single-image input: the mouth region moves, the rest of the
picture stays (MuseTalk takes head motion and blinks from a driving video, which we do not have).
One inference at a time per loaded model: a worker's threads take turns on the GPU.
"""

from __future__ import annotations

import functools
import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from pipelines.avatar import musetalk_audio as audio
from pipelines.avatar import musetalk_blend as blend
from pipelines.avatar.base import PresenterRequest
from pipelines.avatar.face import load_portrait
from pipelines.avatar.motion import read_wav_mono
from pipelines.avatar.output import CLIP_NAME, ClipSpec, FrameWriter
from pipelines.errors import AvatarError
from pipelines.product import PresenterClip

UNET_CONFIG = "musetalkV15/musetalk.json"
UNET_WEIGHTS = "musetalkV15/unet.pth"
VAE_DIR = "sd-vae"
WHISPER_DIR = "whisper"
REQUIRED = (UNET_CONFIG, UNET_WEIGHTS, f"{VAE_DIR}/config.json", f"{WHISPER_DIR}/config.json",
            f"{WHISPER_DIR}/preprocessor_config.json")
FACE_WIDTH_OF_CANVAS = 0.40  # face box width / canvas width when the portrait is framed


class LipsyncConfig(BaseModel):
    model_config = ConfigDict(extra="ignore", protected_namespaces=())

    model_dir: str | None = None  # default: $ADGEN_LIPSYNC_MODEL_DIR
    device: str = "auto"  # auto | cpu | cuda | cuda:N
    batch_size: int = Field(0, ge=0)  # 0: 8 (MuseTalk's default) on CUDA, 4 on CPU
    bbox_shift: int = 0  # v1.5 uses 0
    extra_margin: int = Field(10, ge=0)  # px under the chin (v1.5)
    x264_preset: str = "superfast"
    crf: int = 18


@dataclass
class LipsyncModels:
    vae: object
    unet: object
    whisper: object
    feature_extractor: object
    device: object
    dtype: object
    lock: threading.Lock = field(default_factory=threading.Lock)
    face_size: int = blend.FACE_SIZE

    @property
    def encoder(self):
        return self.whisper.encoder

    @property
    def latent_scale(self) -> float:
        return float(getattr(self.vae.config, "scaling_factor", 0.18215))


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


def missing_files(model_dir: Path) -> list[str]:
    missing = [name for name in REQUIRED if not (model_dir / name).is_file()]
    for folder, stems in ((VAE_DIR, ("diffusion_pytorch_model",)), (WHISPER_DIR, ("model", "pytorch_model"))):
        if not any((model_dir / folder / f"{stem}.{ext}").is_file() for stem in stems for ext in ("safetensors", "bin")):
            missing.append(f"{folder}/ weights")
    return missing


@functools.lru_cache(maxsize=2)
def _load(model_dir: str, device_name: str) -> LipsyncModels:
    import torch
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from transformers import AutoFeatureExtractor, WhisperModel

    root = Path(model_dir)
    device = torch.device(device_name)
    dtype = torch.float16 if device.type == "cuda" else torch.float32
    try:
        config = json.loads((root / UNET_CONFIG).read_text())
        unet = UNet2DConditionModel(**config)
    except (OSError, ValueError, TypeError) as exc:
        raise AvatarError(f"{UNET_CONFIG} in {model_dir} is not a UNet configuration: {exc}",
                          code="model_invalid", stage="avatar") from exc
    try:
        state = torch.load(root / UNET_WEIGHTS, map_location="cpu", weights_only=True)
        unet.load_state_dict(state)
    except Exception as exc:  # noqa: BLE001 - a truncated or foreign checkpoint: say which file
        raise AvatarError(f"{UNET_WEIGHTS} in {model_dir} is damaged or does not match musetalk.json "
                          f"(run `adgen models verify`): {str(exc).splitlines()[0][:200]}",
                          code="model_corrupt", stage="avatar") from exc
    try:
        vae = AutoencoderKL.from_pretrained(root / VAE_DIR)
        whisper = WhisperModel.from_pretrained(root / WHISPER_DIR)
        extractor = AutoFeatureExtractor.from_pretrained(root / WHISPER_DIR)
    except Exception as exc:  # noqa: BLE001 - from_pretrained raises many types for a bad folder
        raise AvatarError(f"The lipsync model folder {model_dir!r} has a damaged sd-vae/ or whisper/: "
                          f"{str(exc).splitlines()[0][:200]}", code="model_corrupt", stage="avatar") from exc
    del whisper.decoder  # only the encoder is used
    if unet.config.in_channels != 2 * vae.config.latent_channels:
        raise AvatarError("The lipsync UNet must take the masked and the reference latents (2 x VAE channels).",
                          code="model_invalid", stage="avatar")
    if unet.config.cross_attention_dim != whisper.config.d_model:
        raise AvatarError("The lipsync UNet's cross-attention size does not match the whisper encoder.",
                          code="model_invalid", stage="avatar")
    for module in (vae, unet, whisper):
        module.to(device).eval().requires_grad_(False)
        if dtype != torch.float32:  # fp16 on CUDA, as MuseTalk's --use_float16
            module.to(dtype)
    return LipsyncModels(vae, unet, whisper, extractor, device, dtype)


def load_models(model_dir: str | None, device: str = "auto") -> LipsyncModels:
    model_dir = model_dir or os.environ.get("ADGEN_LIPSYNC_MODEL_DIR")
    if not model_dir or not Path(model_dir).is_dir():
        raise AvatarError("The lipsync engine needs MuseTalk 1.5's folder (`adgen models pull musetalk-1.5`): "
                          "set avatar settings model_dir or ADGEN_LIPSYNC_MODEL_DIR.",
                          code="model_missing", stage="avatar")
    missing = missing_files(Path(model_dir))
    if missing:
        raise AvatarError(f"The lipsync model folder {model_dir!r} is incomplete: missing {', '.join(missing)} "
                          "(MuseTalk 1.5's layout: musetalkV15/, sd-vae/, whisper/).",
                          code="model_invalid", stage="avatar")
    with _load_lock:
        return _load(str(Path(model_dir).resolve()), str(resolve_device(device)))


# --------------------------------------------------------------------------- the published steps


def image_tensor(face_rgb: np.ndarray, *, half_mask: bool, device, dtype):
    """`VAE.preprocess_img`: 0..1, lower half zeroed when masked, normalised to -1..1, NCHW."""
    import torch

    x = torch.from_numpy(face_rgb.astype(np.float32) / 255.0).permute(2, 0, 1)
    if half_mask:
        mask = torch.zeros(x.shape[1:])
        mask[:x.shape[1] // 2] = 1
        x = x * (mask > 0.5)
    x = (x - 0.5) / 0.5
    return x[None].to(device=device, dtype=dtype)


def unet_latents(models: LipsyncModels, face_rgb: np.ndarray, generator=None):
    """`VAE.get_latents_for_unet`: cat(masked latents, reference latents) -> (1, 8, h, w)."""
    import torch

    with torch.inference_mode():
        masked = models.vae.encode(image_tensor(face_rgb, half_mask=True, device=models.device,
                                                dtype=models.dtype)).latent_dist.sample(generator)
        reference = models.vae.encode(image_tensor(face_rgb, half_mask=False, device=models.device,
                                                   dtype=models.dtype)).latent_dist.sample(generator)
    return torch.cat([masked * models.latent_scale, reference * models.latent_scale], dim=1)


def audio_prompts(models: LipsyncModels, samples: np.ndarray, rate: int):
    """Whisper chunks for every 25 fps frame of the voice, (frames, 50, d_model), before the PE."""
    wav = audio.to_16k(samples, rate)
    features = audio.input_features(models.feature_extractor, wav)
    return audio.whisper_chunks(models.encoder, features, len(wav), device=models.device, dtype=models.dtype)


def generate_faces(models: LipsyncModels, latents, prompts):
    """UNet at timestep 0 on a batch, decoded to uint8 RGB faces (B, 256, 256, 3)."""
    import torch

    with torch.inference_mode():
        timesteps = torch.tensor([0], device=models.device)
        hidden = audio.add_positional_encoding(prompts.to(models.dtype))
        batch = latents.expand(len(prompts), -1, -1, -1).to(models.dtype)
        predicted = models.unet(batch, timesteps, encoder_hidden_states=hidden).sample
        image = models.vae.decode(predicted / models.latent_scale).sample
        image = (image / 2 + 0.5).clamp(0, 1)
        return (image.permute(0, 2, 3, 1).float().cpu().numpy() * 255).round().astype(np.uint8)


def portrait_landmarks(image: np.ndarray) -> blend.FaceLandmarks:
    """MuseTalk's 68 landmarks: from MediaPipe's face mesh, or (without its model files) an
    average face in scikit-image's frontal-face box."""
    try:
        from pipelines.avatar.landmarks import face_mesh

        return blend.landmarks_from_mesh(face_mesh(image))
    except AvatarError as exc:
        if exc.code != "face_model_missing":
            raise
    from skimage import data
    from skimage.feature import Cascade

    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255
    side = min(gray.shape)
    found = Cascade(data.lbp_frontal_face_cascade_filename()).detect_multi_scale(
        img=gray, scale_factor=1.15, step_ratio=1, min_size=(side // 10, side // 10),
        max_size=(int(side * 0.95), int(side * 0.95)))
    if not found:
        raise AvatarError("No face was found in the presenter photo. Use a well-lit, front-facing portrait.",
                          code="no_face_found", stage="avatar")
    best = max(found, key=lambda d: d["width"] * d["height"])
    return blend.landmarks_from_box((best["c"], best["r"], best["width"], best["height"]))


def place_portrait(image: np.ndarray, width: int, height: int):
    """The portrait scaled and cropped to the canvas with the face framed: (canvas, landmarks)."""
    landmarks = portrait_landmarks(image)
    pts = landmarks.points
    x0, y0 = pts[:, 0].min(), pts[17:27, 1].min()
    face_w, face_h = pts[:, 0].max() - x0, pts[:, 1].max() - y0
    img_h, img_w = image.shape[:2]
    scale = max(FACE_WIDTH_OF_CANVAS * width / max(face_w, 1), width / img_w, height / img_h)
    resized = cv2.resize(image, (max(round(img_w * scale), width), max(round(img_h * scale), height)),
                         interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
    cx, cy = (x0 + face_w / 2) * scale, (y0 + face_h / 2) * scale
    left = int(np.clip(round(cx - width / 2), 0, resized.shape[1] - width))
    top = int(np.clip(round(cy - 0.42 * height), 0, resized.shape[0] - height))
    canvas = np.ascontiguousarray(resized[top:top + height, left:left + width])
    return canvas, blend.FaceLandmarks(pts * scale - np.array([left, top], np.float32))


def portrait_file(request: PresenterRequest) -> Path | None:
    presenter = request.settings.presenter
    if not presenter:
        return None  # the bundled demo portrait (scikit-image's astronaut, public domain)
    path = Path(presenter).expanduser()
    if not path.suffix:
        raise AvatarError(f"{presenter!r} is a drawn look; the lipsync presenter needs a portrait image "
                          "(JPEG/PNG path).", code="portrait_required", stage="avatar")
    return path.resolve()


class LipsyncEngine:
    name = "lipsync"

    def __init__(self, config: LipsyncConfig):
        self.config = config

    def __call__(self, request: PresenterRequest, out_dir: Path) -> PresenterClip:
        import torch

        models = load_models(self.config.model_dir, self.config.device)
        request.report(0.05, "MuseTalk loaded")
        image, _ = load_portrait(portrait_file(request))
        canvas, landmarks = place_portrait(image, request.width, request.height)
        pts = landmarks.points
        top = float(pts[17:27, 1].min())
        face_box = (int(pts[:, 0].min()), int(top), int(np.ptp(pts[:, 0])), int(pts[:, 1].max() - top))
        box = blend.crop_box(landmarks, request.height, bbox_shift=self.config.bbox_shift,
                             extra_margin=self.config.extra_margin)
        if box[2] - box[0] < 8 or box[3] - box[1] < 8 or box[0] < 0 or box[2] > request.width:
            raise AvatarError("The face in the presenter photo is too close to the edge or too small for lip-sync.",
                              code="face_unusable", stage="avatar")
        mask = blend.blend_mask(box, blend.face_region(landmarks, canvas.shape))
        samples, rate = read_wav_mono(request.audio)
        generator = torch.Generator(device=models.device).manual_seed(int(request.seed))
        with models.lock:
            prompts = audio_prompts(models, samples, rate)
            latents = unet_latents(models, blend.crop_face(canvas, box), generator)
        request.report(0.15, "audio encoded")
        n, fps = request.n_frames, request.fps
        source_frames = max(len(prompts), 1)
        # nearest 25 fps frame for each output frame
        pick = np.minimum(np.round(np.arange(n) * audio.VIDEO_FPS / fps).astype(int), source_frames - 1)
        batch = self.config.batch_size or (8 if models.device.type == "cuda" else 4)
        spec = ClipSpec(request.width, request.height, fps, n, request.audio, request.duration_s)
        out = Path(out_dir) / CLIP_NAME
        written = 0
        with FrameWriter(out, spec, preset=self.config.x264_preset, crf=self.config.crf) as writer:
            if len(prompts) == 0:  # shorter than one 25 fps frame: the still portrait
                for _ in range(n):
                    writer.write(canvas)
            for start in range(0, len(prompts), batch):
                if written >= n:
                    break
                with models.lock:
                    faces = generate_faces(models, latents, prompts[start:start + batch])
                frames = [blend.paste_face(canvas, face, box, mask) for face in faces]
                while written < n and pick[written] < start + len(frames):
                    writer.write(frames[pick[written] - start])
                    written += 1
                request.report(0.15 + 0.85 * written / n, "lip-syncing")
        return PresenterClip(video=CLIP_NAME, has_alpha=False, key_color=None, width=request.width,
                             height=request.height, fps=fps, duration_s=n / fps, face_box=face_box,
                             engine=self.name)


# --------------------------------------------------------------------------- random-weight models

# MuseTalk 1.5's published configurations (musetalkV15/musetalk.json; sd-vae-ft-mse; whisper-tiny)
# and a tiny variant with the same classes, block kinds and data flow (256 px face, 32 x 32 latents,
# 5 whisper hidden states -> 50 audio tokens) at a few hundred kilobytes.
ARCHITECTURES = {
    "full": {
        "unet": {"_class_name": "UNet2DConditionModel", "_diffusers_version": "0.6.0.dev0", "act_fn": "silu",
                 "attention_head_dim": 8, "block_out_channels": [320, 640, 1280, 1280],
                 "center_input_sample": False, "cross_attention_dim": 384,
                 "down_block_types": ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D",
                                      "DownBlock2D"],
                 "downsample_padding": 1, "flip_sin_to_cos": True, "freq_shift": 0, "in_channels": 8,
                 "layers_per_block": 2, "mid_block_scale_factor": 1, "norm_eps": 1e-05, "norm_num_groups": 32,
                 "out_channels": 4, "sample_size": 64,
                 "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"]},
        "vae": dict(block_out_channels=(128, 256, 512, 512), layers_per_block=2, latent_channels=4,
                    down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4,
                    norm_num_groups=32, sample_size=256),
        "whisper": dict(d_model=384, encoder_layers=4, decoder_layers=4, encoder_attention_heads=6,
                        decoder_attention_heads=6, encoder_ffn_dim=1536, decoder_ffn_dim=1536, num_mel_bins=80,
                        vocab_size=51865),
    },
    "tiny": {
        "unet": {"_class_name": "UNet2DConditionModel", "_diffusers_version": "0.6.0.dev0", "act_fn": "silu",
                 "attention_head_dim": 2, "block_out_channels": [8, 16], "center_input_sample": False,
                 "cross_attention_dim": 16, "down_block_types": ["CrossAttnDownBlock2D", "DownBlock2D"],
                 "downsample_padding": 1, "flip_sin_to_cos": True, "freq_shift": 0, "in_channels": 8,
                 "layers_per_block": 1, "mid_block_scale_factor": 1, "norm_eps": 1e-05, "norm_num_groups": 4,
                 "out_channels": 4, "sample_size": 32, "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D"]},
        "vae": dict(block_out_channels=(4, 4, 8, 8), layers_per_block=1, latent_channels=4,
                    down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4,
                    norm_num_groups=4, sample_size=256),
        "whisper": dict(d_model=16, encoder_layers=4, decoder_layers=1, encoder_attention_heads=2,
                        decoder_attention_heads=2, encoder_ffn_dim=32, decoder_ffn_dim=32, num_mel_bins=80,
                        vocab_size=64, max_target_positions=32, pad_token_id=0, bos_token_id=1,
                        eos_token_id=2, decoder_start_token_id=1, suppress_tokens=[], begin_suppress_tokens=[]),
    },
}


def save_random_models(model_dir: Path, architecture: str = "tiny", seed: int = 0) -> Path:
    """Write MuseTalk 1.5's published folder layout with random weights (tests, benchmarks,
    `adgen models make-tiny --kind musetalk`): musetalkV15/{musetalk.json, unet.pth},
    sd-vae/ (AutoencoderKL), whisper/ (WhisperForConditionalGeneration + feature extractor)."""
    import torch
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from transformers import WhisperConfig, WhisperFeatureExtractor, WhisperForConditionalGeneration

    arch = ARCHITECTURES[architecture]
    torch.manual_seed(seed)
    model_dir = Path(model_dir)
    (model_dir / "musetalkV15").mkdir(parents=True, exist_ok=True)
    (model_dir / UNET_CONFIG).write_text(json.dumps(arch["unet"], indent=2))
    torch.save(UNet2DConditionModel(**arch["unet"]).state_dict(), model_dir / UNET_WEIGHTS)
    AutoencoderKL(**arch["vae"]).save_pretrained(model_dir / VAE_DIR)
    WhisperForConditionalGeneration(WhisperConfig(**arch["whisper"])).save_pretrained(model_dir / WHISPER_DIR)
    WhisperFeatureExtractor(feature_size=arch["whisper"]["num_mel_bins"]).save_pretrained(model_dir / WHISPER_DIR)
    return model_dir
