"""Billing fixtures: tenants with credits, an API client per tenant, and the local Stripe."""

from __future__ import annotations

import itertools

import pytest

from .stripe_server import stripe_server, stripe_settings  # noqa: F401  (fixtures)

_counter = itertools.count()


@pytest.fixture
def tenant(db, settings):
    """tenant(credits=0) -> TenantCreated (organization, workspace, user, api_key, raw_api_key)
    whose account holds exactly `credits` available (trial credits set to that amount)."""
    from tenants.services import tenant_create

    def make(credits: int = 0, *, agency: bool = False):
        settings.TRIAL_CREDITS = credits
        n = next(_counter)
        return tenant_create(name=f"Brand {n}", email=f"owner{n}@example.com", agency=agency)

    return make


@pytest.fixture
def api_client():
    """api_client(tenant) -> a DRF client authenticated with that tenant's API key."""
    from rest_framework.test import APIClient

    def make(created):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {created.raw_api_key}")
        return client

    return make
