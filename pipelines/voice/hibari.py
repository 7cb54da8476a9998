"""hibari: a 7.9 MB int8 ONNX voice distilled from Kokoro-82M's af_heart (hibari-tts 0.2.1, Apache-2.0).

The wheel ships one voice, "heart" (American English, female, 24 kHz); its other voices download
from a hub on first use, which adgen never does at run time, so only voices whose file is already
on disk are catalogued. The model file is checked against the sha256 in hibari's own
`assets/voices.json` before it is loaded: a corrupt or swapped file is a clear `voice_load_failed`.

hibari's API returns audio only. Its network predicts a duration per phoneme id (the `/Clip`
node, in units of two 12.5 ms frames) before expanding them to frames; we add that tensor as a
graph output when loading, so every phoneme gets the model's own span, exactly as Piper's
`include_alignments` does. A graph without that node (another export) falls back to pocketsphinx
forced alignment of the audio (`pipelines.voice.alignment`). The model also outputs its F0
contour, which is where brand-kit pitch is applied (`pitch_semitones`), before hibari's own DSP.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
from pydantic import Field

from pipelines.errors import VoiceError
from pipelines.store import file_sha256
from pipelines.voice.base import SceneAudio, Timed, VoiceSettings, is_spoken, tokens
from pipelines.voice.catalog import VoiceInfo, normalize_language
from pipelines.voice.timing import count_groups_words, words_from_groups

HIBARI_VERSION = "0.2.1"
DURATION_NODE = "/Clip_output_0"  # per-id durations, after rounding and clipping at >= 1
# The decoder's sound starts about two duration units (50 ms) before the tensor places it: median
# 55 ms over 15 sentence onsets measured by energy (first 5 ms frame within 30 dB of the peak).
SOUND_LEAD_S = 0.05
_PAUSE_CHARS = set(";:,.!?—…\"“”()") | {" "}


class HibariConfig(VoiceSettings):
    threads: int = Field(1, ge=1, le=16)  # onnxruntime threads (the model is ~100x real time on one)
    model: str | None = None  # another export with the same interface (tests: a tiny random one)
    seed: int = 0  # hibari's noise component: fixed, so a re-run makes the same audio


def hibari_voices() -> list[VoiceInfo]:
    """hibari's registry entries whose model file is on this machine (no download at run time)."""
    try:
        from hibari.voices import VOICES, voice_path
    except ImportError:
        return []
    out = []
    for name, entry in VOICES.items():
        try:
            path = voice_path(name, download_missing=False)
        except (FileNotFoundError, ValueError):
            continue
        out.append(VoiceInfo(id=f"{normalize_language(entry['language'])}-{name}", engine="hibari",
                             language=normalize_language(entry["language"]), gender=entry.get("gender"),
                             label=f"English ({'UK' if entry.get('british') else 'US'}), {name.title()} "
                                   f"({entry.get('gender', '')}, natural)",
                             ref=name, natural=True, licence="Apache-2.0 (hibari-tts; Kokoro-82M teacher)",
                             path=str(path)))
    return out


_models: dict[tuple, tuple] = {}
_models_lock = threading.Lock()


