"""The music bed ducks under the voice and the mix lands on -14 LUFS / <= -1 dBTP."""

from __future__ import annotations

import wave

import numpy as np

from pipelines.render.audio import default_music_bed, measure_loudness, mix_audio, write_wav


def _read(path) -> tuple[np.ndarray, int]:
    import subprocess

    raw = subprocess.run(["ffmpeg", "-loglevel", "error", "-i", str(path), "-f", "f32le", "-ac", "1", "-"],
                         capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype="<f4"), 48000


def _band_level_db(x: np.ndarray, sr: int, exclude: tuple[float, float]) -> float:
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x)))) ** 2
    freqs = np.fft.rfftfreq(len(x), 1 / sr)
    keep = (freqs > 60) & ((freqs < exclude[0]) | (freqs > exclude[1]))
    return 10 * np.log10(spec[keep].sum() + 1e-12)


def test_bed_ducks_under_speech_and_mix_is_normalised(tmp_path, monkeypatch):
    monkeypatch.setenv("ADGEN_CACHE_DIR", str(tmp_path / "cache"))
    sr = 48000
    t = np.arange(int(sr * 2.5)) / sr
    voice = np.concatenate([0.3 * np.sin(2 * np.pi * 1000 * t), np.zeros(int(sr * 2.5))])
    write_wav(tmp_path / "voice.wav", voice)
    mixed = mix_audio(tmp_path / "voice.wav", 5.0, 2.5, None)
    with wave.open(str(default_music_bed())) as fh:
        assert fh.getframerate() == 48000 and fh.getnframes() / 48000 > 30  # a real, loopable bed

    loud = measure_loudness(mixed)
    assert abs(loud.integrated_lufs + 14) <= 0.5 and loud.true_peak_dbtp <= -1.0
    x, sr = _read(mixed)
    assert abs(len(x) / sr - 5.0) < 0.01
    # the music under the voice (everything but the 1 kHz tone) vs the music alone afterwards
    under = _band_level_db(x[int(0.8 * sr):int(2.2 * sr)], sr, (900, 1100))
    alone = _band_level_db(x[int(3.2 * sr):int(4.6 * sr)], sr, (900, 1100))
    assert alone - under >= 6, (alone, under)
    assert mix_audio(tmp_path / "voice.wav", 5.0, 2.5, None) == mixed  # cached: made once per variant
