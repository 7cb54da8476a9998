"""Per-language facts the writer and the guards share: speaking rate, how speech is counted,
prices and counts written the way a native reader expects (CLDR via babel)."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, format_decimal

# Speaking rate of an ad read (a bit slower than conversation, with breaths between scenes).
# English-like languages count words; Chinese/Japanese count characters. Calibrated on the voices
# that read them: at 2.6 espeak-ng read 96 English fit-table scripts (bench/copy_fit.py --voice
# espeak) at 0.93x the estimate and the neural default (hibari) the demo store's at ~0.89x, so
# English is 2.8; Chinese (espeak-ng) read at 0.99x of 3.6.
UNITS_PER_SECOND = {"en": 2.8, "de": 2.3, "fr": 2.6, "es": 2.7, "it": 2.6, "pt": 2.6, "nl": 2.4,
                    "zh": 3.6, "ja": 6.0}
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


def _number_units(token: str, per_digit: float) -> float:
    digits = sum(c.isdigit() for c in token)
    return max(1.0, 0.5 + per_digit * digits)


def speech_units(text: str, language: str) -> float:
    """How long text takes to say, in the language's unit (words, or characters for zh/ja).

    Numbers are read out in full ("$1,299" is four or five words), so they count by digits.
    """
    numbers = _NUMBER.findall(text)
    rest = _NUMBER.sub(" ", text)
    if is_character_language(language):
        return (len(_CJK.findall(rest)) + 1.5 * len(_LATIN_WORD.findall(rest))
                + sum(_number_units(n, 1.6) for n in numbers))
    # a CJK name inside an English line is still read out, character by character
    return (sum(_word_units(w) for w in _LATIN_WORD.findall(rest)) + 0.85 * len(_CJK.findall(rest))
            + sum(_number_units(n, 0.8) for n in numbers))


_VOWEL_GROUPS = re.compile(r"[aeiouyàâäéèêëîïôöûüùáíóú]+", re.I)


def _word_units(word: str) -> float:
    """A word in 'average word' units: long words take longer to say than short ones
    (1.45 syllables is the mean English word), so 'it' counts 0.84 and 'insulation' 1.88."""
    syllables = len(_VOWEL_GROUPS.findall(word))
    if word.lower().endswith("e") and syllables > 1 and not word.lower().endswith(("le", "ee")):
        syllables -= 1
    return 0.5 + 0.5 * max(1, syllables) / 1.45


# A voice's measured pace (pipelines.voice.words_per_second) counts caption tokens: words, or one per
# character in zh/ja. Our units weigh long words and numbers; on the template's ad copy they average
# 0.995 units per token in English and 1.13 per character in Chinese (fixtures/pages/fit, 105 scripts).
UNITS_PER_TOKEN = {"zh": 1.13, "ja": 1.13}
SCENE_PAUSE_S = 0.3  # the voice stage's silence between two scenes (pipelines.voice VoiceSettings.scene_pause_s)


def estimate_seconds(text: str, language: str, words_per_second: float | None = None) -> float:
    """Seconds to say text: at the voice's own measured pace when known (scene pauses not included,
    see voiceover seconds in guards), else at the language's default ad-read pace (pauses included)."""
    if words_per_second:
        return speech_units(text, language) / (words_per_second * UNITS_PER_TOKEN.get(base_language(language), 1.0))
    return speech_units(text, language) / units_per_second(language)


def options_units_per_second(options) -> float:
    """The pace a script is fitted to, in our units per second: the voice that will read it
    (ScriptOptions.words_per_second, from pipelines.voice.words_per_second) or the language default."""
    wps = getattr(options, "words_per_second", None)
    if wps:
        return float(wps) * UNITS_PER_TOKEN.get(base_language(options.language), 1.0)
    return units_per_second(options.language)


def pause_seconds(scenes: int, words_per_second: float | None) -> float:
    """The silence between scenes a measured pace leaves out (the default pace has it built in)."""
    return SCENE_PAUSE_S * max(0, scenes - 1) if words_per_second else 0.0


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
