"""Word-level animated captions: grouped into 1-3 line chunks, burned in with libass, also SRT/VTT.

Why ASS + libass instead of pre-rendered PNG states: libass renders in the same ffmpeg process
as the composition (no extra frames to write or decode), handles CJK shaping/fallback through
fontconfig, and its override tags give the word highlight (`\\c`), pop-in (`\\t` scale) and
karaoke fill (`\\kf`) for free. We lay lines out ourselves (measured with the same font in PIL),
so line breaks respect words and we know each caption's box to keep it in the safe zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pipelines.product import WordTiming
from pipelines.render.fonts import Font, needs_cjk, strip_emoji

CaptionStyle = Literal["bold", "boxed", "karaoke", "minimal"]
CAPTION_STYLES = ("bold", "boxed", "karaoke", "minimal")


@dataclass
class Chunk:
    words: list[WordTiming]
    lines: list[list[int]]  # indexes into words, per line
    start: float
    end: float
    box: tuple[int, int, int, int] = (0, 0, 0, 0)  # x0, y0, x1, y1 in frame pixels
    texts: list[str] = field(default_factory=list)  # burned-in text per word (emoji stripped)


def ass_color(hex_color: str, alpha: int = 0) -> str:
    h = (hex_color or "#ffffff").lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    r, g, b = h[0:2], h[2:4], h[4:6]
    return f"&H{alpha:02X}{b}{g}{r}".upper()


def _ass_text(text: str) -> str:
    return text.replace("\\", "/").replace("{", "(").replace("}", ")")


def _ts_ass(t: float) -> str:
    cs = max(0, round(t * 100))
    return f"{cs // 360000}:{cs // 6000 % 60:02d}:{cs // 100 % 60:02d}.{cs % 100:02d}"


def _ts_srt(t: float, sep: str = ",") -> str:
    ms = max(0, round(t * 1000))
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d}{sep}{ms % 1000:03d}"


class CaptionLayout:
    """Measures and places caption chunks for one frame size and safe zone."""

    def __init__(self, width: int, height: int, safe: tuple[int, int, int, int], font: Font,
                 language: str, style: str = "bold", max_lines: int = 2, bottom: int | None = None):
        self.width, self.height, self.safe, self.font = width, height, safe, font
        self.style = style if style in CAPTION_STYLES else "bold"
        self.cjk = needs_cjk(language)
        self.max_lines = max(1, min(3, max_lines))
        short = min(width, height)
        scale = 0.056 if self.style == "minimal" else 0.07
        self.font_size = max(16, round(short * scale * (0.9 if self.cjk else 1.0)))
        self.outline = max(2, round(self.font_size * (0.06 if self.style != "boxed" else 0.16)))
        self.shadow = 0 if self.style == "boxed" else max(1, round(self.font_size * 0.03))
        # libass sizes a font by its ascent+descent, PIL by its em: convert once
        probe = font.pil(100)
        ascent, descent = probe.getmetrics()
        self.pil_font = font.pil(max(8, round(100 * self.font_size / (ascent + descent))))
        self.line_height = self.font_size
        self.pop = 1.12 if self.style in ("bold", "boxed") else 1.0
        x0, y0, x1, y1 = safe
        pad = self.outline + self.shadow
        # room for the popped word's growth and the outline on both sides
        self.max_width = (x1 - x0) / self.pop - 2 * pad - 4
        self.center_x = (x0 + x1) // 2
        self.bottom = y1 - pad - max(2, round(0.01 * height))
        if bottom is not None:  # e.g. above the seam of a split screen, off the presenter's face
            self.bottom = min(self.bottom, max(y0 + pad + self.line_height * self.max_lines, bottom))

    def measure(self, text: str) -> float:
        return self.pil_font.getlength(text)

    def joiner(self) -> str:
        return "" if self.cjk else " "

    def chunks(self, words: list[WordTiming]) -> list[Chunk]:
        cleaned = [(w, strip_emoji(w.word)) for w in words]
        cleaned = [(w, t) for w, t in cleaned if t]
        chunks: list[Chunk] = []
        current: list[tuple[WordTiming, str]] = []
        max_words = 3 * self.max_lines if self.style != "minimal" else 5 * self.max_lines

        def flush():
            if current:
                chunks.append(self._layout(current))
                current.clear()

        for i, (word, text) in enumerate(cleaned):
            if current:
                prev_word, prev_text = current[-1]
                gap = word.start - prev_word.end
                sentence_end = prev_text[-1:] in ".!?。！？"
                scene_change = word.scene is not None and prev_word.scene is not None and word.scene != prev_word.scene
                if gap > 0.45 or sentence_end or scene_change or len(current) >= max_words \
                        or not self._fits(current + [(word, text)]):
                    flush()
            current.append((word, text))
        flush()
        for a, b in zip(chunks, chunks[1:]):
            a.end = b.start if b.start - a.words[-1].end < 0.6 else a.words[-1].end + 0.3
        if chunks:
            chunks[-1].end = chunks[-1].words[-1].end + 0.3
        return chunks

    def _break_lines(self, texts: list[str]) -> list[list[int]] | None:
        lines: list[list[int]] = [[]]
        for i, text in enumerate(texts):
            candidate = lines[-1] + [i]
            if lines[-1] and self.measure(self.joiner().join(texts[j] for j in candidate)) > self.max_width:
                lines.append([i])
            else:
                lines[-1] = candidate
            if self.measure(texts[i]) > self.max_width:
                return None if len(texts) > 1 else lines
        if len(lines) > self.max_lines:
            return None
        return self._balance(texts, len(lines)) if len(lines) > 1 else lines

    def _balance(self, texts: list[str], k: int) -> list[list[int]]:
        """Same number of lines, breaks chosen so the longest line is as short as possible
        (no lone word dangling on the last line)."""
        from itertools import combinations

        best, best_width = None, float("inf")
        for breaks in combinations(range(1, len(texts)), k - 1):
            bounds = (0, *breaks, len(texts))
            lines = [list(range(a, b)) for a, b in zip(bounds, bounds[1:])]
            width = max(self.measure(self.joiner().join(texts[j] for j in line)) for line in lines)
            if width < best_width:
                best, best_width = lines, width
        return best

    def _fits(self, items: list[tuple[WordTiming, str]]) -> bool:
        return self._break_lines([t for _, t in items]) is not None

    def _layout(self, items: list[tuple[WordTiming, str]]) -> Chunk:
        texts = [t for _, t in items]
        lines = self._break_lines(texts) or [list(range(len(texts)))]
        widths = [self.measure(self.joiner().join(texts[j] for j in line)) for line in lines]
        pad = self.outline + self.shadow
        block_w = max(widths) * self.pop + 2 * pad
        block_h = len(lines) * self.line_height + 2 * pad
        x0 = round(self.center_x - block_w / 2)
        box = (x0, round(self.bottom + pad - block_h), round(x0 + block_w), round(self.bottom + pad))
        return Chunk(words=[w for w, _ in items], lines=lines, start=items[0][0].start,
                     end=items[-1][0].end, box=box, texts=texts)


def write_ass(path: Path, chunks: list[Chunk], layout: CaptionLayout, *, accent: str = "#ffd400",
              text_color: str = "#ffffff") -> None:
    style = layout.style
    primary = ass_color(text_color)
    highlight = ass_color(accent)
    back = ass_color("#000000", 0x60)
    outline_color = ass_color("#000000", 0x40 if style == "boxed" else 0)
    border_style = 3 if style == "boxed" else 1
    secondary = ass_color(text_color, 0x30)
    karaoke_primary = highlight if style == "karaoke" else primary
    header = [
        "[Script Info]", "ScriptType: v4.00+", f"PlayResX: {layout.width}", f"PlayResY: {layout.height}",
        "WrapStyle: 2", "ScaledBorderAndShadow: yes", "YCbCr Matrix: TV.709", "",
        "[V4+ Styles]",
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, "
        "Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, "
        "Alignment, MarginL, MarginR, MarginV, Encoding",
        f"Style: Cap,{layout.font.family},{layout.font_size},{karaoke_primary},{secondary},{outline_color},"
        f"{back},-1,0,0,0,100,100,0,0,{border_style},{layout.outline},{layout.shadow},2,0,0,0,1",
        "", "[Events]", "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
    ]
    events: list[str] = []
    joiner = layout.joiner()
    pos = rf"\an2\pos({layout.center_x},{layout.bottom})"

    def render_text(chunk: Chunk, active: int | None) -> str:
        out_lines = []
        for line in chunk.lines:
            parts = []
            for j in line:
                text = _ass_text(chunk.texts[j])
                if j == active and style in ("bold", "boxed"):
                    grow = round(layout.pop * 100)
                    parts.append(rf"{{\c{highlight}\fscx{grow}\fscy{grow}\t(0,90,\fscx100\fscy100)}}"
                                 rf"{text}{{\c{primary}\fscx100\fscy100}}")
                else:
                    parts.append(text)
            out_lines.append(joiner.join(parts))
        return r"\N".join(out_lines)

    for chunk in chunks:
        if style == "karaoke":
            parts_by_line = []
            for line in chunk.lines:
                parts = []
                for j in line:
                    word = chunk.words[j]
                    nxt = chunk.words[j + 1].start if j + 1 < len(chunk.words) else word.end
                    parts.append(rf"{{\kf{max(1, round((nxt - word.start) * 100))}}}{_ass_text(chunk.texts[j])}")
                parts_by_line.append(joiner.join(parts))
            lead = max(0, round((chunk.words[0].start - chunk.start) * 100))
            text = rf"{{{pos}\fad(80,0)}}" + (rf"{{\k{lead}}}" if lead else "") + r"\N".join(parts_by_line)
            events.append(f"Dialogue: 0,{_ts_ass(chunk.start)},{_ts_ass(chunk.end)},Cap,,0,0,0,,{text}")
            continue
        if style == "minimal":
            events.append(f"Dialogue: 0,{_ts_ass(chunk.start)},{_ts_ass(chunk.end)},Cap,,0,0,0,,"
                          f"{{{pos}\\fad(100,0)}}{render_text(chunk, None)}")
            continue
        for i, word in enumerate(chunk.words):
            start = chunk.start if i == 0 else word.start
            end = chunk.words[i + 1].start if i + 1 < len(chunk.words) else chunk.end
            if end - start < 0.01:
                continue
            # the chunk pops in on its first word; later words only move the highlight
            intro = r"\fscx80\fscy80\t(0,120,\fscx100\fscy100)" if i == 0 else ""
            events.append(f"Dialogue: 0,{_ts_ass(start)},{_ts_ass(end)},Cap,,0,0,0,,"
                          f"{{{pos}{intro}}}{render_text(chunk, i)}")
    path.write_text("\n".join(header + events) + "\n", encoding="utf-8")


def _cue_text(chunk: Chunk, joiner: str) -> str:
    return "\n".join(joiner.join(chunk.words[j].word.strip() for j in line) for line in chunk.lines)


def write_srt(path: Path, chunks: list[Chunk], joiner: str = " ") -> None:
    cues = [f"{i}\n{_ts_srt(c.start)} --> {_ts_srt(c.end)}\n{_cue_text(c, joiner)}\n"
            for i, c in enumerate(chunks, 1)]
    path.write_text("\n".join(cues), encoding="utf-8")


def write_vtt(path: Path, chunks: list[Chunk], joiner: str = " ") -> None:
    cues = [f"{_ts_srt(c.start, '.')} --> {_ts_srt(c.end, '.')}\n{_cue_text(c, joiner)}\n" for c in chunks]
    path.write_text("WEBVTT\n\n" + "\n".join(cues), encoding="utf-8")
