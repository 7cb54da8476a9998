"""Render benchmark: one 20 s timeline in all 4 aspects, three ways, in one run.

  ours     pipelines.render.render (one ffmpeg process + filtergraph per aspect)
  floor    a bare ffmpeg encode of the same number of frames at the same size from a trivial
           source (testsrc2), with the renderer's own output options (x264 preset and settings,
           AAC coder) and the same mixed audio: what the encoder alone needs
  moviepy  a plain moviepy composition of the same elements (presenter/b-roll cuts, captions per
           caption chunk, logo bug, end card, the same mixed audio), the way the open-source
           ad generators do it, written with the same codec, preset and x264 settings

Inputs are made first (espeak-ng voice, a drawn 1080x1350 presenter, product shots per aspect)
and are not timed. Each way renders the 4 aspects the way a batch does: in parallel, one
process per core (--workers), and is timed from the first start to the last finish. Ours and the
floor run in alternating pairs (--rounds) and ours/floor is the median of the pairs' ratios;
moviepy runs once, against the median of ours (it is minutes, and far from its target). (One
render alone cannot fill 2 cores: ffmpeg 5.1 runs the whole filtergraph on one thread and
x264 at this preset keeps ~1.5 cores busy, so a lone render measures that, not the work.)
The last line is exactly `ours/floor=<x> moviepy/ours=<y>`.

    .venv/bin/python bench/render.py [--seconds 20] [--preset ultrafast|medium] [--aspects 9:16,1:1,4:5,16:9]
                                     [--workers N] [--rounds 3] [--skip-moviepy]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipelines.media import media_info, run_ffmpeg  # noqa: E402
from pipelines.product import ASPECTS  # noqa: E402
from pipelines.render import RenderOptions, build_timeline, render  # noqa: E402
from pipelines.render.audio import mix_audio  # noqa: E402
from pipelines.render.captions import CaptionLayout  # noqa: E402
from pipelines.render.compose import FINAL_CRF, FINAL_PRESET, audio_args, cover_crop  # noqa: E402
from pipelines.render.encoders import encoder_args  # noqa: E402
from pipelines.render.fonts import pick_font  # noqa: E402
from pipelines.render.platforms import platform_preset  # noqa: E402
from pipelines.render.sample import (sample_broll, sample_presenter, sample_product, sample_script,  # noqa: E402
                                     sample_voice)


def make_inputs(root: Path, seconds: float, aspects: list[str]):
    script = sample_script(target_s=seconds)
    voice = sample_voice(script, root / "voice", target_s=seconds - 2.5)
    presenter = sample_presenter(root, voice.duration_s, (1080, 1350))
    timelines = {}
    for aspect in aspects:
        w, h = ASPECTS[aspect]
        broll = {i: sample_broll(root, i, b - a + 0.5, w, h)
                 for i, (scene, (a, b)) in enumerate(zip(script.scenes, voice.scene_spans)) if scene.visual != "avatar"}
        timelines[aspect] = build_timeline(sample_product(), script, voice, root / "voice", presenter, root, broll,
                                           {"name": "Orbit"})
    return timelines


def run_ours(timeline, aspect, out: Path, preset: str) -> float:
    started = time.perf_counter()
    render(timeline, aspect, out, RenderOptions(preset=preset, encoder="libx264"))
    return time.perf_counter() - started


def run_floor(timeline, aspect, out: Path, preset: str, audio: Path) -> float:
    w, h = ASPECTS[aspect]
    frames = round(timeline.duration_s * 30)
    # the renderer's own output options (encoder settings and AAC coder), so only the source differs
    venc = encoder_args("libx264", preset=preset, crf=FINAL_CRF, maxrate_k=platform_preset(None).video_bitrate_k,
                        fps=30)
    started = time.perf_counter()
    run_ffmpeg(["-f", "lavfi", "-i", f"testsrc2=s={w}x{h}:r=30", "-i", audio, "-frames:v", str(frames),
                *venc, *audio_args(preview=False), "-shortest", "-movflags", "+faststart", out / "floor.mp4"])
    return time.perf_counter() - started


def x264_settings(preset: str) -> list[str]:
    """The `-x264-params` the renderer adds to this preset, if any."""
    args = encoder_args("libx264", preset=preset, crf=FINAL_CRF, maxrate_k=8000, fps=30)
    return args[args.index("-x264-params"):][:2] if "-x264-params" in args else []


def run_moviepy(timeline, aspect, out: Path, preset: str, audio: Path, end_card: Path, bug: Path | None) -> float:
    from moviepy import (AudioFileClip, CompositeVideoClip, ImageClip, TextClip, VideoFileClip,
                         concatenate_videoclips)

    w, h = ASPECTS[aspect]
    started = time.perf_counter()
    pres = timeline.presenter
    parts = []
    for seg in timeline.segments:
        d = seg.end - seg.start
        if seg.kind == "end_card":
            parts.append(ImageClip(str(end_card)).with_duration(d))
        elif seg.kind == "avatar":
            x, y, cw, ch = cover_crop(pres.width, pres.height, w, h, pres.face_box, focus_y=0.42)
            clip = VideoFileClip(timeline.presenter_path).subclipped(seg.start, min(seg.end, pres.duration_s - 0.05))
            parts.append(clip.cropped(x1=x, y1=y, width=cw, height=ch).resized((w, h)).with_duration(d))
        else:
            clip = VideoFileClip(seg.source)
            parts.append(clip.subclipped(0, min(d, clip.duration - 0.05)).resized((w, h)).with_duration(d))
    base = concatenate_videoclips(parts, method="chain")
    layers = [base]
    if bug is not None:
        layers.append(ImageClip(str(bug)).with_duration(timeline.duration_s - timeline.end_card_s)
                      .with_position((w - 300, 120)))
    safe = platform_preset(None).insets(aspect).box(w, h)
    font = pick_font(timeline.language)
    cap = CaptionLayout(w, h, safe, font, timeline.language)
    for chunk in cap.chunks(timeline.words):
        text = "\n".join(" ".join(chunk.texts[j] for j in line) for line in chunk.lines)
        layers.append(TextClip(font=font.path, text=text, font_size=round(cap.pil_font.size), color="white",
                               stroke_color="black", stroke_width=cap.outline, method="label")
                      .with_start(chunk.start).with_duration(chunk.end - chunk.start)
                      .with_position(("center", chunk.box[1])))
    video = CompositeVideoClip(layers, size=(w, h)).with_duration(timeline.duration_s)
    video = video.with_audio(AudioFileClip(str(audio)).with_duration(timeline.duration_s))
    video.write_videofile(str(out / "moviepy.mp4"), fps=30, codec="libx264", preset=preset, audio_codec="aac",
                          audio_bitrate="160k", ffmpeg_params=["-profile:v", "high", "-crf", str(FINAL_CRF), "-pix_fmt",
                                                               "yuv420p", *x264_settings(preset)], logger=None)
    return time.perf_counter() - started


def _aspect_job(way: str, timeline, aspect: str, out: Path, preset: str, audio: Path, card: Path | None) -> float:
    if way == "ours":
        return run_ours(timeline, aspect, out, preset)
    if way == "floor":
        return run_floor(timeline, aspect, out, preset, audio)
    return run_moviepy(timeline, aspect, out, preset, audio, card, None)


def run_way(way: str, jobs: list[tuple], workers: int) -> tuple[float, list[float]]:
    """All aspects of one way through a pool of `workers` processes (what a batch does): the wall
    time of the whole set, and each aspect's own time."""
    from concurrent.futures import ProcessPoolExecutor

    started = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        each = list(pool.map(_aspect_job, *zip(*[(way, *job) for job in jobs])))
    return time.perf_counter() - started, each


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--preset", default=FINAL_PRESET, help="x264 preset for all three ways (the final default)")
    parser.add_argument("--aspects", default=",".join(ASPECTS))
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="aspects rendered at once, for all three ways (default: one per core)")
    parser.add_argument("--rounds", type=int, default=3, help="ours/floor pairs, alternating (median ratio)")
    parser.add_argument("--skip-moviepy", action="store_true")
    args = parser.parse_args()
    aspects = args.aspects.split(",")
    with tempfile.TemporaryDirectory(prefix="bench-render-") as tmp:
        root = Path(tmp)
        os.environ.setdefault("ADGEN_CACHE_DIR", str(root / "cache"))
        t0 = time.perf_counter()
        timelines = make_inputs(root, args.seconds, aspects)
        jobs = []
        for aspect in aspects:
            tl = timelines[aspect]
            out = root / aspect.replace(":", "x")
            out.mkdir()
            # the audio mix is shared by all aspects (made once, cached): warm it outside the timing
            voice_end = tl.duration_s - tl.end_card_s
            audio = mix_audio(Path(tl.voice_audio), round(tl.duration_s * 30) / 30, voice_end, None)
            jobs.append((tl, aspect, out, args.preset, audio, out / "_card.png"))
        print(f"inputs made in {time.perf_counter() - t0:.1f} s (not timed); cores={os.cpu_count()} "
              f"workers={args.workers} preset={args.preset}", flush=True)
        # ours and floor alternate over several rounds (ours first, then floor first, ...): this box's
        # speed drifts by tens of percent over minutes, and a ratio of two runs made side by side
        # cancels that drift; the figure is the median of the rounds' ratios
        times: dict[str, list[float]] = {"ours": [], "floor": []}
        for r in range(args.rounds):
            for way in (("ours", "floor") if r % 2 == 0 else ("floor", "ours")):
                total, each = run_way(way, jobs, args.workers)
                times[way].append(total)
                print(f"round {r + 1} {way:>6}: {total:.1f} s for {len(jobs)} aspects "
                      f"({', '.join(f'{a} {t:.1f}s' for a, t in zip(aspects, each))})", flush=True)
        ratios = [o / f for o, f in zip(times["ours"], times["floor"])]
        print(f"ours/floor by round: {', '.join(f'{x:.2f}' for x in ratios)}", flush=True)
        ours_s = statistics.median(times["ours"])
        ratio_mp = float("nan")
        if not args.skip_moviepy:
            for _, aspect, out, *_ in jobs:  # moviepy shows our end card as a still
                run_ffmpeg(["-sseof", "-0.5", "-i", out / "video.mp4", "-frames:v", "1", "-update", "1",
                            out / "_card.png"])
            total, each = run_way("moviepy", jobs, args.workers)
            print(f" moviepy: {total:.1f} s for {len(jobs)} aspects "
                  f"({', '.join(f'{a} {t:.1f}s' for a, t in zip(aspects, each))})", flush=True)
            ratio_mp = total / ours_s
        for _, aspect, out, *_ in jobs:
            info = media_info(out / "video.mp4")
            print(f"{aspect:>5} {info.width}x{info.height} {info.duration_s:.1f}s {info.size_bytes / 1e6:.1f} MB")
        print(f"ours/floor={statistics.median(ratios):.2f} moviepy/ours={ratio_mp:.2f}")


if __name__ == "__main__":
    main()
