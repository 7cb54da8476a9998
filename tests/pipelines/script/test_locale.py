"""The writer's measure of speech (speech_units) and the pace a script is fitted to: one tokenizer
for the voices' calibrated paces (pipelines/voice/rates.py) and for the scripts fitted to them."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pipelines.script import ScriptOptions, write_scripts
from pipelines.script.guards import voiceover_seconds
from pipelines.script.locale import (CLAUSE_BREAK_UNITS, DIGIT_UNITS, SENTENCE_BREAK_UNITS, estimate_seconds,
                                     options_units_per_second, speech_units)

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "fixtures" / "pages" / "fit"))

from load import load_products  # noqa: E402


def test_numbers_count_as_they_are_read_out():
    # "$79.99" is "seventy-nine dollars and ninety-nine cents": digits, the currency and the cents
    assert speech_units("79", "en") == pytest.approx(2 * DIGIT_UNITS)
    assert speech_units("$79", "en") > speech_units("79", "en")
    assert speech_units("$79.99", "en") > speech_units("$79", "en") + 2 * DIGIT_UNITS  # the cents and "and"
    assert speech_units("28 €", "es") == speech_units("€28", "es")
    assert speech_units("1299元", "zh") > speech_units("元", "zh")


def test_pauses_at_breaks_count_and_joined_lines_add_their_break():
    one, two = "Meet the Yoga Mat.", "Tap the link."
    assert speech_units(f"{one} {two}", "en") == pytest.approx(
        speech_units(one, "en") + speech_units(two, "en") + SENTENCE_BREAK_UNITS)
    assert speech_units("Deep seats, soft cushions", "en") == pytest.approx(
        speech_units("Deep seats soft cushions", "en") + CLAUSE_BREAK_UNITS)
    assert speech_units("好看。好用。", "zh") == pytest.approx(4 + SENTENCE_BREAK_UNITS)
    # a scene's final full stop is no pause: the voice stage trims the silence after it
    assert speech_units("Tap the link.", "en") == speech_units("Tap the link", "en")


def test_a_voice_pace_is_used_as_measured():
    """The pace is in speech units, as measured: no conversion between caption tokens and units."""
    options = ScriptOptions(language="zh", words_per_second=4.08)
    assert options_units_per_second(options) == 4.08
    assert estimate_seconds("好看。好用。", "zh", 4.08) == pytest.approx(speech_units("好看。好用。", "zh") / 4.08)


@pytest.mark.parametrize("pace", [3.42, 4.02])
def test_the_fit_lands_where_the_same_tokenizer_measures_it(pace):
    """Scripts fitted to a voice's pace measure within the writer's own window at that pace, in every language."""
    products = load_products()
    for name in ("fixtures/pages/fit/etsy/taza-ceramica-azul.html", "fixtures/pages/fit/zh/zh-cat-tree.html",
                 "fixtures/pages/fit/amazon/yoga-mat.html",
                 "fixtures/store/products/yirgacheffe-whole-bean-coffee.html"):
        product = products[name]
        for s in write_scripts(product, ScriptOptions(variants=3, duration_s=20, language=product.language,
                                                      words_per_second=pace)):
            assert abs(voiceover_seconds(s, pace) - 20) <= 0.06 * 20, (name, s.variant_id, s.voiceover)
