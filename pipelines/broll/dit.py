"""`dit`: text/image-to-video with diffusers DiT pipelines (LTX-Video, Wan, CogVideoX) on a GPU worker.

Weights come from a local directory (`settings["model_dir"]` or `$ADGEN_DIT_MODEL_DIR`), never
a hub. A worker process loads a directory once and keeps the pipeline for later jobs. With a
product photo and an image-to-video model, the first frame is the `motion` engine's layout of
that photo at the generation size (the product framed and kept in shot); Wan's first/last-frame
pipeline also gets the motion engine's final frame, so the DiT fills in the camera move. The
video is generated at the model's native size and frame rate (rounded to what the model accepts),
then resampled by ffmpeg to exactly the requested size, fps and length.
"""

from __future__ import annotations

import json
import math
import os
import threading
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from pipelines.broll.base import BrollRequest, FrameWriter, Report
from pipelines.errors import BrollError
from pipelines.product import BrollClip

Family = Literal["ltx", "wan", "cogvideox"]

CAMERA_PHRASES = {
    "push_in": "the camera slowly pushes in towards the product",
    "pull_out": "the camera slowly pulls back to reveal the product",
    "pan_left": "the camera pans slowly to the left",
    "pan_right": "the camera pans slowly to the right",
    "tilt_up": "the camera tilts slowly upwards",
    "tilt_down": "the camera tilts slowly downwards",
    "static": "locked-off static camera, subtle natural motion",
    "orbit": "the camera orbits smoothly around the product",
    "parallax": "gentle parallax dolly move, foreground and background separate",
    "reveal": "the product is revealed as the camera glides past",
    "rack_focus": "rack focus from the background onto the product",
}

NEGATIVE_PROMPT = ("worst quality, low quality, blurry, jittery, flicker, distorted, deformed product, warped "
                   "packaging, garbled text, watermark, logo overlay, subtitles, extra limbs, cartoon, "
                   "oversaturated, static frozen frame")

# what each family was trained around: (long side, frames per second, guidance, max frames)
FAMILY_DEFAULTS = {
    "ltx": dict(long_side=768, fps=24.0, guidance=3.0, max_frames=257, max_sequence_length=128),
    "wan": dict(long_side=832, fps=16.0, guidance=5.0, max_frames=81, max_sequence_length=512),
    "cogvideox": dict(long_side=720, fps=8.0, guidance=6.0, max_frames=49, max_sequence_length=226),
}


class DitConfig(BaseModel):
    model_dir: str | None = None  # default: $ADGEN_DIT_MODEL_DIR
    family: Family = "ltx"
    mode: Literal["auto", "t2v", "i2v"] = "auto"  # auto: image-to-video when there is a photo and a way to use it
    device: str = "auto"  # auto: cuda when available, else cpu
    dtype: Literal["auto", "bfloat16", "float16", "float32"] = "auto"  # auto: bf16 on CUDA, fp32 on CPU
    cpu_offload: bool = False  # enable_model_cpu_offload: for GPUs too small for the whole model
    vae_tiling: bool = False
    steps: int = Field(40, ge=1, le=200)
    guidance_scale: float | None = None  # None: the family's default
    long_side: int | None = Field(None, ge=32, le=2048)  # generation size; None: the family's default
    fps: float | None = Field(None, gt=0, le=60)  # generation frame rate; None: the family's default
    max_frames: int | None = Field(None, ge=1)
    max_sequence_length: int | None = Field(None, ge=8)
    negative_prompt: str = NEGATIVE_PROMPT
    last_frame: bool = True  # first/last-frame control where the pipeline supports it (Wan FLF2V)
    crf: int = Field(16, ge=0, le=40)


# --------------------------------------------------------------------------- loading (one per process)

_PIPELINES: dict[tuple, dict] = {}
_LOAD_LOCK = threading.Lock()


def _classes(family: str):
    import diffusers

    if family == "ltx":
        return diffusers.LTXPipeline, diffusers.LTXImageToVideoPipeline
    if family == "wan":
        return diffusers.WanPipeline, diffusers.WanImageToVideoPipeline
    return diffusers.CogVideoXPipeline, diffusers.CogVideoXImageToVideoPipeline


