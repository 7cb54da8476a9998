"""How fast each voice speaks, for the script writer: a 20 s script must fit the voice used.

`words_per_second(engine, voice, language)` gives the caption tokens per second of speech (words;
one per character for Chinese, Japanese and Korean) a voice reads at rate 1.0, scene pauses not
included, calibrated on the template writer's ad copy (MEASURED below); a voice not measured falls
back to its engine's figure for the language family, then to the engine's.
"""

from __future__ import annotations

from pipelines.engines import DEFAULT_ENGINES

# voice id -> tokens per second at rate 1.0 on ad copy, scene pauses excluded: the pace the script
# writer fits to. Calibrated 2026-12-06 so the template writer's 20 s scripts last 20 s when this
# voice reads them: 12 scripts (3 variants x 4 demo-store products) per voice came out at
# 18.3-21.2 s (hibari), 18.8-22.8 s (joe), 18.6-22.6 s (espeak-ng en-us-f1); check with
# `bench/copy_fit.py --voice neural --pages fixtures/store`. Plain prose (bench/voice.py's
# scripts) reads faster: 3.41 hibari, 3.44 joe, 3.22-3.35 espeak-ng; ad copy's many short
# sentences add sentence-end pauses.
MEASURED: dict[str, float] = {
    "en-us-heart": 2.82,  # hibari
    "en-us-joe": 3.1,  # Piper en_US-joe-medium
    "en-us-f1": 2.9, "en-us-m1": 2.95, "en-gb-f1": 2.92,  # espeak-ng at 175 wpm
    "zh-f1": 3.64, "zh-m1": 3.75,  # espeak-ng cmn-latn-pinyin: characters per second (prose)
}

# engine -> language base -> tokens per second, for voices not measured one by one: the mean of
# the engine's measured voices of that language; "*": its English figure (espeak-ng speaks every
# language at the same 175 wpm setting; words of other languages not measured here)
ENGINE_FALLBACK: dict[str, dict[str, float]] = {
    "espeak": {"en": 2.92, "zh": 3.70, "yue": 3.70, "*": 2.92},
    "hibari": {"*": 2.82},
    "piper": {"*": 3.1},
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
