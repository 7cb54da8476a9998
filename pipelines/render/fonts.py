"""Font choice shared by captions (libass) and cards (PIL): one family, two renderers."""

from __future__ import annotations

import functools
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from PIL import ImageFont

CJK_LANGUAGES = {"zh", "ja", "ko"}
_CJK = re.compile(r"[\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")
# Pictographs, dingbats, flags, variation selectors, ZWJ: the caption fonts have no glyphs for
# them and libass/PIL would draw empty boxes, so burned-in text drops them (SRT/VTT keep them).
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\U00002600-\U000027bf\U0001f1e6-\U0001f1ff\U0000fe00-\U0000fe0f"
    "\U0000200d\U00002b00-\U00002bff\U0001f900-\U0001f9ff\U000e0020-\U000e007f]"
)


@dataclass(frozen=True)
class Font:
    family: str  # fontconfig family name, for ASS styles
    path: str  # file, for PIL
    index: int = 0  # face index inside a .ttc
    fontsdir: str | None = None  # extra directory libass must search (brand fonts)

    def pil(self, size: int) -> ImageFont.FreeTypeFont:
        return _pil_font(self.path, self.index, int(size))


@functools.lru_cache(maxsize=64)
def _pil_font(path: str, index: int, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, index=index)


def needs_cjk(language: str, text: str = "") -> bool:
    return (language or "").split("-")[0].lower() in CJK_LANGUAGES or bool(_CJK.search(text))


def strip_emoji(text: str) -> str:
    return re.sub(r"\s{2,}", " ", _EMOJI.sub("", text)).strip()


_EMOJI_RUN = re.compile(f"{_EMOJI.pattern}+")
_NEVER_DRAWN = re.compile("[\U0001f1e6-\U0001f1ff\U0000fe00-\U0000fe0f\U000e0020-\U000e007f]")  # flags, selectors, tags


def drawable(text: str, font: Font) -> str:
    """`text` as `font` can draw it in one colour: an emoji stays when the face has an outline for
    it (DejaVu Sans draws ☕ 😀 ❤ ★), the rest go with the spaces around them: colour-only
    pictographs (libass draws Noto Color Emoji as empty boxes), flags, and ZWJ sequences (an
    outline font would draw their parts side by side)."""
    cmap = font_cmap(font.path, font.index)

    def keep(run: re.Match) -> str:
        if "\u200d" in run.group():
            return ""
        return "".join(ch for ch in _NEVER_DRAWN.sub("", run.group()) if ord(ch) in cmap)

    return re.sub(r"\s{2,}", " ", _EMOJI_RUN.sub(keep, text)).strip()


@functools.lru_cache(maxsize=16)
def font_cmap(path: str, index: int = 0) -> frozenset[int]:
    """The code points a font file has glyphs for (empty when fontTools cannot read it)."""
    from fontTools.ttLib import TTFont

    try:
        with TTFont(path, fontNumber=index, lazy=True) as face:
            return frozenset(face.getBestCmap() or ())
    except Exception:  # noqa: BLE001 - an unreadable face only means no emoji are kept
        return frozenset()


@functools.lru_cache(maxsize=16)
def _fc_match(pattern: str) -> tuple[str, str, int]:
    out = subprocess.run(["fc-match", "-f", "%{family[0]}\n%{file}\n%{index}", pattern],
                         capture_output=True, text=True, check=True).stdout.splitlines()
    return out[0], out[1], int(out[2] or 0)


_CJK_FACE = {"ja": "Noto Sans CJK JP", "ko": "Noto Sans CJK KR", "zh": "Noto Sans CJK SC"}


def pick_font(language: str = "en", text: str = "", brand_font: str | None = None) -> Font:
    """The bold caption/card font: brand font when given, Noto Sans CJK for CJK, else DejaVu."""
    if needs_cjk(language, text):
        family = _CJK_FACE.get((language or "").split("-")[0].lower(), "Noto Sans CJK SC")
        fam, path, index = _fc_match(f"{family}:bold")
        return Font(fam, path, index)
    if brand_font:
        path = Path(brand_font)
        if path.is_file():
            face = ImageFont.truetype(str(path), 20)
            return Font(face.getname()[0], str(path), 0, str(path.parent))
        fam, file, index = _fc_match(f"{brand_font}:bold")
        return Font(fam, file, index)
    fam, path, index = _fc_match("DejaVu Sans:bold")
    return Font(fam, path, index)
