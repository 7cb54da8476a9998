"""Dashboard fixtures: signed-in users in their own organizations (Django test client)."""

from __future__ import annotations

import itertools

import pytest

_counter = itertools.count()


@pytest.fixture
def make_user(db, settings):
    """make_user(agency=False) -> TenantCreated with `.client`, a Django test client logged in as its owner."""
    from django.test import Client

    from tenants.services import tenant_create

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    def make(*, agency: bool = False, credits: int = 1000):
        settings.TRIAL_CREDITS = credits
        n = next(_counter)
        created = tenant_create(name=f"Brand {n}", email=f"dash{n}@example.com", agency=agency,
                                password="correct horse battery")
        created.client = Client()
        created.client.force_login(created.user)
        created.base = f"/workspaces/{created.workspace.pk}"
        return created

    return make
