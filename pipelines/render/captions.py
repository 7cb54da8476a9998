"""Word-level animated captions: grouped into 1-3 line chunks, burned in with libass, also SRT/VTT.

Why ASS + libass instead of pre-rendered PNG states: libass renders in the same ffmpeg process
as the composition (no extra frames to write or decode), handles CJK shaping/fallback through
fontconfig, and its override tags give the word highlight (`\\c`), pop-in (`\\t` scale) and
karaoke fill (`\\kf`) for free. We lay lines out ourselves (measured with the same font in PIL),
so line breaks respect words and we know each caption's box to keep it in the safe zone.

The scenes' on-screen text ("Just $18.50", "★ 4.7 · 128 ratings") goes into the same .ass file
as titles: a second style drawn by the same libass pass, so they cost no extra filter. A title
is a brand-coloured plate (primary colour, accent block behind it, text in the secondary colour)
that pops in with its scene; it is placed like the captions, measured, inside the safe zone,
and clear of the captions, the logo bug, the presenter's face and the picture-in-picture.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pipelines.product import WordTiming
from pipelines.render.fonts import Font, drawable, needs_cjk, strip_emoji

CaptionStyle = Literal["bold", "boxed", "karaoke", "minimal"]
CAPTION_STYLES = ("bold", "boxed", "karaoke", "minimal")


@dataclass
class Chunk:
    words: list[WordTiming]
    lines: list[list[int]]  # indexes into words, per line
    start: float
    end: float
    box: tuple[int, int, int, int] = (0, 0, 0, 0)  # x0, y0, x1, y1 in frame pixels
    texts: list[str] = field(default_factory=list)  # burned-in text per word (emoji the font lacks dropped)
    # the script's text per word for .srt/.vtt, verbatim: words with nothing to burn in (an emoji
    # the font cannot draw) ride along with their neighbour here
    subtitles: list[str] = field(default_factory=list)


def ass_color(hex_color: str, alpha: int = 0) -> str:
    h = (hex_color or "#ffffff").lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    r, g, b = h[0:2], h[2:4], h[4:6]
    return f"&H{alpha:02X}{b}{g}{r}".upper()


def _ass_text(text: str) -> str:
    """Plain text for an ASS event, drawn as written: braces escaped (libass draws `\\{` as "{"),
    a backslash kept from starting a tag or a line break (\\N, \\h) by an invisible word joiner."""
    return text.replace("\\", "\\\u2060").replace("{", "\\{").replace("}", "\\}")


def _ts_ass(t: float) -> str:
    cs = max(0, round(t * 100))
    return f"{cs // 360000}:{cs // 6000 % 60:02d}:{cs // 100 % 60:02d}.{cs % 100:02d}"


def _ts_srt(t: float, sep: str = ",") -> str:
    ms = max(0, round(t * 1000))
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d}{sep}{ms % 1000:03d}"


def break_lines(texts: list[str], measure, max_width: float, max_lines: int, joiner: str) -> list[list[int]] | None:
    """Words (or CJK tokens) into at most max_lines lines no wider than max_width, as indexes;
    None when they do not fit (one word alone may overflow only when it is the only one)."""
    lines: list[list[int]] = [[]]
    for i, text in enumerate(texts):
        candidate = lines[-1] + [i]
        if lines[-1] and measure(joiner.join(texts[j] for j in candidate).rstrip()) > max_width:
            lines.append([i])
        else:
            lines[-1] = candidate
        if measure(texts[i].rstrip()) > max_width:
            return None if len(texts) > 1 else lines
    if len(lines) > max_lines:
        return None
    return _balance(texts, len(lines), measure, joiner) if len(lines) > 1 else lines


def _balance(texts: list[str], k: int, measure, joiner: str) -> list[list[int]]:
    """Same number of lines, breaks chosen so the longest line is as short as possible
    (no lone word dangling on the last line)."""
    from itertools import combinations

    best, best_width = None, float("inf")
    for breaks in combinations(range(1, len(texts)), k - 1):
        bounds = (0, *breaks, len(texts))
        lines = [list(range(a, b)) for a, b in zip(bounds, bounds[1:])]
        width = max(measure(joiner.join(texts[j] for j in line).rstrip()) for line in lines)
        if width < best_width:
            best, best_width = lines, width
    return best


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
        # no drop shadow: under a 6 % black outline it is invisible on a phone, and libass blends it
        # as a third layer (28 % of the caption pass, ~0.7 ms a 1080x1920 frame)
        self.shadow = 0
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

    def shown_words(self, words: list[WordTiming]) -> list[tuple[WordTiming, str, str]]:
        """(word, text burned in, text for the subtitle files) of each word with something to
        burn in; a word with nothing (an emoji the font cannot draw) joins its neighbour's
        subtitle text, so the files keep every word of the script."""
        shown: list[tuple[WordTiming, str, str]] = []
        pending: list[str] = []
        joiner = self.joiner()
        for w in words:
            verbatim = w.word.strip()
            text = drawable(w.word, self.font)
            if not text:
                if shown and verbatim:
                    word, burned, subtitle = shown[-1]
                    shown[-1] = (word, burned, joiner.join((subtitle, verbatim)))
                elif verbatim:
                    pending.append(verbatim)
                continue
            shown.append((w, text, joiner.join((*pending, verbatim))))
            pending.clear()
        return shown

    def chunks(self, words: list[WordTiming]) -> list[Chunk]:
        cleaned = self.shown_words(words)
        chunks: list[Chunk] = []
        current: list[tuple[WordTiming, str, str]] = []
        max_words = 3 * self.max_lines if self.style != "minimal" else 5 * self.max_lines

        def flush():
            if current:
                chunks.append(self._layout(current))
                current.clear()

        for word, text, subtitle in cleaned:
            if current:
                prev_word, prev_text, _ = current[-1]
                gap = word.start - prev_word.end
                sentence_end = prev_text[-1:] in ".!?。！？"
                scene_change = word.scene is not None and prev_word.scene is not None and word.scene != prev_word.scene
                if gap > 0.45 or sentence_end or scene_change or len(current) >= max_words \
                        or not self._fits(current + [(word, text, subtitle)]):
                    flush()
            current.append((word, text, subtitle))
        flush()
        for a, b in zip(chunks, chunks[1:]):
            a.end = b.start if b.start - a.words[-1].end < 0.6 else a.words[-1].end + 0.3
        if chunks:
            chunks[-1].end = chunks[-1].words[-1].end + 0.3
        return chunks

    def _break_lines(self, texts: list[str]) -> list[list[int]] | None:
        return break_lines(texts, self.measure, self.max_width, self.max_lines, self.joiner())

    def _fits(self, items: list[tuple[WordTiming, str, str]]) -> bool:
        return self._break_lines([t for _, t, _ in items]) is not None

    def _layout(self, items: list[tuple[WordTiming, str, str]]) -> Chunk:
        texts = [t for _, t, _ in items]
        lines = self._break_lines(texts) or [list(range(len(texts)))]
        widths = [self.measure(self.joiner().join(texts[j] for j in line)) for line in lines]
        pad = self.outline + self.shadow
        block_w = max(widths) * self.pop + 2 * pad
        block_h = len(lines) * self.line_height + 2 * pad
        x0 = round(self.center_x - block_w / 2)
        box = (x0, round(self.bottom + pad - block_h), round(x0 + block_w), round(self.bottom + pad))
        return Chunk(words=[w for w, _, _ in items], lines=lines, start=items[0][0].start,
                     end=items[-1][0].end, box=box, texts=texts, subtitles=[s for _, _, s in items])


# --------------------------------------------------------------------------- scene titles

# Text symbols ad copy uses (rating stars, ticks) that strip_emoji would drop with the pictographs
# around them: fonts draw these as plain glyphs (DejaVu and Noto CJK have them, and fontconfig
# falls back to one of those behind a brand font that lacks them).
_TITLE_SYMBOLS = "★☆✓✔"
# punctuation that must not start a line (kinsoku in CJK, and the Latin marks too)
_NO_LINE_START = set("、。，．！？：；）」』】〉》ー…・,.!?:;)%")
_SEPARATORS = {"·", "|", "/", "-", "–", "—", "•"}  # a separator token left at a line's end is noise
TITLE_POP = 1.04  # the pop-in overshoot: a title briefly grows this much
Box = tuple[int, int, int, int]


def title_text(text: str) -> str:
    """The burned-in form of a scene's on-screen text: emoji out, rating stars and ticks kept."""
    keep = {ch: chr(0xE000 + i) for i, ch in enumerate(_TITLE_SYMBOLS)}  # private use: not emoji
    for ch, placeholder in keep.items():
        text = text.replace(ch, placeholder)
    text = strip_emoji(text)
    for ch, placeholder in keep.items():
        text = text.replace(placeholder, ch)
    words = text.split()
    while words and words[0] in _SEPARATORS:  # "🔥 · Hot deal" loses its emoji, then its dot
        words.pop(0)
    while words and words[-1] in _SEPARATORS:
        words.pop()
    return " ".join(words)


