"""How fast each voice speaks, for the script writer: a 20 s script must fit the voice used.

`words_per_second(engine, voice, language)` gives the pace a voice reads at rate 1.0, in the
script writer's speech units per second (pipelines.script.locale.speech_units: words weighted by
syllables, characters for Chinese and Japanese, numbers by digit, and the pauses at sentence and
clause breaks), scene pauses not included: the writer measures a script with that same tokenizer,
so a pace and a script are counted alike. A voice not measured falls back to its engine's figure
for the language, then to the engine's.

Calibrated from measured audio (2026-12-07) with

    .venv/bin/python bench/voice_pace.py --engine espeak --cross --save /tmp/pace-espeak.json
    .venv/bin/python bench/voice_pace.py --engine neural --languages en --save /tmp/pace-neural.json
    .venv/bin/python bench/voice_pace.py --engine espeak --voice en-us-m1 --languages en   # likewise per voice
    .venv/bin/python bench/voice_pace.py --from /tmp/pace-espeak.json    # re-count after a tokenizer change

which speaks every scene of the template writer's 3 variants of a 20 s ad for every fit page and
the demo store (35 pages; English ads for Spanish and Chinese pages with --cross, CJK names left
out of the English figure) and divides the scenes' units by their voiced seconds: every page
counts, none is tuned to. Per script the pace spreads about +-10 % around the figure (ratios in
the comments), which the +-10 % length check has to absorb with the writer's own +-6 %.
"""

from __future__ import annotations

from pipelines.engines import DEFAULT_ENGINES

# voice id -> speech units per second at rate 1.0, scene pauses excluded (the writer adds them)
MEASURED: dict[str, float] = {
    "en-us-heart": 3.42,  # hibari; 90 scripts, per script 3.14-3.74
    "en-us-joe": 3.70,  # Piper en_US-joe-medium; 30 scripts (the first 12 pages, 10 English), 3.34-4.08
    "en-us-f1": 3.50,  # espeak-ng at 175 wpm; 105 scripts, 3.20-3.95
    "en-us-m1": 3.60, "en-gb-f1": 3.56,  # 90 scripts each, 3.30-3.98 / 3.29-3.92
    "zh-f1": 4.08, "zh-m1": 4.18,  # espeak-ng cmn-latn-pinyin; 9 scripts, 3.88-4.22 / 4.02-4.39
    "es-f1": 4.02,  # espeak-ng es; 6 scripts (the two Spanish pages), 3.86-4.19
}

# engine -> language base -> units per second, for voices not measured one by one: the engine's
# measured voice of that language; "*": its English figure (espeak-ng speaks every language at the
# same 175 wpm setting; languages other than en, es and zh not measured here)
ENGINE_FALLBACK: dict[str, dict[str, float]] = {
    "espeak": {"en": 3.50, "zh": 4.08, "yue": 4.08, "es": 4.02, "*": 3.50},
    "hibari": {"*": 3.42},
    "piper": {"*": 3.70},
}
DEFAULT_WPS = 3.4


def words_per_second(engine: str | None, voice: str | None, language: str) -> float:
    """Speech units per second the voice that `engine` picks (or `voice`) reads `language` at."""
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
