"""Presenter benchmark: seconds of presenter video made per wall second, per engine.

Offline engines (default): `puppet` and `photo` (the demo store's astronaut portrait, NASA) render a
speech-like voice track (syllable bursts with viseme timings, 48 kHz) at 1080 px height
(864x1080), 30 fps, in this process. Each engine runs once cold (empty sprite / face cache:
drawing the look or finding the face included) and then twice warm (what every further
variant and aspect of a job costs); the realtime figure is the warm median. As a baseline in
the same run, `floor` is a bare encode of the same number of frames (one static frame piped to
the same x264 settings + AAC): what the encoder alone needs.
The last line is exactly `puppet_realtime=<x> photo_realtime=<y>`.

    .venv/bin/python bench/avatar.py [--seconds 12]

Neural engine on a GPU worker (random weights at the real model size: sd-vae-ft-mse VAE,
MuseTalk-size UNet, whisper-tiny encoder), reporting frames per second and peak GPU memory:

    .venv/bin/python bench/avatar.py --engine lipsync --device cuda [--seconds 10] [--batch 16]
    .venv/bin/python bench/avatar.py --engine lipsync --device cpu --size tiny   # smoke run

Figures measured (keep them here):
  2026-11-22, 2-core dev box shared with other jobs (load average 26), --seconds 12:
    floor   4.68 s  x2.56
    puppet  cold 7.76 s (x1.55)  warm 3.87 s (x3.10)  engine/floor 0.83
    photo   cold 5.02 s (x2.39)  warm 4.81 s (x2.49)  engine/floor 1.03
    puppet_realtime=3.10 photo_realtime=2.49
  same box a few minutes later (load average 19): floor x8.42, puppet warm x4.23 (cold x2.30),
  photo warm x4.37 (cold x2.78): puppet_realtime=4.23 photo_realtime=4.37
  2026-12-06, same box (load average 23-27; other helpers' jobs), photo = MediaPipe face mesh +
  mesh-warped mouth (issue 19), two runs:
    floor x0.98 | puppet cold x0.34 warm x1.72 | photo cold x0.28 warm x1.32
    floor x1.77 | puppet cold x0.56 warm x1.96 | photo cold x0.32 warm x1.16
    puppet_realtime=1.72 photo_realtime=1.32 / puppet_realtime=1.96 photo_realtime=1.16
  (photo cold: face mesh, segmentation, backdrop, then each mouth/eye pose's warp once, ~0.1-0.4
  CPU-s per pose at 864x1080; warm runs reuse the rig.)
  lipsync --device cpu --size tiny --seconds 2 --height 540: 1.70 fps (smoke run only).
  lipsync --device cuda (full size): not yet measured, no CUDA machine was available.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipelines.avatar import render_presenter  # noqa: E402
from pipelines.avatar.output import ClipSpec, FrameWriter  # noqa: E402
from pipelines.product import PhonemeTiming, VoiceTrack, WordTiming  # noqa: E402


def speech_like_voice(directory: Path, seconds: float, rate: int = 48000, seed: int = 1) -> VoiceTrack:
    """Syllables (consonant + voiced vowel with harmonics) in words with pauses, and their visemes."""
    rng = np.random.default_rng(seed)
    audio = np.zeros(int(seconds * rate), np.float32)
    phonemes, words = [], []
    t = 0.15
    while t < seconds - 0.6:
        start = t
        for _ in range(int(rng.integers(1, 4))):
            consonant = str(rng.choice(["mbp", "fv", "l", "ss", "th", "kg", "sh", "r"]))
            cd = float(rng.uniform(0.05, 0.09))
            phonemes.append(PhonemeTiming(phoneme=consonant, viseme=consonant, start=t, end=t + cd))
            t += cd
            vowel = str(rng.choice(["aa", "ee", "ih", "oh", "oo"]))
            vd = float(rng.uniform(0.1, 0.22))
            phonemes.append(PhonemeTiming(phoneme=vowel, viseme=vowel, start=t, end=t + vd))
            i0, i1 = int(t * rate), int((t + vd) * rate)
            tt = np.arange(i1 - i0) / rate
            f0 = rng.uniform(110, 220)
            env = np.sin(np.pi * np.arange(i1 - i0) / max(i1 - i0, 1)) ** 0.5
            audio[i0:i1] += (0.5 * np.sin(2 * np.pi * f0 * tt) + 0.2 * np.sin(4 * np.pi * f0 * tt)) * env
            t += vd
        words.append(WordTiming(word="la", start=start, end=t))
        t += float(rng.uniform(0.1, 0.3))
    with wave.open(str(directory / "voice.wav"), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())
    return VoiceTrack(audio="voice.wav", duration_s=seconds, words=words, phonemes=phonemes, engine="bench")


def encode_floor(voice: VoiceTrack, voice_dir: Path, out: Path, width: int, height: int, fps: float) -> float:
    n = round(voice.duration_s * fps)
    frame = np.full((height, width, 3), 128, np.uint8)
    frame[: height // 2] = 90
    started = time.perf_counter()
    with FrameWriter(out, ClipSpec(width, height, fps, n, voice_dir / voice.audio, voice.duration_s)) as writer:
        for _ in range(n):
            writer.write(frame)
    return time.perf_counter() - started


def offline(args) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        voice_dir = tmp / "voice"
        voice_dir.mkdir()
        voice = speech_like_voice(voice_dir, args.seconds)
        width, height, fps = round(args.height * 4 / 5) // 2 * 2, args.height, 30.0
        floor = encode_floor(voice, voice_dir, tmp / "floor.mp4", width, height, fps)
        print(f"clip {width}x{height} @ {fps:g} fps, {voice.duration_s:.1f} s of speech; load average "
              f"{open('/proc/loadavg').read().split()[0] if Path('/proc/loadavg').exists() else '?'}")
        print(f"floor   (bare x264 encode of the frames): {floor:6.2f} s  realtime x{voice.duration_s / floor:.2f}")
        results = {}
        for engine in ("puppet", "photo"):
            settings = {"height": height, "brand_color": "#ff3d57", "cache_dir": str(tmp / f"cache-{engine}")}
            times = []
            for run in range(3):
                out = tmp / f"{engine}-{run}"
                started = time.perf_counter()
                clip = render_presenter(voice, voice_dir, out, engine=engine, settings=settings)
                times.append(time.perf_counter() - started)
                assert (clip.width, clip.height) == (width, height)
            warm = statistics.median(times[1:])
            results[engine] = voice.duration_s / warm
            print(f"{engine:7s} cold {times[0]:6.2f} s (x{voice.duration_s / times[0]:.2f})  warm {warm:6.2f} s "
                  f"(x{results[engine]:.2f})  engine/floor = {warm / floor:.2f}")
        print(f"puppet_realtime={results['puppet']:.2f} photo_realtime={results['photo']:.2f}")


def lipsync(args) -> None:
    import torch

    from pipelines.avatar.lipsync import load_models, save_random_models

    device = torch.device(args.device)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        voice_dir = tmp / "voice"
        voice_dir.mkdir()
        voice = speech_like_voice(voice_dir, args.seconds)
        started = time.perf_counter()
        model_dir = save_random_models(tmp / "model", args.size)
        params = 0
        models = load_models(str(model_dir), str(device))
        for module in (models.vae, models.unet, models.encoder):
            params += sum(p.numel() for p in module.parameters())
        print(f"lipsync {args.size}: {params / 1e6:.1f} M parameters, {models.dtype}, face {models.face_size} px, "
              f"built+loaded in {time.perf_counter() - started:.1f} s on {device}")
        if device.type == "cuda":
            torch.cuda.reset_peak_memory_stats(device)
        settings = {"model_dir": str(model_dir), "device": str(device), "height": args.height,
                    "batch_size": args.batch, "cache_dir": str(tmp / "cache")}
        started = time.perf_counter()
        clip = render_presenter(voice, voice_dir, tmp / "out", engine="lipsync", settings=settings)
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        elapsed = time.perf_counter() - started
        frames = round(clip.duration_s * clip.fps)
        peak = torch.cuda.max_memory_allocated(device) / 2**30 if device.type == "cuda" else float("nan")
        print(f"{frames} frames {clip.width}x{clip.height} in {elapsed:.1f} s")
        print(f"lipsync_fps={frames / elapsed:.2f} realtime={clip.duration_s / elapsed:.2f} peak_gpu_gib={peak:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=["offline", "lipsync"], default="offline")
    parser.add_argument("--seconds", type=float, default=12.0)
    parser.add_argument("--height", type=int, default=1080)
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--size", choices=["full", "tiny"], default="full")
    parser.add_argument("--batch", type=int, default=16)
    args = parser.parse_args()
    if args.engine == "lipsync":
        lipsync(args)
    else:
        offline(args)


if __name__ == "__main__":
    main()
