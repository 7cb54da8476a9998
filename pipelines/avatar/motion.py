"""Per-frame animation curves shared by every avatar engine.

Everything here is a pure function of the VoiceTrack (and a seed), so a clip re-rendered from
the same voice is identical: mouth shapes from viseme timings with co-articulation, blinks at
natural intervals, and a slow head/shoulder sway.
"""

from __future__ import annotations

import math
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipelines.product import VoiceTrack

# Mouth parameters, each 0..1: how far the lips part, how wide the mouth spreads, how
# rounded/puckered it is, how much upper/lower teeth show, tongue tip visible, lower lip tucked
# under the upper teeth (f/v). Engines draw (puppet) or warp (photo) from these numbers.
MOUTH_PARAMS = ("open", "wide", "round", "teeth", "tongue", "bite")

# Canonical mouth shapes per viseme class. The voice stage labels phonemes with these class
# names (pipelines.voice.visemes); unknown labels fall back through VISEME_ALIASES or, failing
# that, the voice stage's openness figure.
VISEME_SHAPES: dict[str, tuple[float, ...]] = {
    #        open  wide  round teeth tongue bite
    "rest": (0.00, 0.35, 0.00, 0.00, 0.00, 0.00),
    "aa":   (1.00, 0.60, 0.00, 0.55, 0.00, 0.00),  # father, cat
    "ee":   (0.42, 1.00, 0.00, 0.90, 0.00, 0.00),  # see, bed
    "ih":   (0.45, 0.75, 0.00, 0.70, 0.00, 0.00),  # sit, about
    "oh":   (0.70, 0.25, 0.70, 0.20, 0.00, 0.00),  # go, law
    "oo":   (0.45, 0.00, 1.00, 0.10, 0.00, 0.00),  # blue, go, would (w)
    "mbp":  (0.00, 0.30, 0.00, 0.00, 0.00, 0.00),  # lips pressed
    "fv":   (0.12, 0.55, 0.00, 0.80, 0.00, 1.00),  # lower lip under upper teeth
    "th":   (0.28, 0.60, 0.00, 0.75, 1.00, 0.00),  # tongue between the teeth
    "l":    (0.50, 0.55, 0.00, 0.60, 0.80, 0.00),  # tongue tip up (l, n, d, t)
    "ss":   (0.12, 0.80, 0.00, 1.00, 0.00, 0.00),  # s, z: teeth together
    "sh":   (0.25, 0.30, 0.60, 0.90, 0.00, 0.00),  # sh, ch, j: lips pushed forward
    "kg":   (0.40, 0.55, 0.00, 0.50, 0.00, 0.00),  # k, g, ng: back of the tongue
    "r":    (0.30, 0.30, 0.55, 0.40, 0.00, 0.00),
}
VISEME_ALIASES = {
    "sil": "rest", "pau": "rest", "": "rest", "_": "rest",
    "a": "aa", "ah": "aa", "ae": "aa", "aw": "oh", "ay": "aa",
    "e": "ee", "eh": "ih", "ey": "ee", "i": "ee", "iy": "ee", "ix": "ih", "ax": "ih", "er": "ih",
    "o": "oh", "ao": "oh", "ow": "oh", "oy": "oh", "u": "oo", "uw": "oo", "uh": "oo", "w": "oo", "ww": "oo",
    "m": "mbp", "b": "mbp", "p": "mbp", "pp": "mbp", "bmp": "mbp",
    "f": "fv", "v": "fv", "ff": "fv",
    "dh": "th", "tt": "l", "dd": "l", "nn": "l", "n": "l", "d": "l", "t": "l", "td": "l",
    "s": "ss", "z": "ss", "sz": "ss", "ch": "sh", "jh": "sh", "zh": "sh", "chj": "sh", "ssh": "sh",
    "k": "kg", "g": "kg", "ng": "kg", "kk": "kg", "gk": "kg", "rr": "r", "y": "ee",
}
# How strongly a viseme holds its shape against its neighbours (Cohen-Massaro dominance):
# closures and lip-teeth contacts must be reached even in fast speech, vowels blend freely.
REST_WEIGHT = 0.35
DOMINANCE = {"mbp": 3.0, "fv": 2.2, "oo": 1.6, "aa": 1.3, "oh": 1.3, "rest": 0.8, "th": 1.4}


def _voice_openness() -> dict[str, float]:
    try:  # the voice stage owns the viseme vocabulary; use its openness figures when present
        from pipelines.voice.visemes import VISEME_OPENNESS
        return dict(VISEME_OPENNESS)
    except Exception:  # noqa: BLE001 - voice package absent or older: our own table is enough
        return {}


def viseme_shape(label: str) -> np.ndarray:
    key = (label or "rest").lower()
    key = key if key in VISEME_SHAPES else VISEME_ALIASES.get(key, key)
    if key in VISEME_SHAPES:
        return np.array(VISEME_SHAPES[key], dtype=np.float32)
    openness = _voice_openness().get(label, 0.45)
    return np.array((openness, 0.55, 0.0, 0.5, 0.0, 0.0), dtype=np.float32)


