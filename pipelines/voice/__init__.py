"""Voice: speak an ad script, scene by scene, into a finished VoiceTrack.

    track = synthesize(script, out_dir)                       # the default: a natural voice (neural)
    track = synthesize(script, out_dir, engine="espeak", settings={"voice": "en-us-f1", "rate": 1.1})

The script's text goes through `pipelines.voice.text` first (brand lexicon, symbols said as
words); every engine returns raw audio plus word and phoneme timings per scene, and the words are
relabelled with the script's own tokens (captions show them verbatim). This module trims each
scene's leading/trailing silence, joins the scenes with a short pause (so `scene_spans` mark
where each scene is), resamples to 48 kHz, normalises loudness (-16 LUFS integrated by
default) and writes `voice.wav` into `out_dir`.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from pipelines.engines import DEFAULT_ENGINES, EngineRegistry
from pipelines.errors import VoiceError
from pipelines.product import AdScript, PhonemeTiming, VoiceTrack, WordTiming
from pipelines.voice.audio import OUTPUT_RATE, normalize_loudness, read_wav, resample, voiced_bounds, write_wav
from pipelines.voice.base import PITCH_ENGINES, SceneAudio, Timed, VoiceSettings
from pipelines.voice.catalog import VoiceInfo, normalize_language, pick_voice
from pipelines.voice.rates import words_per_second
from pipelines.voice.text import display_words, spoken_text
from pipelines.voice.visemes import VISEME_OPENNESS, VISEMES, viseme_for

__all__ = ["synthesize", "list_voices", "voice_engines", "words_per_second", "fallback_notice", "VoiceInfo",
           "VoiceSettings", "VISEMES", "VISEME_OPENNESS", "viseme_for"]

log = logging.getLogger(__name__)

voice_engines: EngineRegistry = EngineRegistry("voice")  # declared in pipelines.engines

AUDIO_FILE = "voice.wav"
EDGE_PAD_S = 0.03  # keep a breath of silence at each end so playback does not click


FALLBACK_HINT = ("put a Piper voice for it (.onnx + .onnx.json) in $ADGEN_PIPER_VOICES, e.g. with "
                 "`adgen models pull` once the model catalogue lists one")


def fallback_notice(language: str) -> str:
    """What the user is told when a language has no natural voice here (manifest, dashboard)."""
    return f"Basic voice (espeak-ng): no natural voice for {language!r} is installed; {FALLBACK_HINT}."


def list_voices(engine: str | None = None, settings: dict | None = None, *, language: str | None = None,
                gender: str | None = None) -> list[VoiceInfo]:
    """The catalog of one engine (the stage default when None), optionally filtered by language
    prefix and gender. Every voice listed runs on this machine."""
    voices = voice_engines.get(engine or DEFAULT_ENGINES["voice"], settings).voices()
    if language:
        lang = language.lower().replace("_", "-")
        voices = [v for v in voices if v.language == lang or v.language.split("-")[0] == lang.split("-")[0]]
    if gender:
        voices = [v for v in voices if v.gender == gender]
    return voices


def synthesize(script: AdScript, out_dir: Path, engine: str | None = None,
               settings: dict | None = None) -> VoiceTrack:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    settings = dict(settings or {})
    engine = engine or DEFAULT_ENGINES["voice"]
    speaker = voice_engines.get(engine, settings)
    config: VoiceSettings = speaker.config
    language = config.language or script.language
    voices = speaker.voices()
    voice = pick_voice(voices, voice=config.voice, language=language, gender=config.gender, engine=engine)
    if not any(s.voiceover.strip() for s in script.scenes):
        raise VoiceError("The script has no voiceover text to speak.", code="empty_script", stage="voice")
    notices = []
    if not voice.natural and not config.voice and any(v.natural for v in voices):
        notices.append(fallback_notice(normalize_language(language)))  # chosen for want of a natural one
    if config.pitch_semitones and voice.engine not in PITCH_ENGINES:
        notices.append(f"The voice {voice.id!r} ({voice.engine}) cannot change pitch; the kit's pitch was not applied.")

    pieces: list[np.ndarray] = []
    words: list[WordTiming] = []
    phonemes: list[PhonemeTiming] = []
    speech: list[tuple[float, float] | None] = []  # voiced span of each scene in the output
    cursor = 0.0
    pause = config.scene_pause_s
    for index, scene in enumerate(script.scenes):
        text = scene.voiceover.strip()
        said = spoken_text(text, voice.language, config.lexicon)
        if not text or not said.text.strip():
            speech.append(None)
            continue
        spoken = speaker.speak(said.text, voice)
        samples, offset = _trimmed(spoken)
        if not len(samples):
            speech.append(None)
            continue
        if pieces:
            pieces.append(np.zeros(int(round(pause * OUTPUT_RATE)), np.float32))
            if pause > 0:
                phonemes.append(PhonemeTiming(phoneme="_", viseme="rest", start=cursor, end=cursor + pause))
            cursor += pause
        length = len(samples) / OUTPUT_RATE
        pieces.append(samples)
        for w in _clip(display_words(said, spoken.words), offset, length):
            words.append(WordTiming(word=w.label, start=cursor + w.start, end=cursor + w.end, scene=index))
        for p in _clip(spoken.phonemes, offset, length):
            phonemes.append(PhonemeTiming(phoneme=p.label, viseme=viseme_for(p.label),
                                          start=cursor + p.start, end=cursor + p.end))
        speech.append((cursor, cursor + length))
        cursor += length

    if not pieces:
        raise VoiceError("The voice engine produced no audible speech.", code="silent_audio", stage="voice")
    pad = np.zeros(int(EDGE_PAD_S * OUTPUT_RATE), np.float32)
    audio = np.concatenate([pad, *pieces, pad])
    shift = len(pad) / OUTPUT_RATE

    raw_path = out_dir / "voice.raw.wav"
    final_path = out_dir / AUDIO_FILE
    write_wav(raw_path, audio)
    try:
        loudness = normalize_loudness(raw_path, final_path, config.target_lufs)
    finally:
        raw_path.unlink(missing_ok=True)
    final, _ = read_wav(final_path)
    duration = len(final) / OUTPUT_RATE

    words = _monotonic([w.model_copy(update={"start": w.start + shift, "end": w.end + shift}) for w in words],
                       duration)
    phonemes = _phoneme_cover([p.model_copy(update={"start": p.start + shift, "end": p.end + shift})
                               for p in phonemes], duration)
    spans = _scene_spans([None if s is None else (s[0] + shift, s[1] + shift) for s in speech], duration)
    return VoiceTrack(audio=AUDIO_FILE, sample_rate=OUTPUT_RATE, duration_s=round(duration, 4), words=words,
                      phonemes=phonemes, scene_spans=spans, engine=engine, voice=voice.id,
                      loudness_lufs=round(loudness, 2), voice_engine=voice.engine, voice_label=voice.label,
                      natural=voice.natural, notice=" ".join(notices) or None)


def _trimmed(spoken: SceneAudio) -> tuple[np.ndarray, float]:
    """The scene at 48 kHz without its leading/trailing silence, and the seconds cut at the start."""
    samples = resample(spoken.samples, spoken.sample_rate)
    start, end = voiced_bounds(samples, OUTPUT_RATE)
    return samples[start:end], start / OUTPUT_RATE


def _clip(items: list[Timed], offset: float, length: float) -> list[Timed]:
    out = []
    for item in items:
        start = min(max(item.start - offset, 0.0), length)
        end = min(max(item.end - offset, start), length)
        if end > start or not out:
            out.append(Timed(item.label, start, end))
    return [t for t in out if t.end > t.start]


def _monotonic(words: list[WordTiming], duration: float) -> list[WordTiming]:
    out: list[WordTiming] = []
    last = 0.0
    for w in words:
        start = min(max(w.start, last), duration)
        end = min(max(w.end, start), duration)
        out.append(w.model_copy(update={"start": round(start, 4), "end": round(end, 4)}))
        last = end
    return out


def _phoneme_cover(phonemes: list[PhonemeTiming], duration: float) -> list[PhonemeTiming]:
    """Phonemes back to back from 0 to the end: silences in between become explicit rests."""
    out: list[PhonemeTiming] = []
    cursor = 0.0
    for p in sorted(phonemes, key=lambda p: p.start):
        start, end = max(p.start, cursor), min(p.end, duration)
        if end <= start:
            continue
        if start - cursor > 1e-4:
            out.append(PhonemeTiming(phoneme="_", viseme="rest", start=round(cursor, 4), end=round(start, 4)))
        out.append(p.model_copy(update={"start": round(start, 4), "end": round(end, 4)}))
        cursor = end
    if duration - cursor > 1e-4:
        out.append(PhonemeTiming(phoneme="_", viseme="rest", start=round(cursor, 4), end=round(duration, 4)))
    return out


def _scene_spans(speech: list[tuple[float, float] | None], duration: float) -> list[tuple[float, float]]:
    """Back-to-back spans, one per scene: cuts fall in the middle of the pause between two
    scenes; a scene with nothing to say gets an empty span where it sits."""
    voiced = [i for i, s in enumerate(speech) if s is not None]
    bounds = [0.0] * (len(speech) + 1)
    bounds[-1] = duration
    for k, i in enumerate(voiced):
        if k == 0:
            continue
        prev_end = speech[voiced[k - 1]][1]
        cut = (prev_end + speech[i][0]) / 2
        for j in range(voiced[k - 1] + 1, i + 1):
            bounds[j] = cut
    for j in range(voiced[-1] + 1 if voiced else 0, len(speech)):
        bounds[j] = duration if j > 0 else 0.0
    bounds[len(speech)] = duration
    return [(round(bounds[i], 4), round(bounds[i + 1], 4)) for i in range(len(speech))]
