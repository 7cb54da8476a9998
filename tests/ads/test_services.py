"""Job lifecycle without workers: submit (hold), cancel (release), sweeper, webhooks."""

from __future__ import annotations

import hashlib
import hmac
import http.server
import json
import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from adgen.ads import lifecycle, services, webhooks
from adgen.ads.models import AdJob, StageRun, Webhook, WebhookDelivery
from adgen.ads.lifecycle import stage_run_execute, stage_runs_sweep

pytestmark = pytest.mark.django_db

SMALL = {"variants": 1, "aspects": ["9:16"], "duration": 8, "preview": True}


def _balance(organization):
    from adgen.billing.selectors import account_balance

    return account_balance(organization=organization)


def test_submit_holds_credits_and_queues_first_stage(make_tenant):
    a = make_tenant()
    before = _balance(a.organization)
    response = a.client.post(f"{a.base}/ads/", {"url": "https://shop.test/p/1", **SMALL}, format="json")
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] in ("queued", "running") and body["progress"] == 0
    assert [(s["node"], s["status"]) for s in body["stages"]] == [("scrape", "queued"), ("script", "pending")]
    job = AdJob.objects.for_workspace(a.workspace).get(pk=body["id"])
    assert job.quoted_credits and job.quoted_credits > 0
    after = _balance(a.organization)
    assert after.held == before.held + job.quoted_credits
    assert after.available == before.available - job.quoted_credits


def test_submit_refused_without_credits_leaves_no_job(make_tenant):
    a = make_tenant()
    big = {"url": "https://shop.test/p/1", "variants": 12, "aspects": ["9:16", "1:1", "4:5", "16:9"], "duration": 90}
    response = a.client.post(f"{a.base}/ads/", big, format="json")
    assert response.status_code == 402 and response.json()["code"] == "insufficient_credits"
    assert not AdJob.objects.for_workspace(a.workspace).exists()


def test_cancel_stops_everything_and_releases_the_hold(make_tenant):
    a = make_tenant()
    before = _balance(a.organization)
    job_id = a.client.post(f"{a.base}/ads/", {"url": "https://shop.test/p/1", **SMALL}, format="json").json()["id"]
    cancelled = a.client.post(f"{a.base}/ads/{job_id}/cancel/")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["error"]["code"] == "cancelled"
    assert {s["status"] for s in cancelled.json()["stages"]} == {"cancelled"}
    assert _balance(a.organization) == before
    again = a.client.post(f"{a.base}/ads/{job_id}/cancel/")
    assert again.status_code == 409 and again.json()["code"] == "job_finished"
    # a late message for a cancelled run does nothing
    run = StageRun.objects.for_workspace(a.workspace).get(job_id=job_id, node_id="scrape")
    assert stage_run_execute(run.pk) == "skipped"


def test_bad_urls_are_refused_with_a_code(make_tenant):
    a = make_tenant()
    for url in ("ftp://shop.test/p", "not a url", "javascript:alert(1)"):
        response = a.client.post(f"{a.base}/ads/", {"url": url}, format="json")
        assert response.status_code == 400 and response.json()["code"] == "invalid", url
        assert "url" in response.json()["fields"]
    both = a.client.post(f"{a.base}/ads/", {}, format="json")
    assert both.status_code == 400 and "url" in both.json()["message"]


def test_sweeper_requeues_runs_whose_worker_died(make_tenant):
    a = make_tenant()
    job_id = a.client.post(f"{a.base}/ads/", {"url": "https://shop.test/p/1", **SMALL}, format="json").json()["id"]
    run = StageRun.objects.for_workspace(a.workspace).get(job_id=job_id, node_id="scrape")
    run.status, run.attempt, run.heartbeat_at = StageRun.Status.RUNNING, 1, timezone.now() - timedelta(minutes=10)
    run.save()
    assert stage_runs_sweep(stale_s=60)["requeued"] == 1
    run.refresh_from_db()
    assert run.status == StageRun.Status.QUEUED and run.attempt == 1
    assert stage_runs_sweep(stale_s=60)["requeued"] == 0  # fresh again


