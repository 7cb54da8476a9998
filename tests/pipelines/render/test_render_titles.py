"""Scene titles: the on-screen text of each scene, placed in the safe zone and clear of the
captions, the logo bug and the picture-in-picture, drawn by libass from the captions' .ass file."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest
from PIL import Image

from pipelines.product import ASPECTS, WordTiming
from pipelines.render import RenderOptions, platform_preset, render
from pipelines.render.captions import (CaptionLayout, TitleLayout, _accent_clips, title_colors, title_text,
                                       title_tokens, write_ass)
from pipelines.render.layouts.pip import pip_box as _pip_box
from pipelines.render.fonts import pick_font


def _words(text: str, step: float = 0.3):
    return [WordTiming(word=w, start=i * step, end=i * step + step * 0.8, scene=0) for i, w in enumerate(text.split())]


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_title_text_is_emoji_safe_and_keeps_rating_stars():
    assert title_text("🔥 Hot deal 🔥") == "Hot deal"
    assert title_text("★ 4.7 · 128 ratings") == "★ 4.7 · 128 ratings"
    assert title_text("Leak proof ✔️👍") == "Leak proof ✔"
    assert title_text("😍") == ""


def test_cjk_titles_break_between_characters_but_keep_numbers_and_closing_marks():
    tokens = title_tokens("现价¥128元，限时", cjk=True)
    assert tokens == ["现", "价", "¥128", "元，", "限", "时"]
    layout = TitleLayout(1080, 1920, (65, 154, 1015, 1651), pick_font("zh", "咖啡"), "zh")
    title = layout.place("每天早上的咖啡都变得更好喝，保温十二小时不是梦", 1.0, 3.0, [])
    assert title is not None and len(title.lines) == 2
    assert not any(line[0] in "，。！？" for line in title.lines)


@pytest.mark.parametrize("aspect", list(ASPECTS))
@pytest.mark.parametrize("platform", [None, "tiktok", "reels", "youtube"])
def test_titles_stay_in_the_safe_zone_clear_of_captions_bug_and_pip(aspect, platform):
    w, h = ASPECTS[aspect]
    short = min(w, h)
    safe = platform_preset(platform).insets(aspect).box(w, h)
    font = pick_font("en")
    captions = CaptionLayout(w, h, safe, font, "en", "bold", max_lines=2)
    chunks = captions.chunks(_words("Incredibly comfortable headphones that outlast every competitor by forty hours."))
    layout = TitleLayout(w, h, safe, font, "en")
    bug = (safe[2] - 160, safe[1] + 20, safe[2] - 20, safe[1] + 20 + round(short * 0.07))
    px, py, size = _pip_box(safe, short)
    pip = (px, py, px + size, py + size)
    for text in ("Just $18.50", "★ 4.7 · 128 ratings", "Tasting notes of cocoa, cherry and a long caramel finish"):
        obstacles = [bug, pip] + [c.box for c in chunks]
        title = layout.place(text, 0.0, 3.0, obstacles)
        assert title is not None, (aspect, platform, text)
        assert 1 <= len(title.lines) <= 2
        x0, y0, x1, y1 = title.box
        assert x0 >= safe[0] and y0 >= safe[1] and x1 <= safe[2] and y1 <= safe[3], (title.box, safe)
        assert not any(_overlap(title.box, ob) for ob in obstacles), (aspect, platform, text, title.box)


def test_titles_are_drawn_where_they_were_measured(tmp_path):
    """libass draws the plate, the accent block and the text inside the box the layout reserved."""
    w, h = 540, 960
    safe = (32, 77, 508, 826)
    font = pick_font("en")
    layout = TitleLayout(w, h, safe, font, "en")
    captions = CaptionLayout(w, h, safe, font, "en")
    titles = [layout.place("★ 4.7 · 128 ratings", 0.2, 2.0, []),
              layout.place("Tasting notes of cocoa, cherry and a long caramel finish", 2.0, 4.0, [])]
    assert len(titles[1].lines) == 2
    ass = tmp_path / "titles.ass"
    write_ass(ass, [], captions, titles=titles, title_colors=title_colors("#1b1f3b", "#ffffff", "#ffb400"))
    for i, t in enumerate(titles):
        png = tmp_path / f"t{i}.png"
        mid = (t.start + t.end) / 2
        subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                        f"color=c=0x808080:s={w}x{h}:r=30:d={t.end:.2f}", "-vf", f"ass=filename='{ass}'",
                        "-ss", f"{mid:.2f}", "-frames:v", "1", str(png)], check=True)
        img = np.asarray(Image.open(png).convert("RGB")).astype(int)
        drawn = np.abs(img - 128).max(axis=2) > 24
        ys, xs = np.nonzero(drawn)
        x0, y0, x1, y1 = t.box
        assert xs.min() >= x0 - 2 and ys.min() >= y0 - 2 and xs.max() <= x1 + 2 and ys.max() <= y1 + 2
        assert xs.max() - xs.min() >= 0.95 * (x1 - x0)  # the plate really spans its box
        # on-brand: the plate is the primary colour, the block behind it the accent
        px0, py0, px1, py1 = t.plate
        assert np.abs(img[py0 + 3, (px0 + px1) // 2] - (0x1b, 0x1f, 0x3b)).max() < 12
        assert np.abs(img[y1 - 2, (px0 + px1) // 2] - (0xff, 0xb4, 0x00)).max() < 24
        assert np.abs(img[(py0 + py1) // 2 + 4, (px1 + x1) // 2] - (0xff, 0xb4, 0x00)).max() < 24  # and on its right
        white = (img[py0:py1, px0:px1] > 230).all(axis=2).sum()
        assert white > 200  # the text, in the brand's secondary colour


def test_titles_follow_their_scenes_and_can_be_turned_off(make_timeline, tmp_path):
    timeline = make_timeline("1:1", preview=True)
    on = render(timeline, "1:1", tmp_path / "on", RenderOptions(preview=True, preset="ultrafast", captions=False))
    ass = (tmp_path / "on" / "video.ass").read_text()
    events = [line.split(",") for line in ass.splitlines() if line.startswith("Dialogue:") and ",Title,," in line]
    body = [s for s in timeline.segments if s.kind != "end_card"]
    assert len(events) == 4 * len(body)  # the accent block's two slivers, plate and text per scene
    starts = sorted({e[1] for e in events})
    assert len(starts) == len(body)
    off = render(timeline, "1:1", tmp_path / "off", RenderOptions(preview=True, preset="ultrafast", titles=False))
    assert ",Title,," not in (tmp_path / "off" / "video.ass").read_text()
    assert on.duration_s == pytest.approx(off.duration_s, abs=0.05)


def test_the_accent_block_is_clipped_to_the_slivers_that_show():
    """Two clips, right of and below the plate, at each step of the pop-in: together they hold all of
    the block that is not under the plate, they do not overlap (a fade would show it twice), and
    they cover at most half the block libass would otherwise blend every frame."""
    cx, cy, w, h, off, radius = 540.0, 318.0, 580, 103, 10, 23
    clips = _accent_clips(cx, cy, w, h, off, radius)
    assert len(clips) == 2
    steps = [[tuple(map(int, c.split("(")[-1].rstrip(")").split(","))) for c in clip.replace(")\\t(", "|").split("|")
              if "clip(" in c] for clip in clips]
    for (right, below), scale in zip(zip(*steps), (0.55, 1.04, 1.0)):
        half_w, half_h = scale * w / 2, scale * h / 2
        block = (cx + off - half_w, cy + off - half_h, cx + off + half_w, cy + off + half_h)
        plate_corner = (cx + half_w, cy + half_h)
        assert not _overlap(right, below)
        assert right[0] <= plate_corner[0] - scale * radius + 1 and below[1] <= plate_corner[1] - scale * radius + 1
        assert right[2] >= block[2] and right[3] >= block[3] and right[1] <= block[1]
        assert below[0] <= block[0] and below[3] >= block[3]
        area = sum((r[2] - r[0]) * (r[3] - r[1]) for r in (right, below))
        assert area < 0.5 * (block[2] - block[0]) * (block[3] - block[1])
