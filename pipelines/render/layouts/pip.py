"""Picture in picture: full-frame scenes, the presenter in a ringed circle at the safe zone's
top left over the product shots (kept in sync with the voice)."""

from __future__ import annotations

from pipelines.render import cards
from pipelines.render.filtergraph import Graph
from pipelines.render.framing import Box, even, face_on_screen
from pipelines.render.layouts.base import Layout


def pip_box(safe: tuple[int, int, int, int], short: int) -> tuple[int, int, int]:
    """x, y and side of the presenter picture-in-picture (top left of the safe zone)."""
    return safe[0] + round(short * 0.02), safe[1] + round(short * 0.02), even(short * 0.34)


class Pip(Layout):
    name = "pip"

    def body(self, g: Graph) -> str:
        c = self.canvas
        return self.scenes(g, c.width, c.height, presenter=True)

    def windows(self) -> list[tuple[float, float]]:
        """When the circle shows (body clock): over every scene that is not the presenter's own."""
        fps = self.canvas.fps
        return [(f0 / fps, f1 / fps) for seg, f0, f1 in self.cuts() if seg.kind != "avatar"]

    def over(self, g: Graph, video: str) -> str:
        c = self.canvas
        windows = self.windows()
        if not windows:
            return video
        px, py, size = pip_box(c.safe, c.short)
        mask = cards.circle_mask(c.work / "mask.png", size)
        ring = cards.ring(c.work / "ring.png", size, c.brand.accent_color)
        idx = g.input("-t", f"{c.clock.voice_end + 0.25:.3f}", "-i", c.presenter_path)
        midx = g.input("-i", mask)
        ridx = g.input("-i", ring)
        p = c.presenter
        fx, fy, fw, fh = p.face_box
        side = min(p.width, p.height, even(fh * 2.1))
        x = int(min(max(0, fx + fw / 2 - side / 2), p.width - side))
        y = int(min(max(0, fy + fh * 0.6 - side / 2), p.height - side))
        pip, m, pipm, out = (g.label(name) for name in ("pip", "mask", "pipm", "vp"))
        intro_s = c.clock.intro_s
        # delayed by the intro so the presenter stays in sync with the voice
        delay = f"tpad=start_duration={intro_s:.4f}," if c.clock.intro_frames else ""
        g.add(f"[{idx}:v]setpts=PTS-STARTPTS,fps={c.fps},{delay}crop={side}:{side}:{x}:{y},scale={size}:{size},"
              f"format=yuva420p[{pip}]")
        g.add(f"[{midx}:v]format=gray,loop=loop=-1:size=1,setpts=N/{c.fps}/TB[{m}]")
        g.add(f"[{pip}][{m}]alphamerge[{pipm}]")
        enable = "+".join(f"between(t,{intro_s + a:.3f},{intro_s + b - 0.001:.3f})" for a, b in windows)
        g.add(f"[{video}][{pipm}]overlay={px}:{py}:eof_action=pass:enable='{enable}'[{out}]")
        return g.overlay(out, f"{ridx}:v", px, py, "vr", enable)

    def scene_obstacles(self, seg) -> list[Box]:
        c = self.canvas
        if seg.kind == "avatar":
            return [face_on_screen(c.presenter, c.width, c.height, c.pad_color)]
        px, py, size = pip_box(c.safe, c.short)
        return [(px, py, px + size, py + size)]
