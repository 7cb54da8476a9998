"""Thin helpers around ffmpeg/ffprobe shared by every media stage."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from pipelines.errors import Cancelled, PipelineError

FFMPEG = shutil.which("ffmpeg") or "ffmpeg"
FFPROBE = shutil.which("ffprobe") or "ffprobe"


def run_ffmpeg(args: Sequence[str], *, is_cancelled: Callable[[], bool] | None = None,
               timeout_s: float = 1800, stage: str = "render") -> None:
    """Run ffmpeg quietly; kill it when the job is cancelled; raise a clear error on failure."""
    cmd = [FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *map(str, args)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    started = time.monotonic()
    try:
        while True:
            try:
                _, err = proc.communicate(timeout=0.25)
                break
            except subprocess.TimeoutExpired:
                if is_cancelled and is_cancelled():
                    proc.kill()
                    proc.wait()
                    raise Cancelled("The job was cancelled.", stage=stage)
                if time.monotonic() - started > timeout_s:
                    proc.kill()
                    proc.wait()
                    raise PipelineError(f"ffmpeg took longer than {timeout_s:.0f} s", code="timeout", stage=stage)
    finally:
        if proc.poll() is None:
            proc.kill()
    if proc.returncode != 0:
        tail = err.decode(errors="replace").strip().splitlines()[-3:]
        raise PipelineError(f"ffmpeg failed: {' | '.join(tail) or proc.returncode}", code="ffmpeg_failed", stage=stage)


def ffprobe(path: str | Path) -> dict:
    out = subprocess.run(
        [FFPROBE, "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)],
        capture_output=True, check=True,
    )
    return json.loads(out.stdout)


@dataclass
class MediaInfo:
    width: int | None
    height: int | None
    duration_s: float
    video_codec: str | None
    audio_codec: str | None
    pix_fmt: str | None
    profile: str | None
    fps: float | None
    sample_rate: int | None
    audio_duration_s: float | None
    video_duration_s: float | None
    size_bytes: int


def media_info(path: str | Path) -> MediaInfo:
    data = ffprobe(path)
    video = next((s for s in data["streams"] if s["codec_type"] == "video"), None)
    audio = next((s for s in data["streams"] if s["codec_type"] == "audio"), None)
    fps = None
    if video and video.get("avg_frame_rate", "0/0") != "0/0":
        num, den = video["avg_frame_rate"].split("/")
        fps = float(num) / float(den) if float(den) else None
    return MediaInfo(
        width=video and int(video["width"]), height=video and int(video["height"]),
        duration_s=float(data["format"].get("duration", 0.0)),
        video_codec=video and video["codec_name"], audio_codec=audio and audio["codec_name"],
        pix_fmt=video and video.get("pix_fmt"), profile=video and video.get("profile"), fps=fps,
        sample_rate=audio and int(audio["sample_rate"]),
        audio_duration_s=audio and float(audio.get("duration", 0) or 0),
        video_duration_s=video and float(video.get("duration", 0) or 0),
        size_bytes=int(data["format"].get("size", 0)),
    )


def has_faststart(path: str | Path) -> bool:
    """True when the MP4's moov atom comes before mdat (progressive playback on the web)."""
    with open(path, "rb") as fh:
        offset = 0
        while True:
            fh.seek(offset)
            header = fh.read(8)
            if len(header) < 8:
                return False
            size = int.from_bytes(header[:4], "big")
            kind = header[4:8]
            if kind == b"moov":
                return True
            if kind == b"mdat":
                return False
            if size == 1:
                size = int.from_bytes(fh.read(8), "big")
            if size < 8:
                return False
            offset += size
