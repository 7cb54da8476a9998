"""Campaign tests: a loopback shop with a Shopify products.json, a Merchant XML and a sitemap
(fixtures/feeds), and tenants on the test database."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from rest_framework.test import APIClient

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "fixtures" / "feeds"))

from server import FeedSite, product_handles  # noqa: E402


@pytest.fixture
def feed_site(tmp_path):
    site = FeedSite(tmp_path / "site").start()
    yield site
    site.stop()


@pytest.fixture
def handles() -> list[str]:
    return product_handles()


@pytest.fixture
def tenant(db, settings, tmp_path):
    """An organization + workspace + owner with an API-key client; media and artifacts in tmp."""
    from tenants.services import tenant_create

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.ARTIFACT_ROOT = tmp_path / "artifacts"
    settings.ADGEN_ALLOW_PRIVATE_HOSTS = True
    created = tenant_create(name="Catalogue Brand", email="owner@catalogue.test", password="correct horse battery")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {created.raw_api_key}")
    created.client = client
    created.base = f"/api/v1/workspaces/{created.workspace.pk}"
    return created


def grant(organization, amount: int) -> None:
    from adgen.billing.services import credits_grant

    credits_grant(organization=organization, amount=amount, idempotency_key=f"test-grant-{amount}-{organization.pk}")


def balance(organization):
    from adgen.billing.selectors import account_balance

    return account_balance(organization=organization)
