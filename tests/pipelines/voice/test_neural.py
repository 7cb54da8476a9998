"""The default voice engine for real: hibari's heart and Piper's joe from their wheels, espeak-ng
announced where a language has no natural voice; captions keep the script's own tokens."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from pipelines.engines import DEFAULT_ENGINES
from pipelines.errors import VoiceError
from pipelines.product import AdScript, BrandKit, Scene
from pipelines.voice import list_voices, synthesize, voice_engines, words_per_second
from pipelines.voice.alignment import forced_alignment
from pipelines.voice.audio import measure_loudness, read_wav
from pipelines.voice.catalog import language_choices
from pipelines.voice.text import spoken_text

from voice_checks import assert_track_is_sound


def _script(lines: list[str], language: str = "en") -> AdScript:
    return AdScript(variant_id="v1", framework="pas", hook=lines[0], cta=lines[-1], language=language,
                    scenes=[Scene(voiceover=line) for line in lines])


AD = ["Tired of cold coffee? Meet the Kettle & Crane pour-over kettle.", "Hot for 12 hours, just $29.99! 🔥",
      "It's the one you'll keep.", "Shop now."]


@pytest.fixture(scope="module")
def heart(tmp_path_factory):
    out = tmp_path_factory.mktemp("heart")
    return synthesize(_script(AD), out), out


def test_english_defaults_to_a_natural_voice(heart):
    track, out = heart
    assert DEFAULT_ENGINES["voice"] == "neural"
    assert (track.engine, track.voice_engine, track.voice) == ("neural", "hibari", "en-us-heart")
    assert track.natural is True and track.notice is None and "natural" in track.voice_label
    assert_track_is_sound(track, out, scenes=4)
    assert abs(measure_loudness(out / track.audio)["integrated"] + 16.0) <= 1.0


def test_captions_carry_the_scripts_tokens_verbatim(heart):
    track, _ = heart
    words = [w.word for w in track.words]
    assert words[:11] == ["Tired", "of", "cold", "coffee?", "Meet", "the", "Kettle", "&", "Crane", "pour-over",
                          "kettle."]
    assert "$29.99! 🔥" in words  # the pictograph rides with the word before it
    assert ["It's", "the", "one", "you'll", "keep."] == words[words.index("It's"):words.index("keep.") + 1]


def test_ampersand_has_its_own_timing_with_every_engine(tmp_path):
    script = _script(["Fresh from Kettle & Crane Coffee."])
    for settings, engine in (({}, None), ({"gender": "male"}, None), ({"voice": "en-us-f1"}, "espeak")):
        track = synthesize(script, tmp_path / f"{engine}-{len(settings)}-{settings.get('gender')}", engine=engine,
                           settings=settings)
        assert [w.word for w in track.words] == ["Fresh", "from", "Kettle", "&", "Crane", "Coffee."], track.voice
        amp = track.words[3]
        assert track.words[2].end <= amp.start < amp.end <= track.words[4].start + 1e-6


def test_male_english_is_joe_and_hash_checked(tmp_path):
    track = synthesize(_script(AD[:2]), tmp_path, settings={"gender": "male"})
    assert (track.voice_engine, track.voice, track.natural) == ("piper", "en-us-joe", True)
    assert_track_is_sound(track, tmp_path, scenes=2)
    # a corrupt copy of the model is refused with a clear error, before onnxruntime sees it
    joe = next(v for v in list_voices() if v.id == "en-us-joe")
    broken = tmp_path / "voices" / "en_US-joe-medium.onnx"
    broken.parent.mkdir()
    shutil.copy(joe.ref, broken)
    shutil.copy(joe.ref + ".json", str(broken) + ".json")
    with open(broken, "r+b") as f:
        f.seek(1000)
        f.write(b"\0" * 64)
    engine = voice_engines.get("neural", {"scene_pause_s": 0.31})
    with pytest.raises(VoiceError) as err:
        engine.speak("Hello.", joe.model_copy(update={"ref": str(broken), "path": str(broken)}))
    assert err.value.code == "voice_load_failed" and "corrupt" in err.value.message


def test_hibari_model_is_hash_checked(tmp_path):
    heart_voice = next(v for v in list_voices() if v.id == "en-us-heart")
    broken = tmp_path / "hibari.onnx"
    data = bytearray(open(heart_voice.path, "rb").read())
    data[5000:5064] = b"\1" * 64
    broken.write_bytes(bytes(data))
    engine = voice_engines.get("hibari", {"scene_pause_s": 0.29})
    with pytest.raises(VoiceError) as err:
        engine.speak("Hello.", heart_voice.model_copy(update={"path": str(broken)}))
    assert err.value.code == "voice_load_failed" and "sha256" in err.value.message


def test_a_language_without_a_natural_voice_falls_back_to_espeak_and_says_so(tmp_path):
    track = synthesize(_script(["你好，这个保温杯很好用。"], "zh"), tmp_path)
    assert (track.voice_engine, track.natural) == ("espeak", False)
    assert track.notice and track.notice.startswith("Basic voice (espeak-ng)") and "'zh'" in track.notice


@pytest.mark.timeout(1800)  # ~45 voices, each a full voice stage; minutes on a busy 2-core box
def test_every_catalog_voice_speaks(tmp_path):
    samples = {"zh": "你好，欢迎光临。", "yue": "你好，欢迎光临。", "ja": "こんにちは。", "ko": "안녕하세요.",
               "ru": "Привет, друзья.", "ar": "مرحبا بكم.", "hi": "नमस्ते दोस्तों।", "vi": "Xin chào các bạn."}
    voices = list_voices()
    assert {"en-us-heart", "en-us-joe", "en-gb-m1", "fr-f1"} <= {v.id for v in voices}
    for voice in voices:
        line = samples.get(voice.language.split("-")[0], "Hello, and welcome to the shop.")
        track = synthesize(_script([line], voice.language), tmp_path / voice.id, settings={"voice": voice.id})
        assert track.voice == voice.id and track.duration_s > 0.3, voice.id
        assert track.words and track.phonemes, voice.id


def test_language_choices_come_from_the_catalog():
    choices = dict(language_choices(list_voices()))
    assert choices["en"].endswith("natural voice") and choices["zh"].endswith("basic voice")
    assert {"fr", "de", "en-gb", "es"} <= set(choices)


def test_brand_lexicon_rate_and_pitch(tmp_path):
    kit = BrandKit(voice_rate=1.25, voice_pitch=4, pronunciations={"Xiaomi": "show me"})
    settings = kit.voice_settings()
    assert settings == {"rate": 1.25, "pitch_semitones": 4, "lexicon": {"Xiaomi": "show me"}}
    script = _script(["Xiaomi makes it simple."])
    plain = synthesize(script, tmp_path / "plain", settings={"lexicon": {}})
    kitted = synthesize(script, tmp_path / "kit", settings=settings)
    assert [w.word for w in kitted.words] == ["Xiaomi", "makes", "it", "simple."]
    assert "ʃ" in {p.phoneme for p in kitted.phonemes}  # "show me", not a guess at the spelling
    assert kitted.duration_s < plain.duration_s
    assert _median_f0(tmp_path / "kit" / kitted.audio) > 1.12 * _median_f0(tmp_path / "plain" / plain.audio)
    assert abs(measure_loudness(tmp_path / "kit" / kitted.audio)["integrated"] + 16) <= 1.0
    male = synthesize(script, tmp_path / "joe", settings={**settings, "gender": "male"})
    assert male.voice == "en-us-joe" and "cannot change pitch" in (male.notice or "")


def _median_f0(path) -> float:
    samples, rate = read_wav(path)
    frame = int(0.04 * rate)
    lo, hi = int(rate / 400), int(rate / 70)
    f0 = []
    for start in range(0, len(samples) - frame, frame):
        x = samples[start:start + frame]
        if np.sqrt(np.mean(x ** 2)) < 0.05:
            continue
        ac = np.correlate(x, x, "full")[frame - 1:]
        lag = lo + int(np.argmax(ac[lo:hi]))
        if ac[lag] > 0.5 * ac[0]:
            f0.append(rate / lag)
    return float(np.median(f0))


def test_word_onsets_agree_with_an_independent_aligner(heart):
    track, out = heart
    samples, rate = read_wav(out / track.audio)
    for index in range(len(track.scene_spans)):
        start, end = track.scene_spans[index]
        said = spoken_text(AD[index])
        clip = samples[int(start * rate):int(end * rate)]
        reference, _ = forced_alignment(clip, rate, said.text)
        ours = [w for w in track.words if w.scene == index and any(ch.isalnum() for ch in w.word)]
        errors = [abs((w.start - start) - r.start) for w, r in zip(ours, reference)]
        assert np.median(errors) < 0.08, (index, errors)


def test_spoken_text_keeps_the_display_tokens():
    said = spoken_text("Kettle & Crane — 20% off 🔥!", lexicon={"kettle & crane": "Kettle and Crane"})
    assert said.display == ["Kettle", "&", "Crane", "—", "20%", "off", "🔥!"]
    assert said.spoken == ["Kettle", "and", "Crane", "—", "20%", "off", "!"]


def test_words_per_second_are_measured_figures():
    default = words_per_second("neural", None, "en")
    assert 2.0 < default < 4.0
    assert words_per_second("neural", "en-us-joe", "en") != default
    assert words_per_second("neural", None, "zh") == words_per_second("espeak", None, "zh")
    assert words_per_second("nope-engine", None, "en") > 0