class _Receiver(http.server.BaseHTTPRequestHandler):
    answers: list[int] = []
    received: list[tuple[dict, bytes]] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        self.send_response(type(self).answers.pop(0) if type(self).answers else 200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    _Receiver.answers, _Receiver.received = [500], []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", _Receiver
    server.shutdown()


def test_webhook_is_signed_and_retried(make_tenant, receiver, settings):
    settings.ADGEN_ALLOW_PRIVATE_HOSTS = True
    url, handler = receiver
    a = make_tenant()
    created = a.client.post(f"{a.base}/webhooks/", {"url": url, "secret": "x" * 24, "events": ["ad.failed"]},
                            format="json")
    assert created.status_code == 201 and "secret" not in created.json()
    job = AdJob.objects.create(workspace=a.workspace, url="https://shop.test/p/1", status=AdJob.Status.RUNNING)
    lifecycle.job_fail(job=job, code="not_a_product", message="That page is not a product page.", stage="scrape")
    delivery = WebhookDelivery.objects.for_workspace(a.workspace).get()
    with pytest.raises(webhooks.WebhookFailed):  # 500 -> the actor's retry (with backoff) tries again
        webhooks.webhook_deliver(delivery_id=delivery.pk)
    assert webhooks.webhook_deliver(delivery_id=delivery.pk).status == WebhookDelivery.Status.DELIVERED
    headers, body = handler.received[-1]
    assert len(handler.received) == 2 and headers["X-Adgen-Event"] == "ad.failed"
    parts = dict(item.split("=", 1) for item in headers["X-Adgen-Signature"].split(","))
    expected = hmac.new(b"x" * 24, parts["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(parts["v1"], expected)
    event = json.loads(body)
    assert event["type"] == "ad.failed" and event["data"]["error"]["code"] == "not_a_product"
    assert webhooks.webhook_deliver(delivery_id=delivery.pk).attempts == 2  # delivered: never sent again
    # ad.completed is not subscribed by this webhook
    assert Webhook.objects.for_workspace(a.workspace).get().events == ["ad.failed"]


def test_webhooks_refuse_private_addresses(make_tenant, settings):
    settings.ADGEN_ALLOW_PRIVATE_HOSTS = False
    a = make_tenant()
    for url in ("http://127.0.0.1:9/x", "http://10.0.0.1/x", "http://[::1]/x"):
        response = a.client.post(f"{a.base}/webhooks/", {"url": url, "secret": "x" * 24}, format="json")
        assert response.status_code == 400, url


def test_neural_stages_are_routed_to_the_gpu_queue():
    from dramatiq.brokers.stub import StubBroker

    from adgen.ads import actors

    broker = StubBroker()
    broker.declare_queue("gpu")
    previous = actors.stage_avatar.broker
    broker.declare_actor(actors.stage_avatar)
    actors.stage_avatar.broker = broker
    try:
        actors.send_stage(stage="avatar", queue="gpu", stage_run_id=41)
        actors.send_stage(stage="avatar", queue="cpu", stage_run_id=42)
        from dramatiq import Message

        [gpu_message] = [Message.decode(broker.queues["gpu"].get_nowait())]
        [cpu_message] = [Message.decode(broker.queues["cpu"].get_nowait())]
        assert (gpu_message.actor_name, gpu_message.args, gpu_message.queue_name) == ("stage_avatar", (41,), "gpu")
        assert (cpu_message.args, cpu_message.queue_name) == ((42,), "cpu")
    finally:
        actors.stage_avatar.broker = previous


def test_edited_scripts_voice_and_presenter_reach_the_job_spec(make_tenant):
    from pipelines.jobs import JobSpec
    from pipelines.product import AdScript, Scene

    a = make_tenant()
    script = AdScript(variant_id="v1-edited", framework="pas", hook="My own hook.", cta="Buy it.",
                      scenes=[Scene(voiceover="My own hook."), Scene(voiceover="Buy it.", role="cta")])
    options = {**SMALL, "scripts": [script.model_dump(mode="json")], "voice": "en-us-m1", "presenter": "leo"}
    response = a.client.post(f"{a.base}/ads/", {"url": "https://shop.test/p/1", **options}, format="json")
    assert response.status_code == 202, response.content
    spec = JobSpec.model_validate(AdJob.objects.for_workspace(a.workspace).get(pk=response.json()["id"]).spec)
    assert [s.hook for s in spec.scripts] == ["My own hook."] and spec.variants == 1
    assert spec.brand.voice == "en-us-m1" and spec.brand.presenter == "leo"


def test_a_presenter_must_be_a_known_look_not_a_path(make_tenant):
    a = make_tenant()
    response = a.client.post(f"{a.base}/ads/", {"url": "https://shop.test/p/1", **SMALL,
                                                "presenter": "/etc/passwd"}, format="json")
    assert response.status_code == 400
