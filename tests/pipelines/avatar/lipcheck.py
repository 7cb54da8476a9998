"""Helpers for avatar tests. Voice tracks: a synthetic 'speech' WAV whose syllables are tone bursts with
phoneme/viseme timings that match them exactly, so lip-sync can be measured against truth."""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import numpy as np
from pipelines.product import PhonemeTiming, VoiceTrack, WordTiming

VOWELS = ["aa", "ee", "oh", "oo", "ih", "aa"]
CONSONANTS = ["mbp", "fv", "l", "ss", "th", "kg", "mbp"]


def synth_voice(directory: Path, seconds: float = 3.0, rate: int = 48000, seed: int = 0) -> VoiceTrack:
    """Syllables (consonant + voiced vowel) grouped into words with pauses between them."""
    rng = np.random.default_rng(seed)
    audio = np.zeros(int(seconds * rate), np.float32)
    phonemes, words = [], []
    t = 0.2
    while t < seconds - 0.7:
        word_start = t
        for _ in range(int(rng.integers(1, 4))):
            consonant = str(rng.choice(CONSONANTS))
            cd = float(rng.uniform(0.05, 0.09))
            phonemes.append(PhonemeTiming(phoneme=consonant, viseme=consonant, start=t, end=t + cd))
            if consonant in ("ss", "fv", "th"):  # fricatives: quiet noise
                i0, i1 = int(t * rate), int((t + cd) * rate)
                audio[i0:i1] += rng.normal(0, 0.03, i1 - i0).astype(np.float32)
            t += cd
            vowel = str(rng.choice(VOWELS))
            vd = float(rng.uniform(0.13, 0.24))
            phonemes.append(PhonemeTiming(phoneme=vowel, viseme=vowel, start=t, end=t + vd))
            i0, i1 = int(t * rate), int((t + vd) * rate)
            tt = np.arange(i1 - i0) / rate
            envelope = np.sin(np.pi * np.arange(i1 - i0) / (i1 - i0)) ** 0.5
            f0 = rng.uniform(110, 220)
            audio[i0:i1] += ((0.5 * np.sin(2 * np.pi * f0 * tt) + 0.2 * np.sin(4 * np.pi * f0 * tt)
                              + 0.1 * np.sin(6 * np.pi * f0 * tt)) * envelope).astype(np.float32)
            t += vd
        words.append(WordTiming(word="la", start=word_start, end=t))
        gap = float(rng.uniform(0.15, 0.35))
        phonemes.append(PhonemeTiming(phoneme="_", viseme="rest", start=t, end=t + gap))
        t += gap
    pcm = (np.clip(audio, -1, 1) * 32767).astype("<i2")
    with wave.open(str(directory / "voice.wav"), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm.tobytes())
    return VoiceTrack(audio="voice.wav", duration_s=seconds, words=words, phonemes=phonemes, engine="test")


def decode_gray(video: Path, width: int, height: int) -> np.ndarray:
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(video), "-f", "rawvideo", "-pix_fmt", "gray", "-"],
                         capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, height, width)


def mouth_openness(frames: np.ndarray, face_box) -> np.ndarray:
    """Per frame: how much of the mouth region is dark (the open mouth's interior).

    The mouth region is the lower third of the face box, middle half of its width; 'dark' is
    relative to that region's median (the skin), so skin tone does not matter."""
    x, y, w, h = face_box
    region = frames[:, y + int(0.62 * h):y + int(0.98 * h), x + int(0.25 * w):x + int(0.75 * w)].astype(np.float32)
    skin = np.median(region.reshape(len(region), -1), axis=1)
    return (region < (skin * 0.55)[:, None, None]).mean(axis=(1, 2))


def audio_energy(voice: VoiceTrack, voice_dir: Path, n_frames: int, fps: float) -> np.ndarray:
    with wave.open(str(voice_dir / voice.audio), "rb") as wav:
        rate = wav.getframerate()
        samples = np.frombuffer(wav.readframes(wav.getnframes()), "<i2").astype(np.float32) / 32768
    hop = rate / fps
    return np.array([np.sqrt(np.mean(samples[int(i * hop):int((i + 1) * hop)] ** 2) + 1e-12)
                     for i in range(n_frames)])


def lip_sync_correlation(video: Path, clip, voice: VoiceTrack, voice_dir: Path) -> float:
    frames = decode_gray(video, clip.width, clip.height)
    openness = mouth_openness(frames, clip.face_box)
    energy = audio_energy(voice, voice_dir, len(frames), clip.fps)
    return float(np.corrcoef(openness, energy)[0, 1])
