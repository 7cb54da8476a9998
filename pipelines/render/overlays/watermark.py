"""The preview watermark, centred over the whole video."""

from __future__ import annotations

from PIL import Image

from pipelines.render import cards
from pipelines.render.canvas import Canvas
from pipelines.render.filtergraph import Graph


def overlay(g: Graph, canvas: Canvas, video: str) -> str:
    png = cards.watermark(canvas.work / "wm.png", canvas.short)
    w, h = Image.open(png).size
    idx = g.input("-i", png)
    return g.overlay(video, f"{idx}:v", (canvas.width - w) // 2, (canvas.height - h) // 2, "vw")
