"""Brand intro/outro clips around the ad: one filtergraph, the body (voice, captions, titles, bug,
PiP, thumbnail) on a clock that starts when the intro ends, and the file as long as it says."""

from __future__ import annotations

import re
import subprocess

import numpy as np
import pytest
from PIL import Image

from pipelines.errors import RenderError
from pipelines.media import ffprobe, has_faststart, media_info
from pipelines.render import RenderOptions, render
from pipelines.render.timeline import brand_clip_seconds


@pytest.fixture(scope="module")
def with_clips(make_timeline, brand_clips, tmp_path_factory):
    timeline = make_timeline("9:16", preview=True, brand={"name": "Orbit", **brand_clips})
    d = tmp_path_factory.mktemp("clips_9x16")
    out = render(timeline, "9:16", d, RenderOptions(preview=True, watermark=False, layout="pip", preset="ultrafast"))
    return timeline, out, d


def _frame(video, t: float, path) -> np.ndarray:
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-ss", f"{t:.3f}", "-i", str(video), "-frames:v", "1",
                    str(path)], check=True)
    return np.asarray(Image.open(path).convert("RGB")).astype(int)


def _loudness(video) -> tuple[float, float]:
    err = subprocess.run(["ffmpeg", "-hide_banner", "-nostats", "-i", str(video), "-map", "a:0",
                          "-af", "ebur128=peak=true", "-f", "null", "-"], capture_output=True, text=True).stderr
    summary = err[err.rfind("Summary:"):]
    return (float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1)),
            float(re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary).group(1)))


