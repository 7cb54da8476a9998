"""The script's words reach the captions as written: "&", apostrophes, currency, braces and
backslashes in the burned-in captions (.ass) and the .srt/.vtt; emoji in the files always, and
burned in only where the caption font can draw them (else dropped cleanly, no empty boxes)."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest
from PIL import Image

from pipelines.product import BrollClip, VoiceTrack, WordTiming
from pipelines.render import RenderOptions, build_timeline, render
from pipelines.render.canvas import Canvas
from pipelines.render.captions import CaptionLayout, _ass_text, write_ass, write_srt, write_vtt
from pipelines.render.fonts import drawable, pick_font
from pipelines.render.overlays import captions
from pipelines.render.platforms import platform_preset

# as a voice engine hands them over: the script's tokens verbatim, one WordTiming each
TOKENS = ["From", "Kettle", "&", "Crane", "Coffee,", "it's", "only", "$24.99", "(€22)", "☕🔥", "🔥",
          "{fresh}", "C:\\roast\\N", "beans!"]
GREY = 0x80


def _voice(render_inputs) -> VoiceTrack:
    voice = render_inputs["voice"]
    step = (voice.duration_s - 0.3) / len(TOKENS)
    half = len(TOKENS) // 2
    words = [WordTiming(word=t, start=round(0.1 + i * step, 3), end=round(0.1 + i * step + step * 0.85, 3),
                        scene=0 if i < half else 1) for i, t in enumerate(TOKENS)]
    spans = [(0.0, words[half - 1].end + 0.05), (words[half].start - 0.05, voice.duration_s)]
    return voice.model_copy(update={"words": words, "scene_spans": spans})


@pytest.fixture(scope="module")
def rendered(render_inputs, clip_maker, tmp_path_factory):
    """A 1:1 preview over flat grey footage (so the captions are the only thing drawn)."""
    root = tmp_path_factory.mktemp("caption_text")
    voice = _voice(render_inputs)
    broll = {}
    for i, (a, b) in enumerate(voice.scene_spans):
        path = clip_maker(root / f"grey{i}.mp4", f"0x{GREY:02x}{GREY:02x}{GREY:02x}", (540, 540), b - a + 0.5)
        broll[i] = (BrollClip(video=path.name, width=540, height=540, fps=25, duration_s=b - a + 0.5,
                              engine="test"), path)
    timeline = build_timeline(render_inputs["product"], render_inputs["script"], voice,
                              render_inputs["root"] / "voice", None, None, broll, {"name": ""})
    options = RenderOptions(preview=True, caption_style="minimal", titles=False, watermark=False)
    render(timeline, "1:1", root / "out", options)
    return timeline, options, root / "out"


def test_srt_keeps_every_token_as_written(rendered):
    _, _, out = rendered
    srt = (out / "video.srt").read_text(encoding="utf-8")
    text = " ".join(line for line in srt.splitlines() if line and "-->" not in line and not line.isdigit())
    assert text == " ".join(TOKENS)  # "&", "it's", "$24.99", "(€22)", both emoji, braces, backslashes


def test_vtt_escapes_what_webvtt_reads_as_markup(rendered):
    _, _, out = rendered
    vtt = (out / "video.vtt").read_text(encoding="utf-8")
    assert "Kettle &amp; Crane" in vtt and "☕🔥 🔥" in vtt and "it's" in vtt and "$24.99 (€22)" in vtt
    assert "& " not in vtt.replace("&amp;", "")


def test_ass_draws_the_text_as_written(rendered):
    _, _, out = rendered
    ass = (out / "video.ass").read_text(encoding="utf-8")
    events = "\n".join(line.split(",,", 1)[1] for line in ass.splitlines() if line.startswith("Dialogue:"))
    for token in ("Kettle & Crane", "it's", "$24.99 (€22)", "☕", r"\{fresh\}", "C:\\\u2060roast\\\u2060N"):
        assert token in events, token
    assert "🔥" not in events  # DejaVu has no outline for it: libass would draw an empty box


def test_ass_escaping():
    assert _ass_text("{b}") == r"\{b\}"
    assert _ass_text("a\\Nb") == "a\\\u2060Nb"  # shown as a backslash and an N, not a line break
    assert _ass_text("Kettle & Crane $5 £3 it’s") == "Kettle & Crane $5 £3 it’s"


def test_emoji_are_burned_in_only_where_the_font_draws_them():
    font = pick_font("en")  # DejaVu Sans Bold: outlines for ☕ and ❤, none for 🔥 or flags
    assert drawable("☕🔥", font) == "☕"
    assert drawable("Love it 🔥 ❤️", font) == "Love it ❤"
    assert drawable("🇺🇸 👩‍💻 made", font) == "made"
    assert drawable("from Kettle & Crane, it's $5 €4 £3 ¥2 ₹1", font) == "from Kettle & Crane, it's $5 €4 £3 ¥2 ₹1"


def test_an_emoji_only_word_rides_with_its_neighbour_in_the_files(tmp_path):
    layout = CaptionLayout(1080, 1080, (54, 54, 1026, 1026), pick_font(), "en", "minimal")
    words = [WordTiming(word=w, start=i * 0.3, end=i * 0.3 + 0.25) for i, w in enumerate(["🔥", "Hot", "deal", "🔥"])]
    chunks = layout.chunks(words)
    assert [t for c in chunks for t in c.texts] == ["Hot", "deal"]
    write_srt(tmp_path / "a.srt", chunks)
    write_vtt(tmp_path / "a.vtt", chunks)
    write_ass(tmp_path / "a.ass", chunks, layout)
    assert "🔥 Hot deal 🔥" in (tmp_path / "a.srt").read_text(encoding="utf-8")
    assert "🔥 Hot deal 🔥" in (tmp_path / "a.vtt").read_text(encoding="utf-8")
    assert "🔥" not in (tmp_path / "a.ass").read_text(encoding="utf-8")


def test_the_burned_caption_is_as_wide_as_measured_with_the_ampersand(rendered, tmp_path):
    """On the frame, the caption with "&" spans the box measured for it (a dropped "&" or an
    empty emoji box would make it narrower or wider by more than the tolerance)."""
    timeline, options, out = rendered
    work = tmp_path / "work"
    work.mkdir()
    canvas = Canvas.build(timeline, "1:1", platform_preset(None), preview=True, layout=None, work=work)
    track = captions.caption_track(canvas, style=options.caption_style, max_lines=options.caption_lines, bottom=None)
    checked = 0
    for chunk in track.chunks:
        if not any(t in ("&", "☕") for t in chunk.texts):
            continue
        png = tmp_path / f"f{checked}.png"
        mid = (chunk.start + chunk.end) / 2 + 0.1  # past the 100 ms fade-in
        subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-ss", f"{mid:.2f}", "-i", str(out / "video.mp4"),
                        "-frames:v", "1", str(png)], check=True)
        img = np.asarray(Image.open(png).convert("L")).astype(int)
        x0, y0, x1, y1 = chunk.box
        band = img[max(0, y0 - 4):y1 + 4]
        drawn = np.abs(band - GREY) > 40
        xs = np.nonzero(drawn.any(axis=0))[0]
        width = xs.max() - xs.min()
        box_w = x1 - x0
        lines = [" ".join(chunk.texts[j] for j in line) for line in chunk.lines]
        without = max(track.layout.measure(line.replace("& ", "").replace(" ☕", "")) for line in lines)
        tolerance = max(6, 0.03 * box_w)
        assert abs(width - box_w) <= tolerance, (lines, width, box_w)
        assert box_w - (without + 2 * track.layout.outline) > tolerance  # the check could tell them apart
        checked += 1
    assert checked == 2
