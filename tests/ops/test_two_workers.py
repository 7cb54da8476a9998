"""Past one machine: two dramatiq workers that share only PostgreSQL, the broker (Redis, or
RabbitMQ) and an S3 server on loopback (moto), each with its own ARTIFACT_ROOT: one consumes
`io`, the other `cpu gpu`. Renders go to the bucket too (STORAGE_URL)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import httpx
import pytest

from adgen.ads.models import AdJob, Render, StageRun
from adgen.billing.models import CreditHold, LedgerEntry
from pipelines.media import media_info
from pipelines.store import S3ArtifactStore
from tests.ads.test_workers import runs, sse_until_done, wait_for
from tests.workers import JobApi, Worker, database_url
from tests.pipelines.test_store_s3 import BUCKET, moto_s3  # noqa: F401  (fixture)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

SMALL_TWO_ASPECTS = {"variants": 1, "aspects": ["9:16", "1:1"], "duration": 8, "preview": True}
RABBIT_VHOST = "adgen_test_ops"


def _redis_broker_url() -> str:
    import redis

    url = os.environ.get("ADGEN_TEST_BROKER_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/9"
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not reachable at {url}")
    stale = list(client.scan_iter("dramatiq:*"))
    if stale:
        client.delete(*stale)
    return url


def _rabbitmq_broker_url() -> str:
    """A vhost of our own on the machine's RabbitMQ, so other suites' queues never mix with ours."""
    ctl = "/usr/sbin/rabbitmqctl"
    if not Path(ctl).exists():
        pytest.skip("rabbitmqctl is not installed")
    try:
        subprocess.run([ctl, "delete_vhost", RABBIT_VHOST], capture_output=True, timeout=60)
        subprocess.run([ctl, "add_vhost", RABBIT_VHOST], check=True, capture_output=True, timeout=60)
        subprocess.run([ctl, "set_permissions", "-p", RABBIT_VHOST, "guest", ".*", ".*", ".*"], check=True,
                       capture_output=True, timeout=60)
    except (subprocess.SubprocessError, OSError) as exc:
        pytest.skip(f"RabbitMQ is not usable here: {exc}")
    return f"amqp://guest:guest@127.0.0.1:5672/{RABBIT_VHOST}"


@pytest.fixture(params=["redis", "rabbitmq"])
def broker(request):
    kind = request.param
    url = _redis_broker_url() if kind == "redis" else _rabbitmq_broker_url()
    import dramatiq

    import adgen.ads.actors  # noqa: F401  (declares the stage actors)

    if kind == "redis":
        from dramatiq.brokers.redis import RedisBroker

        instance = RedisBroker(url=url)
    else:
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        instance = RabbitmqBroker(url=url)
    actors = list(dramatiq.get_broker().actors.values())
    previous = {a: a.broker for a in actors}
    for a in actors:
        instance.declare_actor(a)
        a.broker = instance
    yield kind, url
    for a, old in previous.items():
        a.broker = old
    instance.close()


@pytest.fixture
def cluster(live_server, broker, moto_s3, settings, tmp_path, make_tenant, monkeypatch):  # noqa: F811
    kind, broker_url = broker
    artifacts = f"s3://{BUCKET}/artifacts"
    media = {"BACKEND": "storages.backends.s3.S3Storage",
             "OPTIONS": {"bucket_name": BUCKET, "location": "media", "endpoint_url": moto_s3.endpoint}}
    # this process (the API on the live server, the walker's advance on submit) uses the bucket too
    monkeypatch.setenv("ARTIFACT_STORE_URL", artifacts)
    settings.ARTIFACT_STORE_URL = artifacts
    settings.ARTIFACT_ROOT = tmp_path / "web-cache"
    settings.STORAGES = {**settings.STORAGES, "default": media}
    settings.ADGEN_ALLOW_PRIVATE_HOSTS = True
    base_env = {**os.environ, "DATABASE_URL": database_url(), "BROKER_URL": broker_url,
                "ARTIFACT_STORE_URL": artifacts, "STORAGE_URL": f"s3://{BUCKET}/media",
                "S3_ENDPOINT_URL": moto_s3.endpoint, "ADGEN_STAGE_STALE_S": "4", "ADGEN_STAGE_MAX_ATTEMPTS": "3",
                "ADGEN_ALLOW_PRIVATE_HOSTS": "1", "DJANGO_SETTINGS_MODULE": "adgen.settings",
                "ADGEN_TRIAL_CREDITS": "100000", "ADGEN_WORKER_METRICS": "0", "ADGEN_WORKER_HEARTBEAT_S": "2"}
    workers: list[Worker] = []

    class Cluster(JobApi):
        tenant = make_tenant("Two machines")
        headers = {"Authorization": f"Bearer {tenant.raw_api_key}"}
        api = f"{live_server.url}{tenant.base}"
        broker_kind = kind

        def worker(self, name: str, queues: list[str]) -> Worker:
            env = {**base_env, "ARTIFACT_ROOT": str(tmp_path / f"{name}-artifacts"),
                   "MEDIA_ROOT": str(tmp_path / f"{name}-media")}  # nothing shared on disk
            workers.append(Worker(env, tmp_path / f"{name}.log", queues).start())
            return workers[-1]

        def check_workers(self) -> None:
            dead = [w for w in workers if w.died]
            assert not dead, f"a worker exited:\n{self.logs()}"

        def logs(self) -> str:
            return "\n".join(f"== {p.name}\n" + p.read_text(errors="replace")[-4000:] for p in tmp_path.glob("*.log"))

    yield Cluster()
    for w in workers:
        w.stop()


def test_two_workers_sharing_only_services_finish_a_job_once_after_one_is_killed(cluster, store_url, tmp_path):
    io = cluster.worker("io", ["io"])
    cpu = cluster.worker("cpu", ["cpu", "gpu"])
    job_id = cluster.submit(url=f"{store_url}/products/cloud-nest-calming-cat-bed.html", seed=3,
                            **SMALL_TWO_ASPECTS)["id"]
    render = wait_for(lambda: next((r for r in runs(job_id).values()
                                    if r.stage == "render" and r.status == StageRun.Status.RUNNING), None),
                      600, "a render to start on the cpu worker", cluster)
    cpu.kill()  # SIGKILL mid-render: the machine is gone, and its cache with it
    done_before = {n: (r.attempt, r.artifact_key) for n, r in runs(job_id).items() if r.status == StageRun.Status.DONE}
    assert "scrape" in done_before and "script" in done_before
    cluster.worker("cpu2", ["cpu", "gpu"])  # a fresh machine: empty cache, reads the bucket

    events = sse_until_done(cluster, job_id, timeout=900)
    assert events[-1]["status"] == "succeeded", (events[-1], cluster.logs())
    after = runs(job_id)
    for node_id, (attempt, key) in done_before.items():  # finished stages did not run again
        assert (after[node_id].attempt, after[node_id].artifact_key) == (attempt, key), node_id
    assert after[render.node_id].attempt >= 2 and all(r.status == StageRun.Status.DONE for r in after.values())

    # finished once, captured once: one render per aspect, one capture per render
    job = AdJob.objects.dangerously_unscoped().get(pk=job_id)
    renders = list(Render.objects.dangerously_unscoped().filter(job_id=job_id))
    assert job.status == AdJob.Status.SUCCEEDED and sorted(r.aspect for r in renders) == ["1:1", "9:16"]
    captures = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.CAPTURE, reference=f"job:{job_id}")
    assert captures.count() == len(renders) == 2
    hold = CreditHold.objects.get(reference=f"job:{job_id}")
    assert hold.captured == -sum(c.held_delta for c in captures) and hold.captured <= hold.amount

    # the render downloads (from the bucket), and the stages' artifacts are all in the bucket
    body = cluster.job(job_id)
    assert len(body["outputs"]["renders"]) == 2
    for n, output in enumerate(body["outputs"]["renders"]):
        video = httpx.get(output["download_url"], headers=cluster.headers, timeout=60, follow_redirects=True)
        assert video.status_code == 200, video.text[:300]
        path = tmp_path / f"downloaded-{n}.mp4"
        path.write_bytes(video.content)
        info = media_info(path)
        assert info.video_codec == "h264" and info.audio_codec == "aac" and 6 <= info.duration_s <= 14
    reader = S3ArtifactStore(tmp_path / "auditor", f"s3://{BUCKET}/artifacts")
    assert all(reader.has(r.artifact_key) for r in after.values())
    fresh = S3ArtifactStore(tmp_path / "cpu2-artifacts", f"s3://{BUCKET}/artifacts")
    fetched = [r for r in after.values() if r.node_id in done_before and fresh.has_local(r.artifact_key)]
    assert fetched  # the new machine read the stages it did not run from the bucket, into its own cache


@pytest.mark.parametrize("broker", ["redis"], indirect=True)  # lifecycle, not broker, behaviour: one broker is enough
def test_an_input_deleted_from_the_bucket_fails_the_job_with_a_code(cluster, store_url, tmp_path):
    """A render is deleted from the bucket while the cpu worker's cache still holds it: the io
    worker (a fresh machine) can never read the export's input, and the cpu worker finds the
    render already built. The job fails with input_missing within its attempts, never loops."""
    io = cluster.worker("io", ["io"])
    cluster.worker("cpu", ["cpu", "gpu"])
    job_id = cluster.submit(url=f"{store_url}/products/hubble-deep-field-poster.html", seed=4,
                            **SMALL_TWO_ASPECTS)["id"]
    wait_for(lambda: (lambda r: r is not None and r.status == StageRun.Status.DONE)(runs(job_id).get("scrape")),
             600, "the scrape on the io worker", cluster)
    io.stop()  # the io machine goes away: the export waits for the next one
    export = wait_for(lambda: next((r for r in runs(job_id).values() if r.stage == "export"
                                    and r.status == StageRun.Status.QUEUED), None), 600, "the export to be queued",
                      cluster)
    render = next(r for r in runs(job_id).values() if r.stage == "render")
    assert S3ArtifactStore(tmp_path / "operator", f"s3://{BUCKET}/artifacts").delete(render.artifact_key)
    cluster.worker("io2", ["io"])
    body = wait_for(lambda: (lambda b: b if b["status"] in ("failed", "succeeded") else None)(cluster.job(job_id)),
                    300, "the job to end", cluster)
    assert body["status"] == "failed", body
    assert body["error"]["code"] == "input_missing" and body["error"]["stage"] == "export", body["error"]
    assert "could not be found" in body["error"]["message"]
    export = runs(job_id)[export.node_id]
    assert export.status == StageRun.Status.FAILED and export.attempt <= 3
    assert not [s for s in body["stages"] if s["status"] in ("running", "queued")]
    assert not Render.objects.dangerously_unscoped().filter(job_id=job_id).exists()
