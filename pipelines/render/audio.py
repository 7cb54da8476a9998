"""The ad's sound: voice over a music bed that ducks under speech, at -14 LUFS / -1 dBTP.

The mix is the same for every aspect of a variant, so it is made once (cached by its inputs)
and each aspect's ffmpeg process only encodes it to AAC. Loudness is set by measuring with
ffmpeg's ebur128 (the same meter the checks use), applying the gain and a look-ahead limiter,
and measuring again to correct what the limiter took away.

A brand intro/outro clip brings its own sound (a sting, a jingle) or none. The music bed does not
run under them: a sting is mixed to stand alone, and a second track under it would clash with
it. So the soundtrack is: the intro's audio (or silence), then voice + bed for the ad body and
end card (the bed fades in after the intro and out before the outro), then the outro's audio.
Each sting is levelled to the ad's loudness before the whole is normalised, so a hot jingle does
not push the voice down, nor a quiet one vanish.
"""

from __future__ import annotations

import fcntl
import hashlib
import math
import os
import re
import tempfile
import time
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipelines.errors import Cancelled, PipelineError, RenderError
from pipelines.media import run_ffmpeg

SAMPLE_RATE = 48000
TARGET_LUFS = -14.0
TRUE_PEAK_CEILING = -1.5  # dBTP; 0.5 dB below the -1 dBTP spec leaves room for AAC overshoot
BED_VERSION = "1"


def cache_dir() -> Path:
    root = Path(os.environ.get("ADGEN_CACHE_DIR") or Path.home() / ".cache" / "adgen")
    path = root / "render"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _atomic_write(path: Path, write) -> Path:
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=path.suffix)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


# --------------------------------------------------------------------------- music bed


