"""Every render is checked the way an uploader would: ffprobe, loudness, caption placement."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipelines.errors import RenderError
from pipelines.media import ffprobe, has_faststart, media_info
from pipelines.render import RenderOptions, platform_preset, render
from pipelines.render.compose import output_size


def loudness(path: Path) -> tuple[float, float]:
    err = subprocess.run(["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), "-map", "a:0",
                          "-af", "ebur128=peak=true", "-f", "null", "-"], capture_output=True, text=True).stderr
    summary = err[err.rfind("Summary:"):]
    return (float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1)),
            float(re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary).group(1)))


# final size for every aspect, each with another layout/platform/caption style, fast preset
CASES = [
    ("9:16", "fullbleed", "tiktok", "bold"),
    ("1:1", "split", "feed", "boxed"),
    ("4:5", "pip", "reels", "karaoke"),
    ("16:9", "showcase", "youtube", "minimal"),
]


@pytest.fixture(scope="module")
def finals(make_timeline, tmp_path_factory):
    out = {}
    for aspect, layout, platform, style in CASES:
        timeline = make_timeline(aspect)
        d = tmp_path_factory.mktemp(f"final_{aspect.replace(':', 'x')}")
        options = RenderOptions(platform=platform, layout=layout, caption_style=style, preset="ultrafast")
        out[aspect] = (timeline, render(timeline, aspect, d, options), d, platform)
    return out


def _caption_pixels_bbox(ass_file, width, height, times, prefix="cap"):
    """Burn only the .ass (captions and titles) onto mid grey, grab the frames at the given times
    (one ffmpeg run), and return the bounding box of drawn pixels in each (dark title plates too)."""
    frames = sorted({round(t * 30) for t in times})
    select = "+".join(f"eq(n\\,{n})" for n in frames)
    pattern = ass_file.parent / f"{prefix}_%03d.png"
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    f"color=c=0x808080:s={width}x{height}:r=30:d={max(times) + 0.2:.2f}", "-vf",
                    f"ass=filename='{ass_file}',select='{select}'", "-vsync", "0", str(pattern)], check=True)
    boxes = []
    for png in sorted(ass_file.parent.glob(f"{prefix}_*.png")):
        drawn = np.abs(np.asarray(Image.open(png).convert("L")).astype(int) - 128) > 24
        ys, xs = np.nonzero(drawn)
        if len(xs):
            boxes.append((xs.min(), ys.min(), xs.max(), ys.max()))
    return boxes


@pytest.mark.slow
@pytest.mark.parametrize("aspect", [c[0] for c in CASES])
def test_final_render_passes_upload_checks(finals, aspect):
    timeline, output, d, platform = finals[aspect]
    video = d / output.file
    width, height = output_size(aspect, preview=False)
    info = media_info(video)
    streams = ffprobe(video)["streams"]
    v = next(s for s in streams if s["codec_type"] == "video")
    a = next(s for s in streams if s["codec_type"] == "audio")
    assert (info.width, info.height) == (width, height) == (output.width, output.height)
    assert v["codec_name"] == "h264" and v["profile"] == "High" and v["pix_fmt"] == "yuv420p"
    assert a["codec_name"] == "aac" and int(a["sample_rate"]) == 48000
    assert has_faststart(video)
    assert abs(info.duration_s - timeline.duration_s) <= 0.1
    assert abs(info.video_duration_s - info.audio_duration_s) <= 0.05
    integrated, true_peak = loudness(video)
    assert -15.0 <= integrated <= -13.0, integrated
    assert true_peak <= -1.0, true_peak
    assert (d / output.thumbnail).is_file() and Image.open(d / output.thumbnail).size == (width, height)
    srt = (d / output.captions).read_text()
    vtt = (d / output.captions_vtt).read_text()
    assert srt.startswith("1\n00:00:0") and "-->" in srt
    assert vtt.startswith("WEBVTT") and "coffee" in vtt.lower()

    # no caption or title pixel outside the platform's safe zone, at every word of the script
    # (titles included: each scene shows its on-screen text, popping in, while the words run)
    x0, y0, x1, y1 = platform_preset(platform).insets(aspect).box(width, height)
    times = [w.start + 0.05 for w in timeline.words] + [w.start + 0.12 for w in timeline.words]
    ass = (d / "video.ass").read_text()
    assert ass.count(",Title,,") >= 3 * 2  # both scenes' titles (plate, accent, text) are in the file
    shown = ass.replace("\\N", " ")
    assert ("★ 4.8 · Just $24" in shown or "★ 4.8 Just $24" in shown) and "Hot all day" in shown
    assert "☕" not in ass  # emoji-safe: the font has no glyph for it
    boxes = _caption_pixels_bbox(d / "video.ass", width, height, times)
    assert len(boxes) >= len(timeline.words) // 2  # captions really are drawn
    for bx0, by0, bx1, by1 in boxes:
        assert bx0 >= x0 and by0 >= y0 and bx1 <= x1 and by1 <= y1, ((bx0, by0, bx1, by1), (x0, y0, x1, y1))


@pytest.mark.slow
def test_preview_is_small_watermarked_and_cheaper(make_timeline, finals, tmp_path):
    timeline = make_timeline("9:16", preview=True)
    out = render(timeline, "9:16", tmp_path, RenderOptions(preview=True))
    info = media_info(tmp_path / out.file)
    assert (info.width, info.height) == (540, 960)
    assert abs(info.duration_s - timeline.duration_s) <= 0.1
    # the watermark sits in the middle of the frame: compare the same moment with the final render
    final_tl, final_out, final_dir, _ = finals["9:16"]
    t = timeline.duration_s - 1.0  # end card: identical content apart from the watermark
    frames = []
    for path, size in ((tmp_path / out.file, None), (final_dir / final_out.file, (540, 960))):
        png = tmp_path / f"frame_{len(frames)}.png"
        subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-ss", f"{t}", "-i", str(path), "-frames:v", "1",
                        str(png)], check=True)
        img = Image.open(png).convert("L")
        frames.append(np.asarray(img.resize(size) if size else img, dtype=np.float32))
    center = (slice(430, 530), slice(100, 440))
    assert np.abs(frames[0][center] - frames[1][center]).mean() > 4  # watermark present in preview only
    assert info.size_bytes < media_info(final_dir / final_out.file).size_bytes


def test_too_long_for_platform_is_a_clear_error(make_timeline, tmp_path):
    timeline = make_timeline("9:16", preview=True).model_copy(update={"duration_s": 75.0})
    with pytest.raises(RenderError) as err:
        render(timeline, "9:16", tmp_path, RenderOptions(platform="tiktok", preview=True))
    assert err.value.code == "too_long" and "60" in err.value.message


def test_unknown_platform_and_aspect(make_timeline, tmp_path):
    timeline = make_timeline("9:16", preview=True)
    with pytest.raises(RenderError) as err:
        render(timeline, "9:16", tmp_path, RenderOptions(platform="myspace"))
    assert err.value.code == "unknown_platform"
    with pytest.raises(RenderError) as err:
        render(timeline, "3:2", tmp_path, RenderOptions())
    assert err.value.code == "unknown_aspect"
