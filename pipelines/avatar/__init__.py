"""Talking presenter engines: VoiceTrack in, presenter clip (video + face box) out.

Engines (declared in pipelines.engines; configs validated from the stage settings):
- `puppet`  offline default: a drawn presenter, looks in pipelines.avatar.looks
- `photo`   animates a still portrait: MediaPipe face mesh and segmentation (pipelines.avatar.landmarks),
            lips and jaw moved by a mesh warp, the person on the brand backdrop
- `lipsync` MuseTalk 1.5 as published (diffusers VAE + UNet, whisper-tiny audio features), GPU workers

Every clip is an opaque H.264 MP4 (yuv420p, voice muxed as AAC), `height` px tall (default
1080, 540 for previews) on a 4:5 portrait canvas (864x1080) unless `width` is given, the
presenter on a studio backdrop tinted with the brand colour; `face_box` tells the renderer
where the face is so it can crop per aspect ratio. Exactly round(duration * fps) frames.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.avatar.base import PresenterRequest, PresenterSettings, build_request
from pipelines.engines import EngineRegistry
from pipelines.errors import AvatarError, PipelineError
from pipelines.product import PresenterClip, VoiceTrack

ENGINES: EngineRegistry = EngineRegistry("avatar")  # declared in pipelines.engines


def render_presenter(voice: VoiceTrack, voice_dir: Path, out_dir: Path, engine: str = "puppet",
                     settings: dict | None = None, report=None) -> PresenterClip:
    """Animate a presenter speaking `voice` (audio at voice_dir / voice.audio) into out_dir."""
    request = build_request(voice, Path(voice_dir), settings, report)
    runner = ENGINES.get(engine, settings)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        clip = runner(request, out_dir)
    except PipelineError:
        raise
    except Exception as exc:  # an engine bug must still reach the user as a clear avatar error
        raise AvatarError(f"The {engine} presenter failed: {exc}", code="avatar_failed", stage="avatar") from exc
    request.report(1.0, "presenter done")
    return clip


__all__ = ["ENGINES", "PresenterRequest", "PresenterSettings", "render_presenter"]
