"""Self-made inputs for render tests and bench/render.py: a voiced script, a drawn presenter,
moving product shots. Real media made with espeak-ng, PIL and ffmpeg, independent of the
other stages so the renderer can be checked on its own."""

from __future__ import annotations

import subprocess
from pathlib import Path

from PIL import Image, ImageDraw

from pipelines.media import media_info, run_ffmpeg
from pipelines.product import (AdScript, BrollClip, PresenterClip, Product, Scene, VoiceTrack,
                               WordTiming)

SCENES = [
    ("Stop scrolling, your mornings are about to change.", "avatar"),
    ("Meet the Rocket Mug, it keeps coffee hot for twelve hours.", "product_image:0"),
    ("Double wall steel, leak proof lid, and it fits every cup holder.", "product_image:1"),
    ("Over two thousand reviewers give it five stars.", "avatar"),
    ("Grab yours today while the launch price lasts.", "product_image:0"),
]


def sample_product() -> Product:
    return Product(url="http://127.0.0.1/rocket-mug", title="Rocket Mug — Insulated Travel Mug", brand="Orbit",
                   price=24.0, list_price=32.0, currency="USD", images=["http://127.0.0.1/mug.jpg"],
                   features=["Hot for 12 hours", "Leak proof"], language="en")


def sample_script(target_s: float = 20.0, scenes: int = 5) -> AdScript:
    chosen = SCENES[:scenes]
    return AdScript(variant_id="v1", framework="ugc", hook=chosen[0][0], cta="Shop now",
                    target_duration_s=target_s,
                    scenes=[Scene(voiceover=t, visual=v, role="hook" if i == 0 else "feature")
                            for i, (t, v) in enumerate(chosen)],
                    caption="Hot coffee all day.", hashtags=["#coffee", "#travelmug"])


def sample_voice(script: AdScript, out_dir: Path, target_s: float | None = None) -> VoiceTrack:
    """espeak-ng speech, stretched to target_s; word times spread by length within each scene."""
    out_dir.mkdir(parents=True, exist_ok=True)
    parts, spans, words, t = [], [], [], 0.0
    for i, scene in enumerate(script.scenes):
        raw = out_dir / f"s{i}.wav"
        subprocess.run(["espeak-ng", "-s", "165", "-w", str(raw), scene.voiceover], check=True)
        d = media_info(raw).duration_s
        parts.append(raw)
        tokens = scene.voiceover.split()
        weights = [len(w) + 2 for w in tokens]
        total = sum(weights)
        cur = t + 0.05
        for w, weight in zip(tokens, weights):
            wd = (d - 0.15) * weight / total
            words.append(WordTiming(word=w, start=round(cur, 3), end=round(cur + wd * 0.9, 3), scene=i))
            cur += wd
        spans.append((t, t + d))
        t += d + 0.12
    concat = "".join(f"[{i}:a]aresample=48000,apad=pad_dur=0.12[a{i}];" for i in range(len(parts)))
    concat += "".join(f"[a{i}]" for i in range(len(parts))) + f"concat=n={len(parts)}:v=0:a=1[out]"
    audio = out_dir / "voice.wav"
    args = []
    for p in parts:
        args += ["-i", p]
    run_ffmpeg([*args, "-filter_complex", concat, "-map", "[out]", "-ac", "1", "-ar", "48000", audio])
    duration = media_info(audio).duration_s
    if target_s and abs(duration - target_s) > 0.5:
        factor = target_s / duration
        stretched = out_dir / "voice_stretched.wav"
        # atempo changes speed without pitch; words and spans scale with it
        run_ffmpeg(["-i", audio, "-af", f"atempo={1 / factor:.4f}", "-ar", "48000", stretched])
        stretched.replace(audio)
        duration = media_info(audio).duration_s
        words = [w.model_copy(update={"start": w.start * factor, "end": w.end * factor}) for w in words]
        spans = [(a * factor, b * factor) for a, b in spans]
    return VoiceTrack(audio="voice.wav", duration_s=duration, words=words, scene_spans=spans, engine="espeak")


