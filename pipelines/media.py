"""Thin helpers around ffmpeg/ffprobe shared by every media stage."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from pipelines.errors import Cancelled, PipelineError

FFMPEG = shutil.which("ffmpeg") or "ffmpeg"
FFPROBE = shutil.which("ffprobe") or "ffprobe"


# x264's ultrafast drops CABAC, 8x8 transforms, deblocking, B-frames and adaptive quantisation,
# which makes a Constrained Baseline stream that bands and blocks. Put back, they make a High
# stream that still skips ultrafast's costly searches: against a near-lossless master it matches
# medium's SSIM and PSNR at CRF 20 for ~0.3x medium's CPU (figures beside render.compose.FINAL_PRESET).
ULTRAFAST_HIGH = "cabac=1:8x8dct=1:deblock=1:bframes=2:aq-mode=1"


def run_ffmpeg(args: Sequence[str], *, is_cancelled: Callable[[], bool] | None = None,
               timeout_s: float = 1800, stage: str = "render", loglevel: str = "error",
               pass_fds: Sequence[int] = ()) -> str:
    """Run ffmpeg; kill it when the job is cancelled; raise a clear error on failure.

    `pass_fds`: pipe read ends ffmpeg reads as `pipe:N` inputs. They are handed over: closed here
    once ffmpeg has them, so whoever writes the other end sees a broken pipe if ffmpeg stops.
    Returns what ffmpeg printed on stderr (measuring filters such as ebur128 report there)."""
    cmd = [FFMPEG, "-hide_banner", "-nostdin", "-nostats", "-loglevel", loglevel, "-y", *map(str, args)]
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, pass_fds=tuple(pass_fds))
    finally:
        for fd in pass_fds:
            os.close(fd)
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
    text = err.decode(errors="replace")
    if proc.returncode != 0:
        tail = text.strip().splitlines()[-3:]
        raise PipelineError(f"ffmpeg failed: {' | '.join(tail) or proc.returncode}", code="ffmpeg_failed", stage=stage)
    return text


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


class FramePipe:
    """Raw frames written into one ffmpeg process's stdin (the presenter and b-roll writers).

    Subclasses build the ffmpeg command and say which error a failed encode is."""

    def __init__(self, cmd: Sequence[str]):
        self._proc = subprocess.Popen(list(map(str, cmd)), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.PIPE)

    def encode_error(self, detail: str) -> Exception:
        return PipelineError(f"ffmpeg could not encode the clip: {detail}", code="ffmpeg_failed")

    def feed(self, data) -> None:
        try:
            self._proc.stdin.write(data)
        except BrokenPipeError:
            self._fail()

    def finish(self) -> None:
        self._proc.stdin.close()
        if self._proc.wait() != 0:
            self._fail()

    def close(self) -> None:
        self.finish()

    def abort(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        else:
            self.abort()
        return False

    def _fail(self):
        self.abort()
        err = (self._proc.stderr.read() or b"").decode(errors="replace").strip().splitlines()[-3:]
        raise self.encode_error(" | ".join(err) or f"exit code {self._proc.returncode}")
