"""Full bleed: every scene fills the frame, the presenter's scenes framed head and shoulders."""

from __future__ import annotations

from pipelines.render.filtergraph import Graph
from pipelines.render.framing import face_on_screen
from pipelines.render.layouts.base import Layout


class Fullbleed(Layout):
    name = "fullbleed"

    def body(self, g: Graph) -> str:
        c = self.canvas
        return self.scenes(g, c.width, c.height, presenter=True)

    def scene_obstacles(self, seg):
        c = self.canvas
        if seg.kind == "avatar":
            return [face_on_screen(c.presenter, c.width, c.height, c.pad_color)]
        return []
