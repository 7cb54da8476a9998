"""/healthz, /metrics, worker heartbeats, case-insensitive LOG_LEVEL, the cache CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.test import Client
from django.utils import timezone

from adgen.ops.models import WorkerHeartbeat
from tests.ads.test_workers import ROOT

pytestmark = pytest.mark.django_db


def test_healthz_reports_every_service_and_the_workers(settings, tmp_path):
    settings.ARTIFACT_ROOT = tmp_path / "artifacts"
    settings.ADGEN_OPS_TOKEN = ""
    WorkerHeartbeat.objects.create(name="gpu-box:41", hostname="gpu-box", pid=41, queues=["gpu"],
                                   started_at=timezone.now(), seen_at=timezone.now(), processed=7)
    response = Client().get("/healthz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert {name for name, check in body["checks"].items() if check["ok"]} == {"database", "broker", "storage",
                                                                                "artifacts"}
    assert set(body["checks"]["broker"]["queues"]) == {"io", "cpu", "gpu"}
    [worker] = body["workers"]
    assert worker["name"] == "gpu-box:41" and worker["alive"] and worker["queues"] == ["gpu"]


def test_healthz_is_503_when_the_artifact_bucket_is_unreachable(settings, tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "y")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("S3_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens on the discard port
    settings.ARTIFACT_STORE_URL = "s3://nowhere/artifacts"
    settings.ARTIFACT_ROOT = tmp_path / "cache"
    settings.ADGEN_OPS_TOKEN = "ops-secret"
    anonymous = Client().get("/healthz")
    assert anonymous.status_code == 503 and anonymous.json() == {"status": "unavailable"}  # no details
    body = Client().get("/healthz", HTTP_AUTHORIZATION="Bearer ops-secret").json()
    assert not body["checks"]["artifacts"]["ok"] and "error" in body["checks"]["artifacts"]
    assert body["checks"]["database"]["ok"]


def test_a_queue_with_work_and_no_live_worker_is_a_warning(settings, tmp_path):
    import dramatiq

    settings.ARTIFACT_ROOT = tmp_path / "artifacts"
    broker = dramatiq.get_broker()
    from adgen.ads.actors import send_stage

    send_stage(stage="avatar", queue="gpu", stage_run_id=1)
    try:
        body = Client().get("/healthz").json()
        assert body["checks"]["broker"]["queues"]["gpu"]["ready"] >= 1
        assert any("'gpu'" in w and "no live worker" in w for w in body["warnings"])
    finally:
        broker.flush_all()


def test_metrics_are_prometheus_text(settings):
    settings.ADGEN_OPS_TOKEN = ""
    Client().get("/healthz")
    response = Client().get("/metrics")
    assert response.status_code == 200
    text = response.content.decode()
    assert "django_http_requests_total_by_method_total" in text and "# TYPE" in text
    settings.ADGEN_OPS_TOKEN = "t0ken"
    assert Client().get("/metrics").status_code == 401
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer t0ken").status_code == 200


@pytest.mark.parametrize("level", ["warning", "Info", "DEBUG", "warn"])
def test_log_level_in_any_case(level):
    code = "import django, os; django.setup(); from django.conf import settings; print(settings.LOG_LEVEL)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "LOG_LEVEL": level, "DJANGO_SETTINGS_MODULE": "adgen.settings"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == {"warn": "WARNING"}.get(level, level.upper())


def test_an_unknown_log_level_is_one_clear_line():
    out = subprocess.run([sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, capture_output=True,
                         text=True, timeout=120,
                         env={**os.environ, "LOG_LEVEL": "loud", "DJANGO_SETTINGS_MODULE": "adgen.settings"})
    assert out.returncode != 0 and "LOG_LEVEL='loud'" in out.stderr


def test_cache_cli_stats_and_prune(tmp_path):
    from pipelines.store import ArtifactStore

    store = ArtifactStore(tmp_path / "cache", url="", cache_max_bytes=0)
    for n in range(5):
        work = store.new_workdir()
        (work / "clip.bin").write_bytes(os.urandom(200_000))
        store.commit(work, f"{n:02x}" + "0" * 62, {"n": n})
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "ARTIFACT_STORE_URL")}

    def cli(*args):
        out = subprocess.run([sys.executable, "-m", "adgen.cli", "cache", *args, "--cache", str(store.root), "--json"],
                             cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)

    stats = cli("stats")
    assert stats["artifacts"] == 5 and stats["bytes"] > 1_000_000 and stats["backend"] == "local"
    dry = cli("prune", "--max-mb", "0.5", "--grace-s", "0", "--dry-run")
    assert dry["evicted"] >= 3 and cli("stats")["artifacts"] == 5
    done = cli("prune", "--max-mb", "0.5", "--grace-s", "0")
    assert done["bytes_after"] <= 0.5 * 2**20 and cli("stats")["artifacts"] == 5 - done["evicted"]
