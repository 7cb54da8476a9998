"""Encoding: the x264/hardware and AAC settings, the outputs of the one ffmpeg command (the MP4
and its thumbnail), and running it with progress reports. Nothing here knows what is drawn."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

from pipelines.render.canvas import Canvas
from pipelines.render.encoders import choose_encoder, encoder_args
from pipelines.render.filtergraph import Graph

# x264 presets. On the 2-core reference box the encoder is most of a render, so the final
# preset is chosen by quality per CPU second, measured against a near-lossless master (CRF 1) of
# a real 9:16 ad (22 s, presenter + b-roll + captions), re-encoded single-threaded (best of 2):
#   medium          CRF 20  SSIM 0.99677  PSNR 50.57 dB   3.8 MB  20.3 CPU-s
#   veryfast        CRF 20  SSIM 0.99554  PSNR 48.52 dB   2.8 MB   7.0 CPU-s
#   superfast       CRF 21  SSIM 0.99679  PSNR 50.82 dB   5.8 MB   5.9 CPU-s
#   ultrafast+High  CRF 20  SSIM 0.99686  PSNR 51.11 dB   8.8 MB   5.3 CPU-s  (media.ULTRAFAST_HIGH)
# The last matches medium's fidelity for a quarter of its CPU; its files are ~2.3x medium's
# (3.2 Mbit/s), inside every platform's caps, which re-encode uploads anyway.
# `RenderOptions(preset="medium")` (render settings {"preset": "medium"}) is there for whoever
# has the cores and wants the smallest files.
FINAL_PRESET = "ultrafast"
PREVIEW_PRESET = "ultrafast"
FINAL_CRF = 20
PREVIEW_CRF = 26


def audio_args(preview: bool) -> list[str]:
    """48 kHz stereo AAC. The fast coder takes a third of twoloop's CPU (0.28 s vs 0.7-0.9 s for
    23 s), and at 160k stereo the difference is inaudible on voice over a music bed."""
    return ["-c:a", "aac", "-aac_coder", "fast", "-b:a", "128k" if preview else "160k", "-ar", "48000", "-ac", "2"]


@dataclass(frozen=True)
class EncodeSettings:
    encoder: str = "auto"  # auto | libx264 | h264_nvenc | h264_qsv | h264_vaapi
    preset: str | None = None
    crf: int | None = None
    threads: int = 0
    preview: bool = False


def thumbnail_frame(canvas: Canvas) -> int:
    """A frame from the first product shot, else the end card's middle."""
    clock = canvas.clock
    for seg in canvas.body_segments:
        if seg.kind != "avatar" and seg.source:
            return clock.intro_frames + round((seg.start + min(1.0, (seg.end - seg.start) / 2)) * clock.fps)
    return clock.intro_frames + clock.body_frames + clock.end_frames // 2


def outputs(g: Graph, canvas: Canvas, video: str) -> tuple[str, str]:
    """The finished video split into the MP4's stream and the thumbnail's one frame."""
    final, thumb = g.label("final"), g.label("thumb")
    g.add(f"[{video}]format=yuv420p,split=2[{final}][t0]")
    g.add(f"[t0]select='eq(n\\,{thumbnail_frame(canvas)})'[{thumb}]")
    return final, thumb


def command(g: Graph, canvas: Canvas, video: str, audio: Path, settings: EncodeSettings, *,
            video_path: Path, thumb_path: Path, progress_path: Path) -> list:
    """The whole ffmpeg command: the graph's inputs and chains, the mixed audio, the encoders, and
    the two outputs."""
    final, thumb = outputs(g, canvas, video)
    audio_idx = g.input("-i", audio)
    encoder = choose_encoder(settings.encoder)
    preset = settings.preset or (PREVIEW_PRESET if settings.preview else FINAL_PRESET)
    crf = settings.crf or (PREVIEW_CRF if settings.preview else FINAL_CRF)
    cap = canvas.platform.video_bitrate_k
    maxrate = cap if not settings.preview else max(1500, cap // 3)
    fps = canvas.fps
    venc = encoder_args(encoder, preset=preset, crf=crf, maxrate_k=maxrate, fps=fps, threads=settings.threads)
    pre: list[str] = []
    if encoder == "h264_vaapi":
        pre = ["-vaapi_device", "/dev/dri/renderD128"]
        hw = g.label("hw")
        g.add(f"[{final}]format=nv12,hwupload[{hw}]")
        final = hw
    return [*pre, *g.args(), "-filter_complex", g.script(),
            "-map", f"[{final}]", "-map", f"{audio_idx}:a", *venc, "-r", f"{fps:g}", *audio_args(settings.preview),
            # no -frames:v here: it closes the file before the audio catches up; the graph's frame count is exact
            "-t", f"{canvas.clock.duration:.4f}", "-movflags", "+faststart",
            video_path,
            "-map", f"[{thumb}]", "-frames:v", "1", "-update", "1", "-q:v", "3", thumb_path,
            "-progress", progress_path]


def run(args: list, live, *, progress_path: Path, duration: float, report, is_cancelled) -> None:
    """Runs the command through `live` (which feeds its live inputs), reporting progress."""
    if os.environ.get("ADGEN_RENDER_DEBUG"):
        (progress_path.parent.parent / "ffmpeg-args.txt").write_text("\n".join(map(str, args)))
    stop = threading.Event()
    watcher = threading.Thread(target=_watch_progress, args=(progress_path, duration, report, stop), daemon=True)
    watcher.start()
    try:
        live.run(args, is_cancelled=is_cancelled)
    finally:
        stop.set()
        watcher.join(timeout=1)


def _watch_progress(path: Path, duration: float, report, stop: threading.Event) -> None:
    while not stop.wait(0.5):
        try:
            text = path.read_text()
        except OSError:
            continue
        idx = text.rfind("out_time_us=")
        if idx < 0:
            continue
        try:
            us = int(text[idx + 12:].split("\n", 1)[0])
        except ValueError:
            continue
        report(0.12 + 0.86 * min(1.0, us / 1e6 / max(duration, 0.1)), "encoding")
