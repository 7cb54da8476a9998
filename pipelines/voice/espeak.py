"""espeak-ng through its C library: each word and phoneme comes with its audio position.

libespeak-ng is driven synchronously (AUDIO_OUTPUT_SYNCHRONOUS): espeak_Synth calls our synth
callback with blocks of 16-bit samples plus an event list, in which WORD events carry the
word's character position in the text and PHONEME events the phoneme mnemonic, both with the
sample at which they start. The library keeps global state, so calls are serialised.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading

import numpy as np
from pydantic import Field

from pipelines.errors import VoiceError
from pipelines.voice.base import SceneAudio, Timed, VoiceSettings, is_spoken, tokens
from pipelines.voice.catalog import ESPEAK_VOICES, VoiceInfo
from pipelines.voice.visemes import is_pause

AUDIO_OUTPUT_SYNCHRONOUS = 2
INITIALIZE_PHONEME_EVENTS = 0x0001
INITIALIZE_DONT_EXIT = 0x8000
POS_CHARACTER = 1
CHARS_UTF8 = 1
ENDPAUSE = 0x1000
EVENT_LIST_TERMINATED = 0
EVENT_WORD = 1
EVENT_PHONEME = 7
PARAM_RATE = 1
PARAM_PITCH = 3
NORMAL_WPM = 175


class _EventId(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),  # 1-based character position in the text
        ("length", ctypes.c_int),  # characters in the word
        ("audio_position", ctypes.c_int),  # ms
        ("sample", ctypes.c_int),  # samples since the start of this synthesis
        ("user_data", ctypes.c_void_p),
        ("id", _EventId),
    ]


_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event))


class _Library:
    """The process-wide libespeak-ng handle."""

    lock = threading.Lock()
    _instance: "_Library | None" = None

    def __init__(self):
        path = ctypes.util.find_library("espeak-ng") or "libespeak-ng.so.1"
        try:
            self.lib = ctypes.CDLL(path)
        except OSError as exc:
            raise VoiceError("espeak-ng is not installed (libespeak-ng1 is missing).",
                             code="engine_unavailable", stage="voice") from exc
        self.lib.espeak_Initialize.restype = ctypes.c_int
        self.lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        self.lib.espeak_SetSynthCallback.argtypes = [_CALLBACK]
        self.lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        self.lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        self.lib.espeak_Synth.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
                                          ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
        self.sample_rate = self.lib.espeak_Initialize(
            AUDIO_OUTPUT_SYNCHRONOUS, 0, None, INITIALIZE_PHONEME_EVENTS | INITIALIZE_DONT_EXIT)
        if self.sample_rate <= 0:
            raise VoiceError("espeak-ng could not start (its data directory is missing?).",
                             code="engine_unavailable", stage="voice")
        self._chunks: list[np.ndarray] = []
        self._events: list[tuple[int, int, int, int, str]] = []
        self._callback = _CALLBACK(self._on_synth)  # kept referenced: C holds the pointer
        self.lib.espeak_SetSynthCallback(self._callback)

    @classmethod
    def get(cls) -> "_Library":
        with cls.lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    def _on_synth(self, wav, num_samples, events) -> int:
        if num_samples > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(num_samples,)).copy())
        i = 0
        while events[i].type != EVENT_LIST_TERMINATED:
            ev = events[i]
            if ev.type in (EVENT_WORD, EVENT_PHONEME):
                label = ev.id.string.decode("utf-8", "replace") if ev.type == EVENT_PHONEME else ""
                self._events.append((ev.type, ev.text_position, ev.length, ev.sample, label))
            i += 1
        return 0  # 0: continue synthesis

    def speak(self, text: str, voice_name: str, wpm: int, pitch: int | None):
        """Synthesize `text`; returns (int16 samples, [(type, text_pos, length, sample, label)])."""
        with self.lock:
            if self.lib.espeak_SetVoiceByName(voice_name.encode()) != 0:
                raise VoiceError(f"espeak-ng has no voice {voice_name!r}.", code="unknown_voice", stage="voice")
            self.lib.espeak_SetParameter(PARAM_RATE, int(wpm), 0)
            # always set: the parameter is global and outlives the call that changed it
            self.lib.espeak_SetParameter(PARAM_PITCH, int(pitch if pitch is not None else 50), 0)
            self._chunks, self._events = [], []
            data = text.encode("utf-8") + b"\0"
            status = self.lib.espeak_Synth(data, len(data), 0, POS_CHARACTER, 0, CHARS_UTF8 | ENDPAUSE, None, None)
            self.lib.espeak_Synchronize()
            if status != 0:
                raise VoiceError(f"espeak-ng failed to speak (status {status}).", code="synthesis_failed",
                                 stage="voice")
            audio = np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.int16)
            return audio, list(self._events)


class EspeakConfig(VoiceSettings):
    pitch: int | None = Field(None, ge=0, le=99)  # espeak's 0-99 base pitch; None: the voice's own


class EspeakEngine:
    name = "espeak"

    def __init__(self, config: EspeakConfig):
        self.config = config

    def voices(self) -> list[VoiceInfo]:
        return list(ESPEAK_VOICES)

    def speak(self, text: str, voice: VoiceInfo) -> SceneAudio:
        lib = _Library.get()
        wpm = max(80, min(450, round(NORMAL_WPM * self.config.rate)))
        pitch = self.config.pitch
        if pitch is None and self.config.pitch_semitones:
            pitch = max(0, min(99, round(50 * 2 ** (self.config.pitch_semitones / 12))))  # 50: espeak's own
        raw, events = lib.speak(text, voice.ref, wpm, pitch)
        sr = lib.sample_rate
        samples = raw.astype(np.float32) / 32768.0
        total = len(samples) / sr
        return SceneAudio(samples=samples, sample_rate=sr, **timings_from_events(text, events, sr, total))


def timings_from_events(text: str, events: list[tuple[int, int, int, int, str]], sr: int,
                        total_s: float) -> dict[str, list[Timed]]:
    """Words (one per token of the text) and phonemes from espeak's event stream."""
    # phonemes: each lasts until the next one starts; "(en)"-style language switches are no sound
    phon_events = [(sample / sr, label) for kind, _, _, sample, label in events
                   if kind == EVENT_PHONEME and not label.startswith("(")]
    phonemes: list[Timed] = []
    for i, (start, label) in enumerate(phon_events):
        end = phon_events[i + 1][0] if i + 1 < len(phon_events) else total_s
        if end > start:
            phonemes.append(Timed("_" if is_pause(label) else label, start, end))

    # words: espeak may emit several WORD events per token ("$29.99" -> five words); merge them
    toks = [t for t in tokens(text) if is_spoken(t[2])]
    groups: list[tuple[int, float]] = []  # (token index, start seconds)
    for kind, pos, length, sample, _ in events:
        if kind != EVENT_WORD or length <= 0 or not toks:
            continue
        char = pos - 1
        index = next((k for k, (s, e, _) in enumerate(toks) if char < e), len(toks) - 1)
        if groups and index <= groups[-1][0]:
            continue  # same token again (or espeak looking back): already started
        groups.append((index, sample / sr))

    words: list[Timed] = []
    for g, (index, start) in enumerate(groups):
        limit = groups[g + 1][1] if g + 1 < len(groups) else total_s
        voiced = [p for p in phonemes if start - 1e-6 <= p.start < limit and p.label != "_"]
        end = voiced[-1].end if voiced else limit
        end = min(max(end, start), limit)
        # tokens espeak spoke as part of this one (rare), keep their text with it
        upto = groups[g + 1][0] if g + 1 < len(groups) else len(toks)
        label = text[toks[index][0]:toks[upto - 1][1]] if upto - 1 > index else toks[index][2]
        words.append(Timed(label, start, end))
    return {"words": words, "phonemes": phonemes}
