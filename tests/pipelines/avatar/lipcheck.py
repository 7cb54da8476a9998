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


def lip_sync_correlation(video: Path, clip, voice: VoiceTrack, voice_dir: Path, measure: str = "dark") -> float:
    """Correlation of mouth openness with the audio's RMS per frame. `dark`: the dark share of the
    mouth region (drawn mouths); `mesh`: the lips' gap read by MediaPipe (photo presenters)."""
    if measure == "mesh":
        openness = lip_gap(video, clip.width, clip.height)
    else:
        openness = mouth_openness(decode_gray(video, clip.width, clip.height), clip.face_box)
    energy = audio_energy(voice, voice_dir, len(openness), clip.fps)
    return float(np.corrcoef(openness, energy)[0, 1])


# --------------------------------------------------------------------------- mouth artifacts
#
# "No hard edge or flat-colour patch inside the mouth": measured on a frame as a viewer sees it,
# with the mouth found by MediaPipe's face mesh on that frame (independent of the engine):
# - flat: the share of the mouth region (inside the inner-lip contour, grown by 3 % of the mouth
#   width) covered by patches with no camera grain at all (3x3 std under 0.75 levels in every
#   channel, eroded so single pixels do not count). A photo never has them; painted fills do.
# - edge ratio: the mouth region's 99th-percentile luminance gradient over the same figure for
#   the portrait's own mouth at rest in the same framing. Cut-out shapes pasted into a photo are
#   much sharper than anything the camera recorded there.
# Before issue 19 the photo engine's open mouth measured flat 0.14 / edge ratio 1.75 at 432x540
# (tests/pipelines/avatar/data/photo-before-issue19-*.png) and flat 0.40 / 3.1 at 864x1080.
FLAT_LIMIT = 0.05
EDGE_RATIO_LIMIT = 1.5


def mouth_region(frame: np.ndarray) -> tuple[np.ndarray, float, np.ndarray]:
    """(region mask, mouth width, landmarks) for an RGB frame."""
    import cv2

    from pipelines.avatar import landmarks as lm

    pts = lm.face_mesh(frame)[:, :2]
    poly = np.concatenate([pts[list(lm.LIPS_INNER_UPPER)], pts[list(lm.LIPS_INNER_LOWER)][::-1][1:-1]])
    mask = np.zeros(frame.shape[:2], np.uint8)
    cv2.fillPoly(mask, [np.round(poly).astype(np.int32)], 1)
    width = float(np.linalg.norm(pts[291] - pts[61]))
    k = max(1, int(round(0.03 * width)))
    return cv2.dilate(mask, np.ones((2 * k + 1, 2 * k + 1), np.uint8)).astype(bool), width, pts


def flat_share(frame: np.ndarray, region: np.ndarray) -> float:
    import cv2

    f = frame.astype(np.float32)
    mean, square = cv2.blur(f, (3, 3)), cv2.blur(f * f, (3, 3))
    std = np.sqrt(np.maximum(square - mean * mean, 0)).max(axis=2)
    flat = cv2.erode((std < 0.75).astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    return float(flat[region].mean()) if region.any() else 0.0


def edge_p99(frame: np.ndarray, region: np.ndarray) -> float:
    import cv2

    gray = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY).astype(np.float32)
    grad = np.hypot(cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3)) / 8
    return float(np.percentile(grad[region], 99)) if region.any() else 0.0


def mouth_artifacts(frame: np.ndarray, rest_frame: np.ndarray) -> dict:
    """{'flat', 'edge_ratio', 'opening'} for `frame`; `rest_frame` is the same portrait, same
    framing, mouth as photographed. `opening` is the lips' gap at the centre / mouth width."""
    region, width, pts = mouth_region(frame)
    rest_region, _, _ = mouth_region(rest_frame)
    rest_edges = max(edge_p99(rest_frame, rest_region | region), 1.0)
    return {"flat": flat_share(frame, region), "edge_ratio": edge_p99(frame, region) / rest_edges,
            "opening": float(pts[14, 1] - pts[13, 1]) / max(width, 1.0), "width": width}


def lip_gap(video: Path, width: int, height: int) -> np.ndarray:
    """Per frame: the lips' gap at the centre over the mouth width, as MediaPipe's face mesh reads
    the decoded frame (an opening that shows teeth counts as much as one that shows shadow)."""
    from pipelines.avatar import landmarks as lm

    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(video), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                         capture_output=True, check=True).stdout
    frames = np.frombuffer(raw, np.uint8).reshape(-1, height, width, 3)
    gaps = []
    for frame in frames:
        pts = lm.face_mesh(frame)
        gaps.append(float(pts[14, 1] - pts[13, 1]) / max(float(np.linalg.norm(pts[291, :2] - pts[61, :2])), 1.0))
    return np.array(gaps)
