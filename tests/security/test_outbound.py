"""Findings 2 and 3: every URL the server posts to passes the one outbound guard, at
registration and again at send time (connected to the vetted address); campaign buckets are the
operator's endpoints only, and an upstream's error text never reaches the tenant."""

from __future__ import annotations

import pytest

from adgen.ads import webhooks as ads_services
from adgen.ads import webhooks as ads_webhooks
from adgen.ads.models import AdJob, Webhook, WebhookDelivery
from adgen.campaigns import services as campaign_services
from adgen.campaigns.models import Campaign, CampaignRun

pytestmark = pytest.mark.django_db
SECRET = "whsec-0123456789abcdef"

HOSTILE = [
    "http://127.0.0.1:6379/", "http://localhost/", "http://169.254.169.254/latest/meta-data/",
    "http://[64:ff9b::7f00:1]/", "http://[2002:7f00:1::]/", "http://[::127.0.0.1]/", "http://[::ffff:127.0.0.1]/",
    "http://[64:ff9b::a9fe:a9fe]/", "http://[2002:a9fe:a9fe::]/", "http://[::a9fe:a9fe]/", "http://[::1]/",
    "http://0x7f000001/", "http://2130706433/", "http://[fd00:ec2::254]/", "http://10.0.0.5/",
]


@pytest.mark.parametrize("url", HOSTILE)
def test_webhook_urls_to_internal_addresses_are_a_400(make_tenant, url):
    a = make_tenant()
    response = a.client.post(f"{a.base}/webhooks/", {"url": url, "secret": SECRET}, format="json")
    assert response.status_code == 400, (url, response.content)
    assert "url" in response.json()["fields"] and "not allowed" in response.json()["message"]
    campaign = a.client.post(f"{a.base}/campaigns/", {
        "name": "C", "source_urls": ["https://shop.example.com/p"], "webhook_url": url, "webhook_secret": SECRET},
        format="json")
    assert campaign.status_code == 400 and "webhook_url" in campaign.json()["fields"], campaign.content


def _job_and_webhook(tenant, url):
    webhook = Webhook.objects.create(workspace=tenant.workspace, url=url, secret=SECRET)
    job = AdJob.objects.create(workspace=tenant.workspace, options={}, status=AdJob.Status.FAILED,
                               error_code="x", error_message="y")
    return webhook, job


def test_a_webhook_registered_while_private_hosts_were_allowed_is_refused_at_send_time(
        make_tenant, listener, settings):
    a = make_tenant()
    settings.ADGEN_ALLOW_PRIVATE_HOSTS = True  # registered on a machine with the opt-in...
    response = a.client.post(f"{a.base}/webhooks/", {"url": f"{listener.url}/hook", "secret": SECRET},
                             format="json")
    assert response.status_code == 201, response.content
    settings.ADGEN_ALLOW_PRIVATE_HOSTS = False  # ...sent by a worker without it
    job = AdJob.objects.create(workspace=a.workspace, options={}, status=AdJob.Status.FAILED, error_code="x")
    delivery = ads_webhooks.webhooks_emit(job=job, event="ad.failed")[0]
    delivery = ads_webhooks.webhook_deliver(delivery_id=delivery.pk)
    assert listener.received == []  # nothing reached loopback
    assert delivery.status == WebhookDelivery.Status.FAILED  # refused, not retried
    assert "loopback address 127.0.0.1" in delivery.last_error


def test_an_allowed_webhook_is_posted_to_the_vetted_address(make_tenant, listener, settings):
    settings.ADGEN_ALLOW_PRIVATE_HOSTS = True
    a = make_tenant()
    port = listener.url.rsplit(":", 1)[1]
    webhook, job = _job_and_webhook(a, f"http://localhost:{port}/hook")
    delivery = ads_webhooks.webhooks_emit(job=job, event="ad.failed")[0]
    delivery = ads_webhooks.webhook_deliver(delivery_id=delivery.pk)
    assert delivery.status == WebhookDelivery.Status.DELIVERED and delivery.last_status_code == 200
    [request] = listener.received
    assert request["method"] == "POST" and request["path"] == "/hook"
    assert request["headers"]["Host"] == f"localhost:{port}" and request["headers"]["X-Adgen-Signature"].startswith("t=")