def _bed_samples(seconds_per_bar: float = 2.4, bars: int = 16) -> np.ndarray:
    """A calm royalty-free bed: I-V-vi-IV pad with a bass note, soft kick and hats."""
    sr = SAMPLE_RATE
    bar = int(seconds_per_bar * sr)
    n = bar * bars
    t = np.arange(n) / sr
    out = np.zeros((n, 2), dtype=np.float64)
    # C major: C-G-Am-F, voiced around middle C
    chords = [(60, 64, 67, 72), (59, 62, 67, 74), (57, 60, 64, 69), (57, 60, 65, 72)]
    roots = [48, 43, 45, 41]
    rng = np.random.default_rng(7)
    for b in range(bars):
        idx = (b // 2) % 4
        seg = slice(b * bar, (b + 1) * bar)
        tt = t[seg] - t[b * bar]
        env = np.minimum(1, tt / 0.4) * np.minimum(1, (seconds_per_bar - tt) / 0.3 + 0.2)
        for k, note in enumerate(chords[idx]):
            f = 440 * 2 ** ((note - 69) / 12)
            for detune, side in ((-0.15, 0), (0.15, 1)):
                ff = f * 2 ** (detune / 12 / 10)
                # soft saw: a few harmonics, rolled off
                wave_ = sum(np.sin(2 * np.pi * ff * h * tt + k) / h ** 1.6 for h in (1, 2, 3, 4))
                out[seg, side] += 0.05 * env * wave_
        fr = 440 * 2 ** ((roots[idx] - 69) / 12)
        out[seg, :] += (0.12 * env * np.sin(2 * np.pi * fr * tt))[:, None]
        beat = bar // 4
        for q in range(4):
            start = b * bar + q * beat
            kt = np.arange(min(beat, int(0.25 * sr))) / sr
            kick = np.sin(2 * np.pi * (50 + 60 * np.exp(-kt * 30)) * kt) * np.exp(-kt * 14)
            out[start:start + len(kt), :] += 0.22 * kick[:, None]
            hs = start + beat // 2
            ht = np.arange(int(0.05 * sr)) / sr
            hat = rng.standard_normal(len(ht)) * np.exp(-ht * 90)
            hat = np.diff(hat, prepend=0)  # crude high-pass
            out[hs:hs + len(ht), 0] += 0.03 * hat
            out[hs:hs + len(ht), 1] += 0.025 * hat
    out /= np.max(np.abs(out)) / 0.7
    return out.astype(np.float32)


def write_wav(path: Path, samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> None:
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as fh:
        fh.setnchannels(1 if pcm.ndim == 1 else pcm.shape[1])
        fh.setsampwidth(2)
        fh.setframerate(sample_rate)
        fh.writeframes(pcm.tobytes())


def default_music_bed() -> Path:
    """adgen's own bed, synthesised once and cached (about 38 s, loops seamlessly)."""
    path = cache_dir() / f"music-bed-v{BED_VERSION}.wav"
    if not path.is_file():
        _atomic_write(path, lambda tmp: write_wav(tmp, _bed_samples()))
    return path


# --------------------------------------------------------------------------- loudness


@dataclass
class Loudness:
    integrated_lufs: float
    true_peak_dbtp: float


def _parse_summary(stderr: str, what) -> Loudness:
    summary = stderr[stderr.rfind("Summary:"):]
    i = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    p = re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    if not i or not p:
        raise RenderError(f"could not measure the loudness of {what}: {stderr[-300:]}", code="audio_failed")
    return Loudness(float(i.group(1)), float(p.group(1)))


def _run_measured(args: list, what, is_cancelled=None) -> Loudness:
    """Run ffmpeg whose filter chain ends in ebur128 and return what it measured."""
    try:
        printed = run_ffmpeg(args, is_cancelled=is_cancelled, loglevel="info", stage="render")
    except Cancelled:
        raise
    except PipelineError as exc:
        raise RenderError(f"audio mix failed: {exc.message}", code="audio_failed") from exc
    return _parse_summary(printed, what)


def measure_loudness(path: Path) -> Loudness:
    return _run_measured(["-i", path, "-map", "a:0", "-af", "ebur128=peak=true", "-f", "null", "-"], path)


def _db(x: float) -> float:
    return 10 ** (x / 20)


@dataclass(frozen=True)
class BrandSound:
    """The sound of a brand intro/outro clip: its file (None: the clip is silent) and how long it plays."""

    path: Path | None
    duration_s: float

    def key(self) -> tuple:
        st = self.path.stat() if self.path else None
        return (str(self.path), st and st.st_size, st and st.st_mtime_ns, round(self.duration_s, 4))


def mix_audio(voice: Path, duration_s: float, voice_end_s: float, music: Path | None, *,
              music_gain_db: float = -14.0, intro: BrandSound | None = None, outro: BrandSound | None = None,
              is_cancelled=None) -> Path:
    """Voice + ducked music bed, normalised; returns a cached 48 kHz stereo WAV of duration_s.

    With an intro/outro the WAV is intro + ad + outro (duration_s counts all of it) and the voice
    starts when the intro ends."""
    music = Path(music) if music else default_music_bed()
    st_v, st_m = voice.stat(), music.stat()
    stings = (intro and intro.key(), outro and outro.key()) if (intro or outro) else ()
    key = hashlib.sha256(repr((BED_VERSION, str(voice), st_v.st_size, st_v.st_mtime_ns, str(music),
                               st_m.st_size, round(duration_s, 3), round(voice_end_s, 3),
                               music_gain_db, TARGET_LUFS, TRUE_PEAK_CEILING, *stings)).encode()).hexdigest()[:24]
    final = cache_dir() / f"mix-{key}.wav"
    if final.is_file():
        return final
    # aspects of one variant render in parallel: the first makes the mix, the others wait for it
    with open(cache_dir() / f"mix-{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if final.is_file():
            return final
        _make_mix(voice, music, final, duration_s, music_gain_db, is_cancelled, intro=intro, outro=outro)
    _prune_mixes(keep=final)
    return final


def _prune_mixes(keep: Path, max_age_s: float = 86400) -> None:
    """Mixes only need to outlive one job's aspects; drop day-old ones so the cache stays small."""
    now = time.time()
    for path in cache_dir().glob("mix-*"):
        try:
            if path != keep and now - path.stat().st_mtime > max_age_s:
                path.unlink()
        except OSError:
            pass


def _sting_chain(index: int, sting: BrandSound, gain_db: float, label: str) -> str:
    """An intro/outro's audio as exactly its playing length at 48 kHz stereo (silence when it has none)."""
    n = round(sting.duration_s * SAMPLE_RATE)
    fmt = f"aresample={SAMPLE_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo"
    if sting.path is None:
        return f"anullsrc=r={SAMPLE_RATE}:cl=stereo,atrim=end_sample={n},{fmt}[{label}]"
    # short fades at both ends: a clip cut at BRAND_CLIP_MAX_S would otherwise click at the join
    edge = min(0.02, sting.duration_s / 4)
    return (f"[{index}:a]{fmt},apad=whole_len={n},atrim=end_sample={n},asetpts=N/SR/TB,volume={gain_db:.2f}dB,"
            f"afade=t=in:d={edge:.3f},afade=t=out:st={sting.duration_s - edge:.4f}:d={edge:.3f}[{label}]")


def _sting_gain(sting: BrandSound | None, ad_lufs: float, is_cancelled) -> float:
    """dB that bring a sting to the ad's loudness (bounded: a near-silent clip is not blown up)."""
    if sting is None or sting.path is None:
        return 0.0
    measured = _run_measured(["-t", f"{sting.duration_s:.4f}", "-i", sting.path, "-map", "a:0",
                              "-af", "ebur128=peak=true", "-f", "null", "-"], sting.path, is_cancelled)
    if not math.isfinite(measured.integrated_lufs) or measured.integrated_lufs <= -60:
        return 0.0
    return max(-20.0, min(10.0, ad_lufs - measured.integrated_lufs))


def _make_mix(voice: Path, music: Path, final: Path, duration_s: float, music_gain_db: float,
              is_cancelled, *, intro: BrandSound | None = None, outro: BrandSound | None = None) -> None:
    intro = intro if intro and intro.duration_s > 0 else None
    outro = outro if outro and outro.duration_s > 0 else None
    tmpdir = Path(tempfile.mkdtemp(dir=cache_dir(), prefix="mix-"))
    try:
        raw = tmpdir / "raw.wav"
        whole_s = duration_s
        # the voice + bed part: the ad body and end card, between the stings
        duration_s = whole_s - (intro.duration_s if intro else 0.0) - (outro.duration_s if outro else 0.0)
        d = f"{duration_s:.4f}"
        fade_out_start = max(0.0, duration_s - 1.2)
        graph = (
            f"[0:a]aresample={SAMPLE_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo,"
            f"apad=whole_dur={d},atrim=0:{d},asplit=2[voice][key];"
            f"[1:a]aresample={SAMPLE_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo,atrim=0:{d},"
            f"volume={music_gain_db}dB,afade=t=in:d=0.4,afade=t=out:st={fade_out_start:.3f}:d=1.2[bed];"
            # duck the bed ~10 dB while the voice speaks, release slowly so it breathes between lines
            f"[bed][key]sidechaincompress=threshold=0.02:ratio=8:attack=15:release=400:makeup=1[ducked];"
            f"[voice][ducked]amix=inputs=2:normalize=0:duration=first,ebur128=peak=true[out]"
        )
        # mixing and measuring in one pass; then gain + limiter + measuring in one pass
        measured = _run_measured(["-i", voice, "-stream_loop", "-1", "-i", music, "-filter_complex", graph,
                                  "-map", "[out]", "-c:a", "pcm_f32le", "-t", d, raw], voice, is_cancelled)
        if intro or outro:
            ad = tmpdir / "ad.wav"
            os.replace(raw, ad)
            measured = _join_stings(ad, raw, whole_s, measured.integrated_lufs, intro, outro, is_cancelled)
        gain = TARGET_LUFS - measured.integrated_lufs
        limit = _db(TRUE_PEAK_CEILING - 0.5)  # sample-peak limit at 4x rate ~ a true-peak limit
        out = tmpdir / "out.wav"
        for _ in range(3):
            got = _run_measured(["-i", raw, "-af",
                                 f"volume={gain:.3f}dB,aresample={SAMPLE_RATE * 4},"
                                 f"alimiter=limit={limit:.4f}:attack=3:release=60:level=false:latency=true,"
                                 f"aresample={SAMPLE_RATE},ebur128=peak=true",
                                 "-c:a", "pcm_f32le", out], voice, is_cancelled)
            off_loudness = TARGET_LUFS - got.integrated_lufs
            over_peak = got.true_peak_dbtp - TRUE_PEAK_CEILING
            if abs(off_loudness) <= 0.3 and over_peak <= 0:
                break
            gain += off_loudness
            if over_peak > 0:
                limit = max(0.0625, limit / _db(over_peak + 0.1))
        os.replace(out, final)
    finally:
        for f in tmpdir.glob("*"):
            f.unlink()
        tmpdir.rmdir()


def _join_stings(ad: Path, out: Path, whole_s: float, ad_lufs: float, intro: BrandSound | None,
                 outro: BrandSound | None, is_cancelled) -> Loudness:
    """intro + ad + outro in one file, each sting levelled to the ad; measured like the plain mix."""
    inputs: list = ["-i", ad]
    chains, n_inputs = [], 1
    for name, sting in (("intro", intro), ("outro", outro)):
        if sting is None:
            continue
        if sting.path is not None:
            inputs += ["-t", f"{sting.duration_s + 0.1:.4f}", "-i", sting.path]
            n_inputs += 1
        chains.append(_sting_chain(n_inputs - 1, sting, _sting_gain(sting, ad_lufs, is_cancelled), name))
    order = (["intro"] if intro else []) + ["ad"] + (["outro"] if outro else [])
    graph = ";".join(chains + [
        "[0:a]aformat=sample_fmts=fltp:channel_layouts=stereo[ad]",
        "".join(f"[{p}]" for p in order) + f"concat=n={len(order)}:v=0:a=1,ebur128=peak=true[out]",
    ])
    return _run_measured([*inputs, "-filter_complex", graph, "-map", "[out]", "-c:a", "pcm_f32le",
                          "-t", f"{whole_s:.4f}", out], ad, is_cancelled)


def gain_db_to_linear(db: float) -> float:
    return math.pow(10, db / 20)
