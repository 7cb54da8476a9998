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
models = pytest.importorskip("piper.train.vits.models")
from piper.phoneme_ids import DEFAULT_PHONEME_ID_MAP  # noqa: E402

SAMPLE_RATE = 16000
HOP = 256  # product of the upsample rates: audio samples per VITS frame


def export_tiny_piper_voice(folder, name="en_US-tiny-x_low", language="en_US", espeak_voice="en-us"):
    torch.manual_seed(0)
    num_symbols = max(i for ids in DEFAULT_PHONEME_ID_MAP.values() for i in ids) + 1
    model = models.SynthesizerTrn(
        n_vocab=num_symbols, spec_channels=513, segment_size=32, inter_channels=16, hidden_channels=16,
        filter_channels=32, n_heads=2, n_layers=1, kernel_size=3, p_dropout=0.0, resblock="2",
        resblock_kernel_sizes=(3,), resblock_dilation_sizes=((1, 3),), upsample_rates=(8, 8, 4),
        upsample_initial_channel=32, upsample_kernel_sizes=(16, 16, 8), n_speakers=1, gin_channels=0,
        use_sdp=True,
    )
    model.eval()
    with torch.no_grad():
        model.dec.remove_weight_norm()

    def infer_forward(text, text_lengths, scales, sid=None):  # as piper.train.export_onnx
        return model.infer(text, text_lengths, noise_scale=scales[0], length_scale=scales[1],
                           noise_scale_w=scales[2], sid=sid)[0].unsqueeze(1)

    model.forward = infer_forward
    onnx_path = folder / f"{name}.onnx"
    sequences = torch.randint(low=0, high=num_symbols, size=(1, 50), dtype=torch.long)
    torch.onnx.export(
        model=model, args=(sequences, torch.LongTensor([50]), torch.FloatTensor([0.667, 1.0, 0.8]), None),
        f=str(onnx_path), opset_version=15, dynamo=False,
        input_names=["input", "input_lengths", "scales", "sid"], output_names=["output"],
        dynamic_axes={"input": {0: "batch_size", 1: "phonemes"}, "input_lengths": {0: "batch_size"},
                      "output": {0: "batch_size", 2: "time"}},
    )
    config = {
        "audio": {"sample_rate": SAMPLE_RATE, "quality": "x_low"},
        "espeak": {"voice": espeak_voice},
        "language": {"code": language},
        "inference": {"noise_scale": 0.667, "length_scale": 1.5, "noise_w": 0.8},
        "phoneme_type": "espeak",
        "phoneme_id_map": DEFAULT_PHONEME_ID_MAP,
        "num_symbols": num_symbols,
        "num_speakers": 1,
        "speaker_id_map": {},
        "hop_length": HOP,
        "piper_version": "1.0.0",
        "dataset": "tiny",
    }
    (folder / f"{name}.onnx.json").write_text(json.dumps(config))
    return onnx_path


@pytest.fixture(scope="module")
def voices_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("piper_voices")
    export_tiny_piper_voice(folder)
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