def sample_presenter(out_dir: Path, duration_s: float, size: tuple[int, int] = (1080, 1350)) -> PresenterClip:
    """An opaque portrait presenter on a backdrop, mouth flapping: the avatar stage's kind of output."""
    w, h = size
    img = Image.new("RGB", (w, h), (236, 226, 212))
    d = ImageDraw.Draw(img)
    for y in range(h):  # soft backdrop gradient
        c = int(236 - 40 * y / h)
        d.line((0, y, w, y), fill=(c, c - 12, c - 30))
    fw, fh = int(w * 0.3), int(w * 0.38)
    fx, fy = (w - fw) // 2, int(h * 0.2)
    d.ellipse((fx - fw * 0.9, fy + fh * 1.05, fx + fw * 1.9, fy + fh * 2.6), fill=(40, 90, 160))  # shoulders
    d.rectangle((fx + fw * 0.35, fy + fh * 0.9, fx + fw * 0.65, fy + fh * 1.2), fill=(224, 180, 150))  # neck
    d.ellipse((fx, fy, fx + fw, fy + fh), fill=(238, 196, 166))
    d.chord((fx - 6, fy - 10, fx + fw + 6, fy + fh * 0.6), 180, 360, fill=(70, 45, 30))  # hair
    for ex in (fx + fw * 0.3, fx + fw * 0.7):
        d.ellipse((ex - fw * 0.06, fy + fh * 0.45, ex + fw * 0.06, fy + fh * 0.53), fill=(40, 30, 30))
    frame = out_dir / "presenter.png"
    img.save(frame)
    mx, my, mw, mh = int(fx + fw * 0.35), int(fy + fh * 0.72), int(fw * 0.3), int(fh * 0.08)
    video = out_dir / "presenter.mp4"
    run_ffmpeg(["-loop", "1", "-framerate", "30", "-t", f"{duration_s:.3f}", "-i", frame,
                "-vf", f"drawbox=x={mx}:y={my}:w={mw}:h={mh}:color=0x7a2a2a:t=fill:"
                       f"enable='lt(mod(t\\,0.28)\\,0.14)',"
                       f"drawbox=x={mx}:y={my + mh // 3}:w={mw}:h={max(2, mh // 4)}:color=0x7a2a2a:t=fill,format=yuv420p",
                "-c:v", "libx264", "-preset", "ultrafast", "-crf", "23", video])
    return PresenterClip(video="presenter.mp4", width=w, height=h, fps=30, duration_s=duration_s,
                         face_box=(fx, fy, fw, fh), engine="sample")


def sample_broll(out_dir: Path, index: int, duration_s: float, width: int, height: int) -> tuple[BrollClip, Path]:
    """A slow push over one of scikit-image's public-domain photos, at the aspect's size."""
    from skimage import data

    photo = [data.coffee, data.rocket, data.chelsea][index % 3]()
    src = out_dir / f"photo{index}.png"
    Image.fromarray(photo).save(src)
    video = out_dir / f"broll{index}_{width}x{height}.mp4"
    big_w, big_h = int(width * 1.12) // 2 * 2, int(height * 1.12) // 2 * 2
    run_ffmpeg(["-loop", "1", "-framerate", "30", "-t", f"{duration_s:.3f}", "-i", src,
                "-vf", f"scale={big_w}:{big_h}:force_original_aspect_ratio=increase,crop={big_w}:{big_h},"
                       f"crop={width}:{height}:x='(iw-ow)/2*(1-t/{duration_s:.3f})':y='(ih-oh)/2',format=yuv420p",
                "-c:v", "libx264", "-preset", "ultrafast", "-crf", "23", video])
    box = (width // 4, height // 4, width // 2, height // 2)
    return BrollClip(video=video.name, width=width, height=height, fps=30, duration_s=duration_s,
                     subject_box=box, engine="sample"), video
