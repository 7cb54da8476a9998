"""Each overlay's chain for a small timeline: the end card, brand clips, logo bug, libass pass
and watermark add exactly the filters the render relies on (inputs, timing, placement)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.render.canvas import Canvas
from pipelines.render.filtergraph import Graph, escape_filter_path
from pipelines.render.fonts import Font, pick_font
from pipelines.render.layouts import layout_for
from pipelines.render.overlays import brand_clips as stings
from pipelines.render.overlays import captions, end_card, logo, titles, watermark
from pipelines.render.platforms import platform_preset


def _canvas(timeline, aspect: str, tmp_path: Path, layout: str | None = None) -> Canvas:
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    return Canvas.build(timeline, aspect, platform_preset(None), preview=True, layout=layout, work=work)


def test_the_clock_counts_every_frame(make_timeline, brand_clips, tmp_path):
    timeline = make_timeline("1:1", preview=True, brand={"intro": brand_clips["intro"], "outro": brand_clips["outro"]})
    clock = _canvas(timeline, "1:1", tmp_path).clock
    assert (clock.intro_frames, clock.end_frames, clock.outro_frames) == (60, 75, 150)  # 2 s, 2.5 s, 5 s at 30 fps
    assert clock.total_frames == round(timeline.duration_s * 30)
    assert clock.intro_s == 2.0 and clock.duration == pytest.approx(timeline.duration_s, abs=1 / 30)


def test_end_card_is_a_still_held_for_the_card_frames(make_timeline, tmp_path):
    canvas = _canvas(make_timeline("1:1", preview=True), "1:1", tmp_path)
    g = Graph()
    png = end_card.draw(canvas)
    assert png.is_file()
    label = end_card.chain(g, canvas, png)
    assert g.inputs == [["-i", str(png)]]
    assert g.filters == [f"[0:v]format=yuv420p,loop=loop=74:size=1:start=0,settb=1/30,setpts=N,setsar=1[{label}]"]


def test_brand_clips_are_cropped_or_shown_whole_over_their_blur(make_timeline, brand_clips, tmp_path):
    timeline = make_timeline("1:1", preview=True, brand={"intro": brand_clips["intro"], "outro": brand_clips["outro"]})
    canvas = _canvas(timeline, "1:1", tmp_path)
    intro, outro = stings.brand_clips(canvas)
    g = Graph()
    wide = stings.chain(g, canvas, intro)  # 16:9 in a square: 1.8x off, shown whole
    assert g.inputs[0] == ["-t", "2.250", "-i", intro.path]
    assert any("split=2" in f for f in g.filters) and any("gblur" in f for f in g.filters)
    assert g.filters[-1].startswith("[") and "overlay=0:118" in g.filters[-1]  # 540x304 centred in 540x540
    assert g.filters[-1].endswith(f"trim=end_frame=60,setsar=1,format=yuv420p[{wide}]")
    n = len(g.filters)
    square = stings.chain(g, canvas, outro)  # 1:1 in a square: cropped like b-roll
    assert g.filters[n:] == [f"[1:v]setpts=PTS-STARTPTS,fps=30,crop=240:240:0:0,scale=540:540:flags=bicubic,"
                             f"tpad=stop_mode=clone:stop_duration=6.000,setpts=N/30/TB,trim=end_frame=150,setsar=1,"
                             f"format=yuv420p[{square}]"]
    assert intro.sound().path is not None and outro.sound().path is None  # the outro is silent


def test_a_missing_brand_clip_is_a_kit_error(make_timeline, brand_clips, tmp_path):
    from pipelines.errors import RenderError

    timeline = make_timeline("1:1", preview=True, brand={"intro": brand_clips["intro"]})
    gone = timeline.brand.model_copy(update={"intro": str(tmp_path / "gone.mp4")})
    timeline = timeline.model_copy(update={"brand": gone})
    with pytest.raises(RenderError) as err:
        stings.brand_clips(_canvas(timeline, "1:1", tmp_path))
    assert err.value.code == "brand_kit_invalid"


@pytest.mark.parametrize("with_intro", [False, True])
def test_logo_bug_shows_over_the_body_only(make_timeline, brand_clips, tmp_path, with_intro):
    brand = {"name": "Orbit", **({"intro": brand_clips["intro"]} if with_intro else {})}
    canvas = _canvas(make_timeline("9:16", preview=True, brand=brand), "9:16", tmp_path)
    bug = logo.draw(canvas)
    assert bug is not None and bug.png.is_file()
    x0, y0, x1, y1 = bug.box
    assert x1 <= canvas.safe[2] and y0 >= canvas.safe[1]  # inside the safe zone, top right
    g = Graph()
    out = logo.overlay(g, canvas, "v0", bug)
    end = canvas.clock.voice_end
    when = f"gte(t,2.000)*lt(t,{2 + end:.3f})" if with_intro else f"lt(t,{end:.3f})"
    assert g.filters == [f"[v0][0:v]overlay={x0}:{y0}:enable='{when}'[{out}]"]


def test_watermark_is_centred(make_timeline, tmp_path):
    canvas = _canvas(make_timeline("16:9", preview=True), "16:9", tmp_path)
    g = Graph()
    out = watermark.overlay(g, canvas, "v0")
    from PIL import Image

    w, h = Image.open(canvas.work / "wm.png").size
    assert g.filters == [f"[v0][0:v]overlay={(canvas.width - w) // 2}:{(canvas.height - h) // 2}[{out}]"]


def test_captions_and_titles_burn_in_one_libass_pass(make_timeline, tmp_path):
    canvas = _canvas(make_timeline("9:16", preview=True), "9:16", tmp_path)
    layout = layout_for(canvas)
    track = captions.caption_track(canvas, style="bold", max_lines=2, bottom=layout.caption_bottom())
    assert track.chunks and all(c.start >= 0 for c in track.chunks)
    scene_titles = titles.scene_titles(canvas, layout, track.font, track.chunks, None)
    assert scene_titles  # both scenes have on-screen text
    ass = tmp_path / "video.ass"
    burn = captions.write_styled(track, canvas, ass, scene_titles, burn_captions=True)
    assert burn == ass and ",Cap,," in ass.read_text() and ",Title,," in ass.read_text()
    g = Graph()
    out = captions.burn(g, "v0", burn, track.font)
    assert g.filters == [f"[v0]ass=filename='{escape_filter_path(ass)}'[{out}]"]
    # captions off: the titles alone, from their own file; neither: nothing to burn
    only = captions.write_styled(track, canvas, ass, scene_titles, burn_captions=False)
    assert only == canvas.work / "titles.ass" and ",Cap,," not in only.read_text()
    assert captions.write_styled(track, canvas, ass, [], burn_captions=False) is None


def test_a_brand_font_folder_reaches_libass_escaped(tmp_path):
    font = pick_font("en")
    odd = Font(font.family, font.path, font.index, "/fonts/it's:here")
    g = Graph()
    captions.burn(g, "v0", tmp_path / "a.ass", odd)
    assert ":fontsdir='/fonts/it\\\\\\'s\\\\:here'" in g.filters[0]


def test_layouts_tell_titles_what_to_avoid(make_timeline, tmp_path):
    from pipelines.render.layouts.pip import pip_box

    timeline = make_timeline("9:16", preview=True)
    canvas = _canvas(timeline, "9:16", tmp_path, layout="pip")
    pip = layout_for(canvas)
    avatar, product = [s for s in timeline.segments if s.kind != "end_card"]
    px, py, size = pip_box(canvas.safe, canvas.short)
    assert pip.scene_obstacles(product) == [(px, py, px + size, py + size)]
    face = pip.scene_obstacles(avatar)[0]
    assert face[0] < canvas.width / 2 < face[2]  # the presenter's face, centred in a full frame
    split = layout_for(_canvas(timeline, "16:9", tmp_path, layout="split"))
    assert split.title_band() == (0, split.product_panel[0])  # titles over the product panel
    (face_x0, _, _, _), = split.title_obstacles()
    assert face_x0 >= split.product_panel[0]  # the face is in the presenter's panel
    assert layout_for(_canvas(timeline, "9:16", tmp_path, layout="split")).caption_bottom() < canvas.height // 2
