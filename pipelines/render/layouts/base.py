"""What every layout shares: the scenes cut on the voice's clock, each source framed for the
panel it fills (presenter by its face box, product by its subject box, motion b-roll drawn live
at the panel's size), and the hooks a layout may fill in (layers over the whole video, where
captions sit, what titles keep clear of)."""

from __future__ import annotations

from pipelines.broll.motion import is_motion_plan, load_plan
from pipelines.product import TimelineSegment
from pipelines.render.canvas import Canvas
from pipelines.render.filtergraph import Graph, framed
from pipelines.render.framing import Box, even, presenter_framing, product_framing


class Layout:
    """One way of arranging a video's body. `body(g)` adds the scenes to the graph and returns the
    label of a voice-long, full-frame video; `over(g, video)` adds layers over the whole file."""

    name = ""

    def __init__(self, canvas: Canvas):
        self.canvas = canvas

    def body(self, g: Graph) -> str:
        raise NotImplementedError

    def over(self, g: Graph, video: str) -> str:
        return video

    def caption_bottom(self) -> int | None:
        """The lowest y captions may reach, when the layout wants them above the safe zone's foot."""
        return None

    def title_band(self) -> tuple[int, int] | None:
        """The x range titles are centred in (None: the safe zone's)."""
        return None

    def title_obstacles(self) -> list[Box]:
        """What titles keep clear of for the whole body."""
        return []

    def scene_obstacles(self, seg: TimelineSegment) -> list[Box]:
        """What titles keep clear of while this scene shows."""
        return []

    # ---- shared by the layouts

    def cuts(self):
        """(segment, first frame, end frame) of each body scene that lasts at least one frame."""
        c = self.canvas
        starts = [round(s.start * c.fps) for s in c.body_segments] + [c.clock.body_frames]
        for seg, f0, f1 in zip(c.body_segments, starts, starts[1:]):
            if f1 > f0:
                yield seg, f0, f1

    def scenes(self, g: Graph, w: int, h: int, *, presenter: bool) -> str:
        """Every scene framed for a w x h panel, concatenated (presenter scenes show the presenter
        when `presenter`, else the nearest product shot)."""
        labels = [self.scene(g, seg, f1 - f0, w, h, presenter) for seg, f0, f1 in self.cuts()]
        if labels:
            return g.concat(labels, "body")
        body = g.label("body")
        c = self.canvas
        g.add(f"color=c={c.pad_color}:s={w}x{h}:r={c.fps}:d={c.clock.voice_end:.3f}[{body}]")
        return body

    def scene(self, g: Graph, seg: TimelineSegment, n_frames: int, w: int, h: int, want_presenter: bool) -> str:
        c = self.canvas
        fps, pad_color = c.fps, c.pad_color
        d = n_frames / fps
        if want_presenter and seg.kind == "avatar" and c.presenter_path:
            p = c.presenter
            idx = g.input("-ss", f"{seg.start:.3f}", "-t", f"{d + 0.25:.3f}", "-i", c.presenter_path)
            framing = presenter_framing(p.width, p.height, p.face_box, w, h, pad_color)
        else:
            src = seg if (seg.kind != "avatar" and seg.source) else self._borrowed_source(seg)
            if src is None or not src.source:
                idx = g.input("-f", "lavfi", "-t", f"{d + 0.25:.3f}", "-i", f"color=c={pad_color}:s={w}x{h}:r={fps}")
                framing = "null"
            elif is_motion_plan(src.source):
                # drawn live at this panel's size (nothing to crop), or smaller and upscaled here
                # when the photo has less detail than the panel (drawing costs ~4.8 ms a 1080x1920
                # frame, a bicubic upscale ~1.3 ms)
                clip = load_plan(src.source, w, h)
                detail = clip.detail_scale()
                framing = "null"
                if detail <= 0.8:
                    clip = load_plan(src.source, even(w * detail), even(h * detail))
                    framing = f"scale={w}:{h}:flags=bicubic"
                idx = g.live_input(clip, n_frames)
            else:
                idx = g.input("-t", f"{d + 0.25:.3f}", "-i", src.source)
                cw, ch = src.source_size or g.size_of(src.source)
                framing = product_framing(cw, ch, src.subject_box, w, h)
        out = g.label("seg")
        framed(g, idx, framing, w, h, fps, n_frames, out)
        return out

    def _borrowed_source(self, seg: TimelineSegment) -> TimelineSegment | None:
        """A presenter scene shown without the presenter borrows the nearest product shot."""
        own = [s for s in self.canvas.body_segments if s.kind != "avatar" and s.source]
        if not own:
            return None
        return min(own, key=lambda s: (abs((s.scene or 0) - (seg.scene or 0)), s.scene or 0))
