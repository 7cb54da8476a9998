import pytest
from rest_framework.test import APIClient

from tenants.models import Membership
from tenants.services import api_key_create, membership_set, user_get_or_create

pytestmark = pytest.mark.django_db


def test_bearer_key_lists_and_creates_keys(make_tenant):
    a = make_tenant("Acme")
    listed = a.client.get(f"{a.base}/api-keys/")
    assert listed.status_code == 200
    assert listed.json()["count"] == 1 and "key" not in listed.json()["results"][0]
    created = a.client.post(f"{a.base}/api-keys/", {"name": "zapier", "role": "editor"}, format="json")
    assert created.status_code == 201
    raw = created.json()["key"]
    assert raw.startswith(created.json()["prefix"])
    again = a.client.get(f"{a.base}/api-keys/{created.json()['id']}/").json()
    assert "key" not in again and again["last_used_at"] is None
    # the new key works, is recorded as used, and revocation stops it
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get(f"{a.base}/brand-kits/").status_code == 200
    assert a.client.get(f"{a.base}/api-keys/{created.json()['id']}/").json()["last_used_at"] is not None
    assert a.client.delete(f"{a.base}/api-keys/{created.json()['id']}/").json()["revoked_at"]
    denied = client.get(f"{a.base}/brand-kits/")
    assert denied.status_code == 401
    assert denied.json()["code"] == "authentication_failed" and denied.json()["message"]


def test_errors_are_json_with_code_and_message(make_tenant):
    a = make_tenant()
    bad = a.client.post(f"{a.base}/ads/", {"variants": 99}, format="json")
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid" and "variants" in bad.json()["fields"]
    missing = a.client.get(f"{a.base}/ads/00000000-0000-0000-0000-000000000000/")
    assert missing.status_code == 404 and missing.json() == {"code": "not_found", "message": "Not found."}
    anonymous = APIClient().get(f"{a.base}/ads/")
    assert anonymous.status_code in (401, 403) and anonymous.json()["code"] == "not_authenticated"


def test_session_login_and_roles(make_tenant):
    a = make_tenant("Roles")
    viewer = user_get_or_create(email="viewer@roles.test", password="correct horse battery")
    membership_set(user=viewer, workspace=a.workspace, role=Membership.Role.VIEWER)
    client = APIClient()
    assert client.login(username="viewer@roles.test", password="correct horse battery")
    assert client.get(f"{a.base}/brand-kits/").status_code == 200
    denied = client.post(f"{a.base}/brand-kits/", {"name": "x"}, format="json")
    assert denied.status_code == 403 and denied.json()["code"] == "insufficient_role"
    # an editor key may create brand kits but not webhooks (admin)
    _, raw = api_key_create(workspace=a.workspace, role=Membership.Role.EDITOR)
    editor = APIClient()
    editor.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert editor.post(f"{a.base}/brand-kits/", {"name": "Spring"}, format="json").status_code == 201
    assert editor.post(f"{a.base}/webhooks/", {"url": "https://example.com/h", "secret": "s" * 20},
                       format="json").status_code == 403


def test_per_workspace_throttle(make_tenant):
    from django.core.cache import cache
    from rest_framework.throttling import SimpleRateThrottle

    cache.clear()
    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = {**original, "workspace": "3/min"}
    try:
        a, b = make_tenant(), make_tenant()
        codes = [a.client.get(f"{a.base}/brand-kits/").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        assert a.client.get(f"{a.base}/brand-kits/").json()["code"] == "throttled"
        assert b.client.get(f"{b.base}/brand-kits/").status_code == 200  # another workspace's budget
    finally:
        SimpleRateThrottle.THROTTLE_RATES = original
        cache.clear()


def test_openapi_schema_and_docs_are_served(make_tenant):
    a = make_tenant()
    schema = a.client.get("/api/v1/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for suffix in ("products/", "ads/", "ads/{id}/", "ads/{id}/cancel/", "ads/{id}/events/", "renders/",
                   "renders/{id}/download/", "brand-kits/", "api-keys/", "webhooks/"):
        assert f"/api/v1/workspaces/{{workspace_id}}/{suffix}" in paths, suffix
    assert a.client.get("/api/v1/docs/").status_code == 200
