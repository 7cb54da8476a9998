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


def test_intro_and_outro_sound_frame_the_mix(tmp_path, monkeypatch):
    """A hot intro jingle is levelled to the ad, the bed stays out of the stings, a silent outro is
    silence, and the whole still lands on -14 LUFS / <= -1 dBTP."""
    from pipelines.render.audio import BrandSound

    monkeypatch.setenv("ADGEN_CACHE_DIR", str(tmp_path / "cache"))
    sr = 48000
    t = np.arange(int(sr * 2.5)) / sr
    write_wav(tmp_path / "voice.wav", np.concatenate([0.3 * np.sin(2 * np.pi * 1000 * t), np.zeros(int(sr * 2.5))]))
    tj = np.arange(int(sr * 2.0)) / sr
    write_wav(tmp_path / "jingle.wav", 0.95 * np.sin(2 * np.pi * 440 * tj))  # ~ -4 LUFS: far too hot
    intro, outro = BrandSound(tmp_path / "jingle.wav", 1.5), BrandSound(None, 1.0)  # the jingle is cut at 1.5 s
    mixed = mix_audio(tmp_path / "voice.wav", 7.5, 2.5, None, intro=intro, outro=outro)

    loud = measure_loudness(mixed)
    assert abs(loud.integrated_lufs + 14) <= 0.5 and loud.true_peak_dbtp <= -1.0
    x, sr = _read(mixed)
    assert abs(len(x) / sr - 7.5) < 0.01
    rms_db = lambda a: 20 * np.log10(np.sqrt(np.mean(a ** 2)) + 1e-12)  # noqa: E731
    jingle, voice = x[int(0.2 * sr):int(1.3 * sr)], x[int(2.0 * sr):int(3.5 * sr)]
    assert abs(rms_db(jingle) - rms_db(voice)) < 3  # levelled to the ad, not 10 dB over it
    assert _band_level_db(jingle, sr, (380, 500)) < _band_level_db(x[int(5.0 * sr):int(6.0 * sr)], sr, (900, 1100)) - 20
    assert np.abs(x[int(6.55 * sr):]).max() < 1e-3  # the silent outro: no bed, no tail
    assert mix_audio(tmp_path / "voice.wav", 7.5, 2.5, None, intro=intro, outro=outro) == mixed
    assert mix_audio(tmp_path / "voice.wav", 7.5, 2.5, None) != mixed  # the stings are part of the cache key
