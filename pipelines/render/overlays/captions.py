"""Word-level captions on the MP4's clock: laid out for the frame (above a split screen's seam
when the layout asks), written as .srt/.vtt for the platforms and as .ass for libass, which
burns them and the scene titles in one pass (captions.py has the layout and the writers)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipelines.render import cards
from pipelines.render.canvas import Canvas
from pipelines.render.captions import CaptionLayout, Chunk, Title, title_colors, write_ass, write_srt, write_vtt
from pipelines.render.filtergraph import Graph, escape_filter_path
from pipelines.render.fonts import Font, pick_font


@dataclass
class CaptionTrack:
    font: Font  # the video's text font (captions and titles)
    layout: CaptionLayout
    chunks: list[Chunk]


def caption_track(canvas: Canvas, *, style: str, max_lines: int, bottom: int | None) -> CaptionTrack:
    timeline = canvas.timeline
    font = pick_font(timeline.language, " ".join(w.word for w in timeline.words[:50]), canvas.brand.font)
    layout = CaptionLayout(canvas.width, canvas.height, canvas.safe, font, timeline.language, style, max_lines,
                           bottom=bottom)
    # captions and their files describe the MP4, so they run on its clock (after the intro)
    intro_s = canvas.clock.intro_s
    words = [w.model_copy(update={"start": w.start + intro_s, "end": w.end + intro_s}) for w in timeline.words]
    return CaptionTrack(font, layout, layout.chunks(words))


def write_subtitles(track: CaptionTrack, srt: Path, vtt: Path) -> None:
    write_srt(srt, track.chunks, track.layout.joiner())
    write_vtt(vtt, track.chunks, track.layout.joiner())


def caption_accent(color: str) -> str:
    """The highlight colour must read on any footage: fall back to yellow for dark brand accents."""
    rgb = cards.hex_rgb(color, "#ffd400")
    return color if 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2] > 110 else "#ffd400"


def write_styled(track: CaptionTrack, canvas: Canvas, ass: Path, titles: list[Title], *,
                 burn_captions: bool) -> Path | None:
    """The styled captions and titles as `ass` (kept: an editor can import it); returns the .ass
    to burn in: that one, a titles-only one when captions are off, or None when nothing shows."""
    brand = canvas.brand
    colors = title_colors(brand.primary_color, brand.secondary_color, brand.accent_color)
    write_ass(ass, track.chunks, track.layout, accent=caption_accent(brand.accent_color), titles=titles,
              title_colors=colors)
    if burn_captions and track.chunks:
        return ass
    if not titles:
        return None
    titles_only = canvas.work / "titles.ass"
    write_ass(titles_only, [], track.layout, titles=titles, title_colors=colors)
    return titles_only


def burn(g: Graph, video: str, ass: Path, font: Font) -> str:
    """One libass pass over the video (captions and titles alike)."""
    out = g.label("vc")
    fontsdir = f":fontsdir='{escape_filter_path(Path(font.fontsdir))}'" if font.fontsdir else ""
    g.add(f"[{video}]ass=filename='{escape_filter_path(ass)}'{fontsdir}[{out}]")
    return out
