"""B-roll: moving pictures of the product between presenter shots.

Engines (chosen by name, configured by a settings dict):
- `motion` (offline default): camera moves over the product photo (push, pull, pan, tilt,
  parallax, orbit, reveal, rack focus), faster than real time on a CPU;
- `dit`: diffusers text/image-to-video (LTX-Video, Wan, CogVideoX) from a local model
  directory, for GPU workers.

Settings (`--engine broll=...`, per job `engine_settings["broll"]`):
- motion: `intensity` (0-2.5, scales zoom and travel), `fill` (auto | cover | card), `crf`, `preset`,
  `backdrop_dim`.
- dit: `model_dir` (or $ADGEN_DIT_MODEL_DIR), `family` (ltx | wan | cogvideox), `mode` (auto | t2v | i2v),
  `steps`, `guidance_scale`, `long_side`, `fps`, `max_frames`, `device`, `dtype`, `cpu_offload`,
  `vae_tiling`, `last_frame`, `negative_prompt`.

Try the GPU path's plumbing on a CPU with a tiny random model:
`pipelines.broll.tiny.make_tiny_model_dir(DIR, family)` (CLI: `adgen models make-tiny DIR`), then
`adgen make URL --engine broll=dit --model-dir DIR`.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.broll.base import CAMERAS, BrollRequest, FrameWriter
from pipelines.engines import EngineRegistry
from pipelines.errors import BrollError
from pipelines.media import media_info
from pipelines.product import BrollClip

ENGINES: EngineRegistry = EngineRegistry("broll")  # declared in pipelines.engines

__all__ = ["BrollRequest", "BrollClip", "render_broll", "ENGINES", "CAMERAS", "FrameWriter"]


def render_broll(request: BrollRequest, out_dir: Path, engine: str = "motion", settings: dict | None = None,
                 report=None, *, live: bool = False) -> BrollClip:
    """Render one b-roll clip into `out_dir` (H.264 yuv420p MP4, no audio) and describe it.

    `live`: an engine that can (motion) stores a plan instead, and the renderer draws its frames
    straight into the final encode (`pipelines.render.live`)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if request.image is None and engine == "motion" and not (request.prompt or request.product_title):
        raise BrollError("A b-roll scene needs a product image or a prompt.", code="broll_no_input")
    model = ENGINES.get(engine, settings)
    if live and hasattr(model, "plan"):
        return model.plan(request, out_dir)
    clip = model(request, out_dir, report)
    info = media_info(out_dir / clip.video)
    if (info.width, info.height) != (clip.width, clip.height):
        raise BrollError(f"The {engine} engine wrote {info.width}x{info.height}, not {clip.width}x{clip.height}.",
                         code="broll_bad_output")
    return clip
