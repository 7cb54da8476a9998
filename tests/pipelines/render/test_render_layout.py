"""Pure layout logic: timeline building, framing, caption grouping, fonts, subtitles files."""

from __future__ import annotations

import pytest

from pipelines.product import ASPECTS, WordTiming
from pipelines.render import cover_crop, format_price, platform_preset, presenter_framing
from pipelines.render.captions import CaptionLayout, write_srt, write_vtt
from pipelines.render.fonts import needs_cjk, pick_font, strip_emoji


def test_timeline_follows_voice_and_ends_with_card(make_timeline, render_inputs):
    timeline = make_timeline("9:16", preview=True)
    voice = render_inputs["voice"]
    body = [s for s in timeline.segments if s.kind != "end_card"]
    assert [s.kind for s in body] == ["avatar", "product_image"]
    assert body[0].start == 0 and body[-1].end >= voice.duration_s - 1e-6
    assert all(a.end == b.start for a, b in zip(body, body[1:]))  # contiguous, no gaps
    # the cut sits in the pause between the two scenes
    assert voice.scene_spans[0][1] - 0.05 <= body[0].end <= voice.scene_spans[1][0] + 0.05
    end = timeline.segments[-1]
    assert end.kind == "end_card" and end.start == body[-1].end and timeline.duration_s == pytest.approx(end.end)
    assert timeline.price_text == "$24.00" and timeline.list_price_text == "$32.00"  # on sale
    assert round(timeline.duration_s * 30, 6).is_integer()  # whole frames


def test_price_formats():
    assert format_price(1299, "JPY") == "¥1,299"
    assert format_price(19.5, "EUR") == "€19.50"
    assert format_price(7, "XYZ") == "7.00 XYZ"
    assert format_price(None, "USD") is None


@pytest.mark.parametrize("aspect", list(ASPECTS))
@pytest.mark.parametrize("clip", [(1080, 1350), (1080, 1920)])
def test_presenter_framing_keeps_head_and_shoulders(aspect, clip):
    w, h = ASPECTS[aspect]
    face = (clip[0] // 2 - 170, int(clip[1] * 0.22), 340, 420)
    chain = presenter_framing(*clip, face, w, h, "#111111")
    crop = chain.split("crop=")[1].split(",")[0]
    cw, ch, cx, cy = map(int, crop.split(":"))
    fx, fy, fw, fh = face
    assert cx <= fx and cx + cw >= fx + fw and cy <= fy - 0.2 * fh and cy + ch >= fy + 1.6 * fh
    assert 0 <= cx and cx + cw <= clip[0] and 0 <= cy and cy + ch <= clip[1]
    if "pad=" not in chain:  # a crop that fills the frame has the frame's aspect
        assert abs(cw / ch - w / h) < 0.02


def test_cover_crop_follows_subject():
    x, y, w, h = cover_crop(1920, 1080, 1080, 1920, focus=(1500, 400, 200, 200))
    assert h == 1080 and abs(w - 607.5) <= 1 and x + w >= 1700 and x <= 1500


def _words(text: str, start: float = 0.0, step: float = 0.3, scene: int = 0):
    out = []
    for i, w in enumerate(text.split()):
        out.append(WordTiming(word=w, start=start + i * step, end=start + i * step + step * 0.8, scene=scene))
    return out


@pytest.mark.parametrize("aspect", list(ASPECTS))
@pytest.mark.parametrize("platform", [None, "tiktok", "reels", "shorts", "feed", "youtube"])
def test_caption_chunks_fit_the_safe_zone(aspect, platform):
    w, h = ASPECTS[aspect]
    safe = platform_preset(platform).insets(aspect).box(w, h)
    layout = CaptionLayout(w, h, safe, pick_font("en"), "en", "bold", max_lines=2)
    words = _words("Incredibly comfortable supersonically engineered headphones that outlast every "
                   "competitor by forty hours, guaranteed.")
    chunks = layout.chunks(words)
    assert sum(len(c.words) for c in chunks) == len(words)  # no word lost
    for c in chunks:
        assert 1 <= len(c.lines) <= 2
        x0, y0, x1, y1 = c.box
        assert x0 >= safe[0] and x1 <= safe[2] and y0 >= safe[1] and y1 <= safe[3]
    # a sentence end starts a new caption
    assert chunks[-1].texts[-1].endswith("guaranteed.")


def test_cjk_and_emoji_captions(tmp_path):
    assert needs_cjk("ja") and needs_cjk("en", "これはペンです") and not needs_cjk("en", "hello")
    font = pick_font("ja", "コーヒー")
    assert "CJK" in font.family
    layout = CaptionLayout(1080, 1920, (60, 150, 1020, 1500), font, "ja")
    words = [WordTiming(word=w, start=i * 0.4, end=i * 0.4 + 0.3) for i, w in enumerate(["毎朝", "の", "コーヒー", "が", "変わる🔥"])]
    chunks = layout.chunks(words)
    assert "".join(t for c in chunks for t in c.texts) == "毎朝のコーヒーが変わる"
    assert strip_emoji("Love it 😍🔥 so much") == "Love it so much"
    write_srt(tmp_path / "a.srt", chunks, layout.joiner())
    assert "変わる🔥" in (tmp_path / "a.srt").read_text()  # files keep the emoji; only burn-in drops it


def test_srt_and_vtt_timestamps(tmp_path):
    layout = CaptionLayout(1080, 1080, (54, 54, 1026, 1026), pick_font(), "en", "minimal")
    chunks = layout.chunks(_words("One two three. Four five six.", start=61.5))
    write_srt(tmp_path / "c.srt", chunks)
    write_vtt(tmp_path / "c.vtt", chunks)
    srt = (tmp_path / "c.srt").read_text().splitlines()
    assert srt[0] == "1" and srt[1].startswith("00:01:01,500 --> ")
    vtt = (tmp_path / "c.vtt").read_text().splitlines()
    assert vtt[0] == "WEBVTT" and vtt[2].startswith("00:01:01.500 --> ")
