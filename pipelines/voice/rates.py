"""How fast each voice speaks, for the script writer: a 20 s script must fit the voice used.

`words_per_second(engine, voice, language)` gives the caption tokens per second of speech (words;
one per character for Chinese, Japanese and Korean) a voice reads at rate 1.0, scene pauses not
included. Measured by `bench/voice.py --rates` on its ad scripts (MEASURED below: tokens / seconds
of the finished voice track minus its scene pauses); a voice not measured falls back to its
engine's figure for the language family, then to the engine's.
"""

from __future__ import annotations

from pipelines.engines import DEFAULT_ENGINES

# voice id -> tokens per second at rate 1.0, measured 2026-12-06: English voices on bench/voice.py's
# 12 ad scripts (342 words); Mandarin on six lines of the template writer's zh copy (78 characters)
MEASURED: dict[str, float] = {
    "en-us-heart": 3.41,  # hibari
    "en-us-joe": 3.44,  # Piper en_US-joe-medium
    "en-us-f1": 3.22, "en-us-m1": 3.35, "en-gb-f1": 3.31,  # espeak-ng at 175 wpm
    "zh-f1": 3.64, "zh-m1": 3.75,  # espeak-ng cmn-latn-pinyin: characters per second
}

# engine -> language base -> tokens per second, for voices not measured one by one: the mean of
# the engine's measured voices of that language; "*": its English figure (espeak-ng speaks every
# language at the same 175 wpm setting; words of other languages not measured here)
ENGINE_FALLBACK: dict[str, dict[str, float]] = {
    "espeak": {"en": 3.29, "zh": 3.70, "yue": 3.70, "*": 3.29},
    "hibari": {"*": 3.41},
    "piper": {"*": 3.44},
}
DEFAULT_WPS = 3.3


def words_per_second(engine: str | None, voice: str | None, language: str) -> float:
    """Tokens per second the voice that `engine` picks (or `voice`) reads `language` at."""
    from pipelines.voice import list_voices
    from pipelines.voice.catalog import pick_voice

    engine = engine or DEFAULT_ENGINES["voice"]
    try:
        voices = list_voices(engine)
        chosen = pick_voice(voices, voice=voice, language=language, gender=None, engine=engine)
    except Exception:  # an engine that cannot list voices here: its general figure
        chosen = None
    if chosen is not None and chosen.id in MEASURED:
        return MEASURED[chosen.id]
    spoken_by = chosen.engine if chosen is not None else engine
    base = (chosen.language if chosen is not None else language or "en").split("-")[0]
    table = ENGINE_FALLBACK.get(spoken_by, {})
    return table.get(base, table.get("*", DEFAULT_WPS))
