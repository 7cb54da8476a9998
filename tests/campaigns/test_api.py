"""The campaigns API: CRUD, run now, runs with per-product status, scoping; the signed webhook."""

from __future__ import annotations

import hashlib
import hmac
import http.server
import json
import threading
import zipfile

import pytest

from adgen.ads.models import AdJob
from adgen.campaigns import services
from adgen.campaigns.models import CampaignRun

pytestmark = pytest.mark.django_db
SECRET = "whsec-campaign-0123456789"


@pytest.fixture
def receiver():
    """A loopback endpoint that records what it is sent."""
    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers), body))
            self.send_response(204)
            self.end_headers()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks/adgen", received
    server.shutdown()


def test_crud_run_now_and_per_product_status(tenant, feed_site, handles, receiver, monkeypatch):
    url, received = receiver
    executed = []
    monkeypatch.setattr(services, "_send_execute", executed.append)
    monkeypatch.setattr(services, "_send_watch", lambda *a, **k: None)
    body = {"name": "Catalogue", "source_kind": "shopify", "source_url": f"{feed_site.base}/products.json",
            "max_products": 2, "matrix": {"variants": 1, "aspects": ["9:16"], "duration": 8},
            "schedule": "0 9 * * mon", "time_zone": "Asia/Shanghai", "budget_per_run": 100,
            "webhook_url": url, "webhook_secret": SECRET}
    created = tenant.client.post(f"{tenant.base}/campaigns/", body, format="json")
    assert created.status_code == 201, created.content
    campaign = created.json()
    assert campaign["next_run_at"] and "webhook_secret" not in campaign
    base = f"{tenant.base}/campaigns/{campaign['id']}"
    assert tenant.client.patch(f"{base}/", {"schedule": "nope"}, format="json").json()["code"] == "invalid_schedule"
    assert tenant.client.get(f"{tenant.base}/campaigns/").json()["count"] == 1

    started = tenant.client.post(f"{base}/run/", {"force": True}, format="json")
    assert started.status_code == 202 and started.json()["status"] == "queued" and started.json()["force"]
    run_id = started.json()["id"]
    services.campaign_run_execute(run_id=run_id)  # what the actor does (its message goes on commit)
    detail = tenant.client.get(f"{base}/runs/{run_id}/").json()
    assert detail["status"] == "rendering"
    assert [(i["url"], i["status"]) for i in detail["items"]] == [
        (f"{feed_site.base}/products/{h}", "rendering") for h in handles[:2]]
    assert detail["items"][0]["jobs"][0]["status"] in ("queued", "running")

    # the workers finish the jobs (no renders: the zip then holds only the manifest)
    run = CampaignRun.objects.for_workspace(tenant.workspace).get(pk=run_id)
    for item in run.items.all():
        item.jobs.update(status=AdJob.Status.SUCCEEDED)
    sent = []
    monkeypatch.setattr(services, "_send_webhook", sent.append)
    services.campaign_run_refresh(run_id=run_id)
    detail = tenant.client.get(f"{base}/runs/{run_id}/").json()
    assert detail["status"] == "succeeded" and detail["archive_url"].endswith(f"/runs/{run_id}/archive/")
    archive = tenant.client.get(f"{base}/runs/{run_id}/archive/")
    assert archive.status_code == 200
    path = feed_site.root / "run.zip"
    path.write_bytes(b"".join(archive.streaming_content))
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    assert [p["status"] for p in manifest["products"]] == ["succeeded", "succeeded"]
    assert tenant.client.get(f"{base}/runs/").json()["count"] == 1

    # the signed webhook
    assert sent == [run.pk]
    state = services.campaign_webhook_deliver(run_id=run_id)
    assert state["status"] == "delivered"
    [(headers, raw)] = received
    t, v1 = (part.split("=", 1)[1] for part in headers["X-Adgen-Signature"].split(","))
    assert hmac.compare_digest(v1, hmac.new(SECRET.encode(), f"{t}.".encode() + raw, hashlib.sha256).hexdigest())
    event = json.loads(raw)
    assert event["type"] == "campaign.run.finished" and event["data"]["id"] == str(run_id)
    assert event["data"]["archive_url"].endswith("/archive/")
    assert services.campaign_webhook_deliver(run_id=run_id) is None  # delivered once

    assert tenant.client.delete(f"{base}/").status_code == 204


def test_other_workspaces_see_nothing(tenant, feed_site):
    from rest_framework.test import APIClient

    from tenants.services import tenant_create

    campaign = services.campaign_create(workspace=tenant.workspace, name="Mine", source_kind="urls",
                                        source_urls=["https://shop.example/p/1"])
    run = CampaignRun.objects.create(workspace=tenant.workspace, campaign=campaign)
    other = tenant_create(name="Other", email="other@example.test", password="correct horse battery")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {other.raw_api_key}")
    theirs = f"/api/v1/workspaces/{other.workspace.pk}/campaigns"
    assert client.get(f"{theirs}/").json()["count"] == 0
    for path in (f"{theirs}/{campaign.pk}/", f"{theirs}/{campaign.pk}/runs/{run.pk}/"):
        assert client.get(path).status_code == 404
    assert client.post(f"{theirs}/{campaign.pk}/run/", {}, format="json").status_code == 404
    assert client.get(f"{tenant.base}/campaigns/").status_code == 404  # not their workspace
    kit_body = {"name": "X", "source_kind": "urls", "source_urls": ["https://shop.example/p/1"],
                "brand_kit": "00000000-0000-0000-0000-000000000000"}
    assert client.post(f"{theirs}/", kit_body, format="json").status_code == 404


def test_csv_upload_and_validation(tenant):
    ok = tenant.client.post(f"{tenant.base}/campaigns/", {"name": "CSV", "source_kind": "urls",
                            "source_csv": "url\nhttps://shop.example/a\nhttps://shop.example/b\n"}, format="json")
    assert ok.status_code == 201 and ok.json()["source_urls"] == ["https://shop.example/a", "https://shop.example/b"]
    bad = tenant.client.post(f"{tenant.base}/campaigns/", {"name": "Feed", "source_kind": "merchant"}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
