"""Tenants on PostgreSQL (DATABASE_URL): each `make_tenant()` is an organization + workspace +
owner + API key, with a DRF client authenticated by that key."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def make_tenant(db):
    from tenants.services import tenant_create

    counter = iter(range(1, 1000))

    def make(name: str | None = None, *, agency: bool = False):
        n = next(counter)
        created = tenant_create(name=name or f"Brand {n}", email=f"owner{n}-{name or 'x'}@example.com".lower(),
                                agency=agency, password="correct horse battery")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {created.raw_api_key}")
        created.client = client
        created.base = f"/api/v1/workspaces/{created.workspace.pk}"
        return created

    return make
