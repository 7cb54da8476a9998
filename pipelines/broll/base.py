"""What every b-roll engine gets and gives: the request, output sizing, and the H.264 writer."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Literal

import numpy as np
from pydantic import BaseModel, Field, field_validator

from pipelines.errors import BrollError
from pipelines.media import FFMPEG, FramePipe

Camera = Literal["push_in", "pull_out", "pan_left", "pan_right", "tilt_up", "tilt_down", "static",
                 "orbit", "parallax", "reveal", "rack_focus"]
CAMERAS: tuple[str, ...] = Camera.__args__  # type: ignore[attr-defined]

PREVIEW_SHORT_SIDE = 540

Report = Callable[[float, str], None]


class BrollRequest(BaseModel):
    """One scene's b-roll: a product image and/or a prompt, a camera move, a size and a length."""

    image: str | None = None  # absolute path to a product image
    subject_box: tuple[int, int, int, int] | None = None  # x, y, w, h in image pixels
    prompt: str = ""
    product_title: str = ""
    camera: str = "push_in"
    duration_s: float = Field(3.0, gt=0, le=120)
    width: int = Field(1080, ge=16, le=4096)
    height: int = Field(1920, ge=16, le=4096)
    fps: float = Field(30.0, gt=0, le=120)
    seed: int = 0
    preview: bool = False
    cuts: list[float] = Field(default_factory=list)  # beat times (s, from the clip's start) to cut on

    @field_validator("camera")
    @classmethod
    def _known_camera(cls, value: str) -> str:
        # scripts from other writers may name moves we lack; a gentle push is the safe reading
        return value if value in CAMERAS else "push_in"

    def output_size(self) -> tuple[int, int]:
        """The clip's pixel size: the requested one, or half-ish (short side 540) for previews."""
        width, height = self.width, self.height
        if self.preview and min(width, height) > PREVIEW_SHORT_SIDE:
            scale = PREVIEW_SHORT_SIDE / min(width, height)
            width, height = round(width * scale), round(height * scale)
        return even(width), even(height)

    def frame_count(self) -> int:
        return max(1, round(self.duration_s * self.fps))


def even(value: float) -> int:
    """yuv420p needs even dimensions."""
    return max(2, int(round(value / 2.0)) * 2)


class FrameWriter(FramePipe):
    """Streams raw BGR frames into ffmpeg: H.264 yuv420p MP4, no audio, +faststart.

    The renderer re-encodes every clip, so this favours speed at a high quality (low CRF).
    """

    def __init__(self, path: Path, width: int, height: int, fps: float, *, crf: int = 18,
                 preset: str = "veryfast", pix_fmt: str = "bgr24", threads: int = 0,
                 input_size: tuple[int, int] | None = None, filters: str | None = None, frames: int | None = None):
        """`input_size`/`filters`: frames of another size, fitted by an ffmpeg filter chain
        (which must end at width x height); `frames`: stop after exactly that many output frames."""
        self.path = Path(path)
        self.width, self.height = width, height
        in_w, in_h = input_size or (width, height)
        self.frame_bytes = in_w * in_h * 3 // (2 if pix_fmt == "yuv420p" else 1)
        # frames made as I420 with OpenCV's BT.601 video-range matrix: say so in the stream
        colour = ["-colorspace", "smpte170m", "-color_range", "tv"] if pix_fmt == "yuv420p" else []
        cmd = [FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
               "-f", "rawvideo", "-pix_fmt", pix_fmt, "-s", f"{in_w}x{in_h}", "-r", f"{fps:g}", "-i", "-",
               *(["-vf", filters] if filters else []), *(["-frames:v", str(frames)] if frames else []),
               "-an", "-c:v", "libx264", "-preset", preset, "-crf", str(crf), "-pix_fmt", "yuv420p", *colour,
               "-threads", str(threads), "-movflags", "+faststart", str(self.path)]
        super().__init__(cmd)
        self.frames = 0

    def write(self, frame: np.ndarray) -> None:
        """One frame: an HxWx3 array (bgr24/rgb24) or an (H*3/2)xW I420 buffer (yuv420p)."""
        if frame.dtype != np.uint8 or frame.size != self.frame_bytes:
            raise BrollError(f"internal: frame of shape {frame.shape} for a {self.width}x{self.height} clip",
                             code="broll_frame_size")
        self.feed(np.ascontiguousarray(frame).data)
        self.frames += 1

    def encode_error(self, detail: str) -> Exception:
        return BrollError(f"ffmpeg could not encode the b-roll: {detail}", code="ffmpeg_failed")
