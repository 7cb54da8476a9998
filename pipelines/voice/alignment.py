"""pocketsphinx 5 (BSD, with the en-US acoustic model, dictionary and LM in its wheel): an
independent recognizer and forced aligner for English speech.

- `recognize(samples, rate)`: what a listener would make of the audio (bench/voice.py's WER);
- `forced_alignment(samples, rate, text)`: word and phone spans of `text` in the audio, for an
  engine that cannot time its own words, and as the reference the engines' timings are measured
  against. Words missing from CMUdict (brand names, numbers) get their pronunciation from
  hibari's G2P (misaki phonemes mapped onto the CMU phone set) before aligning.
"""

from __future__ import annotations

import functools
import threading

import numpy as np

from pipelines.errors import VoiceError
from pipelines.voice.audio import resample
from pipelines.voice.base import Timed, is_spoken, tokens

ASR_RATE = 16000
FRAME_S = 0.01  # pocketsphinx frames: 100 per second

# misaki (hibari's G2P, US) phonemes -> CMU phones; two-character sounds first
_MISAKI_PAIRS = {"ɜɹ": "ER", "əɹ": "ER", "ʤ": "JH", "ʧ": "CH", "dʒ": "JH", "tʃ": "CH"}
_MISAKI = {
    "A": "EY", "I": "AY", "W": "AW", "Y": "OY", "O": "OW", "Q": "OW", "æ": "AE", "ɑ": "AA", "ɒ": "AA",
    "ɔ": "AO", "ə": "AH", "ᵊ": "AH", "ɐ": "AH", "ɛ": "EH", "ɜ": "ER", "ɪ": "IH", "ʊ": "UH", "ʌ": "AH",
    "i": "IY", "u": "UW", "a": "AA", "e": "EH", "o": "OW",
    "b": "B", "d": "D", "f": "F", "h": "HH", "j": "Y", "k": "K", "l": "L", "m": "M", "n": "N", "p": "P",
    "s": "S", "t": "T", "v": "V", "w": "W", "z": "Z", "ɡ": "G", "g": "G", "ŋ": "NG", "ɹ": "R", "ʃ": "SH",
    "ʒ": "ZH", "ð": "DH", "θ": "TH", "T": "T", "ɾ": "T", "ʔ": "T", "x": "K", "ç": "HH",
}
CMU_TO_IPA = {"AA": "ɑ", "AE": "æ", "AH": "ə", "AO": "ɔ", "AW": "aʊ", "AY": "aɪ", "EH": "ɛ", "ER": "ɝ",
              "EY": "eɪ", "IH": "ɪ", "IY": "i", "OW": "oʊ", "OY": "ɔɪ", "UH": "ʊ", "UW": "u", "B": "b",
              "CH": "tʃ", "D": "d", "DH": "ð", "F": "f", "G": "ɡ", "HH": "h", "JH": "dʒ", "K": "k", "L": "l",
              "M": "m", "N": "n", "NG": "ŋ", "P": "p", "R": "ɹ", "S": "s", "SH": "ʃ", "T": "t", "TH": "θ",
              "V": "v", "W": "w", "Y": "j", "Z": "z", "ZH": "ʒ", "SIL": "_"}

_lock = threading.Lock()  # a Decoder is not thread-safe; one per process, reconfigured per call


def misaki_to_cmu(phonemes: str) -> list[str]:
    out, i = [], 0
    while i < len(phonemes):
        pair = phonemes[i:i + 2]
        if pair in _MISAKI_PAIRS:
            out.append(_MISAKI_PAIRS[pair])
            i += 2
            continue
        phone = _MISAKI.get(phonemes[i])
        if phone:
            out.append(phone)
        i += 1
    return out


@functools.lru_cache(maxsize=1)
def _g2p():
    from hibari.g2p import G2P

    return G2P()


def _decoder(**options):
    try:
        from pocketsphinx import Decoder
    except ImportError as exc:
        raise VoiceError("pocketsphinx is not installed.", code="engine_unavailable", stage="voice") from exc
    return Decoder(samprate=ASR_RATE, loglevel="FATAL", **options)


def _pcm(samples: np.ndarray, rate: int) -> bytes:
    audio = resample(np.asarray(samples, np.float32), rate, ASR_RATE)
    return (np.clip(audio, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()


def _asr_word(token: str) -> str:
    return "".join(ch for ch in token.lower() if ch.isalnum() or ch == "'").strip("'")


def recognize(samples: np.ndarray, rate: int) -> str:
    """pocketsphinx's transcript of English speech (its en-US LM), lower case."""
    decoder = _decoder()
    decoder.start_utt()
    decoder.process_raw(_pcm(samples, rate), full_utt=True)
    decoder.end_utt()
    hyp = decoder.hyp()
    return hyp.hypstr if hyp is not None else ""


def forced_alignment(samples: np.ndarray, rate: int, text: str) -> tuple[list[Timed], list[Timed]]:
    """(words, phones) of `text` in the audio: one word per spoken token of `text`, labelled with
    the token; phones as IPA-ish labels (visemes read them), pauses "_"."""
    toks = [t for _, _, t in tokens(text) if is_spoken(t)]
    if not toks:
        return [], []
    decoder = _decoder()
    names = []
    for k, tok in enumerate(toks):
        name = _asr_word(tok)
        if not name or decoder.lookup_word(name) is None:
            phones = misaki_to_cmu(_g2p()(tok)) or ["AH"]
            name = f"{name or 'tok'}_{k}" if name else f"tok_{k}"
            decoder.add_word(name, " ".join(phones), True)
        names.append(name)
    pcm = _pcm(samples, rate)
    try:
        with _lock:
            decoder.set_align_text(" ".join(names))
            decoder.start_utt()
            decoder.process_raw(pcm, full_utt=True)
            decoder.end_utt()
            decoder.set_alignment()
            decoder.start_utt()
            decoder.process_raw(pcm, full_utt=True)
            decoder.end_utt()
            alignment = decoder.get_alignment()
    except RuntimeError:  # pocketsphinx found no path through the text ("Failed to stop utterance")
        alignment = None
    if alignment is None:
        raise VoiceError("The aligner could not place the words in the audio.", code="alignment_failed",
                         stage="voice")
    words, phones = [], []
    k = 0
    for w in alignment.words():
        if w.name.startswith("<") or w.name in ("<sil>", "sil"):
            continue
        if k < len(toks):
            words.append(Timed(toks[k], w.start * FRAME_S, (w.start + w.duration) * FRAME_S))
            k += 1
    for p in alignment.phones():
        phones.append(Timed(CMU_TO_IPA.get(p.name, "_"), p.start * FRAME_S, (p.start + p.duration) * FRAME_S))
    return words, phones


def word_error_rate(reference: list[str], hypothesis: list[str]) -> float:
    """Levenshtein distance over words / reference length."""
    if not reference:
        return 0.0 if not hypothesis else 1.0
    prev = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, 1):
        cur = [i] + [0] * len(hypothesis)
        for j, hyp in enumerate(hypothesis, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ref != hyp))
        prev = cur
    return prev[-1] / len(reference)