def test_campaign_webhooks_are_rechecked_at_send_time(make_tenant, listener, settings):
    a = make_tenant()
    campaign = Campaign.objects.create(workspace=a.workspace, name="C", source_urls=["https://shop.example.com/p"],
                                       webhook_url=f"{listener.url}/hook", webhook_secret=SECRET)
    run = CampaignRun.objects.create(campaign=campaign, workspace=a.workspace, status=CampaignRun.Status.SUCCEEDED)
    state = campaign_services.campaign_webhook_deliver(run_id=run.pk)
    assert state["status"] == "failed" and "loopback" in state["error"]
    assert listener.received == []


def test_a_tenant_cannot_choose_a_bucket_endpoint(make_tenant, listener, settings):
    a = make_tenant()
    body = {"name": "C", "source_urls": ["https://shop.example.com/p"]}
    for endpoint in (listener.url, "http://169.254.169.254/", "http://127.0.0.1:6379/", "https://evil.example.com"):
        response = a.client.post(f"{a.base}/campaigns/", {**body, "bucket": {"bucket": "b", "endpoint_url": endpoint}},
                                 format="json")
        assert response.status_code == 400, (endpoint, response.content)
        assert "ADGEN_BUCKET_ENDPOINTS" in response.json()["message"]
    settings.ADGEN_BUCKET_ENDPOINTS = ["https://s3.eu-central.example.net"]
    response = a.client.post(f"{a.base}/campaigns/", {
        **body, "bucket": {"bucket": "b", "endpoint_url": "https://s3.eu-central.example.net/"}}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["bucket"]["endpoint_url"] == "https://s3.eu-central.example.net"
    assert a.client.post(f"{a.base}/campaigns/", {**body, "bucket": {"bucket": "b"}}, format="json").status_code == 201


def test_a_stored_endpoint_the_operator_withdrew_is_not_signed_for(make_tenant, listener, settings, tmp_path):
    """A campaign saved with an endpoint the operator later removed: nothing is sent, and the
    tenant sees our words, not the upstream's."""
    from pathlib import Path

    a = make_tenant()
    campaign = Campaign.objects.create(workspace=a.workspace, name="C", source_urls=["https://shop.example.com/p"],
                                       bucket={"bucket": "b", "endpoint_url": listener.url})
    run = CampaignRun.objects.create(campaign=campaign, workspace=a.workspace, status=CampaignRun.Status.DELIVERING)
    (tmp_path / "z.zip").write_bytes(b"PK")
    with pytest.raises(campaign_services.BucketRefused) as refused:
        campaign_services.bucket_upload(campaign.bucket, Path(tmp_path / "z.zip"), {}, run)
    assert listener.received == []
    assert campaign_services.bucket_error_message(refused.value) == \
        "This bucket endpoint is no longer allowed by the operator."
    # an upstream failure is reported by its S3 code at most, never its text
    from botocore.exceptions import ClientError, EndpointConnectionError

    error = ClientError({"Error": {"Code": "AccessDenied", "Message": "internal secret banner at 10.0.0.7"}}, "PutObject")
    assert campaign_services.bucket_error_message(error) == "The bucket refused the upload (AccessDenied)."
    unreachable = EndpointConnectionError(endpoint_url="http://127.0.0.1:6379/")
    assert "6379" not in campaign_services.bucket_error_message(unreachable)


@pytest.mark.parametrize("url", ["http://127.0.0.1:6379/", "http://[64:ff9b::7f00:1]/p", "http://0x7f000001/",
                                 "http://user:pw@shop.example.com/p", "file:///etc/passwd", "http://localhost/p"])
def test_product_and_feed_urls_to_internal_addresses_are_a_400_at_registration(make_tenant, dashboard_user, url):
    a = make_tenant()
    for path, body in (("products/", {"url": url}), ("ads/", {"url": url}),
                       ("campaigns/", {"name": "C", "source_urls": [url]}),
                       ("campaigns/", {"name": "C", "source_kind": "shopify", "source_url": url})):
        response = a.client.post(f"{a.base}/{path}", body, format="json")
        assert response.status_code == 400, (path, url, response.content)
    assert not Campaign.objects.for_workspace(a.workspace).exists()
    web = dashboard_user()
    response = web.web.post(f"{web.web_base}/create/", {"url": url})
    assert response.status_code == 200 and b"is not allowed" in response.content or b"Enter a valid URL" in response.content
