"""Showcase: product shots only (no presenter, or one the layout leaves out), full frame."""

from __future__ import annotations

from pipelines.render.filtergraph import Graph
from pipelines.render.layouts.base import Layout


class Showcase(Layout):
    name = "showcase"

    def body(self, g: Graph) -> str:
        c = self.canvas
        return self.scenes(g, c.width, c.height, presenter=False)
