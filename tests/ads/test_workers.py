"""The service for real: PostgreSQL, Redis, `adgen worker` subprocesses (dramatiq), the API on a
live server. Jobs are small (1 variant, 9:16, 8 s, preview) to keep CI on 2 cores fast."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import httpx
import pytest

from adgen.ads.models import AdJob, Render, StageRun
from pipelines.media import media_info
from tests.workers import ROOT, JobApi, Worker, database_url  # noqa: F401  (ROOT, Worker, database_url: for other modules)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

SMALL = {"variants": 1, "aspects": ["9:16"], "duration": 8, "preview": True}


@pytest.fixture(scope="module")
def broker_url():
    import redis

    url = os.environ.get("ADGEN_TEST_BROKER_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/2"
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not reachable at {url}")
    stale = list(client.scan_iter("dramatiq:*"))  # queues left by an earlier, interrupted run
    if stale:
        client.delete(*stale)
    return url


@pytest.fixture
def redis_actors(broker_url):
    """Send this process's messages (API submits, walker enqueues) to the workers' Redis broker."""
    import dramatiq
    from dramatiq.brokers.redis import RedisBroker

    import adgen.ads.actors  # noqa: F401  (declares the stage actors)

    broker = RedisBroker(url=broker_url)
    # every actor the apps declared (ads stages, webhooks, sweeper, campaigns)
    all_actors = list(dramatiq.get_broker().actors.values())
    previous = {a: a.broker for a in all_actors}
    for a in all_actors:
        broker.declare_actor(a)
        a.broker = broker
    yield broker
    for a, old in previous.items():
        a.broker = old
    broker.close()


@pytest.fixture
def service(live_server, redis_actors, broker_url, settings, tmp_path, make_tenant):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.ARTIFACT_ROOT = tmp_path / "artifacts"
    settings.ADGEN_ALLOW_PRIVATE_HOSTS = True
    env = {**os.environ, "DATABASE_URL": database_url(),
           "BROKER_URL": broker_url, "MEDIA_ROOT": settings.MEDIA_ROOT, "ARTIFACT_ROOT": str(settings.ARTIFACT_ROOT),
           "ADGEN_STAGE_STALE_S": "4", "ADGEN_ALLOW_PRIVATE_HOSTS": "1", "DJANGO_SETTINGS_MODULE": "adgen.settings",
           "ADGEN_TRIAL_CREDITS": "100000"}
    workers: list[Worker] = []

    class Service(JobApi):
        tenant = make_tenant("Workers")
        url = live_server.url
        headers = {"Authorization": f"Bearer {tenant.raw_api_key}"}
        api = f"{live_server.url}{tenant.base}"

        def worker(self) -> Worker:
            workers.append(Worker(env, tmp_path / f"worker-{len(workers)}.log").start())
            return workers[-1]

        def check_workers(self) -> None:
            assert not any(w.died for w in workers), f"a worker exited:\n{self.logs()}"

        def logs(self) -> str:
            return "\n".join(p.read_text(errors="replace")[-3000:] for p in tmp_path.glob("worker-*.log"))

    yield Service()
    for w in workers:
        w.stop()


def wait_for(predicate, timeout: float, what: str, service=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if service is not None:
            service.check_workers()
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}\n{service.logs() if service else ''}")


def runs(job_id) -> dict[str, StageRun]:
    return {r.node_id: r for r in StageRun.objects.dangerously_unscoped().filter(job_id=job_id)}


def sse_until_done(service, job_id, timeout: float = 300) -> list[dict]:
    """Follow the job's server-sent events to the end, as a browser's EventSource would."""
    events = []
    with httpx.stream("GET", f"{service.api}/ads/{job_id}/events/", headers={**service.headers,
                      "Accept": "text/event-stream"}, timeout=timeout) as response:
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
        kind = None
        for line in response.iter_lines():
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: "):
                events.append({"event": kind, **json.loads(line[6:])})
                if kind == "done":
                    break
    return events


def test_job_survives_a_killed_worker_and_its_outputs_download(service, store_url, tmp_path):
    worker = service.worker()
    job = service.submit(url=f"{store_url}/products/cloud-nest-calming-cat-bed.html", seed=1, **SMALL)
    job_id = job["id"]
    render = wait_for(lambda: next((r for r in runs(job_id).values()
                                    if r.stage == "render" and r.status == StageRun.Status.RUNNING), None),
                      400, "a render to start", service)
    worker.kill()  # SIGKILL mid-render: no cleanup, the message stays unacknowledged
    before = {r.node_id: (r.status, r.attempt, r.artifact_key, r.finished_at) for r in runs(job_id).values()}
    assert before[render.node_id][0] == StageRun.Status.RUNNING
    finished_before = {n: v for n, v in before.items() if v[0] == StageRun.Status.DONE}
    assert "script" in finished_before and any(n.startswith("voice") for n in finished_before)

    service.worker()
    events = sse_until_done(service, job_id)
    final = events[-1]
    assert final["event"] == "done" and final["status"] == "succeeded", (final, service.logs())
    assert final["progress"] == 100
    progress = [e["progress"] for e in events]
    assert progress == sorted(progress)

    after = runs(job_id)
    for node_id, (status, attempt, key, finished_at) in finished_before.items():  # not run again
        assert (after[node_id].attempt, after[node_id].artifact_key, after[node_id].finished_at) == \
            (attempt, key, finished_at), node_id
    assert after[render.node_id].attempt >= 2 and after[render.node_id].status == StageRun.Status.DONE
    assert all(r.status == StageRun.Status.DONE for r in after.values())

    body = service.job(job_id)
    assert body["status"] == "succeeded" and {s["status"] for s in body["stages"]} == {"done"}
    [output] = body["outputs"]["renders"]
    video = httpx.get(output["download_url"], headers=service.headers, timeout=60)
    assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"
    path = tmp_path / "downloaded.mp4"
    path.write_bytes(video.content)
    info = media_info(path)
    assert info.video_codec == "h264" and info.audio_codec == "aac"
    assert info.height == 960 or max(info.width, info.height) <= 1080
    assert 6 <= info.duration_s <= 14
    assert httpx.get(output["download_url"], timeout=30).status_code in (401, 403)  # downloads need credentials
    if body["outputs"]["archive_url"]:
        archive = httpx.get(body["outputs"]["archive_url"], headers=service.headers, timeout=60)
        assert archive.status_code == 200 and archive.content[:2] == b"PK"


def test_cancel_stops_work_and_leaves_no_outputs(service, store_url, settings):
    from adgen.billing.selectors import account_balance

    service.worker()
    organization = service.tenant.organization
    balance = account_balance(organization=organization)
    job_id = service.submit(url=f"{store_url}/products/hubble-deep-field-poster.html", seed=2, **SMALL)["id"]
    wait_for(lambda: any(r.stage in ("voice", "avatar", "broll", "render") and r.status == StageRun.Status.RUNNING
                         for r in runs(job_id).values()), 300, "media stages to start", service)
    from django.utils import timezone

    cancelled_at = timezone.now()
    response = httpx.post(f"{service.api}/ads/{job_id}/cancel/", headers=service.headers, timeout=30)
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    wait_for(lambda: not any(r.status in (StageRun.Status.RUNNING, StageRun.Status.QUEUED)
                             for r in runs(job_id).values()), 60, "running stages to stop", service)
    time.sleep(2)  # a stage that was mid-ffmpeg has now been killed and cleaned up
    job = AdJob.objects.dangerously_unscoped().get(pk=job_id)
    assert job.status == AdJob.Status.CANCELLED
    final_runs = runs(job_id).values()
    assert all(r.started_at is None or r.started_at <= cancelled_at for r in final_runs)  # nothing new started
    assert any(r.status == StageRun.Status.CANCELLED for r in final_runs)
    assert not Render.objects.dangerously_unscoped().filter(job_id=job_id).exists()
    renders_dir = Path(settings.MEDIA_ROOT) / "renders"
    assert not renders_dir.exists() or not any(renders_dir.rglob("*.mp4"))
    build_dirs = Path(settings.ARTIFACT_ROOT) / "tmp"
    assert not build_dirs.exists() or not any(build_dirs.iterdir())  # no half-built artifacts
    assert account_balance(organization=organization) == balance  # every held credit returned
    assert service.job(job_id)["outputs"] == {"renders": [], "archive_url": None}


def test_bad_url_fails_with_a_clear_error_on_workers(service, store_url):
    service.worker()
    missing = service.submit(url=f"{store_url}/products/no-such-product.html", **SMALL)["id"]
    not_product = service.submit(url=f"{store_url}/README.md", **SMALL)["id"]
    for job_id in (missing, not_product):
        body = wait_for(lambda: (lambda b: b if b["status"] in ("failed", "succeeded") else None)(service.job(job_id)),
                        120, "the job to fail", service)
        assert body["status"] == "failed", body
        assert body["error"]["code"] and body["error"]["code"] != "internal_error" and body["error"]["message"]
        assert body["error"]["stage"] == "scrape"
        assert not [s for s in body["stages"] if s["status"] in ("running", "queued", "pending")]
        assert body["outputs"]["renders"] == []


def test_scraped_product_feeds_an_ad_without_scraping_again(service, store_url):
    from adgen.ads.models import Product

    service.worker()
    response = httpx.post(f"{service.api}/products/", json={"url": f"{store_url}/products/yirgacheffe-whole-bean-coffee.html"},
                          headers=service.headers, timeout=30)
    assert response.status_code == 202 and response.json()["status"] == "pending"
    product_id = response.json()["id"]
    product = wait_for(lambda: (lambda b: b if b["status"] != "pending" else None)(
        httpx.get(f"{service.api}/products/{product_id}/", headers=service.headers, timeout=30).json()),
        120, "the scrape", service)
    assert product["status"] == "ready" and product["title"] and product["data"]["title"] == product["title"]
    job_id = service.submit(product=product_id, **SMALL)["id"]
    scrape = runs(job_id)["scrape"]
    assert scrape.status == StageRun.Status.DONE and scrape.cached and scrape.attempt == 0  # reused, not fetched
    assert scrape.artifact_key == Product.objects.dangerously_unscoped().get(pk=product_id).artifact_key
    wait_for(lambda: runs(job_id)["script"].status == StageRun.Status.DONE, 120, "the script", service)
    assert httpx.post(f"{service.api}/ads/{job_id}/cancel/", headers=service.headers, timeout=30).status_code == 200
