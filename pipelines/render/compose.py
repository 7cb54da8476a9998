"""Timeline -> one MP4 per aspect: one ffmpeg process, one filtergraph.

`render` reads as the steps of a render; each step lives in its own module:

  canvas.py        the video's size, safe zone, clock (intro, body, end card, outro) and layout
  layouts/         one module per layout: the scenes cut, framed and arranged (presenter by its
                   face box, product by its subject box, motion b-roll drawn live into the encode)
  overlays/        one module per layer over them: brand intro/outro clips, end card, logo bug,
                   captions and scene titles (one libass pass), preview watermark
  filtergraph.py   the graph they add their chains to
  encode.py        encoder settings, the command's outputs (MP4, thumbnail), running it
  checks.py        the platform's limits, before the work and on the file that came out

No intermediate video files: the stills (end card, bug, masks) are drawn once with PIL and
everything else is composed inside the one filtergraph.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Callable, Literal

from pydantic import BaseModel, ConfigDict, Field

from pipelines.product import RenderOutput, Timeline
from pipelines.render import checks, encode
from pipelines.render.audio import mix_audio
from pipelines.render.canvas import PREVIEW_SHORT_SIDE, Canvas, output_size
from pipelines.render.encode import FINAL_CRF, FINAL_PRESET, PREVIEW_CRF, PREVIEW_PRESET, audio_args
from pipelines.render.filtergraph import Graph
from pipelines.render.framing import cover_crop, presenter_framing, product_framing
from pipelines.render.layouts import layout_for
from pipelines.render.live import LiveFeeds
from pipelines.render.overlays import brand_clips, captions, end_card, logo, titles, watermark
from pipelines.render.platforms import platform_preset

# kept importable from here (bench/render.py and older callers)
__all__ = ["FINAL_CRF", "FINAL_PRESET", "PREVIEW_CRF", "PREVIEW_PRESET", "PREVIEW_SHORT_SIDE", "FfmpegRenderer",
           "RenderOptions", "audio_args", "cover_crop", "output_size", "presenter_framing", "product_framing",
           "render"]

STEM = "video"  # video.mp4, .srt, .vtt, .ass, .jpg in the render's folder


class RenderOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")

    platform: str | None = None  # tiktok | reels | shorts | feed | youtube; None = generic safe zone
    preview: bool = False  # 540 px short side, fast preset, watermark
    preset: str | None = None  # x264 preset; default FINAL_PRESET / PREVIEW_PRESET ("medium" for the best)
    crf: int | None = None
    caption_style: Literal["bold", "boxed", "karaoke", "minimal"] = "bold"
    caption_lines: int = Field(2, ge=1, le=3)
    captions: bool = True
    layout: Literal["fullbleed", "split", "pip", "showcase"] | None = None  # None: the timeline's choice
    encoder: str = "auto"  # auto | libx264 | h264_nvenc | h264_qsv | h264_vaapi
    music: str | None = None  # audio file; None: the brand kit's, else adgen's own bed
    music_gain_db: float = -14.0
    threads: int = 0  # encoder threads; 0 = ffmpeg's choice
    watermark: bool | None = None  # None: on for previews and when the brand kit asks
    titles: bool = True  # the scenes' on-screen text as animated titles

    def wants_watermark(self, brand_asks: bool) -> bool:
        return self.watermark if self.watermark is not None else (self.preview or brand_asks)

    def encode_settings(self) -> encode.EncodeSettings:
        return encode.EncodeSettings(self.encoder, self.preset, self.crf, self.threads, self.preview)


def render(timeline: Timeline, aspect: str, out_dir: Path, options: RenderOptions | None = None,
           report: Callable[[float, str], None] | None = None,
           is_cancelled: Callable[[], bool] | None = None) -> RenderOutput:
    options = options or RenderOptions()
    report = report or (lambda fraction, message="": None)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    platform = platform_preset(options.platform)
    checks.check_length(timeline, platform)
    canvas = Canvas.build(timeline, aspect, platform, preview=options.preview, layout=options.layout,
                          work=out_dir / "_work")
    canvas.work.mkdir(exist_ok=True)
    live = LiveFeeds()  # motion b-roll drawn straight into the encode
    try:
        return _render(canvas, options, out_dir, live, report, is_cancelled)
    finally:
        live.close()
        if not os.environ.get("ADGEN_RENDER_DEBUG"):
            shutil.rmtree(canvas.work, ignore_errors=True)


def _render(canvas: Canvas, options: RenderOptions, out_dir: Path, live: LiveFeeds, report,
            is_cancelled) -> RenderOutput:
    report(0.02, "mixing audio")
    intro, outro = brand_clips.brand_clips(canvas)
    audio = mix_audio(Path(canvas.timeline.voice_audio), canvas.clock.duration, canvas.clock.voice_end,
                      options.music or canvas.brand.music, music_gain_db=options.music_gain_db,
                      is_cancelled=is_cancelled, intro=brand_clips.sound(intro), outro=brand_clips.sound(outro))

    report(0.08, "drawing captions and cards")
    g = Graph(live)
    video = compose(g, canvas, options, out_dir, intro=intro, outro=outro)

    report(0.12, "encoding")
    video_path, thumb_path = out_dir / f"{STEM}.mp4", out_dir / f"{STEM}.jpg"
    progress = canvas.work / "progress.txt"
    args = encode.command(g, canvas, video, audio, options.encode_settings(), video_path=video_path,
                          thumb_path=thumb_path, progress_path=progress)
    encode.run(args, live, progress_path=progress, duration=canvas.clock.duration, report=report,
               is_cancelled=is_cancelled)
    info = checks.check_output(video_path, canvas.aspect, canvas.width, canvas.height, canvas.platform)
    report(1.0, "done")
    return RenderOutput(aspect=canvas.aspect, width=canvas.width, height=canvas.height,
                        duration_s=round(info.duration_s, 3), file=video_path.name, captions=f"{STEM}.srt",
                        captions_vtt=f"{STEM}.vtt", thumbnail=thumb_path.name if thumb_path.is_file() else None,
                        platform=options.platform, video_codec=info.video_codec, audio_codec=info.audio_codec,
                        size_bytes=info.size_bytes)


def compose(g: Graph, canvas: Canvas, options: RenderOptions, out_dir: Path, *,
            intro: brand_clips.BrandClip | None = None, outro: brand_clips.BrandClip | None = None) -> str:
    """The video's picture into `g`: the layout's scenes, the end card and brand clips around them,
    then each overlay in turn. Writes the caption files into out_dir; returns the video's label."""
    layout = layout_for(canvas)
    track = captions.caption_track(canvas, style=options.caption_style, max_lines=options.caption_lines,
                                   bottom=layout.caption_bottom())
    captions.write_subtitles(track, out_dir / f"{STEM}.srt", out_dir / f"{STEM}.vtt")
    card = end_card.draw(canvas)
    bug = logo.draw(canvas)
    scene_titles = titles.scene_titles(canvas, layout, track.font, track.chunks if options.captions else [],
                                       bug.box if bug else None) if options.titles else []
    burn = captions.write_styled(track, canvas, out_dir / f"{STEM}.ass", scene_titles,
                                 burn_captions=options.captions)

    body = layout.body(g)
    parts = [body, end_card.chain(g, canvas, card)]
    if intro:
        parts.insert(0, brand_clips.chain(g, canvas, intro))
    if outro:
        parts.append(brand_clips.chain(g, canvas, outro))
    video = g.concat(parts, "v")
    video = layout.over(g, video)
    if bug:
        video = logo.overlay(g, canvas, video, bug)
    if burn is not None:
        video = captions.burn(g, video, burn, track.font)
    if options.wants_watermark(canvas.brand.watermark):
        video = watermark.overlay(g, canvas, video)
    return video


class FfmpegRenderer:
    """The render stage's engine: `FfmpegRenderer(options)(timeline, aspect, out_dir, ...)`."""

    def __init__(self, config: RenderOptions):
        self.config = config

    def __call__(self, timeline: Timeline, aspect: str, out_dir: Path, report=None,
                 is_cancelled: Callable[[], bool] | None = None) -> RenderOutput:
        return render(timeline, aspect, out_dir, self.config, report=report, is_cancelled=is_cancelled)
