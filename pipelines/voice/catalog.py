"""The voice catalog: every voice adgen can speak with, per engine, language and gender.

A brand kit (or a job's settings) names a voice by id ("en-us-f1"); when it names none, the
script's language and the requested gender pick the first matching voice.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from pipelines.errors import VoiceError

Gender = Literal["female", "male"]


class VoiceInfo(BaseModel):
    id: str  # stable catalog id, e.g. "en-us-f1"
    engine: str
    language: str  # BCP-47-ish, lower case: "en-us", "zh", "es"
    gender: Gender | None = None
    label: str = ""
    # engine-specific handle: an espeak-ng voice name ("en-us+f3"), a piper .onnx path, a hibari voice name
    ref: str
    natural: bool = False  # a neural voice; False: espeak-ng's basic formant voice
    licence: str = ""
    path: str | None = None  # the model file, for engines that load one
    checksum: str | None = None  # "md5:<hex>" or "sha256:<hex>" the model file must have


LANGUAGE_NAMES: dict[str, str] = {}  # catalog language -> its name in the dashboard ("en-us": "English (US)")


def _espeak(lang: str, espeak_name: str, label: str, variants: dict[str, str]) -> list[VoiceInfo]:
    LANGUAGE_NAMES[lang] = label
    voices = []
    for suffix, variant in variants.items():
        gender: Gender = "female" if suffix.startswith("f") else "male"
        voices.append(VoiceInfo(id=f"{lang}-{suffix}", engine="espeak", language=lang, gender=gender,
                                label=f"{label}, {gender} {suffix[1:]} (basic)", ref=f"{espeak_name}+{variant}",
                                licence="GPL-3.0-or-later (espeak-ng)"))
    return voices


_TWO = {"f1": "f3", "m1": "m3"}
_FOUR = {"f1": "f3", "f2": "f4", "m1": "m3", "m2": "m1"}

# espeak_SetVoiceByName matches a voice file's name, not its language tag: British English is the
# file "gmw/en" and French "roa/fr", so "en-gb+m3" and "fr-fr+f3" do not exist but "en+m3" and
# "fr+f3" do (tests/pipelines/voice speaks a sentence with every voice listed here).
# Mandarin uses espeak-ng's pinyin voice: the plain `cmn` voice of espeak-ng 1.51 reads the
# pinyin of every character with English letter rules ("ni three"), the pinyin voice does not.
ESPEAK_VOICES: list[VoiceInfo] = [
    *_espeak("en-us", "en-us", "English (US)", _FOUR),
    *_espeak("en-gb", "en", "English (UK)", _FOUR),
    *_espeak("zh", "cmn-latn-pinyin", "Chinese (Mandarin)", _FOUR),
    *_espeak("yue", "yue", "Chinese (Cantonese)", _TWO),
    *_espeak("es", "es", "Spanish (Spain)", _TWO),
    *_espeak("es-419", "es-419", "Spanish (Latin America)", _TWO),
    *_espeak("fr", "fr", "French", _TWO),
    *_espeak("de", "de", "German", _TWO),
    *_espeak("it", "it", "Italian", _TWO),
    *_espeak("pt-br", "pt-br", "Portuguese (Brazil)", _TWO),
    *_espeak("pt", "pt", "Portuguese (Portugal)", _TWO),
    *_espeak("nl", "nl", "Dutch", _TWO),
    *_espeak("ja", "ja", "Japanese", _TWO),
    *_espeak("ko", "ko", "Korean", _TWO),
    *_espeak("hi", "hi", "Hindi", _TWO),
    *_espeak("ru", "ru", "Russian", _TWO),
    *_espeak("vi", "vi", "Vietnamese", _TWO),
    *_espeak("ar", "ar", "Arabic", _TWO),
]

# what a bare language code means when several catalog languages share it
_LANGUAGE_ALIASES = {
    "en": "en-us", "zh-cn": "zh", "zh-hans": "zh", "cmn": "zh", "zh-tw": "zh", "zh-hant": "zh",
    "zh-hk": "yue", "fr-fr": "fr", "de-de": "de", "es-es": "es", "es-mx": "es-419", "it-it": "it",
    "pt-pt": "pt", "ja-jp": "ja", "ko-kr": "ko", "nl-nl": "nl", "ru-ru": "ru",
}


def normalize_language(language: str | None) -> str:
    lang = (language or "en").strip().lower().replace("_", "-")
    return _LANGUAGE_ALIASES.get(lang, lang)


def pick_voice(voices: list[VoiceInfo], *, voice: str | None, language: str | None,
               gender: str | None, engine: str) -> VoiceInfo:
    """The voice named by id, else the first voice for the language (and gender, when given)."""
    if not voices:
        raise VoiceError(f"The {engine} engine has no voices installed.", code="no_voices", stage="voice")
    if voice:
        for v in voices:
            if v.id == voice or v.ref == voice:
                return v
        raise VoiceError(
            f"Unknown {engine} voice {voice!r}; choose one of: {', '.join(v.id for v in voices)}",
            code="unknown_voice", stage="voice",
        )
    lang = normalize_language(language)
    base = lang.split("-")[0]
    candidates = ([v for v in voices if v.language == lang]
                  or [v for v in voices if v.language.split("-")[0] == base])
    if not candidates:
        raise VoiceError(
            f"No {engine} voice speaks {language!r}; available languages: "
            f"{', '.join(sorted({v.language for v in voices}))}",
            code="unsupported_language", stage="voice",
        )
    if gender:
        by_gender = [v for v in candidates if v.gender == gender]
        if by_gender:
            return by_gender[0]
    return candidates[0]


def language_choices(voices: list[VoiceInfo]) -> list[tuple[str, str]]:
    """(code, name) of every language some voice speaks, natural voices first: what the Create
    form offers. English (US) is "en", the code scripts use."""
    natural = {v.language for v in voices if v.natural}
    seen: dict[str, str] = {}
    for v in voices:
        code = "en" if v.language == "en-us" else v.language
        if code not in seen:
            kind = "natural voice" if v.language in natural else "basic voice"
            seen[code] = f"{LANGUAGE_NAMES.get(v.language, v.language)} — {kind}"
    return sorted(seen.items(), key=lambda item: (item[1].endswith("basic voice"), item[1]))
