"""The finished job's page (gallery first), the Ads list, the names downloads carry, and
"Render final quality" asking once with its price. Renders are real tiny MP4s delivered by the
lifecycle's own delivery code, with the export stage's real zip."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from adgen.ads.models import AdJob, Product, StageRun, Variant
from pipelines.media import run_ffmpeg
from pipelines.product import RenderOutput
from pipelines.stages import NodeResult

pytestmark = pytest.mark.django_db

TITLE = "Cloud Nest Calming Cat Bed"
URL = "https://shop.example.com/p/cloud-nest"
SCRIPT = {"variant_id": "v1-pas", "framework": "pas", "angle": "problem:easy_clean", "language": "en",
          "hook": "Your cat deserves a cloud.", "scenes": [{"voiceover": "Your cat deserves a cloud."}],
          "cta": "Shop now", "caption": "Sleep like a cat.", "hashtags": ["cats"]}
RENDERS = [("render:0:9x16:tiktok", "9:16", (108, 192), "tiktok"), ("render:0:1x1", "1:1", (108, 108), None),
           ("render:1:9x16:tiktok", "9:16", (108, 192), "tiktok"), ("render:1:1x1", "1:1", (108, 108), None)]


def _render_result(root: Path, node_id: str, aspect: str, size: tuple[int, int], platform: str | None) -> NodeResult:
    """What the render stage leaves: a real (tiny) MP4, its poster JPG and captions."""
    d = root / node_id.replace(":", "_")
    d.mkdir(parents=True)
    w, h = size
    run_ffmpeg(["-f", "lavfi", "-i", f"testsrc2=s={w}x{h}:r=30:d=1.5", "-f", "lavfi", "-i",
                "sine=f=440:d=1.5:sample_rate=48000", "-c:v", "libx264", "-preset", "superfast",
                "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", "-movflags", "+faststart", d / "video.mp4"])
    run_ffmpeg(["-i", d / "video.mp4", "-frames:v", "1", "-update", "1", d / "video.jpg"])
    (d / "video.srt").write_text("1\n00:00:00,000 --> 00:00:01,000\nHello\n")
    out = RenderOutput(aspect=aspect, width=w, height=h, duration_s=1.5, file="video.mp4", captions="video.srt",
                       thumbnail="video.jpg", platform=platform)
    return NodeResult(node_id, "render", "k" + node_id.replace(":", ""), out.model_dump(mode="json"), d)


@pytest.fixture
def finished(make_user, settings, tmp_path):
    """A succeeded preview job of 2 variants x (9:16 TikTok, 1:1), delivered like a worker does."""
    from adgen.ads.lifecycle import _export_archive, _renders_deliver
    from pipelines.export import ProductBatch, export_batch
    from pipelines.product import Product as PipelineProduct

    settings.MEDIA_ROOT = str(tmp_path / "media")
    owner = make_user(credits=100_000)
    data = {"url": URL, "title": TITLE, "price": 49.0, "currency": "USD", "features": ["Washable cover"]}
    product = Product.objects.create(workspace=owner.workspace, url=URL, status="ready", title=TITLE,
                                     artifact_key="k" * 64, data=data)
    job = AdJob.objects.create(workspace=owner.workspace, product=product, status=AdJob.Status.SUCCEEDED,
                               quoted_credits=12, progress=100,
                               options={"variants": 2, "aspects": ["9:16", "1:1"], "duration": 8, "preview": True})
    scripts = [SCRIPT, {**SCRIPT, "variant_id": "v2-ugc", "framework": "ugc", "angle": "price",
                        "hook": "Half the price of a vet visit."}]
    for i, script in enumerate(scripts):
        Variant.objects.create(workspace=owner.workspace, job=job, index=i, script=script)
        StageRun.objects.create(workspace=owner.workspace, job=job, node_id=f"voice:{i}", stage="voice", queue="cpu",
                                status="done", artifacts={"voice": "en-us-f1", "voice_label": f"Heart {i + 1}"})
    results = {"script": NodeResult("script", "script", "ks", {"scripts": scripts}, tmp_path)}
    for node_id, aspect, size, platform in RENDERS:
        results[node_id] = _render_result(tmp_path / "art", node_id, aspect, size, platform)
    export_dir = tmp_path / "export"
    export_batch([ProductBatch.from_results(URL, PipelineProduct.model_validate(data), results)],
                 export_dir / "batch", engines={}, timings_s={}, zip=True)
    saved: list[str] = []
    renders = _renders_deliver(job, results, saved)
    job.archive = _export_archive(job, NodeResult("export", "export", "ke", {}, export_dir), saved)
    job.save(update_fields=["archive"])
    owner.job, owner.renders = job, {r.node_id: r for r in renders}
    return owner


def test_results_page_is_gallery_first(finished):
    html = finished.client.get(f"{finished.base}/jobs/{finished.job.pk}/").content.decode()
    player = re.search(r'<video id="preview-player"[^>]*>', html).group(0)
    assert "poster=" in player and "controls" in player
    assert html.index('id="preview-player"') < html.index('id="progress"')  # the results come first
    # the switcher offers the formats this job rendered, and only those
    formats = re.findall(r'<button type="button" class="btn format" data-format="([^"]+)" aria-pressed="(\w+)"', html)
    assert formats == [("9:16", "true"), ("1:1", "false")]
    assert 'role="group" aria-label="Format"' in html
    # a card per variant: angle, voice, length, poster, a download per format/platform with its size
    cards = re.findall(r'<article class="card variant-card".*?</article>', html, re.S)
    assert len(cards) == 2
    assert "Variant 1 · Problem: easy clean" in cards[0] and "Heart 1" in cards[0] and "1.5 s" in cards[0]
    assert "Variant 2 · Price" in cards[1] and "Heart 2" in cards[1]
    assert re.search(r'<img src="[^"]+/thumbnail/"', cards[0])
    downloads = re.findall(r'download="([^"]+)"[^>]*>Download ([^<]+)<small>([^<]+)</small>', cards[0])
    assert [(name, label.strip()) for name, label, _ in downloads] == [
        ("cloud-nest-calming-cat-bed_v1_9x16_tiktok.mp4", "9:16 · TikTok"),
        ("cloud-nest-calming-cat-bed_v1_1x1_generic.mp4", "1:1 · Any platform")]
    assert all(re.match(r"[\d.]+\s(KB|bytes|MB)", size.replace("\xa0", " ")) for _, _, size in downloads)
    # no inline script under the CSP: the gallery's code is a static file, its data a JSON block
    for tag in re.findall(r"<script[^>]*>", html):
        assert " src=" in tag or 'type="application/json"' in tag, tag
    assert "/static/dashboard/results.js" in html
    assert "Download all (zip)" in html


def test_single_downloads_carry_product_variant_aspect_and_platform(finished):
    render = finished.renders["render:1:9x16:tiktok"]
    base = f"{finished.base}/renders/{render.pk}"
    video = finished.client.get(f"{base}/video/?download=1")
    assert video.status_code == 200
    assert video["Content-Disposition"] == 'attachment; filename="cloud-nest-calming-cat-bed_v2_9x16_tiktok.mp4"'
    poster = finished.client.get(f"{base}/thumbnail/")
    assert poster["Content-Type"] == "image/jpeg"
    assert poster["Content-Disposition"] == 'inline; filename="cloud-nest-calming-cat-bed_v2_9x16_tiktok.jpg"'
    captions = finished.client.get(f"{base}/captions/?download=1")
    assert 'filename="cloud-nest-calming-cat-bed_v2_9x16_tiktok.srt"' in captions["Content-Disposition"]
    # the API's download names the file the same way
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {finished.raw_api_key}")
    response = api.get(f"/api/v1/workspaces/{finished.workspace.pk}/renders/{render.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="cloud-nest-calming-cat-bed_v2_9x16_tiktok.mp4"'


def test_zip_entries_have_the_same_names_as_single_downloads(finished):
    from adgen.ads.selectors import render_download_name

    response = finished.client.get(f"{finished.base}/jobs/{finished.job.pk}/archive.zip")
    assert response.status_code == 200
    zip_name = f"cloud-nest-calming-cat-bed_{finished.job.pk.hex[:8]}.zip"
    assert response["Content-Disposition"] == f'attachment; filename="{zip_name}"'
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {finished.raw_api_key}")
    from_api = api.get(f"/api/v1/workspaces/{finished.workspace.pk}/ads/{finished.job.pk}/archive/")
    assert from_api.status_code == 200 and from_api["Content-Disposition"] == f'attachment; filename="{zip_name}"'
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as zf:
        names = {name.rsplit("/", 1)[-1] for name in zf.namelist()}
    for render in finished.renders.values():
        assert render_download_name(render) in names
        assert render_download_name(render, "jpg") in names
    assert "cloud-nest-calming-cat-bed_v2_1x1_generic.mp4" in names


def test_ads_list_shows_thumbnail_formats_status_cost_and_time(finished):
    AdJob.objects.create(workspace=finished.workspace, product=finished.job.product, status=AdJob.Status.RUNNING,
                         progress=40, quoted_credits=30, options={"variants": 1, "aspects": ["16:9"]})
    AdJob.objects.create(workspace=finished.workspace, url="https://shop.example.com/gone", status="failed",
                         options={"variants": 1, "aspects": ["9:16"]})
    html = finished.client.get(f"{finished.base}/").content.decode()
    rows = re.findall(r'<li class="ad-row card">.*?</li>\s*(?=<li class="ad-row|</ul>)', html, re.S)
    assert len(rows) == 3
    failed, running, done = rows  # newest first
    assert re.search(r'<img src="[^"]+/renders/[^"]+/thumbnail/"', done)
    assert TITLE in done and "Ready" in done and "9:16 · 1:1" in done and "12 credits" in done
    assert "<time datetime=" in done and "Preview" in done
    assert "Being made · 40%" in running and "30 credits held" in running and "16:9" in running
    assert "Could not be made" in failed and "No charge" in failed
    assert "<table" not in html  # rows that wrap, not a table that scrolls sideways on a phone


def test_render_final_quality_shows_its_price_and_asks_once(finished):
    job, client = finished.job, finished.client
    page = client.get(f"{finished.base}/jobs/{job.pk}/").content.decode()
    price = int(re.search(r"Render final quality — ([\d,]+) credits", page).group(1).replace(",", ""))
    assert price > 0
    confirm = client.get(f"{finished.base}/jobs/{job.pk}/upgrade/").content.decode()
    assert f"Spend {price:,} credits and render" in confirm and 'name="confirm" value="1"' in confirm
    # a plain POST (no confirmation) spends nothing: it shows the same question
    unconfirmed = client.post(f"{finished.base}/jobs/{job.pk}/upgrade/")
    assert unconfirmed.status_code == 200 and f"Spend {price:,} credits" in unconfirmed.content.decode()
    assert AdJob.objects.for_workspace(finished.workspace).count() == 1
    response = client.post(f"{finished.base}/jobs/{job.pk}/upgrade/", {"confirm": "1"})
    final = AdJob.objects.for_workspace(finished.workspace).exclude(pk=job.pk).get()
    assert response.status_code == 302 and response.url.endswith(f"/jobs/{final.pk}/")
    assert final.quoted_credits == price and final.options["preview"] is False
    assert final.options["aspects"] == ["9:16", "1:1"] and len(final.options["scripts"]) == 2


def test_a_job_from_a_url_names_its_files_after_the_scraped_product(make_user, settings, tmp_path):
    """No Product row: the name comes from what the scrape stage recorded, as in the export."""
    from django.core.files.base import ContentFile

    from adgen.ads.models import Render

    settings.MEDIA_ROOT = str(tmp_path / "media")
    owner = make_user()
    job = AdJob.objects.create(workspace=owner.workspace, url="https://shop.example.com/p/mug", options={},
                               status=AdJob.Status.SUCCEEDED)
    StageRun.objects.create(workspace=owner.workspace, job=job, node_id="scrape", stage="scrape", queue="io",
                            status="done", artifacts={"product": {"title": "Rocket Mug: Insulated 12oz!",
                                                                  "url": "https://shop.example.com/p/mug"}})
    render = Render(workspace=owner.workspace, job=job, node_id="render:0:4x5:instagram", aspect="4:5",
                    platform="instagram", artifact_key="k" * 64)
    render.file.save("r.mp4", ContentFile(b"video bytes"))
    response = owner.client.get(f"{owner.base}/renders/{render.pk}/video/?download=1")
    assert response["Content-Disposition"] == 'attachment; filename="rocket-mug-insulated-12oz_v1_4x5_instagram.mp4"'
