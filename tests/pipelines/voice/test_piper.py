"""The piper engine for real: a tiny randomly initialised VITS (piper's own training model
code, `piper.train.vits.models.SynthesizerTrn`) exported to ONNX the way piper's
`export_onnx` does, then loaded and run through `piper.PiperVoice` by our engine."""

from __future__ import annotations

import json

import pytest

from pipelines.errors import VoiceError
from pipelines.media import media_info
from pipelines.product import AdScript, Scene
from pipelines.voice import list_voices, synthesize
from pipelines.voice.audio import measure_loudness

from voice_checks import assert_track_is_sound

torch = pytest.importorskip("torch")
pytest.importorskip("piper.train.vits.models")
from pipelines.models.tiny import make_tiny_piper_voice  # noqa: E402

SAMPLE_RATE = 16000
HOP = 256  # product of the upsample rates: audio samples per VITS frame


@pytest.fixture(scope="module")
def voices_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("piper_voices")
    make_tiny_piper_voice(folder, length_scale=1.5)  # a config pace other than 1.0, as published voices have
    (folder / "voices.json").write_text(json.dumps(
        [{"file": "en_US-tiny-x_low.onnx", "id": "en-us-tiny", "gender": "female", "label": "Tiny"}]))
    return folder


SCRIPT = AdScript(variant_id="v1", framework="pas", hook="h", cta="c", language="en", scenes=[
    Scene(voiceover="Tired of cold coffee? Meet the Thermo Mug."),
    Scene(voiceover="Hot for 12 hours."),
    Scene(voiceover="Shop now."),
])


def test_catalog_reads_the_voices_folder(voices_dir):
    [voice] = list_voices("piper", {"voices_dir": str(voices_dir)})
    assert (voice.id, voice.language, voice.gender) == ("en-us-tiny", "en-us", "female")


def test_tiny_vits_speaks_with_model_alignments(voices_dir, tmp_path):
    track = synthesize(SCRIPT, tmp_path, engine="piper", settings={"voices_dir": str(voices_dir)})
    assert track.engine == "piper" and track.voice == "en-us-tiny"
    assert media_info(tmp_path / track.audio).sample_rate == 48000
    assert_track_is_sound(track, tmp_path, scenes=3)
    assert [w.word for w in track.words][:3] == ["Tired", "of", "cold"]
    assert [w.scene for w in track.words].count(1) == 4  # "Hot", "for", "12", "hours."
    # phonemes are IPA from piper's phonemizer, mapped onto visemes
    assert {"aa", "mbp", "fv"} <= {p.viseme for p in track.phonemes}
    assert abs(measure_loudness(tmp_path / track.audio)["integrated"] + 16) <= 1.0


def test_rate_scales_piper_durations(voices_dir, tmp_path):
    settings = {"voices_dir": str(voices_dir), "noise_w_scale": 0.0, "noise_scale": 0.0}
    slow = synthesize(SCRIPT, tmp_path / "slow", engine="piper", settings={**settings, "rate": 0.7})
    fast = synthesize(SCRIPT, tmp_path / "fast", engine="piper", settings={**settings, "rate": 1.4})
    assert fast.duration_s < slow.duration_s * 0.75


def test_missing_voices_folder_is_a_clear_error(tmp_path):
    with pytest.raises(VoiceError) as err:
        synthesize(SCRIPT, tmp_path, engine="piper", settings={"voices_dir": str(tmp_path / "nope")})
    assert err.value.code == "voices_missing"
