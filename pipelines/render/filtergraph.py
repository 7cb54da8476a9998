"""The one ffmpeg command a render is: its inputs and its filtergraph, built up by the layouts
and overlays, each adding its chains and handing on the label of the video so far."""

from __future__ import annotations

from pathlib import Path

from pipelines.media import media_info


class Graph:
    """Inputs (`-i` and their options) and filter chains of one ffmpeg command.

    `live` (a LiveFeeds) is where motion b-roll drawn during the encode is piped in from; media
    sizes probed while building are cached here so each source is probed once."""

    def __init__(self, live=None):
        self.inputs: list[list[str]] = []
        self.filters: list[str] = []
        self.live = live
        self._n = 0
        self._sizes: dict[str, tuple[int, int]] = {}

    def input(self, *args) -> int:
        self.inputs.append([str(a) for a in args])
        return len(self.inputs) - 1

    def live_input(self, clip, n_frames: int) -> int:
        return self.input(*self.live.add(clip, n_frames))

    def label(self, prefix: str = "l") -> str:
        self._n += 1
        return f"{prefix}{self._n}"

    def add(self, chain: str) -> None:
        self.filters.append(chain)

    def concat(self, labels: list[str], prefix: str) -> str:
        out = self.label(prefix)
        self.add("".join(f"[{s}]" for s in labels) + f"concat=n={len(labels)}:v=1:a=0[{out}]")
        return out

    def overlay(self, video: str, layer: str, x: int, y: int, prefix: str, enable: str | None = None) -> str:
        """`layer` (a label, or an input's stream like `3:v`) over `video` at (x, y)."""
        out = self.label(prefix)
        when = f":enable='{enable}'" if enable else ""
        self.add(f"[{video}][{layer}]overlay={x}:{y}{when}[{out}]")
        return out

    def size_of(self, path: str) -> tuple[int, int]:
        if path not in self._sizes:
            info = media_info(path)
            self._sizes[path] = (info.width or 0, info.height or 0)
        return self._sizes[path]

    def args(self) -> list[str]:
        out: list[str] = []
        for a in self.inputs:
            out += a
        return out

    def script(self) -> str:
        """The -filter_complex argument."""
        return ";".join(self.filters)


def hold(n_frames: int, fps: float) -> str:
    """Exactly n_frames: cut, or held on the last frame. Renumbered after the hold: tpad's clones
    may repeat the last timestamp, and the encoder's constant frame rate would drop a frame."""
    return (f"tpad=stop_mode=clone:stop_duration={n_frames / fps + 1:.3f},setpts=N/{fps:g}/TB,"
            f"trim=end_frame={n_frames},setsar=1,format=yuv420p")


def framed(g: Graph, idx: int, framing: str, w: int, h: int, fps: float, n_frames: int, out: str) -> None:
    """Source -> framed, exactly n_frames long (held on its last frame if the source is short).

    A presenter panel narrower than the frame sits on a soft blur of its own backdrop rather than
    on flat bars. The studio backdrop barely changes, so the blur is made once from the first
    frame and held (per frame it cost ~3 ms at 1080x960, a quarter of the encode)."""
    held = hold(n_frames, fps)
    if ",pad=" in framing:
        panel, pad = framing.split(",pad=")
        x = pad.split(":")[2]
        a, b, bg, fg = (g.label(p) for p in ("pa", "pb", "pbg", "pfg"))
        g.add(f"[{idx}:v]setpts=PTS-STARTPTS,fps={fps},split=2[{a}][{b}]")
        g.add(f"[{b}]trim=end_frame=1,scale=48:28,gblur=sigma=1.5,scale={w}:{h}:flags=bicubic,"
              f"eq=brightness=-0.05:saturation=0.9,format=yuv420p,loop=loop=-1:size=1,setpts=N/{fps}/TB[{bg}]")
        g.add(f"[{a}]{panel}[{fg}]")
        g.add(f"[{bg}][{fg}]overlay={x}:0:shortest=1,{held}[{out}]")
        return
    g.add(f"[{idx}:v]setpts=PTS-STARTPTS,fps={fps},{framing},{held}[{out}]")


def escape_filter_path(path: Path) -> str:
    """A path as a quoted filter option value inside -filter_complex."""
    return str(path).replace("\\", "\\\\\\\\").replace("'", "\\\\\\'").replace(":", "\\\\:")
