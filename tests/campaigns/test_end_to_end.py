"""A campaign on real workers (PostgreSQL, Redis, `adgen worker` subprocesses): a feed run
delivers one zip (videos + manifest.json); a second run after one product changed renders only
that product. Heavy on 2 cores, so it runs once, in preview at 8 s; the number of products
comes from ADGEN_CAMPAIGN_E2E_PRODUCTS (default 2; 10 is the full 40-video acceptance run)."""

from __future__ import annotations

import json
import os
import time
import zipfile
from pathlib import Path

import pytest
from django.db import connection

from adgen.campaigns.models import CampaignRun
from pipelines.media import media_info
from tests.ads.test_workers import redis_actors  # noqa: F401  (fixture; uses this module's broker_url)
from tests.workers import Worker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
PRODUCTS = int(os.environ.get("ADGEN_CAMPAIGN_E2E_PRODUCTS", "2"))
MATRIX = {"variants": 1, "aspects": ["9:16", "1:1"], "duration": 8}


@pytest.fixture
def broker_url():
    import redis

    url = os.environ.get("ADGEN_CAMPAIGN_TEST_BROKER_URL", "redis://127.0.0.1:6379/3")
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not reachable at {url}")
    client.flushdb()
    return url


@pytest.fixture
def workers(live_server, redis_actors, broker_url, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.ARTIFACT_ROOT = tmp_path / "artifacts"
    settings.ADGEN_ALLOW_PRIVATE_HOSTS = True
    settings.SITE_URL = live_server.url
    db = connection.settings_dict
    env = {**os.environ, "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
           "BROKER_URL": broker_url, "MEDIA_ROOT": settings.MEDIA_ROOT, "ARTIFACT_ROOT": str(settings.ARTIFACT_ROOT),
           "ADGEN_ALLOW_PRIVATE_HOSTS": "1", "DJANGO_SETTINGS_MODULE": "adgen.settings", "SITE_URL": live_server.url,
           "ADGEN_TRIAL_CREDITS": "100000", "ADGEN_STAGE_STALE_S": "60"}
    worker = Worker(env, tmp_path / "worker.log").start()
    yield lambda: worker.log.read_text(errors="replace")[-4000:]
    worker.stop()


def wait_run(tenant, campaign_id, run_id, logs, timeout=1500) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = tenant.client.get(f"{tenant.base}/campaigns/{campaign_id}/runs/{run_id}/").json()
        if body["status"] in CampaignRun.TERMINAL:
            return body
        time.sleep(2)
    raise AssertionError(f"run {run_id} did not finish: {body['status']}\n{logs()}")


def zip_of(tenant, body, path: Path) -> zipfile.ZipFile:
    from urllib.parse import urlsplit

    response = tenant.client.get(urlsplit(body["archive_url"]).path)
    assert response.status_code == 200
    path.write_bytes(b"".join(response.streaming_content))
    return zipfile.ZipFile(path)


def test_feed_campaign_on_workers_delivers_one_zip_then_only_what_changed(tenant, feed_site, handles, workers,
                                                                          tmp_path):
    from .conftest import grant

    grant(tenant.organization, 5000)
    created = tenant.client.post(f"{tenant.base}/campaigns/", {
        "name": "Catalogue", "source_kind": "shopify", "source_url": f"{feed_site.base}/products.json",
        "max_products": PRODUCTS, "matrix": MATRIX, "preview": True}, format="json")
    assert created.status_code == 201, created.content
    campaign_id = created.json()["id"]

    started = time.perf_counter()
    run_id = tenant.client.post(f"{tenant.base}/campaigns/{campaign_id}/run/", {}, format="json").json()["id"]
    first = wait_run(tenant, campaign_id, run_id, workers)
    elapsed = time.perf_counter() - started
    assert first["status"] == "succeeded", (first, workers())
    assert [i["status"] for i in first["items"]] == ["succeeded"] * PRODUCTS
    expected = PRODUCTS * MATRIX["variants"] * len(MATRIX["aspects"])
    with zip_of(tenant, first, tmp_path / "first.zip") as zf:
        videos = [n for n in zf.namelist() if n.endswith(".mp4")]
        manifest = json.loads(zf.read("manifest.json"))
        assert len(videos) == expected and len(manifest["videos"]) == expected
        zf.extract(videos[0], tmp_path)
    info = media_info(tmp_path / videos[0])
    assert info.video_codec == "h264" and info.audio_codec == "aac" and 6 <= info.duration_s <= 14
    assert {v["aspect"] for v in manifest["videos"]} == {"9:16", "1:1"}
    print(f"campaign end to end: {expected} videos in {elapsed:.0f}s ({elapsed / expected:.1f}s per video)")

    feed_site.edit(handles[1], "64.99", "59.99")  # one product changed
    run_id = tenant.client.post(f"{tenant.base}/campaigns/{campaign_id}/run/", {}, format="json").json()["id"]
    second = wait_run(tenant, campaign_id, run_id, workers)
    assert second["status"] == "succeeded", (second, workers())
    statuses = {i["url"]: i["status"] for i in second["items"]}
    changed = f"{feed_site.base}/products/{handles[1]}"
    assert statuses.pop(changed) == "succeeded" and set(statuses.values()) == {"unchanged"}
    with zip_of(tenant, second, tmp_path / "second.zip") as zf:
        videos = [n for n in zf.namelist() if n.endswith(".mp4")]
        assert len(videos) == expected // PRODUCTS and all(n.startswith("001-") for n in videos)
