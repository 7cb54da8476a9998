"""The billing API: packs, balance, ledger, purchases, quote; scoped to the caller's workspace."""

from __future__ import annotations

import pytest
from django.urls import resolve

from adgen.billing import services
from adgen.billing.views import QuoteViewSet

pytestmark = pytest.mark.django_db


def test_packs_are_public(client):
    body = client.get("/api/v1/billing/packs/").json()
    skus = {p["sku"]: p for p in body["packs"]}
    assert skus["starter"] == {"sku": "starter", "name": "Starter: 1,000 credits", "credits": 1000,
                               "price_cents": 1000, "currency": "usd"}
    assert all(plan["interval"] == "month" for plan in body["plans"])


def test_credits_shows_available_and_held(tenant, api_client):
    created = tenant(300)
    services.credits_hold(organization=created.organization, amount=120, reference="job:1")
    body = api_client(created).get(f"/api/v1/workspaces/{created.workspace.pk}/credits/").json()
    assert (body["available"], body["held"], body["frozen"]) == (180, 120, False)
    assert body["organization_id"] == str(created.organization.pk)


def test_session_login_sees_credits_too(client, tenant):
    created = tenant(42)
    client.force_login(created.user)
    body = client.get(f"/api/v1/workspaces/{created.workspace.pk}/credits/").json()
    assert body["available"] == 42


def test_agency_workspaces_share_the_organization_balance(tenant, api_client):
    from tenants.services import api_key_create, workspace_create

    agency = tenant(1000, agency=True)
    second = workspace_create(organization=agency.organization, name="Second brand", owner=agency.user)
    _, raw = api_key_create(workspace=second)
    services.credits_hold(organization=agency.organization, amount=100, reference="job:ws1")
    client = api_client(agency)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get(f"/api/v1/workspaces/{second.pk}/credits/").json()["available"] == 900


def test_ledger_history_is_paginated_newest_first(tenant, api_client):
    created = tenant(100)
    for i in range(5):
        services.credits_hold(organization=created.organization, amount=10, reference=f"job:{i}")
    body = api_client(created).get(f"/api/v1/workspaces/{created.workspace.pk}/credits/ledger/?limit=2").json()
    assert body["count"] == 6 and len(body["results"]) == 2 and body["next"]
    assert body["results"][0]["kind"] == "hold" and body["results"][0]["reference"] == "job:4"
    assert (body["results"][0]["available_delta"], body["results"][0]["held_delta"], body["results"][0]["amount"]) \
        == (-10, 10, 0)


def test_purchases_list(stripe_settings, tenant, api_client):
    created = tenant(0)
    client = api_client(created)
    client.post(f"/api/v1/workspaces/{created.workspace.pk}/credits/checkout/", {"pack": "agency"}, format="json")
    body = client.get(f"/api/v1/workspaces/{created.workspace.pk}/credits/purchases/").json()
    assert [(p["pack"], p["credits"], p["status"]) for p in body["results"]] == [("agency", 24000, "pending")]


def test_quote_before_submission(tenant, api_client):
    created = tenant(100)
    url = f"/api/v1/workspaces/{created.workspace.pk}/ads/quote/"
    assert resolve(url).func.cls is QuoteViewSet  # not shadowed by the ads routes
    body = api_client(created).post(url, {"variants": 2, "aspects": ["9:16", "1:1"], "duration": 15,
                                          "engines": {"avatar": "puppet", "broll": "motion"}}, format="json").json()
    assert (body["credits"], body["available"], body["sufficient"]) == (60, 100, True)
    assert body["lines"][0]["engine_class"] == "offline_render"
    bad = api_client(created).post(url, {"aspects": ["7:3"]}, format="json")
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_spec")


def test_another_organizations_workspace_is_not_found(stripe_settings, tenant, api_client):
    mine, theirs = tenant(10), tenant(5000)
    client = api_client(mine)
    base = f"/api/v1/workspaces/{theirs.workspace.pk}"
    for method, path, body in [("get", "/credits/", None), ("get", "/credits/ledger/", None),
                               ("get", "/credits/purchases/", None), ("post", "/credits/checkout/", {"pack": "starter"}),
                               ("post", "/credits/portal/", None), ("post", "/ads/quote/", {"variants": 1})]:
        response = getattr(client, method)(base + path, body, format="json")
        assert response.status_code == 404, (path, response.status_code)
        assert "5000" not in response.content.decode()
    assert stripe_settings.requests == []  # nothing reached Stripe on their behalf


def test_viewers_cannot_buy_and_anonymous_callers_get_nothing(client, stripe_settings, tenant, api_client):
    from tenants.services import api_key_create

    created = tenant(10)
    _, raw = api_key_create(workspace=created.workspace, role="viewer")
    viewer = api_client(created)
    viewer.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    base = f"/api/v1/workspaces/{created.workspace.pk}"
    assert viewer.get(base + "/credits/").status_code == 200
    response = viewer.post(base + "/credits/checkout/", {"pack": "starter"}, format="json")
    assert response.status_code == 403
    assert client.get(base + "/credits/").status_code in (401, 403)


def test_schema_lists_the_billing_endpoints(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    assert "/api/v1/workspaces/{workspace_id}/credits/" in paths
    assert "/api/v1/workspaces/{workspace_id}/ads/quote/" in paths
    assert "/api/v1/billing/packs/" in paths
