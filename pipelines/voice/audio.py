"""Audio finishing shared by every engine: trim, resample, loudness-normalise, write."""

from __future__ import annotations

import json
import re
import subprocess
import wave
from math import gcd
from pathlib import Path

import numpy as np
from scipy.signal import resample_poly

from pipelines.errors import VoiceError
from pipelines.media import FFMPEG

OUTPUT_RATE = 48000


def voiced_bounds(samples: np.ndarray, sample_rate: int, threshold_db: float = -45.0,
                  frame_s: float = 0.01) -> tuple[int, int]:
    """First and last sample of the voiced part: 10 ms frames whose RMS is within
    `threshold_db` of the loudest frame. (0, 0) for silence."""
    frame = max(1, int(sample_rate * frame_s))
    n = len(samples) // frame
    if n == 0:
        return 0, 0
    rms = np.sqrt(np.mean(samples[: n * frame].reshape(n, frame).astype(np.float64) ** 2, axis=1) + 1e-20)
    loud = rms >= rms.max() * 10 ** (threshold_db / 20)
    if rms.max() < 1e-5 or not loud.any():
        return 0, 0
    idx = np.flatnonzero(loud)
    return int(idx[0] * frame), int(min(len(samples), (idx[-1] + 1) * frame))


def resample(samples: np.ndarray, rate_in: int, rate_out: int = OUTPUT_RATE) -> np.ndarray:
    if rate_in == rate_out:
        return samples.astype(np.float32)
    g = gcd(rate_in, rate_out)
    return resample_poly(samples.astype(np.float64), rate_out // g, rate_in // g).astype(np.float32)


def write_wav(path: Path, samples: np.ndarray, sample_rate: int = OUTPUT_RATE) -> None:
    pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).round().astype("<i2")
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(pcm.tobytes())


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as wav:
        rate, width, channels = wav.getframerate(), wav.getsampwidth(), wav.getnchannels()
        data = wav.readframes(wav.getnframes())
    if width != 2:
        raise VoiceError(f"Expected 16-bit PCM in {path.name}", code="bad_audio", stage="voice")
    samples = np.frombuffer(data, "<i2").astype(np.float32) / 32768.0
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1)
    return samples, rate


def _ffmpeg_stderr(args: list[str]) -> str:
    proc = subprocess.run([FFMPEG, "-hide_banner", "-nostdin", "-nostats", *args],
                          capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        tail = " | ".join(proc.stderr.strip().splitlines()[-3:])
        raise VoiceError(f"ffmpeg failed while finishing the voice: {tail}", code="ffmpeg_failed", stage="voice")
    return proc.stderr


def measure_loudness(path: Path) -> dict[str, float]:
    """EBU R128 figures of a file via ffmpeg's ebur128 filter: integrated LUFS, LRA, true peak."""
    err = _ffmpeg_stderr(["-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"])
    summary = err[err.rfind("Summary:"):]
    figures = {}
    for key, name in (("I", "integrated"), ("LRA", "lra"), ("Peak", "true_peak")):
        m = re.search(rf"\b{key}:\s+(-?[\d.]+|-inf)", summary)
        figures[name] = float(m.group(1)) if m and m.group(1) != "-inf" else float("-inf")
    return figures


def normalize_loudness(src: Path, dst: Path, target_lufs: float = -16.0, true_peak: float = -1.5) -> float:
    """Two-pass ffmpeg loudnorm to `target_lufs` integrated, 48 kHz mono 16-bit; returns the
    integrated loudness measured on the result."""
    first = _ffmpeg_stderr(["-i", str(src), "-af",
                            f"loudnorm=I={target_lufs}:TP={true_peak}:LRA=20:print_format=json", "-f", "null", "-"])
    m = re.search(r"\{[^{}]*\"input_i\"[^{}]*\}", first)
    if not m:
        raise VoiceError("Could not measure the voice loudness.", code="loudness_failed", stage="voice")
    stats = json.loads(m.group(0))
    if stats["input_i"] in ("-inf", "inf"):
        raise VoiceError("The synthesized voice is silent.", code="silent_audio", stage="voice")
    af = (f"loudnorm=I={target_lufs}:TP={true_peak}:LRA=20:linear=true"
          f":measured_I={stats['input_i']}:measured_TP={stats['input_tp']}"
          f":measured_LRA={stats['input_lra']}:measured_thresh={stats['input_thresh']}"
          f":offset={stats['target_offset']}")
    out_args = ["-ar", str(OUTPUT_RATE), "-ac", "1", "-c:a", "pcm_s16le", str(dst)]
    try:
        _ffmpeg_stderr(["-y", "-loglevel", "error", "-i", str(src), "-af", af, *out_args])
        measured = measure_loudness(dst)["integrated"]
    except VoiceError:
        measured = float("-inf")
    if abs(measured - target_lufs) > 1.0:
        # loudnorm misjudges some short clips (its first pass asks for a ~40 dB offset; the second
        # then fails with "Numerical result out of range" or lands near -57 LUFS): a plain gain
        # under a true-peak limiter does the same job for one voice stem
        gain = target_lufs - float(stats["input_i"])
        limit = 10 ** (true_peak / 20)
        _ffmpeg_stderr(["-y", "-loglevel", "error", "-i", str(src), "-af",
                        f"volume={gain:.2f}dB,alimiter=limit={limit:.4f}:level=false", *out_args])
        measured = measure_loudness(dst)["integrated"]
    if abs(measured - target_lufs) > 0.5:
        # loudnorm's dynamic mode lands near the target; one linear trim makes it exact
        samples, rate = read_wav(dst)
        gain = 10 ** ((target_lufs - measured) / 20)
        peak = float(np.max(np.abs(samples))) if len(samples) else 0.0
        if peak * gain < 0.99:
            write_wav(dst, samples * gain, rate)
            measured = measure_loudness(dst)["integrated"]
    return measured
