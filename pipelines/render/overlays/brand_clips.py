"""The brand kit's intro and outro clips: framed for the aspect, exactly their frames long,
before the body and after the end card (their sound goes into the mix, see audio.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipelines.errors import RenderError
from pipelines.media import media_info
from pipelines.render.audio import BrandSound
from pipelines.render.canvas import Canvas
from pipelines.render.filtergraph import Graph, hold
from pipelines.render.framing import cover_crop, even

# A clip whose aspect is this much off the frame's (a 16:9 sting in a 9:16 ad: 3.2x) is shown whole
# over a blurred cover of itself; closer ones (4:5 in 9:16: 1.4x) are cover-cropped like b-roll.
FIT_OVER_BLUR_ABOVE = 1.5


@dataclass(frozen=True)
class BrandClip:
    path: str
    n_frames: int
    fps: float

    @property
    def seconds(self) -> float:
        return self.n_frames / self.fps

    def sound(self) -> BrandSound:
        """What the clip brings to the mix: its own sound for its length, or silence."""
        return BrandSound(Path(self.path) if media_info(self.path).audio_codec else None, self.seconds)


def brand_clips(canvas: Canvas) -> tuple[BrandClip | None, BrandClip | None]:
    """The intro and outro this video plays, checked to exist."""
    clock = canvas.clock
    return (_clip(canvas.brand.intro, clock.intro_frames, clock.fps, "intro"),
            _clip(canvas.brand.outro, clock.outro_frames, clock.fps, "outro"))


def _clip(path: str | None, n_frames: int, fps: float, what: str) -> BrandClip | None:
    if n_frames <= 0:
        return None
    if not path or not Path(path).is_file():
        raise RenderError(f"The brand kit's {what} clip {Path(path or '').name or '(none)'} is missing.",
                          code="brand_kit_invalid")
    return BrandClip(path, n_frames, fps)


def sound(clip: BrandClip | None) -> BrandSound | None:
    return clip.sound() if clip else None


def chain(g: Graph, canvas: Canvas, clip: BrandClip) -> str:
    """The clip framed for the output, exactly its frames long (cut, or held on its last frame)."""
    width, height, fps, n_frames = canvas.width, canvas.height, canvas.fps, clip.n_frames
    idx = g.input("-t", f"{n_frames / fps + 0.25:.3f}", "-i", clip.path)
    cw, ch = g.size_of(clip.path)
    x, y, w, h = cover_crop(cw, ch, width, height)
    held = hold(n_frames, fps)
    out = g.label("brand")
    src = f"[{idx}:v]setpts=PTS-STARTPTS,fps={fps}"
    if max(cw * height / (ch * width), ch * width / (cw * height)) <= FIT_OVER_BLUR_ABOVE:
        g.add(f"{src},crop={w}:{h}:{x}:{y},scale={width}:{height}:flags=bicubic,{held}[{out}]")
        return out
    fit_w, fit_h = (width, min(height, even(width * ch / cw))) if cw * height > ch * width else \
        (min(width, even(height * cw / ch)), height)
    a, b, bg, fg = (g.label(p) for p in ("ba", "bb", "bbg", "bfg"))
    g.add(f"{src},split=2[{a}][{b}]")
    # the backdrop: a tiny cover crop blown back up (nearly free), dimmed so the clip stands out
    g.add(f"[{b}]crop={w}:{h}:{x}:{y},scale={even(width / 24)}:{even(height / 24)},gblur=sigma=1.2,"
          f"scale={width}:{height}:flags=bicubic,eq=brightness=-0.08:saturation=0.85[{bg}]")
    g.add(f"[{a}]scale={fit_w}:{fit_h}:flags=bicubic[{fg}]")
    g.add(f"[{bg}][{fg}]overlay={(width - fit_w) // 2}:{(height - fit_h) // 2},{held}[{out}]")
    return out
