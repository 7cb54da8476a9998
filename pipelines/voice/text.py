"""What the engine says versus what the captions show.

Captions and SRT files show `WordTiming.word`, so every token of the script must come back
verbatim ("Kettle & Crane", "it's", "$29.99!", "🔥"). Engines are given a *spoken* form instead:
the brand kit's pronunciation lexicon applied ("Xiaomi" -> "show me"), stand-alone symbols
written as words ("&" -> "and": an engine skips or misreads a bare symbol, and a token that is
not alphanumeric got no timing at all, which is how "Kettle & Crane" lost its "&"), and
pictographs dropped (espeak reads "🔥" aloud as "fire"). `SpokenText` remembers which script
token each spoken token came from, and `display_words` puts the script's tokens back onto the
engine's timings.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pipelines.voice.base import Timed, is_spoken, tokens

# stand-alone symbols an engine should say as a word, per language (base code)
SYMBOL_WORDS: dict[str, dict[str, str]] = {
    "en": {"&": "and", "+": "plus", "@": "at", "%": "percent", "=": "equals", "/": "or", "×": "times"},
    "fr": {"&": "et", "+": "plus", "@": "arobase", "%": "pour cent"},
    "de": {"&": "und", "+": "plus", "@": "at", "%": "Prozent"},
    "es": {"&": "y", "+": "más", "@": "arroba", "%": "por ciento"},
    "it": {"&": "e", "+": "più", "%": "per cento"},
    "pt": {"&": "e", "+": "mais", "%": "por cento"},
    "nl": {"&": "en", "+": "plus", "%": "procent"},
    "zh": {"&": "和", "+": "加", "%": "百分之"},
    "ja": {"&": "と"},
    "ru": {"&": "и", "+": "плюс", "%": "процентов"},
}

_EDGE_PUNCT = "\"'“”‘’«»()[]{}.,!?;:…—–-¡¿。，！？、：；"


def _is_pictograph(ch: str) -> bool:
    # So: emoji and other pictographs; Sk/Mn pieces of emoji sequences (skin tones, VS-16, ZWJ)
    return unicodedata.category(ch) == "So" or ch in "\u200d\ufe0f\ufe0e" or 0x1F3FB <= ord(ch) <= 0x1F3FF


def _strip_pictographs(token: str) -> str:
    return "".join(ch for ch in token if not _is_pictograph(ch))


def _core(token: str) -> str:
    return token.strip(_EDGE_PUNCT).casefold()


@dataclass
class SpokenText:
    display: list[str]  # the script's tokens, verbatim, in order
    spoken: list[str]  # the tokens the engine is given
    owner: list[int]  # per spoken token: the display token it says

    @property
    def text(self) -> str:
        return " ".join(self.spoken)


def spoken_text(text: str, language: str = "en", lexicon: dict[str, str] | None = None) -> SpokenText:
    """The script text as the engine should read it, token by token."""
    display = [t for _, _, t in tokens(text)]
    symbols = SYMBOL_WORDS.get((language or "en").lower().split("-")[0], SYMBOL_WORDS["en"])
    entries = sorted(((tuple(_core(w) for w in key.split()), value.split())
                      for key, value in (lexicon or {}).items() if key.split() and value.split()),
                     key=lambda e: -len(e[0]))
    spoken: list[str] = []
    owner: list[int] = []
    i = 0
    while i < len(display):
        match = next((e for e in entries if tuple(_core(t) for t in display[i:i + len(e[0])]) == e[0]), None)
        if match:
            keys, words = match
            n = len(keys)
            last = display[i + n - 1]
            tail = last[len(last.rstrip(_EDGE_PUNCT)):]  # keep the pause the punctuation asks for
            for k, word in enumerate(words):
                spoken.append(word + (tail if k == len(words) - 1 else ""))
                # spread the respelling over the display tokens it replaces
                owner.append(i + min(n - 1, k * n // len(words)))
            i += n
            continue
        token = display[i]
        if token in symbols:
            spoken.extend(symbols[token].split())
            owner.extend([i] * len(symbols[token].split()))
        else:
            said = _strip_pictographs(token)
            if said:
                spoken.append(said)
                owner.append(i)
        i += 1
    return SpokenText(display, spoken, owner)


def display_words(spoken: SpokenText, words: list[Timed]) -> list[Timed]:
    """The engine's word timings (one per spoken token, or one for several it said together)
    relabelled with the script's own tokens: every display token appears exactly once, in
    order; tokens with nothing to say (emoji, a lone dash) ride with the word before them."""
    said = [k for k, tok in enumerate(spoken.spoken) if is_spoken(tok)]
    # engine word -> the spoken tokens it covers, by counting the spoken tokens in its label
    span_of: dict[int, int] = {}  # spoken token index -> engine word index
    cursor = 0
    for w_index, word in enumerate(words):
        count = max(1, sum(1 for _, _, t in tokens(word.label) if is_spoken(t)))
        for k in said[cursor:cursor + count]:
            span_of[k] = w_index
        cursor += count
    # display token -> engine words
    groups: list[tuple[list[int], set[int]]] = []  # (display tokens, engine words)
    words_of = [set() for _ in spoken.display]
    for k, d in enumerate(spoken.owner):
        if k in span_of:
            words_of[d].add(span_of[k])
    for d, owned in enumerate(words_of):
        if not owned:
            if groups:
                groups[-1][0].append(d)
            else:
                groups.append(([d], set()))
            continue
        if groups and (groups[-1][1] & owned or not groups[-1][1]):
            groups[-1][0].append(d)
            groups[-1][1].update(owned)
        else:
            groups.append(([d], set(owned)))
    out: list[Timed] = []
    for display_ids, owned in groups:
        if not owned:
            continue  # nothing timed yet; folded into the next group below
        label = " ".join(spoken.display[d] for d in display_ids)
        timed = [words[w] for w in sorted(owned)]
        out.append(Timed(label, min(t.start for t in timed), max(t.end for t in timed)))
    if groups and not groups[0][1] and out:  # leading untimed tokens: show them with the first word
        lead = " ".join(spoken.display[d] for d in groups[0][0])
        out[0] = Timed(f"{lead} {out[0].label}", out[0].start, out[0].end)
    return out


_SPACE_RE = re.compile(r"\s+")


def _number_words(text: str) -> str:
    """Numbers as an English reader says them ("$29.99" -> "twenty nine dollars and ninety nine
    cents", "4.8" -> "four point eight", "2x" -> "two x"), so a transcript can be compared."""
    import inflect

    say = inflect.engine().number_to_words

    def money(m: re.Match) -> str:
        dollars, cents = m.group(1).replace(",", ""), m.group(2)
        out = f" {say(dollars)} dollars "
        return out + (f"and {say(cents)} cents " if cents and int(cents) else "")

    text = re.sub(r"\$(\d[\d,]*)(?:\.(\d\d))?", money, text)
    text = re.sub(r"(\d+)\.(\d+)", lambda m: f" {say(m.group(1))} point {' '.join(say(d) for d in m.group(2))} ", text)
    text = re.sub(r"\d[\d,]*", lambda m: f" {say(m.group().replace(',', ''))} ", text)
    return text.replace("-", " ")


def normalize_for_asr(text: str) -> list[str]:
    """Lower-case words without punctuation, "&" read as "and", numbers in words: how a
    transcript is compared with the script."""
    text = _number_words(text.replace("&", " and ").replace("%", " percent "))
    words = []
    for raw in _SPACE_RE.split(text.lower()):
        word = "".join(ch for ch in raw if ch.isalnum() or ch == "'").strip("'")
        if word:
            words.append(word)
    return words
