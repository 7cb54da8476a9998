"""`adgen serve` for real (uvicorn, ASGI, 2 web processes): the SSE stream delivers a stage's start
while the job is still running (not all at once at the end), and SIGTERM with a stream open
ends the server within 10 s."""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time

import httpx
import pytest
from django.utils import timezone

from adgen.ads import services
from adgen.ads.models import AdJob, StageRun
from tests.ads.test_workers import ROOT, database_url

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url(), "BROKER_URL": "", "DJANGO_SETTINGS_MODULE": "adgen.settings",
           "MEDIA_ROOT": str(tmp_path / "media"), "ARTIFACT_ROOT": str(tmp_path / "artifacts"), "LOG_LEVEL": "info"}
    env.pop("ARTIFACT_STORE_URL", None)
    log = tmp_path / "serve.log"
    proc = subprocess.Popen([sys.executable, "-m", "adgen.service_cli", "serve", "--port", str(port), "--workers", "2"],
                            cwd=ROOT, env=env, stdout=open(log, "ab"), stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=5).status_code in (200, 503):
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    else:
        proc.kill()
        raise AssertionError(f"adgen serve did not start:\n{log.read_text()[-3000:]}")
    proc.base, proc.log = base, log
    yield proc
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def follow(url: str, headers: dict, events: queue.Queue) -> None:
    """Read the stream in a thread, timestamping each event as it arrives."""
    try:
        with httpx.stream("GET", url, headers={**headers, "Accept": "text/event-stream"}, timeout=60) as response:
            kind = None
            for line in response.iter_lines():
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: "):
                    events.put((time.monotonic(), kind, json.loads(line[6:])))
    except httpx.HTTPError as exc:  # the server going away ends the stream
        events.put((time.monotonic(), "closed", {"error": str(exc)}))
    events.put((time.monotonic(), "closed", {}))


def test_sse_streams_a_stage_start_and_serve_exits_on_sigterm_with_a_stream_open(server, make_tenant):
    tenant = make_tenant("Streams")
    job = services.job_submit(workspace=tenant.workspace, options={"variants": 1, "aspects": ["9:16"]},
                              url="https://shop.example/products/mug")
    headers = {"Authorization": f"Bearer {tenant.raw_api_key}"}
    events: queue.Queue = queue.Queue()
    threading.Thread(target=follow, args=(f"{server.base}/api/v1/workspaces/{tenant.workspace.pk}/ads/{job.pk}/events/",
                                          headers, events), daemon=True).start()
    _, kind, first = events.get(timeout=60)
    assert kind == "progress" and first["status"] in ("queued", "running")
    assert [s["status"] for s in first["stages"] if s["stage"] == "scrape"] == ["queued"]

    # a worker claims the scrape (what lifecycle._claim writes)
    started = time.monotonic()
    StageRun.objects.dangerously_unscoped().filter(job=job, stage="scrape").update(
        status=StageRun.Status.RUNNING, attempt=1, started_at=timezone.now(), heartbeat_at=timezone.now())
    AdJob.objects.dangerously_unscoped().filter(pk=job.pk).update(status=AdJob.Status.RUNNING)
    while True:
        arrived, kind, event = events.get(timeout=30)
        assert kind == "progress", (kind, event)
        if any(s["stage"] == "scrape" and s["status"] == "running" for s in event["stages"]):
            break
    latency = arrived - started
    print(f"\nSSE: the stage start arrived {latency:.2f} s after the run was claimed (job still running)")
    assert latency < 2.0  # the bound: the poll is ADGEN_SSE_POLL_S (0.5 s)

    sent = time.monotonic()
    os.kill(server.pid, signal.SIGTERM)  # the stream is still open
    code = server.wait(timeout=30)
    exited = time.monotonic() - sent
    print(f"adgen serve exited {exited:.1f} s after SIGTERM with a stream open (code {code})")
    assert exited < 10.0, server.log.read_text()[-3000:]
    assert events.get(timeout=10)[1] == "closed"
