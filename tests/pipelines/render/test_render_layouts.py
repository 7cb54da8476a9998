"""Each layout's whole graph (scenes, end card, brand clips, overlays, the encoder's outputs) is
one ffmpeg can run, and it makes exactly the clock's frames; the layouts' own shapes show in it."""

from __future__ import annotations

import pytest

from pipelines.render import RenderOptions
from pipelines.render.canvas import Canvas
from pipelines.render.compose import compose
from pipelines.render.encode import outputs
from pipelines.render.filtergraph import Graph
from pipelines.render.live import LiveFeeds
from pipelines.render.overlays import brand_clips as stings
from pipelines.render.platforms import platform_preset


def _frames(framecrc) -> int:
    return sum(1 for line in framecrc.read_text().splitlines() if line and not line.startswith("#"))


@pytest.mark.parametrize("layout,aspect,with_clips", [("fullbleed", "9:16", True), ("split", "9:16", False),
                                                      ("split", "16:9", False), ("pip", "4:5", True),
                                                      ("showcase", "1:1", False)])
def test_each_layout_builds_a_graph_ffmpeg_runs(make_timeline, brand_clips, tmp_path, layout, aspect, with_clips):
    brand = {"name": "Orbit", **({"intro": brand_clips["intro"], "outro": brand_clips["outro"]} if with_clips else {})}
    timeline = make_timeline(aspect, preview=True, brand=brand)
    options = RenderOptions(preview=True, layout=layout)
    (tmp_path / "work").mkdir()
    canvas = Canvas.build(timeline, aspect, platform_preset(None), preview=True, layout=layout,
                          work=tmp_path / "work")
    assert canvas.layout == layout
    live = LiveFeeds()
    try:
        g = Graph(live)
        intro, outro = stings.brand_clips(canvas)
        video = compose(g, canvas, options, tmp_path, intro=intro, outro=outro)
        final, thumb = outputs(g, canvas, video)
        script = g.script()
        # passthrough: count the frames the graph makes, not what a fixed output rate would keep
        live.run([*g.args(), "-filter_complex", script,
                  "-map", f"[{final}]", "-fps_mode", "passthrough", "-f", "framecrc", tmp_path / "v.crc",
                  "-map", f"[{thumb}]", "-frames:v", "1", "-update", "1", tmp_path / "thumb.png"])
    finally:
        live.close()
    assert _frames(tmp_path / "v.crc") == canvas.clock.total_frames
    assert (tmp_path / "thumb.png").is_file() and (tmp_path / "video.srt").is_file()
    presenter_inputs = sum(timeline.presenter_path in args for args in g.inputs)
    if layout == "split":
        assert ("hstack" if aspect == "16:9" else "vstack") in script
    if layout == "pip":
        # the circle shows over the product scene, on the file's clock (after the 2 s intro)
        product = next(s for s in timeline.segments if s.kind == "product_image")
        assert "alphamerge" in script and f"between(t,{2 + product.start:.3f}," in script
    if layout == "showcase":
        assert presenter_inputs == 0
    else:
        assert presenter_inputs >= 1
    assert "ass=filename=" in script and ("brand" in script) == with_clips