def family_of(model_dir: Path) -> str | None:
    """The family a diffusers folder's model_index.json names (WanPipeline -> wan), if any."""
    try:
        class_name = json.loads((model_dir / "model_index.json").read_text()).get("_class_name", "")
    except (OSError, ValueError):
        return None
    for family, prefix in (("ltx", "LTX"), ("wan", "Wan"), ("cogvideox", "CogVideoX")):
        if class_name.startswith(prefix):
            return family
    return None


def resolve_device_dtype(config: DitConfig):
    import torch

    device = config.device
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    dtype = config.dtype
    if dtype == "auto":
        dtype = "bfloat16" if device.startswith("cuda") else "float32"
    return device, getattr(torch, dtype)


def load_pipelines(model_dir: Path, config: DitConfig) -> dict:
    """{"t2v": pipe or None, "i2v": pipe or None} for a model directory, loaded once per process."""
    device, dtype = resolve_device_dtype(config)
    key = (str(model_dir.resolve()), config.family, device, str(dtype), config.cpu_offload, config.vae_tiling)
    with _LOAD_LOCK:
        if key in _PIPELINES:
            return _PIPELINES[key]
        index_file = model_dir / "model_index.json"
        if not index_file.is_file():
            raise BrollError(f"{model_dir} is not a diffusers model directory (no model_index.json). "
                             "Get one with `adgen models pull wan2.1-t2v-1.3b` (or `adgen models make-tiny --kind wan DIR` "
                             "to try the plumbing).",
                             code="broll_model_missing")
        class_name = json.loads(index_file.read_text()).get("_class_name", "")
        t2v_cls, i2v_cls = _classes(config.family)
        image_model = "ImageToVideo" in class_name
        try:
            loaded = (i2v_cls if image_model else t2v_cls).from_pretrained(model_dir, dtype=dtype)
        except Exception as exc:  # noqa: BLE001 - missing, truncated or foreign weights all land here
            detail = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
            raise BrollError(f"Could not load the {config.family} video model from {model_dir} "
                             f"(run `adgen models verify`): {detail}", code="broll_model_load_failed") from exc
        # one generation at a time per loaded model: a pipeline keeps per-call state (the
        # scheduler's timesteps and step index), and the t2v/i2v pair shares one scheduler
        pipes = {"t2v": None, "i2v": None, "lock": threading.Lock()}
        if image_model:
            pipes["i2v"] = loaded
        else:
            pipes["t2v"] = loaded
            if config.family == "ltx":  # LTX-Video's weights serve both; share the modules, no reload
                pipes["i2v"] = i2v_cls(**loaded.components)
        for pipe in filter(None, (pipes["t2v"], pipes["i2v"])):
            pipe.set_progress_bar_config(disable=True)
            if config.vae_tiling and hasattr(pipe.vae, "enable_tiling"):
                pipe.vae.enable_tiling()
        main = pipes["i2v"] if image_model else pipes["t2v"]
        if config.cpu_offload and device.startswith("cuda"):
            # the offload hooks live on the (shared) modules, so one pipeline's call covers both
            main.enable_model_cpu_offload(device=device)
        else:
            main.to(device)  # shared modules: moving one pipeline moves both
        _PIPELINES[key] = pipes
        return pipes


def install_pipelines(model_dir: Path, config: DitConfig, t2v, i2v=None) -> None:
    """Seat already-built pipelines in this process's cache under `model_dir` (benchmarks build
    full-size random-weight models in GPU memory instead of writing and reading ~20 GB)."""
    device, dtype = resolve_device_dtype(config)
    key = (str(Path(model_dir).resolve()), config.family, device, str(dtype), config.cpu_offload, config.vae_tiling)
    if i2v is None and config.family == "ltx":
        i2v = _classes("ltx")[1](**t2v.components)
    for pipe in filter(None, (t2v, i2v)):
        pipe.set_progress_bar_config(disable=True)
    with _LOAD_LOCK:
        _PIPELINES[key] = {"t2v": t2v, "i2v": i2v, "lock": threading.Lock()}


# --------------------------------------------------------------------------- prompt + sizes