def canonical_viseme(label: str) -> str:
    key = (label or "rest").lower()
    key = key if key in VISEME_SHAPES else VISEME_ALIASES.get(key, key)
    return key if key in VISEME_SHAPES else "ih"


def frame_count(duration_s: float, fps: float) -> int:
    return max(1, int(round(duration_s * fps)))


def read_wav_mono(path: Path) -> tuple[np.ndarray, int]:
    """float32 mono samples in -1..1 and the sample rate (PCM 16/24/32-bit or float WAV)."""
    try:
        with wave.open(str(path), "rb") as wav:
            rate, channels, width = wav.getframerate(), wav.getnchannels(), wav.getsampwidth()
            raw = wav.readframes(wav.getnframes())
        if width == 2:
            data = np.frombuffer(raw, "<i2").astype(np.float32) / 32768.0
        elif width == 4:
            data = np.frombuffer(raw, "<i4").astype(np.float32) / 2147483648.0
        elif width == 3:
            b = np.frombuffer(raw, np.uint8).reshape(-1, 3)
            data = ((b[:, 0].astype(np.int32) | (b[:, 1].astype(np.int32) << 8) | (b[:, 2].astype(np.int32) << 16))
                    << 8 >> 8).astype(np.float32) / 8388608.0
        else:
            data = (np.frombuffer(raw, np.uint8).astype(np.float32) - 128) / 128.0
    except wave.Error:  # float WAV: scipy reads it
        from scipy.io import wavfile
        rate, data = wavfile.read(str(path))
        data = np.asarray(data, dtype=np.float32)
        channels = 1 if data.ndim == 1 else data.shape[1]
        return (data if channels == 1 else data.mean(axis=1)).astype(np.float32), int(rate)
    if channels > 1:
        data = data.reshape(-1, channels).mean(axis=1)
    return data, rate


def energy_envelope(samples: np.ndarray, rate: int, n_frames: int, fps: float, window_s: float = 0.04) -> np.ndarray:
    """RMS energy per video frame (centred window), normalised to 0..1 by a robust peak."""
    half = max(1, int(window_s * rate / 2))
    centres = (np.arange(n_frames) / fps * rate).astype(np.int64)
    squared = np.concatenate([[0.0], np.cumsum(samples.astype(np.float64) ** 2)])
    lo = np.clip(centres - half, 0, len(samples))
    hi = np.clip(centres + half, 0, len(samples))
    rms = np.sqrt((squared[hi] - squared[lo]) / np.maximum(hi - lo, 1))
    peak = np.percentile(rms, 95) if rms.size else 0.0
    return np.clip(rms / peak, 0, 1).astype(np.float32) if peak > 1e-6 else np.zeros(n_frames, np.float32)