def title_tokens(text: str, cjk: bool) -> list[str]:
    """Units a title may break between: words; for CJK single characters, with Latin runs
    (numbers, prices, brand names) kept whole and closing punctuation kept on the line before.
    CJK tokens carry their own trailing space (they are joined with "")."""
    if not cjk:
        return text.split()
    tokens: list[str] = []
    for ch in text:
        if ch.isspace():
            if tokens and not tokens[-1].endswith(" "):
                tokens[-1] += " "
            continue
        glued = tokens and not tokens[-1].endswith(" ") and (
            ch in _NO_LINE_START or (not needs_cjk("en", ch) and not needs_cjk("en", tokens[-1][-1])))
        if glued:
            tokens[-1] += ch
        else:
            tokens.append(ch)
    return tokens


def _overlaps(a: Box, b: Box, margin: int = 0) -> bool:
    return a[0] < b[2] + margin and b[0] < a[2] + margin and a[1] < b[3] + margin and b[1] < a[3] + margin


@dataclass
class Title:
    lines: list[str]
    start: float
    end: float
    font_size: int  # libass size
    plate: Box  # the coloured plate, frame pixels
    box: Box  # everything drawn: plate + the accent block behind it


@dataclass(frozen=True)
class TitleColors:
    plate: str
    text: str
    accent: str