def build_prompt(request: BrollRequest) -> str:
    """Scene + product facts + camera, in the descriptive style these models were captioned with."""
    parts = []
    scene = (request.prompt or "").strip().rstrip(".")
    title = (request.product_title or "").strip()
    if scene:
        parts.append(scene[0].upper() + scene[1:])
    if title and title.lower() not in scene.lower():
        parts.append(f"The product is {title}")
    camera = CAMERA_PHRASES.get(request.camera, CAMERA_PHRASES["push_in"])
    parts.append(camera[0].upper() + camera[1:])
    parts.append("Commercial product video, clean studio lighting, sharp focus, high detail, smooth motion")
    return ". ".join(parts) + "."


def generation_plan(pipe, family: str, request: BrollRequest, config: DitConfig) -> dict:
    """Size and frame count the pipeline accepts, as close as possible to the request's shape."""
    defaults = FAMILY_DEFAULTS[family]
    if family == "ltx":
        spatial = max(32, pipe.vae_spatial_compression_ratio * pipe.transformer_spatial_patch_size)
        temporal = pipe.vae_temporal_compression_ratio * pipe.transformer_temporal_patch_size
    elif family == "wan":
        patch = pipe.transformer.config.patch_size if pipe.transformer is not None else (1, 2, 2)
        spatial = pipe.vae_scale_factor_spatial * patch[1]
        temporal = pipe.vae_scale_factor_temporal
    else:
        spatial = pipe.vae_scale_factor_spatial * pipe.transformer.config.patch_size
        temporal = pipe.vae_scale_factor_temporal * (pipe.transformer.config.patch_size_t or 1)
    long_side = config.long_side or defaults["long_side"]
    out_w, out_h = request.output_size()
    scale = long_side / max(out_w, out_h)
    width = max(spatial, round(out_w * scale / spatial) * spatial)
    height = max(spatial, round(out_h * scale / spatial) * spatial)
    fps = config.fps or defaults["fps"]
    max_frames = config.max_frames or defaults["max_frames"]
    # enough frames to cover the clip, as k * temporal + 1; long clips lower the frame rate instead
    needed = math.ceil(request.duration_s * fps) + 1
    if needed > max_frames:
        fps = max(1.0, (max_frames - 1) / request.duration_s)
        needed = max_frames
    frames = math.ceil(max(needed - 1, 1) / temporal) * temporal + 1
    while frames > max_frames and frames - temporal >= 1 + temporal:
        frames -= temporal
    return {"width": int(width), "height": int(height), "num_frames": int(frames), "fps": float(fps)}


# --------------------------------------------------------------------------- engine


