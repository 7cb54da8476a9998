"""The logo bug: the brand's logo (or name) small in the safe zone's top right corner, over the
body only (the end card carries the big logo)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from pipelines.render import cards
from pipelines.render.canvas import Canvas
from pipelines.render.filtergraph import Graph
from pipelines.render.framing import Box


@dataclass(frozen=True)
class Bug:
    png: Path
    box: Box  # x0, y0, x1, y1 in the frame


def draw(canvas: Canvas) -> Bug | None:
    short, safe, brand = canvas.short, canvas.safe, canvas.brand
    png = cards.logo_bug(canvas.work / "bug.png", short, brand, brand.name, canvas.timeline.language)
    if not png:
        return None
    bug_w, bug_h = Image.open(png).size
    bx, by = safe[2] - bug_w - round(short * 0.02), safe[1] + round(short * 0.02)
    return Bug(png, (bx, by, bx + bug_w, by + bug_h))


def overlay(g: Graph, canvas: Canvas, video: str, bug: Bug) -> str:
    idx = g.input("-i", bug.png)
    intro_s, voice_end = canvas.clock.intro_s, canvas.clock.voice_end
    body_on = f"gte(t,{intro_s:.3f})*lt(t,{intro_s + voice_end:.3f})" if canvas.clock.intro_frames \
        else f"lt(t,{voice_end:.3f})"
    return g.overlay(video, f"{idx}:v", bug.box[0], bug.box[1], "vb", body_on)
