"""The presenter clip on disk: raw frames piped into one ffmpeg process.

The clip is an opaque H.264 MP4 (yuv420p, +faststart) with the voice muxed in as AAC, the
presenter on a designed studio backdrop; the renderer crops it per aspect ratio using the
face box. Exactly `frame_count(duration, fps)` frames are written, so the clip is
frame-accurate to the VoiceTrack.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from pipelines.errors import AvatarError
from pipelines.media import FFMPEG, ULTRAFAST_HIGH, FramePipe

CLIP_NAME = "presenter.mp4"


@dataclass
class ClipSpec:
    width: int
    height: int
    fps: float
    n_frames: int
    audio: Path | None
    duration_s: float


class FrameWriter(FramePipe):
    def __init__(self, out: Path, spec: ClipSpec, *, preset: str = "superfast", crf: int = 18,
                 tune: str | None = None):
        self.out = out
        self.spec = spec
        self.written = 0
        cmd = [FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
               # frames arrive as I420 (converted by OpenCV's SIMD code: half the pipe bytes and
               # no swscale pass in ffmpeg); BT.601 limited range, tagged as such below
               "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{spec.width}x{spec.height}",
               "-framerate", f"{spec.fps:g}", "-i", "pipe:0"]
        if spec.audio is not None:
            cmd += ["-i", str(spec.audio), "-map", "0:v", "-map", "1:a", "-c:a", "aac", "-aac_coder", "fast", "-b:a", "160k",
                    "-af", "apad", "-t", f"{spec.n_frames / spec.fps:.6f}"]
        cmd += ["-c:v", "libx264", "-preset", preset, "-crf", str(crf), *(["-tune", tune] if tune else []),
                *(["-x264-params", ULTRAFAST_HIGH] if preset == "ultrafast" else []),
                "-pix_fmt", "yuv420p", "-colorspace", "smpte170m", "-color_primaries", "smpte170m",
                "-color_trc", "smpte170m", "-color_range", "tv", "-g", str(int(spec.fps * 2)), "-movflags", "+faststart", str(out)]
        super().__init__(cmd)

    def encode_error(self, detail: str) -> Exception:
        return AvatarError(f"ffmpeg could not encode the presenter clip: {detail}",
                           code="avatar_encode_failed", stage="avatar")

    def write(self, frame: np.ndarray) -> None:
        self.feed(cv2.cvtColor(np.ascontiguousarray(frame, dtype=np.uint8), cv2.COLOR_RGB2YUV_I420).data)
        self.written += 1

    def close(self) -> None:
        if self.written != self.spec.n_frames:
            self.abort()
            raise AvatarError(f"wrote {self.written} frames, expected {self.spec.n_frames}",
                              code="avatar_frame_count", stage="avatar")
        self.finish()
