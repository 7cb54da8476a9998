"""Delivery to an S3-compatible bucket, against moto's S3 server on loopback (the real S3 wire
protocol through boto3 and django-storages): the run's zip and manifest land under the campaign's
prefix, and a bucket that refuses them is reported on the run without losing the zip."""

from __future__ import annotations

import io
import json
import zipfile

import boto3
import pytest
from moto.server import ThreadedMotoServer

from adgen.campaigns import services
from adgen.campaigns.models import CampaignRun

from .test_services import make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def s3(monkeypatch, settings):
    """A loopback S3 endpoint (one the operator allows) and a client for it; boto3 reads the
    credentials from the environment."""
    for key, value in {"AWS_ACCESS_KEY_ID": "adgen-test", "AWS_SECRET_ACCESS_KEY": "adgen-test-secret",
                       "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(key, value)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    settings.ADGEN_BUCKET_ENDPOINTS = [endpoint]
    client = boto3.client("s3", endpoint_url=endpoint)
    client.endpoint = endpoint
    yield client
    server.stop()


def delivering_run(tenant, feed_site, bucket: dict) -> CampaignRun:
    campaign = make_campaign(tenant, feed_site, name="Spring Drop")
    campaign.bucket = bucket
    campaign.save(update_fields=["bucket"])
    return CampaignRun.objects.create(campaign=campaign, workspace=tenant.workspace,
                                      status=CampaignRun.Status.DELIVERING)


def test_a_run_is_copied_to_the_campaigns_bucket(tenant, feed_site, s3):
    s3.create_bucket(Bucket="brand-ads")
    run = delivering_run(tenant, feed_site, {"bucket": "brand-ads", "prefix": "adgen/weekly",
                                             "endpoint_url": s3.endpoint})
    run = services.campaign_run_deliver(run_id=run.pk)
    assert run.status == CampaignRun.Status.SUCCEEDED
    delivery = run.delivery["bucket"]
    assert delivery["status"] == "delivered" and delivery["bucket"] == "brand-ads"
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="brand-ads")["Contents"])
    base = f"adgen/weekly/spring-drop/{run.created:%Y-%m-%d}-{run.pk}"
    assert keys == [f"{base}/manifest.json", f"{base}/videos.zip"]
    body = s3.get_object(Bucket="brand-ads", Key=f"{base}/videos.zip")["Body"].read()
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert json.loads(archive.read("manifest.json")) == run.manifest
    manifest = json.loads(s3.get_object(Bucket="brand-ads", Key=f"{base}/manifest.json")["Body"].read())
    assert manifest == run.manifest
    # the same zip is downloadable from adgen itself
    with run.archive.open("rb") as fh:
        assert fh.read() == body


def test_a_bucket_that_refuses_the_upload_is_reported_and_the_zip_kept(tenant, feed_site, s3):
    run = delivering_run(tenant, feed_site, {"bucket": "no-such-bucket", "endpoint_url": s3.endpoint})
    run = services.campaign_run_deliver(run_id=run.pk)
    assert run.status == CampaignRun.Status.SUCCEEDED  # the videos were made; only the copy failed
    assert run.delivery["bucket"]["status"] == "failed"
    assert "NoSuchBucket" in run.delivery["bucket"]["error"]
    assert run.archive and run.archive.size > 0
