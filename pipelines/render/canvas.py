"""What every layer of one video is drawn against: its size and safe zone, its clock (intro,
body, end card, outro in whole frames), its layout and brand, and its scratch folder."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from pipelines.errors import RenderError
from pipelines.product import ASPECTS, BrandKit, PresenterClip, Timeline, TimelineSegment
from pipelines.render.framing import even
from pipelines.render.platforms import Platform
from pipelines.render.timeline import LAYOUTS

PREVIEW_SHORT_SIDE = 540


def output_size(aspect: str, preview: bool) -> tuple[int, int]:
    if aspect not in ASPECTS:
        raise RenderError(f"Unknown aspect ratio {aspect!r}; choose one of: {', '.join(ASPECTS)}",
                          code="unknown_aspect")
    w, h = ASPECTS[aspect]
    if preview:
        s = PREVIEW_SHORT_SIDE / min(w, h)
        return even(w * s), even(h * s)
    return w, h


@dataclass(frozen=True)
class Clock:
    """The MP4's frames: the brand intro, the body (the voice's scenes), the end card, the outro.
    The body's own times (segments, words) play `intro_s` later in the file."""

    fps: float
    intro_frames: int
    body_frames: int
    end_frames: int
    outro_frames: int
    voice_end: float  # the body's length in seconds (where the voice's last scene ends)

    @classmethod
    def of(cls, timeline: Timeline, fps: float) -> Clock:
        body = [s for s in timeline.segments if s.kind != "end_card"]
        voice_end = body[-1].end if body else 0.0
        total = round(timeline.duration_s * fps)
        body_frames = round(voice_end * fps)
        intro, outro = round(timeline.intro_s * fps), round(timeline.outro_s * fps)
        return cls(fps, intro, body_frames, total - intro - body_frames - outro, outro, voice_end)

    @property
    def total_frames(self) -> int:
        return self.intro_frames + self.body_frames + self.end_frames + self.outro_frames

    @property
    def intro_s(self) -> float:
        return self.intro_frames / self.fps

    @property
    def duration(self) -> float:
        return self.total_frames / self.fps


@dataclass
class Canvas:
    timeline: Timeline
    aspect: str
    width: int
    height: int
    safe: tuple[int, int, int, int]  # x0, y0, x1, y1: where text and logos may go
    layout: str
    clock: Clock
    platform: Platform
    work: Path  # scratch folder for the stills drawn for this video

    @classmethod
    def build(cls, timeline: Timeline, aspect: str, platform: Platform, *, preview: bool, layout: str | None,
              work: Path) -> Canvas:
        width, height = output_size(aspect, preview)
        layout = layout or timeline.layout
        if layout not in LAYOUTS:
            layout = "fullbleed"
        if timeline.presenter is None or not timeline.presenter_path:
            layout = "showcase"
        return cls(timeline, aspect, width, height, platform.insets(aspect).box(width, height), layout,
                   Clock.of(timeline, platform.fps or timeline.fps), platform, work)

    @property
    def fps(self) -> float:
        return self.clock.fps

    @property
    def short(self) -> int:
        return min(self.width, self.height)

    @property
    def landscape(self) -> bool:
        return self.width >= self.height

    @property
    def brand(self) -> BrandKit:
        return self.timeline.brand

    @property
    def pad_color(self) -> str:
        return self.brand.primary_color or "#111111"

    @property
    def presenter(self) -> PresenterClip | None:
        """The presenter clip, for layouts that show one."""
        return self.timeline.presenter if self.layout != "showcase" else None

    @property
    def presenter_path(self) -> str | None:
        return self.timeline.presenter_path if self.presenter else None

    @cached_property
    def body_segments(self) -> list[TimelineSegment]:
        return [s for s in self.timeline.segments if s.kind != "end_card"]
