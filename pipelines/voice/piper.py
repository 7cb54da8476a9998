"""Piper: VITS voices exported to ONNX, read from a local folder, run by the piper-tts wheel.

A voices folder holds `<name>.onnx` + `<name>.onnx.json` pairs (as published by Piper) and,
optionally, `voices.json` naming them for the catalog:
    [{"file": "en_US-lessac-medium.onnx", "id": "en-us-lessac", "gender": "female", "label": "Lessac"}]
Voices not listed there are catalogued under their file stem with the config's language.

Timings come from the model itself: `PiperVoice.load(include_alignments=True)` exposes the
VITS duration tensor (samples per phoneme id), so every phoneme gets its true span; words are
the runs of phonemes between espeak's word separators.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import numpy as np
from pydantic import Field

from pipelines.errors import VoiceError
from pipelines.voice.base import SceneAudio, Timed, VoiceSettings, is_spoken, tokens
from pipelines.voice.catalog import VoiceInfo, normalize_language
from pipelines.voice.timing import words_from_groups

VOICES_DIR_ENV = "ADGEN_PIPER_VOICES"
_WORD_BREAK = " "
_BOUNDARY = {"^", "$", "_"}  # BOS, EOS, PAD
_PUNCTUATION = set("!,.:;?¡¿—…\"«»“”()'-")


_loaded: dict[tuple, object] = {}
_loaded_lock = threading.Lock()


class PiperVoiceConfig(VoiceSettings):
    voices_dir: str | None = None  # default: $ADGEN_PIPER_VOICES
    use_cuda: bool = False
    speaker: int | None = None  # multi-speaker voices
    noise_scale: float | None = Field(None, ge=0.0, le=2.0)
    noise_w_scale: float | None = Field(None, ge=0.0, le=2.0)


class PiperEngine:
    name = "piper"

    def __init__(self, config: PiperVoiceConfig):
        self.config = config
        folder = config.voices_dir or os.environ.get(VOICES_DIR_ENV)
        if not folder or not Path(folder).is_dir():
            raise VoiceError(
                f"The piper engine needs a voices folder (settings 'voices_dir' or ${VOICES_DIR_ENV}); "
                f"got {folder!r}.", code="voices_missing", stage="voice")
        self.folder = Path(folder)

    def voices(self) -> list[VoiceInfo]:
        listed: dict[str, dict] = {}
        catalog_file = self.folder / "voices.json"
        if catalog_file.is_file():
            listed = {entry["file"]: entry for entry in json.loads(catalog_file.read_text())}
        voices = []
        for model in sorted(self.folder.rglob("*.onnx")):
            config_path = model.with_name(model.name + ".json")
            if not config_path.is_file():
                continue
            config = json.loads(config_path.read_text(encoding="utf-8"))
            entry = listed.get(str(model.relative_to(self.folder)), {})
            language = entry.get("language") or (config.get("language") or {}).get("code") \
                or config.get("espeak", {}).get("voice", "")
            voices.append(VoiceInfo(
                id=entry.get("id") or model.name[: -len(".onnx")], engine="piper",
                language=normalize_language(language), gender=entry.get("gender"),
                label=entry.get("label") or (config.get("dataset") or model.stem), ref=str(model)))
        return voices

    def _voice(self, info: VoiceInfo):
        from piper import PiperVoice

        key = (info.ref, self.config.use_cuda)  # one model per process, whatever the other settings
        with _loaded_lock:
            if key not in _loaded:
                if info.checksum:
                    _verify(Path(info.ref), info.checksum, info.id)
                try:
                    _loaded[key] = PiperVoice.load(info.ref, use_cuda=self.config.use_cuda, include_alignments=True)
                except Exception as exc:  # a broken model file is a user-facing error
                    raise VoiceError(f"Could not load the piper voice {info.id!r}: {exc}",
                                     code="voice_load_failed", stage="voice") from exc
            return _loaded[key]

    def speak(self, text: str, info: VoiceInfo) -> SceneAudio:
        from piper import SynthesisConfig

        voice = self._voice(info)
        syn = SynthesisConfig(speaker_id=self.config.speaker, noise_scale=self.config.noise_scale,
                              noise_w_scale=self.config.noise_w_scale,
                              length_scale=voice.config.length_scale / self.config.rate,
                              normalize_audio=False)
        sr = voice.config.sample_rate
        chunks, phonemes = [], []
        offset = 0
        for chunk in voice.synthesize(text, syn_config=syn, include_alignments=True):
            audio = chunk.audio_float_array.astype(np.float32)
            if chunk.phoneme_alignments:
                cursor = offset
                for align in chunk.phoneme_alignments:
                    end = min(cursor + int(align.num_samples), offset + len(audio))
                    if end > cursor:
                        phonemes.append(Timed(align.phoneme, cursor / sr, end / sr))
                    cursor = end
            else:
                phonemes.extend(_spread(chunk.phonemes, offset / sr, (offset + len(audio)) / sr))
            chunks.append(audio)
            offset += len(audio)
        samples = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
        samples, phonemes = _speech_only(samples, sr, _merge_marks(phonemes))
        peak = float(np.max(np.abs(samples))) if len(samples) else 0.0
        if peak > 0:
            samples = samples * (0.9 / peak)  # the level is set later; keep the headroom here
        word_counts = [max(1, _count_words(voice, tok)) for _, _, tok in tokens(text) if is_spoken(tok)]
        return SceneAudio(samples=samples, sample_rate=sr,
                          words=words_from_groups(text, _groups(phonemes), word_counts),
                          phonemes=[Timed("_" if _is_pause(p.label) else p.label, p.start, p.end)
                                    for p in phonemes])


def _verify(path: Path, checksum: str, voice_id: str) -> None:
    """A pinned model file must hash to what its publisher lists; else it is corrupt or swapped."""
    import hashlib

    algorithm, _, expected = checksum.partition(":")
    h = hashlib.new(algorithm)
    try:
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    except OSError as exc:
        raise VoiceError(f"The voice {voice_id!r} has no readable model file ({exc}).",
                         code="voices_missing", stage="voice") from exc
    if h.hexdigest() != expected:
        raise VoiceError(f"The voice {voice_id!r} is corrupt: {path.name} has {algorithm} {h.hexdigest()[:12]}..., "
                         f"expected {expected[:12]}...; reinstall its package.", code="voice_load_failed",
                         stage="voice")


_PREFIX_MARKS = set("ˈˌ")  # stress: belongs to the phoneme after it
_SUFFIX_MARKS = set("ːˑ\u0303\u0329\u032f")  # length, nasal, syllabic: belong to the one before


def _merge_marks(phonemes: list[Timed]) -> list[Timed]:
    """Piper emits stress and length marks as symbols of their own; fold their time into the
    sound they modify so every timed phoneme is a mouth shape."""
    out: list[Timed] = []
    carry: float | None = None
    for p in phonemes:
        if p.label and all(ch in _PREFIX_MARKS for ch in p.label):
            carry = p.start if carry is None else carry
            continue
        if out and p.label and all(ch in _SUFFIX_MARKS for ch in p.label):
            out[-1] = Timed(out[-1].label + p.label, out[-1].start, p.end)
            continue
        out.append(Timed(p.label, carry if carry is not None else p.start, p.end))
        carry = None
    return out


def _speech_only(samples: np.ndarray, sr: int, phonemes: list[Timed]) -> tuple[np.ndarray, list[Timed]]:
    """Cut the lead-in/lead-out the model spends on its BOS/EOS symbols, as its own
    alignment places them (energy trimming alone misses a breathy or noisy lead-in)."""
    voiced = [p for p in phonemes if not _is_pause(p.label)]
    if not voiced:
        return samples, phonemes
    first, last = int(voiced[0].start * sr), int(np.ceil(voiced[-1].end * sr))
    shift = first / sr
    kept = [Timed(p.label, max(p.start, voiced[0].start) - shift, min(p.end, voiced[-1].end) - shift)
            for p in phonemes if p.end > voiced[0].start and p.start < voiced[-1].end]
    return samples[first:last], kept


def _is_pause(label: str) -> bool:
    return label in _BOUNDARY or label == _WORD_BREAK or all(ch in _PUNCTUATION for ch in label)


def _spread(labels: list[str], start: float, end: float) -> list[Timed]:
    """No alignment output in this model: share the sentence evenly among its phonemes."""
    if not labels:
        return []
    step = (end - start) / len(labels)
    return [Timed(label, start + i * step, start + (i + 1) * step) for i, label in enumerate(labels)]


def _count_words(voice, token: str) -> int:
    phonemized = [p for sentence in voice.phonemize(token) for p in sentence]
    return len(_groups([Timed(p, 0, 0) for p in phonemized]))


def _groups(phonemes: list[Timed]) -> list[list[Timed]]:
    """Runs of voiced phonemes between word breaks (and pauses)."""
    groups: list[list[Timed]] = [[]]
    for p in phonemes:
        if p.label == _WORD_BREAK or p.label in _BOUNDARY:
            if groups[-1]:
                groups.append([])
        elif not _is_pause(p.label):
            groups[-1].append(p)
    return [g for g in groups if g]