def title_colors(primary: str, secondary: str, accent: str) -> TitleColors:
    """Brand colours for the plate, keeping the text readable on it whatever the kit says."""
    def luma(color: str) -> float:
        h = (color or "#000000").lstrip("#")
        h = "".join(c * 2 for c in h) if len(h) == 3 else h
        try:
            r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
        except ValueError:
            return 0.0
        return 0.299 * r + 0.587 * g + 0.114 * b

    text = secondary
    if abs(luma(primary) - luma(secondary)) < 110:
        text = "#111111" if luma(primary) > 150 else "#ffffff"
    return TitleColors(plate=primary, text=text, accent=accent)


class TitleLayout:
    """Measures scene titles and finds each a place: 1-2 lines on a plate, in the safe zone, clear
    of whatever else is on screen while it shows (caption boxes, logo bug, PiP, face)."""

    SIZES = (0.064, 0.056, 0.048)  # of the short side: tried in turn before a title is dropped

    def __init__(self, width: int, height: int, safe: Box, font: Font, language: str, *, max_lines: int = 2):
        self.width, self.height, self.safe, self.font = width, height, safe, font
        self.cjk = needs_cjk(language)
        self.max_lines = max_lines
        self.short = short = min(width, height)
        probe = font.pil(100)
        ascent, descent = probe.getmetrics()
        self._em = 100 / (ascent + descent)  # libass sizes by ascent+descent, PIL by the em
        self.offset = max(3, round(short * 0.009))  # the accent block peeking out behind the plate
        self.gap = max(6, round(short * 0.022))  # clearance from everything else on screen
        self.pop = TITLE_POP

    def joiner(self) -> str:
        return "" if self.cjk else " "

    def _pad(self, size: int) -> tuple[int, int]:
        return round(size * 0.42), round(size * 0.2)

    def fit(self, text: str, size: int, max_width: float, ellipsize: bool = False) -> list[str] | None:
        """The title broken into lines that fit max_width at this size; None when it does not fit.
        With ellipsize, words come off the end (marked "…") until it fits."""
        tokens = title_tokens(text, self.cjk)
        pil = self.font.pil(max(8, round(size * self._em)))
        pad_x, _ = self._pad(size)
        room = (max_width - self.offset) / self.pop - 2 * pad_x
        joiner = self.joiner()
        while tokens:
            lines = break_lines(tokens, pil.getlength, room, self.max_lines, joiner)
            texts = [[tokens[j] for j in ln] for ln in lines or []]
            for words in texts[:-1]:  # "★ 4.8 ·" / "Just $24" reads better without the dot
                while len(words) > 1 and words[-1].strip() in _SEPARATORS:
                    words.pop()
            texts = [joiner.join(words).strip() for words in texts]
            if lines is not None and all(pil.getlength(t) <= room for t in texts):
                return texts
            if not ellipsize:
                return None
            cut = tokens[:-1] if len(tokens) > 1 else [tokens[0][:-2]] if len(tokens[0]) > 2 else []
            tokens = [*cut[:-1], cut[-1].rstrip(" ,.;:·-–—") + "…"] if cut else []
        return None

    def plate_size(self, lines: list[str], size: int) -> tuple[int, int]:
        pil = self.font.pil(max(8, round(size * self._em)))
        pad_x, pad_y = self._pad(size)
        return (round(max(pil.getlength(line) for line in lines)) + 2 * pad_x,
                round(len(lines) * size * 1.08) + 2 * pad_y)

    def place(self, text: str, start: float, end: float, obstacles: list[Box],
              band: tuple[int, int] | None = None, fallback: list[Box] | None = None) -> Title | None:
        """The highest free spot for the title (large, then smaller), or None when none is free.

        Candidates are the top of the safe zone and just below / just above each obstacle, so a
        title settles under the logo bug, under a PiP or a face, or above the captions. When
        nothing is free, the same again with `fallback` obstacles (a looser set)."""
        text = title_text(text)
        if not text:
            return None
        for boxes in (obstacles, fallback):
            if boxes is not None:
                title = self._place(text, start, end, boxes, band)
                if title is not None:
                    return title
        return None

    def _place(self, text: str, start: float, end: float, obstacles: list[Box],
               band: tuple[int, int] | None) -> Title | None:
        sx0, sy0, sx1, sy1 = self.safe
        bx0, bx1 = band or (sx0, sx1)
        bx0, bx1 = max(bx0, sx0), min(bx1, sx1)
        cx = (bx0 + bx1) / 2
        for fraction in self.SIZES:
            size = max(12, round(self.short * fraction))
            lines = self.fit(text, size, (bx1 - bx0) - 2 * self.gap, ellipsize=fraction == self.SIZES[-1])
            if not lines:
                continue
            pw, ph = self.plate_size(lines, size)
            tops = [sy0 + self.gap] + [ob[3] + self.gap for ob in obstacles] + \
                   [ob[1] - self.gap - ph - self.offset for ob in obstacles] + [sy1 - self.gap - ph - self.offset]
            for top in sorted(t for t in tops if sy0 <= t):
                x0 = round(cx - pw / 2)
                plate = (x0, round(top), x0 + pw, round(top) + ph)
                box = (plate[0], plate[1], plate[2] + self.offset, plate[3] + self.offset)
                if box[3] > sy1 or box[0] < sx0 or box[2] > sx1:
                    continue
                if any(_overlaps(box, ob, self.gap // 2) for ob in obstacles):
                    continue
                return Title(lines=lines, start=start, end=end, font_size=size, plate=plate, box=box)
        return None


def _rounded_rect(w: int, h: int, r: int) -> str:
    """An ASS vector drawing (\\p1) of a w x h rectangle with corner radius r."""
    r = max(0, min(r, w // 2, h // 2))
    k = round(r * 0.45)  # bezier handles: 1 - 0.552 of the radius from the corner draws a quarter circle
    return (f"m {r} 0 l {w - r} 0 b {w - k} 0 {w} {k} {w} {r} l {w} {h - r} b {w} {h - k} {w - k} {h} {w - r} {h} "
            f"l {r} {h} b {k} {h} 0 {h - k} 0 {h - r} l 0 {r} b 0 {k} {k} 0 {r} 0")


def _accent_clips(cx: float, cy: float, w: int, h: int, off: int, radius: int) -> list[str]:
    """Animated rectangular clips of the accent block behind a w x h plate centred on (cx, cy):
    the strip right of the plate and the strip below it, each reaching a corner radius under the
    plate so the rounded corner's gap is filled. They scale with the title's pop-in (\\t moves a
    clip linearly, as it does the scale)."""
    def rects(s: float) -> list[tuple[int, ...]]:
        half_w, half_h, r = s * w / 2, s * h / 2, s * radius
        x1, y1 = math.ceil(cx + off + half_w) + 1, math.ceil(cy + off + half_h) + 1
        seam = math.floor(cx + half_w - r)  # the strips meet here without overlapping (a fade would show it)
        return [(seam, math.floor(cy + off - half_h) - 1, x1, y1),
                (math.floor(cx + off - half_w) - 1, math.floor(cy + half_h - r), seam, y1)]

    def clip(r: tuple[int, ...]) -> str:
        return rf"\clip({r[0]},{r[1]},{r[2]},{r[3]})"

    scales = (0.55, TITLE_POP, 1.0)
    start, grown, settled = (rects(s) for s in scales)
    return [clip(a) + rf"\t(0,150,{clip(b)})\t(150,240,{clip(c)})" for a, b, c in zip(start, grown, settled)]


def _title_events(titles: list[Title], colors: TitleColors) -> list[str]:
    events = []
    # override tags take &HBBGGRR& (the style columns carry the alpha)
    plate_c, text_c, accent_c = (f"&H{ass_color(c)[4:]}&" for c in (colors.plate, colors.text, colors.accent))
    grow = round(TITLE_POP * 100)
    for t in titles:
        x0, y0, x1, y1 = t.plate
        w, h = x1 - x0, y1 - y0
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        off = t.box[2] - t.plate[2]
        # pop in (small -> a touch big -> settle) and fade out; all three layers move together
        anim = rf"\fscx55\fscy55\t(0,150,\fscx{grow}\fscy{grow})\t(150,240,\fscx100\fscy100)\fad(90,140)"
        radius = round(min(w, h) * 0.22)
        shape = _rounded_rect(w, h, radius)
        start, end = _ts_ass(t.start), _ts_ass(t.end)
        # the accent block shows only as a sliver right of and below the plate: drawn whole, libass
        # would blend its full area every frame (a third of a title's cost), so each sliver is a
        # clip of it, the clips following the pop-in's scale
        for clip in _accent_clips(cx, cy, w, h, off, radius):
            events.append(f"Dialogue: 1,{start},{end},Title,,0,0,0,,"
                          rf"{{\an5\pos({cx + off:.0f},{cy + off:.0f})\p1\bord0\shad0\1c{accent_c}{anim}{clip}}}{shape}")
        events.append(f"Dialogue: 2,{start},{end},Title,,0,0,0,,"
                      rf"{{\an5\pos({cx:.0f},{cy:.0f})\p1\bord0\shad0\1c{plate_c}{anim}}}{shape}")
        text = r"\N".join(_ass_text(line) for line in t.lines)
        events.append(f"Dialogue: 3,{start},{end},Title,,0,0,0,,"
                      rf"{{\an5\pos({cx:.0f},{cy:.0f})\fs{t.font_size}\1c{text_c}{anim}}}{text}")
    return events


def write_ass(path: Path, chunks: list[Chunk], layout: CaptionLayout, *, accent: str = "#ffd400",
              text_color: str = "#ffffff", titles: list[Title] = (), title_colors: TitleColors | None = None) -> None:
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
        f"Style: Title,{layout.font.family},{titles[0].font_size if titles else layout.font_size},"
        f"{ass_color('#ffffff')},{ass_color('#ffffff')},{ass_color('#000000')},{ass_color('#000000', 0xFF)},"
        "-1,0,0,0,100,100,0,0,1,0,0,5,0,0,0,1",
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
    if titles:
        events += _title_events(list(titles), title_colors or TitleColors("#111111", "#ffffff", accent))
    path.write_text("\n".join(header + events) + "\n", encoding="utf-8")


def _cue_text(chunk: Chunk, joiner: str) -> str:
    words = chunk.subtitles or [w.word.strip() for w in chunk.words]
    return "\n".join(joiner.join(words[j] for j in line) for line in chunk.lines)


def _vtt_text(text: str) -> str:
    """WebVTT cue text: "&" and "<" start entities and tags there, so they (and ">") are escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_srt(path: Path, chunks: list[Chunk], joiner: str = " ") -> None:
    cues = [f"{i}\n{_ts_srt(c.start)} --> {_ts_srt(c.end)}\n{_cue_text(c, joiner)}\n"
            for i, c in enumerate(chunks, 1)]
    path.write_text("\n".join(cues), encoding="utf-8")


def write_vtt(path: Path, chunks: list[Chunk], joiner: str = " ") -> None:
    cues = [f"{_ts_srt(c.start, '.')} --> {_ts_srt(c.end, '.')}\n{_vtt_text(_cue_text(c, joiner))}\n" for c in chunks]
    path.write_text("WEBVTT\n\n" + "\n".join(cues), encoding="utf-8")