class HibariEngine:
    name = "hibari"

    def __init__(self, config: HibariConfig):
        self.config = config

    def voices(self) -> list[VoiceInfo]:
        return hibari_voices()

    def _load(self, info: VoiceInfo):
        # one model per process and file, whatever the settings (a brand's rate or lexicon)
        key = (info.ref, self.config.model or info.path, self.config.threads)
        with _models_lock:
            if key not in _models:
                _models[key] = self._open(info)
            return _models[key]

    def _open(self, info: VoiceInfo):
        try:
            import onnx
            from hibari import Hibari
            from hibari.voices import VOICES
        except ImportError as exc:
            raise VoiceError(f"hibari-tts {HIBARI_VERSION} is not installed ({exc}).",
                             code="engine_unavailable", stage="voice") from exc
        path = Path(self.config.model or info.path or "")
        if not path.is_file():
            raise VoiceError(f"The hibari voice {info.id!r} has no model file at {path}.",
                             code="voices_missing", stage="voice")
        if not self.config.model:
            expected = VOICES[info.ref]["sha256"]
            actual = file_sha256(path)
            if actual != expected:
                raise VoiceError(
                    f"The hibari voice {info.id!r} is corrupt: {path} has sha256 {actual[:12]}..., hibari "
                    f"{HIBARI_VERSION}'s voices.json says {expected[:12]}...; reinstall hibari-tts=={HIBARI_VERSION}.",
                    code="voice_load_failed", stage="voice")
        try:
            model = onnx.load(str(path))
            names = {out for node in model.graph.node for out in node.output}
            has_durations = DURATION_NODE in names
            if has_durations:
                model.graph.output.append(onnx.helper.make_empty_tensor_value_info(DURATION_NODE))
            # hibari hands `model` to onnxruntime, which takes the edited graph's bytes as well as a path
            tts = Hibari(voice=info.ref, model=model.SerializeToString(), threads=self.config.threads)
            session = tts.sess
        except VoiceError:
            raise
        except Exception as exc:  # a truncated/garbled graph is a user-facing error
            raise VoiceError(f"Could not load the hibari voice {info.id!r}: {exc}",
                             code="voice_load_failed", stage="voice") from exc
        return tts, session, has_durations

    def speak(self, text: str, info: VoiceInfo) -> SceneAudio:
        from hibari import dsp

        tts, session, has_durations = self._load(info)
        rng = np.random.default_rng(self.config.seed)
        speed = np.asarray([self.config.rate], np.float32)
        pitch = 2.0 ** (self.config.pitch_semitones / 12.0)
        chunks: list[np.ndarray] = []
        phonemes: list[Timed] = []
        offset = 0
        for sentence in tts.phonemize(text):
            chars = [c for c in sentence if c in tts.vocab]
            ids = [0, *(tts.vocab[c] for c in chars), 0]
            if len(ids) < 3:
                continue
            outputs = session.run(None, {"ids": np.asarray([ids], np.int64), "speed": speed})
            lh, th, ln, lr, phi, f0 = (o[0] for o in outputs[:6])
            audio = dsp.synth(lh, th, ln, lr, phi, f0 * pitch, rng).astype(np.float32)
            if has_durations:
                units = np.asarray(outputs[6], np.float64).reshape(-1)
                per_unit = len(audio) / max(1.0, float(units.sum()))
                edges = offset + np.concatenate([[0.0], np.cumsum(units)]) * per_unit
                for k, ch in enumerate(chars):  # ids[k + 1] is chars[k]
                    start, end = edges[k + 1], edges[k + 2]
                    if end > start:
                        phonemes.append(Timed("_" if ch in _PAUSE_CHARS else ch, start, end))
            chunks.append(audio)
            offset += len(audio)
        sr = tts.sample_rate
        samples = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
        peak = float(np.max(np.abs(samples))) if len(samples) else 0.0
        if peak > 0:
            samples = samples * (0.9 / peak)
        if has_durations:
            lead = SOUND_LEAD_S * sr
            phonemes = [Timed(p.label, max(0.0, p.start - lead) / sr, max(0.0, p.end - lead) / sr)
                        for p in _merge_marks(phonemes)]
            phonemes = [p for p in phonemes if p.end > p.start]
            words = words_from_groups(text, _word_groups(phonemes), self._counts(tts, text))
        else:
            from pipelines.voice.alignment import forced_alignment

            words, phonemes = forced_alignment(samples, sr, text)
        return SceneAudio(samples=samples, sample_rate=sr, words=words, phonemes=phonemes)

    @staticmethod
    def _counts(tts, text: str) -> list[int]:
        """How many phoneme words hibari makes of each spoken token on its own."""
        return [max(1, count_groups_words(" ".join(tts.phonemize(tok)))) for _, _, tok in tokens(text)
                if is_spoken(tok)]


_MARKS = set("ˈˌː")
# misaki's one-letter diphthongs and affricates, as IPA (the visemes and the README speak IPA)
MISAKI_IPA = {"A": "eɪ", "I": "aɪ", "W": "aʊ", "Y": "ɔɪ", "O": "oʊ", "Q": "əʊ", "T": "ɾ", "ʤ": "dʒ", "ʧ": "tʃ",
              "ᵊ": "ə"}


def _merge_marks(phonemes: list[Timed]) -> list[Timed]:
    """Stress marks come before their vowel, length marks after: fold them into that sound."""
    out: list[Timed] = []
    carry: float | None = None
    for p in phonemes:
        if p.label in _MARKS and p.label != "ː":
            carry = p.start if carry is None else carry
            continue
        if p.label == "ː" and out:
            out[-1] = Timed(out[-1].label + p.label, out[-1].start, p.end)
            continue
        out.append(Timed(MISAKI_IPA.get(p.label, p.label), carry if carry is not None else p.start, p.end))
        carry = None
    return out


def _word_groups(phonemes: list[Timed]) -> list[list[Timed]]:
    """Runs of sounding phonemes between word spaces and punctuation."""
    groups: list[list[Timed]] = [[]]
    for p in phonemes:
        if p.label == "_":
            if groups[-1]:
                groups.append([])
        else:
            groups[-1].append(p)
    return [g for g in groups if g]
