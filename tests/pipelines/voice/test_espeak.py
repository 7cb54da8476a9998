"""The espeak engine for real: libespeak-ng speaks English and Mandarin scripts."""

from __future__ import annotations

import pytest

from pipelines.errors import VoiceError
from pipelines.media import media_info
from pipelines.product import AdScript, Scene
from pipelines.voice import list_voices, synthesize
from pipelines.voice.audio import measure_loudness, read_wav, voiced_bounds
from pipelines.voice.visemes import VISEMES

from voice_checks import assert_track_is_sound


def _script(language: str, lines: list[str]) -> AdScript:
    return AdScript(variant_id="v1", framework="pas", hook=lines[0], cta=lines[-1], language=language,
                    scenes=[Scene(voiceover=line) for line in lines])


EN = ["Tired of cold coffee? Meet the Thermo Mug.", "Hot for 12 hours, just $29.99!", "Shop now."]
ZH = ["你好，这个保温杯很好用。", "只要 29 元！", "马上购买。"]


@pytest.fixture(scope="module")
def english(tmp_path_factory):
    out = tmp_path_factory.mktemp("en")
    return synthesize(_script("en", EN), out, engine="espeak", settings={"voice": "en-us-f1"}), out


def test_english_track_is_a_finished_48k_voice(english):
    track, out = english
    info = media_info(out / track.audio)
    assert info.sample_rate == 48000 and track.sample_rate == 48000
    assert abs(info.duration_s - track.duration_s) < 0.05
    assert track.voice == "en-us-f1" and track.engine == "espeak"
    assert_track_is_sound(track, out, scenes=3)
    assert [w.word for w in track.words][:4] == ["Tired", "of", "cold", "coffee?"]
    assert "$29.99!" in [w.word for w in track.words]  # several espeak words, one caption token


def test_loudness_is_minus_16_lufs(english):
    track, out = english
    measured = measure_loudness(out / track.audio)["integrated"]
    assert abs(measured + 16.0) <= 1.0, measured
    assert abs(track.loudness_lufs - measured) < 0.2


def test_silence_trimmed_at_both_ends(english):
    track, out = english
    samples, rate = read_wav(out / track.audio)
    start, end = voiced_bounds(samples, rate)
    assert start / rate < 0.08
    assert (len(samples) - end) / rate < 0.08


def test_phonemes_carry_visemes_that_move(english):
    track, _ = english
    visemes = {p.viseme for p in track.phonemes}
    assert visemes <= set(VISEMES)
    assert {"rest", "aa", "mbp", "fv", "oo", "ee"} <= visemes


def test_mandarin_speaks_each_character(tmp_path):
    track = synthesize(_script("zh-CN", ZH), tmp_path, engine="espeak", settings={"gender": "male"})
    assert track.voice == "zh-m1"
    assert_track_is_sound(track, tmp_path, scenes=3)
    words = [w.word for w in track.words]
    assert words[:3] == ["你", "好，", "这"]
    assert "29" in words
    # Mandarin phonemes, not English letter names for pinyin ("ni three")
    assert not any(p.phoneme.startswith("(en)") for p in track.phonemes)


def test_rate_changes_the_pace(tmp_path):
    script = _script("en", ["Fast talkers sell more mugs than slow talkers do."])
    slow = synthesize(script, tmp_path / "slow", engine="espeak", settings={"rate": 0.8})
    fast = synthesize(script, tmp_path / "fast", engine="espeak", settings={"rate": 1.6})
    assert fast.duration_s < slow.duration_s * 0.7


def test_catalog_has_both_genders_for_english_and_chinese():
    for lang in ("en-us", "zh"):
        genders = {v.gender for v in list_voices("espeak", language=lang)}
        assert genders == {"female", "male"}


def test_bad_inputs_are_clear_errors(tmp_path):
    with pytest.raises(VoiceError) as err:
        synthesize(_script("en", ["Hi."]), tmp_path, settings={"voice": "xx-nope"})
    assert err.value.code == "unknown_voice"
    with pytest.raises(VoiceError) as err:
        synthesize(_script("en", ["  "]), tmp_path)
    assert err.value.code == "empty_script"
    with pytest.raises(VoiceError) as err:
        synthesize(_script("tlh", ["Qapla'"]), tmp_path)
    assert err.value.code == "unsupported_language"
