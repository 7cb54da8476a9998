"""Each scene's on-screen text as an animated title over its scene, placed clear of what else is
on screen at the time: caption boxes, the logo bug's row, the PiP, the presenter's face (the
layout says where those are). Drawn by the captions' libass pass (see captions.TitleLayout)."""

from __future__ import annotations

from pipelines.render.canvas import Canvas
from pipelines.render.captions import Chunk, Title, TitleLayout
from pipelines.render.fonts import Font
from pipelines.render.framing import Box
from pipelines.render.layouts.base import Layout


def scene_titles(canvas: Canvas, layout: Layout, font: Font, chunks: list[Chunk], bug_box: Box | None) -> list[Title]:
    safe = canvas.safe
    title_layout = TitleLayout(canvas.width, canvas.height, safe, font, canvas.timeline.language)
    fixed: list[Box] = []
    if bug_box:  # the bug's whole row: titles line up under it rather than beside it ...
        fixed.append((safe[0], bug_box[1], safe[2], bug_box[3]))
    fixed += layout.title_obstacles()
    band = layout.title_band()
    intro_s = canvas.clock.intro_s
    titles = []
    for seg in canvas.body_segments:
        start, end = intro_s + seg.start + 0.1, intro_s + seg.end
        if not seg.on_screen_text.strip() or end - start < 0.8:
            continue
        obstacles = fixed + layout.scene_obstacles(seg) + [c.box for c in chunks if c.start < end and c.end > start]
        # ... unless only the row beside the bug is free (a presenter filling a square frame)
        beside_bug = [bug_box if ob == fixed[0] else ob for ob in obstacles] if bug_box else None
        title = title_layout.place(seg.on_screen_text, start, end, obstacles, band, fallback=beside_bug)
        if title is not None:
            titles.append(title)
    return titles
