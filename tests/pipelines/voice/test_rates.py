"""Voices' paces (pipelines/voice/rates.py) in the script writer's units: each voice's figure is the
one the writer fits to, and a sentence spoken by espeak-ng lasts about what that figure says."""

from __future__ import annotations

import pytest

from pipelines.script.locale import speech_units
from pipelines.voice import list_voices, voice_engines, words_per_second
from pipelines.voice import _trimmed
from pipelines.voice.audio import OUTPUT_RATE
from pipelines.voice.catalog import pick_voice
from pipelines.voice.rates import MEASURED
from pipelines.voice.text import spoken_text


def test_every_measured_voice_is_in_a_catalog_and_each_language_gets_its_own_voice_figure():
    ids = {v.id for v in list_voices("neural")}
    assert set(MEASURED) <= ids
    assert words_per_second("espeak", None, "es") == MEASURED["es-f1"]
    assert words_per_second("neural", None, "es") == MEASURED["es-f1"]  # the announced espeak-ng fallback
    assert words_per_second("neural", None, "zh") == MEASURED["zh-f1"]
    assert words_per_second("neural", None, "en") == MEASURED["en-us-heart"]
    assert words_per_second("espeak", "en-us-m1", "en") == MEASURED["en-us-m1"]


# one ad-copy sentence per language, of the writer's own kind (a name, a price, a clause break)
SENTENCES = {
    "en": "Meet the Ribbed Ceramic Planter, from Kiln & Co. All that, for $42.",
    "es": "Te presento: Taza de cerámica hecha a mano, de Barro Azul Taller. Y todo por 28 €.",
    "zh": "来认识一下暖居的不锈钢电热水壶。到手价只要199元。",
}


@pytest.mark.parametrize("language", sorted(SENTENCES))
def test_a_sentence_lasts_what_the_espeak_pace_says(language):
    speaker = voice_engines.get("espeak", {})
    voice = pick_voice(speaker.voices(), voice=None, language=language, gender=None, engine="espeak")
    text = SENTENCES[language]
    samples, _ = _trimmed(speaker.speak(spoken_text(text, voice.language, {}).text, voice))
    measured = len(samples) / OUTPUT_RATE
    estimated = speech_units(text, language) / words_per_second("espeak", None, language)
    assert abs(measured - estimated) <= 0.15 * measured, (measured, estimated)