class DitEngine:
    def __init__(self, config: DitConfig):
        self.config = config

    def model_dir(self) -> Path:
        value = self.config.model_dir or os.environ.get("ADGEN_DIT_MODEL_DIR")
        if not value:
            raise BrollError("The dit b-roll engine needs a model directory: set settings model_dir or "
                             "ADGEN_DIT_MODEL_DIR (`adgen models pull wan2.1-t2v-1.3b` installs the default).",
                             code="broll_model_missing")
        path = Path(value).expanduser()
        if not path.is_dir():
            raise BrollError(f"The video model directory {path} does not exist.", code="broll_model_missing")
        return path

    def effective_config(self, model_dir: Path) -> DitConfig:
        """Settings given explicitly win; then the model directory's own `adgen.json` defaults
        (a tiny test model asks for 2 steps at a toy size); then the family's defaults."""
        defaults_file = model_dir / "adgen.json"
        defaults = {}
        if defaults_file.is_file():
            try:
                defaults = json.loads(defaults_file.read_text())
            except ValueError as exc:
                raise BrollError(f"{defaults_file} is not valid JSON: {exc}", code="broll_bad_settings") from exc
        family = family_of(model_dir)
        if family and "family" not in defaults:
            defaults["family"] = family  # a pulled model says what it is in model_index.json
        return DitConfig.model_validate({**defaults, **self.config.model_dump(exclude_unset=True)})

    def __call__(self, request: BrollRequest, out_dir: Path, report: Report | None = None) -> BrollClip:
        import torch

        report = report or (lambda fraction, message="": None)
        model_dir = self.model_dir()
        config = self.effective_config(model_dir)
        pipes = load_pipelines(model_dir, config)
        report(0.05, "model loaded")
        use_image = config.mode == "i2v" or (config.mode == "auto" and (request.image or pipes["t2v"] is None))
        if config.mode == "i2v" and pipes["i2v"] is None:
            raise BrollError(f"The {config.family} model in {model_dir} is text-to-video only.",
                             code="broll_bad_settings")
        pipe = pipes["i2v"] if use_image and pipes["i2v"] is not None else pipes["t2v"]
        use_image = pipe is pipes["i2v"]
        plan = generation_plan(pipe, config.family, request, config)
        defaults = FAMILY_DEFAULTS[config.family]
        prompt = build_prompt(request)
        generator = torch.Generator(device="cpu").manual_seed(int(request.seed))
        steps = config.steps

        def on_step(_pipe, step, _timestep, tensors):
            report(0.05 + 0.85 * (step + 1) / steps, f"denoising step {step + 1}/{steps}")
            return tensors

        kwargs = dict(prompt=prompt, negative_prompt=config.negative_prompt, width=plan["width"],
                      height=plan["height"], num_frames=plan["num_frames"], num_inference_steps=steps,
                      guidance_scale=config.guidance_scale if config.guidance_scale is not None else defaults["guidance"],
                      generator=generator, output_type="np",
                      max_sequence_length=config.max_sequence_length or defaults["max_sequence_length"],
                      callback_on_step_end=on_step)
        if config.family == "ltx":
            kwargs["frame_rate"] = max(1, round(plan["fps"]))
        if config.family == "cogvideox" and not config.max_sequence_length:
            # CogVideoX's positional embedding is sized for exactly this many text tokens
            kwargs["max_sequence_length"] = pipe.transformer.config.max_text_seq_length
        if use_image:
            first, last = _keyframes(request, plan["width"], plan["height"])
            kwargs["image"] = first
            if config.family == "wan" and config.last_frame and last is not None:
                kwargs["last_image"] = last
        try:
            with pipes["lock"], torch.inference_mode():
                result = pipe(**kwargs)
        except torch.cuda.OutOfMemoryError as exc:  # pragma: no cover - GPU only
            raise BrollError("The GPU ran out of memory generating b-roll; enable cpu_offload or lower long_side.",
                             code="broll_out_of_memory", retryable=True) from exc
        video = np.asarray(result.frames[0])
        if video.ndim != 4:
            raise BrollError(f"The video model returned frames of shape {video.shape}.", code="broll_bad_output")
        frames_u8 = (np.clip(video, 0, 1) * 255 + 0.5).astype(np.uint8)
        report(0.92, "encoding")
        out_w, out_h = request.output_size()
        count = request.frame_count()
        path = out_dir / "broll.mp4"
        write_resampled(frames_u8, plan["fps"], path, out_w, out_h, request.fps, count, crf=config.crf)
        return BrollClip(video=path.name, width=out_w, height=out_h, fps=request.fps, duration_s=count / request.fps,
                         subject_box=None, engine=f"dit:{config.family}", seed=int(request.seed), prompt=prompt)


def _keyframes(request: BrollRequest, width: int, height: int):
    """First (and last) conditioning frames: the motion engine's framing of the product photo."""
    from PIL import Image

    from pipelines.broll.motion import render_keyframes

    first, last = render_keyframes(request, width, height)
    return Image.fromarray(first), (Image.fromarray(last) if last is not None else None)


def write_resampled(frames_rgb: np.ndarray, source_fps: float, path: Path, width: int, height: int, fps: float,
                    count: int, *, crf: int = 16) -> None:
    """Scale (cover + centre crop) and retime generated frames to exactly `count` frames at `fps`."""
    src_h, src_w = frames_rgb.shape[1:3]
    filters = (f"fps={fps:g},scale={width}:{height}:force_original_aspect_ratio=increase:flags=lanczos,"
               f"crop={width}:{height},setsar=1,tpad=stop_mode=clone:stop=-1")
    writer = FrameWriter(path, width, height, source_fps, crf=crf, pix_fmt="rgb24", input_size=(src_w, src_h),
                         filters=filters, frames=count)
    with writer:
        for frame in frames_rgb:
            writer.write(np.ascontiguousarray(frame))