def mouth_track(voice: VoiceTrack, n_frames: int, fps: float, energy: np.ndarray | None = None) -> np.ndarray:
    """(n_frames, len(MOUTH_PARAMS)) mouth parameters with co-articulation.

    Each phoneme pulls the mouth toward its viseme with a dominance function that peaks at the
    phoneme's centre and decays into its neighbours, so short phonemes blend (no flicker) while
    closures still close. With no phoneme timings (an engine that gives only words), the mouth
    follows the audio energy inside words instead.
    """
    times = (np.arange(n_frames) + 0.5) / fps
    rest = viseme_shape("rest")
    if not voice.phonemes:
        openness = energy if energy is not None else np.zeros(n_frames, np.float32)
        if voice.words:  # keep lips closed between words even when the room tone is not silent
            inside = np.zeros(n_frames, bool)
            for w in voice.words:
                inside |= (times >= w.start - 0.03) & (times <= w.end + 0.03)
            openness = np.where(inside, openness, 0.0)
        aa, ih = viseme_shape("aa"), viseme_shape("ih")
        shape = rest[None] + (ih - rest)[None] * np.clip(openness * 1.6, 0, 1)[:, None]
        shape += (aa - ih)[None] * np.clip(openness * 1.6 - 1, 0, 1)[:, None] * 1.5
        return _smooth(np.clip(shape, 0, 1).astype(np.float32), fps)

    # "rest" holds a constant weight: far from any phoneme (leading/trailing silence, pauses
    # the voice engine left unlabelled) the mouth settles closed instead of echoing a neighbour
    weights_sum = np.full(n_frames, REST_WEIGHT, np.float32)
    acc = rest[None].repeat(n_frames, 0) * REST_WEIGHT
    for ph in voice.phonemes:
        duration = max(ph.end - ph.start, 1.0 / fps)
        centre = (ph.start + ph.end) / 2
        label = canonical_viseme(ph.viseme)
        dominance = DOMINANCE.get(label, 1.0)
        # exponential decay outside the phoneme span, flat inside it
        reach = 0.02 + 0.15 * duration
        distance = np.maximum(np.abs(times - centre) - duration / 2, 0.0)
        w = dominance * np.exp(-distance / reach).astype(np.float32)
        w[distance > 6 * reach] = 0
        acc += w[:, None] * viseme_shape(ph.viseme)[None]
        weights_sum += w
    shape = acc / weights_sum[:, None]
    # lips must visibly meet on m/b/p even when the stop is shorter than a frame: viewers read
    # a missed closure as bad sync, so the frame(s) nearest each closure are pressed shut
    half_frame = 0.5 / fps
    closed = np.zeros(n_frames, bool)
    for ph in voice.phonemes:
        if canonical_viseme(ph.viseme) == "mbp":
            near = (times >= ph.start - half_frame) & (times <= ph.end + half_frame)
            if not near.any():
                near[min(int((ph.start + ph.end) / 2 * fps), n_frames - 1)] = True
            closed |= near
    shape[closed, 0] *= 0.1
    shape[closed, 3] *= 0.2
    if energy is not None:
        # the jaw follows loudness within the viseme's range: syllable nuclei open wider, quiet
        # frames (stop closures, trailing consonants, pauses) close. The vowel's own openness is
        # pulled 30 % toward a common one first: how loud a syllable is shows in the jaw more
        # than which vowel it is. (On one espeak-ng and one hibari line the opening follows the
        # loudness at r 0.70 / 0.72 before rendering; 0.60 / 0.62 with the earlier 0.3 + 0.7 x
        # gain 1.6 and the vowels' openness as is.)
        vowel = shape[:, 0]
        common = 0.24 * np.clip(vowel / 0.15, 0, 1)  # not where the visemes close the lips (rest)
        shape[:, 0] = (0.7 * vowel + common) * (0.1 + 0.9 * np.clip(energy * 1.2, 0, 1))
    shape = _smooth(shape.astype(np.float32), fps)
    shape[closed, 0] = np.minimum(shape[closed, 0], 0.08)  # smoothing must not reopen a closure
    return shape


def _smooth(track: np.ndarray, fps: float, tau_s: float = 0.03) -> np.ndarray:
    """Forward-backward one-pole filter: removes single-frame jitter without lag."""
    alpha = 1 - math.exp(-1 / (fps * tau_s))
    out = track.copy()
    for i in range(1, len(out)):
        out[i] = out[i - 1] + alpha * (out[i] - out[i - 1])
    for i in range(len(out) - 2, -1, -1):
        out[i] = out[i + 1] + alpha * (out[i] - out[i + 1])
    return out


def blink_track(n_frames: int, fps: float, seed: int) -> np.ndarray:
    """Eyelid closure per frame (0 open .. 1 closed): blinks every 2-6 s, ~150 ms each,
    sometimes a double blink, as people do while talking."""
    rng = np.random.default_rng(seed)
    closure = np.zeros(n_frames, np.float32)
    t = rng.uniform(0.6, 2.0)
    duration_s = n_frames / fps
    shape = np.array([0.5, 1.0, 1.0, 0.6, 0.25], np.float32)  # fast close, slower open
    while t < duration_s:
        starts = [t] + ([t + 0.35] if rng.random() < 0.15 else [])
        for s in starts:
            first = int(s * fps)
            for k, v in enumerate(shape):
                if 0 <= first + k < n_frames:
                    closure[first + k] = max(closure[first + k], v)
        t += rng.uniform(2.2, 5.5)
    return closure


@dataclass
class HeadMotion:
    dx: np.ndarray  # head offset in pixels (float)
    dy: np.ndarray
    body_dy: np.ndarray  # shoulders rising with breath
    tilt_deg: np.ndarray


def head_motion(n_frames: int, fps: float, seed: int, energy: np.ndarray | None, scale: float) -> HeadMotion:
    """Slow sway from a few incommensurate sines plus small nods that follow speech energy."""
    rng = np.random.default_rng(seed + 7)
    t = np.arange(n_frames) / fps
    phases = rng.uniform(0, 2 * math.pi, 6)
    dx = 1.6 * np.sin(2 * math.pi * 0.23 * t + phases[0]) + 0.8 * np.sin(2 * math.pi * 0.61 * t + phases[1])
    dy = 0.9 * np.sin(2 * math.pi * 0.31 * t + phases[2]) + 0.5 * np.sin(2 * math.pi * 0.83 * t + phases[3])
    tilt = 0.8 * np.sin(2 * math.pi * 0.17 * t + phases[4])
    if energy is not None and len(energy):
        nod = _smooth(energy[:, None].astype(np.float32), fps, tau_s=0.25)[:, 0]
        dy = dy + 2.2 * nod
    body_dy = 1.2 * np.sin(2 * math.pi * 0.25 * t + phases[5])  # ~15 breaths a minute
    return HeadMotion(dx * scale, dy * scale, body_dy * scale, tilt)
