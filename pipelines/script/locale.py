"""Per-language facts the writer and the guards share: speaking rate, how speech is counted,
prices and counts written the way a native reader expects (CLDR via babel)."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, format_decimal

# Speaking rate of an ad read in speech units (speech_units below) per second, scene pauses
# included: the pace a script is fitted to when the voice's own is not known. en, es and zh are
# the default voice of each (hibari heart; espeak-ng es and zh, the announced fallback) over the
# fit pages' 20 s ads, their 0.3 s scene pauses counted (bench/voice_pace.py, 2026-12-07: 3.23,
# 3.77, 3.88); the others are their earlier figures scaled by English's change (x1.14, x1.08 ja).
UNITS_PER_SECOND = {"en": 3.2, "de": 2.6, "fr": 3.0, "es": 3.75, "it": 3.0, "pt": 3.0, "nl": 2.75,
                    "zh": 3.9, "ja": 6.5}
CHARACTER_LANGUAGES = {"zh", "ja"}
DEFAULT_LOCALES = {"en": "en_US", "zh": "zh_CN", "de": "de_DE", "fr": "fr_FR", "es": "es_ES",
                   "it": "it_IT", "pt": "pt_BR", "nl": "nl_NL", "ja": "ja_JP"}

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff]")
_LATIN_WORD = re.compile(r"[A-Za-z\u00C0-\u024F]+(?:['’-][A-Za-z\u00C0-\u024F]+)*")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def base_language(language: str) -> str:
    return (language or "en").replace("_", "-").split("-")[0].lower()


def is_character_language(language: str) -> bool:
    return base_language(language) in CHARACTER_LANGUAGES


def units_per_second(language: str) -> float:
    return UNITS_PER_SECOND.get(base_language(language), 2.5)


# What a number and a pause cost, in average-word units (characters for zh/ja). Fitted by least
# squares over the scenes bench/voice_pace.py measured (espeak-ng en/es/zh, hibari en; 2026-12-07):
# a digit read out costs 1.0-1.25 units, a currency sign (said as "dollars", "euros") 1.5, decimals
# ("and ninety-nine cents") 0.9-1.4 more; a sentence break inside a scene 1.4-2.5 and a comma,
# colon or dash 0.75-1.3, alike on every voice and language measured.
DIGIT_UNITS = 1.1
CURRENCY_UNITS = 1.5
DECIMAL_UNITS = 1.0
SENTENCE_BREAK_UNITS = 1.8
CLAUSE_BREAK_UNITS = 1.0
_CURRENCY = re.compile(r"[$€£¥₩₹]\s?\d|\d\s?(?:[$€£¥₩₹]|元|美元|欧元)")
_DECIMAL = re.compile(r"\d[.,]\d{1,2}(?!\d)")
_SENTENCE_BREAK = re.compile(r"[.!?…]+[”\"']?(?=\s+\S)|[。！？]+(?=.)")
_CLAUSE_BREAK = re.compile(r"[,;:—–](?=\s)|[，；：、]")


def _number_units(token: str) -> float:
    return max(1.0, DIGIT_UNITS * sum(c.isdigit() for c in token))


def speech_units(text: str, language: str) -> float:
    """How long text takes to say, in the language's unit (words, or characters for zh/ja): the
    measure every pace in pipelines/voice/rates.py is calibrated in.

    Numbers are read out in full ("$1,299" is four or five words), so they count by digits, with
    their currency and cents; the pauses a voice makes at sentence breaks and commas count too.
    """
    numbers = _NUMBER.findall(text)
    rest = _NUMBER.sub(" ", text)
    said = (sum(_number_units(n) for n in numbers) + CURRENCY_UNITS * len(_CURRENCY.findall(text))
            + DECIMAL_UNITS * len(_DECIMAL.findall(text)))
    pauses = (SENTENCE_BREAK_UNITS * len(_SENTENCE_BREAK.findall(text.strip()))
              + CLAUSE_BREAK_UNITS * len(_CLAUSE_BREAK.findall(text)))
    if is_character_language(language):
        return len(_CJK.findall(rest)) + 1.5 * len(_LATIN_WORD.findall(rest)) + said + pauses
    # a CJK name inside an English line is still read out, character by character
    return (sum(_word_units(w) for w in _LATIN_WORD.findall(rest)) + 0.85 * len(_CJK.findall(rest))
            + said + pauses)


_VOWEL_GROUPS = re.compile(r"[aeiouyàâäéèêëîïôöûüùáíóú]+", re.I)


def _word_units(word: str) -> float:
    """A word in 'average word' units: long words take longer to say than short ones
    (1.45 syllables is the mean English word), so 'it' counts 0.84 and 'insulation' 1.88."""
    syllables = len(_VOWEL_GROUPS.findall(word))
    if word.lower().endswith("e") and syllables > 1 and not word.lower().endswith(("le", "ee")):
        syllables -= 1
    return 0.5 + 0.5 * max(1, syllables) / 1.45


SCENE_PAUSE_S = 0.3  # the voice stage's silence between two scenes (pipelines.voice VoiceSettings.scene_pause_s)


def estimate_seconds(text: str, language: str, words_per_second: float | None = None) -> float:
    """Seconds to say text: at the voice's own measured pace (speech units per second) when known
    (scene pauses not included, see voiceover_seconds in guards), else at the language's default
    ad-read pace (pauses included)."""
    if words_per_second:
        return speech_units(text, language) / words_per_second
    return speech_units(text, language) / units_per_second(language)


def options_units_per_second(options) -> float:
    """The pace a script is fitted to, in speech units per second: the voice that will read it
    (ScriptOptions.words_per_second, from pipelines.voice.words_per_second) or the language default."""
    wps = getattr(options, "words_per_second", None)
    if wps:
        return float(wps)
    return units_per_second(options.language)


def pause_seconds(scenes: int, words_per_second: float | None) -> float:
    """The silence between scenes a measured pace leaves out (the default pace has it built in)."""
    return SCENE_PAUSE_S * max(0, scenes - 1) if words_per_second else 0.0


def lines_seconds(lines: list[str], language: str, words_per_second: float | None = None) -> float:
    """Seconds to say a script's voice-over lines one scene each, the pauses between scenes included:
    the writer's length estimate, and the dashboard's as the user types."""
    spoken = [line for line in lines if line.strip()]
    return sum(estimate_seconds(line, language, words_per_second) for line in spoken) + \
        pause_seconds(len(spoken), words_per_second)


@lru_cache(maxsize=1)
def _inflect():
    import inflect

    return inflect.engine()


@lru_cache(maxsize=2048)
def is_plural_noun(word: str) -> bool:
    """'plates', 'headphones' -> True; 'glass', 'kit', 'series' -> False (inflect's English rules)."""
    w = word.lower()
    if w.endswith(("ss", "us", "is", "ics", "series", "species")):
        return False
    singular = _inflect().singular_noun(w)
    return bool(singular) and singular != w


def display_words(text: str) -> int:
    """Words as a viewer reads an overlay: CJK characters count two to a word."""
    cjk = len(_CJK.findall(text))
    return len(_LATIN_WORD.findall(_CJK.sub(" ", text))) + len(_NUMBER.findall(text)) + (cjk + 1) // 2


def _locale(language: str) -> Locale:
    tag = language.replace("-", "_")
    try:
        return Locale.parse(tag if "_" in tag else DEFAULT_LOCALES.get(tag, tag))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en_US")


def format_price(amount: float, currency: str | None, language: str) -> str:
    """'$29.99', '¥1,299', '29,99 €': CLDR's pattern for the locale, cents dropped when whole."""
    locale = _locale(language)
    value = Decimal(str(round(amount, 2)))
    if not currency:
        return format_decimal(value, locale=locale, decimal_quantization=False)
    pattern = locale.currency_formats["standard"].pattern.split(";")[0]
    if value == value.to_integral_value():
        pattern = pattern.replace(".00", "")
        value = value.to_integral_value()
    return format_currency(value, currency.upper(), format=pattern, locale=locale, currency_digits=False)


_ZH_CURRENCY_WORDS = {"CNY": "元", "RMB": "元", "USD": "美元", "EUR": "欧元", "GBP": "英镑",
                      "JPY": "日元", "HKD": "港元", "TWD": "新台币", "AUD": "澳元", "CAD": "加元"}


def spoken_price(amount: float, currency: str | None, language: str) -> str:
    """The price as the voiceover says it: '$29.99' in English, '1299元' / '29.99美元' in Chinese."""
    if base_language(language) == "zh":
        number = f"{amount:.2f}".rstrip("0").rstrip(".")
        return number + _ZH_CURRENCY_WORDS.get((currency or "CNY").upper(), (currency or "").upper())
    return format_price(amount, currency, language)


def format_count(n: int | float, language: str) -> str:
    return format_decimal(n, locale=_locale(language))


def plural(n: int | float, singular: str, plural_form: str | None = None) -> str:
    """English pluralisation of a counted noun ('1 review', '1,284 reviews')."""
    word = singular if n == 1 else (plural_form or singular + "s")
    return f"{format_count(n, 'en')} {word}"
