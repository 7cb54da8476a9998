"""Export: names, ffprobe checks, manifest.json contract, zip; built from real graph results."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from pipelines.errors import ExportError
from pipelines.stages import NodeResult
from pipelines.media import run_ffmpeg
from pipelines.product import Product, RenderOutput


def _render_result(tmp: Path, node_id: str, aspect: str, size: tuple[int, int], platform: str | None) -> NodeResult:
    """A render artifact as the render stage leaves it: a real (tiny) MP4 + captions + thumbnail."""
    d = tmp / node_id.replace(":", "_")
    d.mkdir(parents=True)
    w, h = size
    run_ffmpeg(["-f", "lavfi", "-i", f"testsrc2=s={w}x{h}:r=30:d=1.5", "-f", "lavfi", "-i",
                "sine=f=440:d=1.5:sample_rate=48000", "-c:v", "libx264", "-preset", "superfast",
                "-profile:v", "high", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest",
                "-movflags", "+faststart", d / "video.mp4"])
    run_ffmpeg(["-i", d / "video.mp4", "-frames:v", "1", "-update", "1", d / "video.jpg"])
    (d / "video.srt").write_text("1\n00:00:00,000 --> 00:00:01,000\nHello\n")
    (d / "video.vtt").write_text("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nHello\n")
    out = RenderOutput(aspect=aspect, width=w, height=h, duration_s=1.5, file="video.mp4", captions="video.srt",
                       captions_vtt="video.vtt", thumbnail="video.jpg", platform=platform)
    meta = {**out.model_dump(mode="json"), "timeline": {"layout": "fullbleed"}}
    return NodeResult(node_id, "render", "k" + node_id, meta, d)


SCRIPT = {"variant_id": "v1", "framework": "pas", "language": "en", "hook": "Tired of cold coffee?",
          "scenes": [{"voiceover": "Tired of cold coffee?"}], "cta": "Shop now", "caption": "Hot all day.",
          "hashtags": ["coffee", "#mug"]}


@pytest.fixture
def deps(tmp_path):
    scripts = [SCRIPT, {**SCRIPT, "variant_id": "v2", "framework": "ugc"}]
    results = {"script": NodeResult("script", "script", "ks", {"scripts": scripts}, tmp_path)}
    for node_id, aspect, size, platform in [
        ("render:0:9x16:tiktok", "9:16", (108, 192), "tiktok"),
        ("render:0:1x1", "1:1", (108, 108), None),
        ("render:1:16x9", "16:9", (192, 108), None),
    ]:
        results[node_id] = _render_result(tmp_path / "art", node_id, aspect, size, platform)
    return results


PRODUCT = Product(url="http://127.0.0.1:9/p/mug", title="Rocket Mug: Insulated 12oz!", price=24.0,
                  currency="USD", images=["http://127.0.0.1:9/mug.jpg"])


def test_export_writes_named_checked_files_and_manifest(deps, tmp_path):
    from pipelines.export import ProductBatch, export_batch

    batch = ProductBatch.from_results("http://127.0.0.1:9/p/mug", PRODUCT, deps)
    out = tmp_path / "batch"
    engines = {"scrape": "auto", "script": "template", "voice": "espeak", "avatar": "puppet", "broll": "motion",
               "render": "ffmpeg"}
    timings = {k: 1.0 for k in ("scrape", "script", "voice", "avatar", "broll", "render", "export", "total")}
    manifest = export_batch([batch], out, engines=engines, timings_s=timings, zip=True)

    on_disk = json.loads((out / "manifest.json").read_text())
    assert {k: v for k, v in manifest.items() if k != "zip"} == on_disk
    assert set(on_disk) >= {"adgen_version", "created_at", "engines", "timings_s", "products"}
    assert on_disk["engines"] == engines and on_disk["timings_s"] == timings
    product = on_disk["products"][0]
    assert product["url"] == "http://127.0.0.1:9/p/mug"
    for key in ("url", "canonical_url", "title", "brand", "description", "price", "currency", "availability",
                "images", "features", "rating", "reviews", "language"):
        assert key in product["product"]
    v1, v2 = product["variants"]
    assert (v1["id"], v1["framework"], v1["language"]) == ("v1", "pas", "en")
    assert v1["script"]["hook"] == "Tired of cold coffee?"
    assert [o["aspect"] for o in v1["outputs"]] == ["9:16", "1:1"] and len(v2["outputs"]) == 1
    first = v1["outputs"][0]
    assert first["file"] == "rocket-mug-insulated-12oz_v1_9x16_tiktok.mp4"
    assert (first["width"], first["height"]) == (108, 192) and first["duration_s"] == pytest.approx(1.5, abs=0.1)
    assert first["captions"] == "rocket-mug-insulated-12oz_v1_9x16_tiktok.srt"
    assert first["thumbnail"].endswith(".jpg") and first["captions_vtt"].endswith(".vtt")
    assert v1["outputs"][1]["file"] == "rocket-mug-insulated-12oz_v1_1x1_generic.mp4"
    for variant in (v1, v2):
        for o in variant["outputs"]:
            for key in ("file", "captions", "thumbnail", "captions_vtt"):
                assert (out / o[key]).is_file()
    post = (out / v1["post_copy"]).read_text()
    assert "Hot all day." in post and "#coffee #mug" in post and "http://127.0.0.1:9/p/mug" in post
    with zipfile.ZipFile(out.parent / manifest["zip"]) as zf:  # the manifest names the zip beside the folder
        names = zf.namelist()
    assert "batch/manifest.json" in names and f"batch/{first['file']}" in names


def test_broken_video_is_never_announced(deps, tmp_path):
    from pipelines.export import ProductBatch, export_batch

    victim = deps["render:1:16x9"]
    (victim.dir / "video.mp4").write_bytes(b"\x00\x00\x00\x18ftypisom not really a video")
    batch = ProductBatch.from_results(None, PRODUCT, deps)
    with pytest.raises(ExportError) as err:
        export_batch([batch], tmp_path / "out", engines={}, timings_s={})
    assert err.value.code == "bad_output"
    assert not (tmp_path / "out" / "manifest.json").exists()


def test_wrong_size_is_rejected(deps, tmp_path):
    from pipelines.export import ProductBatch, export_batch

    meta = dict(deps["render:0:1x1"].meta, width=1080, height=1080)
    deps["render:0:1x1"].meta = meta
    with pytest.raises(ExportError, match="size 108x108, expected 1080x1080"):
        export_batch([ProductBatch.from_results(None, PRODUCT, deps)], tmp_path / "o", engines={}, timings_s={})
