"""Split screen: product shots in one panel, the presenter in the other; side by side on square
and wide frames (portrait panels suit a portrait presenter), stacked on tall frames."""

from __future__ import annotations

from pipelines.render.filtergraph import Graph, framed
from pipelines.render.framing import even, face_on_screen, presenter_framing
from pipelines.render.layouts.base import Layout


class Split(Layout):
    name = "split"

    @property
    def product_panel(self) -> tuple[int, int]:
        c = self.canvas
        return (even(c.width / 2), c.height) if c.landscape else (c.width, even(c.height / 2))

    @property
    def presenter_panel(self) -> tuple[int, int]:
        c = self.canvas
        prod_w, prod_h = self.product_panel
        return (c.width - prod_w, c.height) if c.landscape else (c.width, c.height - prod_h)

    def body(self, g: Graph) -> str:
        c = self.canvas
        products = self.scenes(g, *self.product_panel, presenter=False)
        pres_w, pres_h = self.presenter_panel
        p = c.presenter
        idx = g.input("-t", f"{c.clock.voice_end + 0.25:.3f}", "-i", c.presenter_path)
        framing = presenter_framing(p.width, p.height, p.face_box, pres_w, pres_h, c.pad_color)
        pres = g.label("pres")
        framed(g, idx, framing, pres_w, pres_h, c.fps, c.clock.body_frames, pres)
        # both panels on the output's clock before they are stacked: the product panel comes out of
        # concat in microseconds (33333 µs a frame), the presenter in its file's 1/15360 s (33333.3 µs),
        # and the stack would emit a frame for each of the two timestamps, ~45 % more frames for
        # every later filter to draw (the encoder's fixed rate dropped them again)
        clock = f"settb=1/{c.fps:g},setpts=N"
        a, b, stacked = g.label("sp"), g.label("sq"), g.label("split")
        g.add(f"[{products}]{clock}[{a}]")
        g.add(f"[{pres}]{clock}[{b}]")
        g.add(f"[{a}][{b}]{'hstack' if c.landscape else 'vstack'}=inputs=2[{stacked}]")
        return stacked

    def caption_bottom(self) -> int | None:
        c = self.canvas
        if c.landscape:
            return None
        return c.height // 2 - round(c.short * 0.03)  # low in the product panel, off the face

    def title_band(self) -> tuple[int, int] | None:
        return (0, self.product_panel[0]) if self.canvas.landscape else None  # centred over the product

    def title_obstacles(self):
        c = self.canvas
        prod_w, prod_h = self.product_panel
        origin = (prod_w, 0) if c.landscape else (0, prod_h)
        return [face_on_screen(c.presenter, *self.presenter_panel, c.pad_color, origin)]