def _audio(video) -> np.ndarray:
    raw = subprocess.run(["ffmpeg", "-loglevel", "error", "-i", str(video), "-map", "a:0", "-f", "f32le", "-ac", "1",
                          "-ar", "48000", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype="<f4")


def test_timeline_counts_the_clips(with_clips):
    timeline, _, _ = with_clips
    body = [s for s in timeline.segments if s.kind != "end_card"]
    assert timeline.intro_s == pytest.approx(2.0) and timeline.outro_s == pytest.approx(5.0)  # 7 s outro cut
    assert timeline.duration_s == pytest.approx(timeline.intro_s + body[-1].end + timeline.end_card_s
                                                + timeline.outro_s)
    assert body[0].start == 0  # the body keeps its own clock; the renderer moves it
    assert round(timeline.duration_s * 30, 6).is_integer()


@pytest.mark.slow
def test_intro_body_card_outro_in_one_file(with_clips, tmp_path):
    timeline, output, d = with_clips
    video = d / output.file
    info = media_info(video)
    v = next(s for s in ffprobe(video)["streams"] if s["codec_type"] == "video")
    assert (info.width, info.height) == (540, 960)
    assert v["codec_name"] == "h264" and v["profile"] == "High" and v["pix_fmt"] == "yuv420p"
    assert info.audio_codec == "aac" and info.sample_rate == 48000 and has_faststart(video)
    assert abs(info.duration_s - timeline.duration_s) <= 0.1 and output.duration_s == pytest.approx(info.duration_s)
    assert abs(info.video_duration_s - info.audio_duration_s) <= 0.05
    assert int(v["nb_frames"]) == round(timeline.duration_s * 30)  # not a frame lost at any join
    integrated, true_peak = _loudness(video)
    assert -15.0 <= integrated <= -13.0 and true_peak <= -1.0, (integrated, true_peak)

    red, blue = (0xd0, 0x20, 0x30), (0x20, 0x40, 0xd0)
    intro = _frame(video, 1.0, tmp_path / "intro.png")
    assert np.abs(intro[480, 270] - red).max() < 24  # the 16:9 sting, whole, in the middle ...
    reddish = (intro[..., 0] > intro[..., 1] + 60) & (intro[..., 0] > intro[..., 2] + 60)
    assert reddish.mean() > 0.995  # ... over a blur of itself: no bug, PiP, caption or title yet
    outro = _frame(video, timeline.duration_s - 2.0, tmp_path / "outro.png")
    assert np.abs(outro[480, 270] - blue).max() < 24
    body = _frame(video, timeline.intro_s + 0.5, tmp_path / "body.png")
    assert np.abs(body[480, 270] - red).max() > 60
    thumb = np.asarray(Image.open(d / output.thumbnail).convert("RGB")).astype(int)
    assert np.abs(thumb[480, 270] - red).max() > 60 and np.abs(thumb[480, 270] - blue).max() > 60


@pytest.mark.slow
def test_everything_on_the_body_clock_moves_with_the_intro(with_clips, tmp_path):
    timeline, output, d = with_clips
    intro_s = timeline.intro_s
    srt = (d / output.captions).read_text().splitlines()
    first = srt[1].split(" --> ")[0]
    h, m, s = first.split(":")
    assert float(s.replace(",", ".")) + 60 * int(m) >= intro_s + timeline.words[0].start - 0.01
    assert (d / output.captions_vtt).read_text().splitlines()[2].startswith("00:00:02.")  # after the 2 s intro
    ass_starts = []
    for line in (d / "video.ass").read_text().splitlines():
        if line.startswith("Dialogue:"):
            hh, mm, ss = line.split(",")[1].split(":")
            ass_starts.append(int(hh) * 3600 + int(mm) * 60 + float(ss))
    assert min(ass_starts) >= intro_s
    # the PiP shows over the product scene, at its shifted time, with the presenter in sync
    product = next(s for s in timeline.segments if s.kind == "product_image")
    frame = _frame(d / output.file, intro_s + (product.start + product.end) / 2, tmp_path / "pip.png")
    pip = frame[77 + 22:77 + 22 + 100, 32 + 22:32 + 22 + 100]  # top left of the safe zone (preview)
    skin = (np.abs(pip - (238, 196, 166)).max(axis=2) < 30).mean()
    assert skin > 0.05, skin  # the drawn presenter's face is in the circle


@pytest.mark.slow
def test_intro_brings_its_sound_and_the_silent_outro_stays_silent(with_clips):
    timeline, output, d = with_clips
    x = _audio(d / output.file)
    sr = 48000
    intro = x[int(0.2 * sr):int(1.8 * sr)]
    spectrum = np.abs(np.fft.rfft(intro * np.hanning(len(intro))))
    assert abs(np.fft.rfftfreq(len(intro), 1 / sr)[spectrum.argmax()] - 660) < 5  # the sting's tone
    assert np.sqrt(np.mean(intro ** 2)) > 0.05
    outro = x[int((timeline.duration_s - 4.5) * sr):int((timeline.duration_s - 0.5) * sr)]
    assert np.sqrt(np.mean(outro ** 2)) < 1e-3  # no music bed under a clip without sound
    body = x[int((timeline.intro_s + 0.3) * sr):int((timeline.intro_s + 1.5) * sr)]
    assert np.sqrt(np.mean(body ** 2)) > 0.02  # the voice starts after the intro


def test_clip_lengths_and_bad_clips(clip_maker, tmp_path):
    long_clip = clip_maker(tmp_path / "long.mp4", "green", (64, 64), 6.5)
    assert brand_clip_seconds(str(long_clip), 30, "intro") == 5.0
    short_clip = clip_maker(tmp_path / "short.mp4", "green", (64, 64), 1.1, fps=30)
    assert brand_clip_seconds(str(short_clip), 30, "outro") == pytest.approx(1.1, abs=1 / 30)
    assert round(brand_clip_seconds(str(short_clip), 30, "outro") * 30, 6).is_integer()
    Image.new("RGB", (64, 64)).save(tmp_path / "still.png")
    for path in (tmp_path / "still.png", tmp_path / "missing.mp4"):
        with pytest.raises(RenderError) as err:
            brand_clip_seconds(str(path), 30, "intro")
        assert err.value.code == "brand_kit_invalid" and "intro" in err.value.message


def test_too_long_with_the_clips_says_so(make_timeline, brand_clips, tmp_path):
    timeline = make_timeline("9:16", preview=True, brand={"name": "Orbit", **brand_clips})
    timeline = timeline.model_copy(update={"duration_s": 61.0})
    with pytest.raises(RenderError) as err:
        render(timeline, "9:16", tmp_path, RenderOptions(platform="tiktok", preview=True))
    assert err.value.code == "too_long"
    assert "intro (2.0 s)" in err.value.message and "outro (5.0 s)" in err.value.message
