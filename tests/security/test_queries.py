"""Finding 4: the query strings and bodies that answered 500 now get a 400 naming the parameter;
pagination is bounded; the schema documents the error responses and what DELETE answers."""

from __future__ import annotations

import uuid

import pytest

from adgen.ads.models import AdJob

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path,param", [
    ("ads/?product=x", "product"),
    ("ads/?status=bogus", "status"),
    ("renders/?job=x", "job"),
    ("webhooks/?active=maybe", "active"),
    ("campaigns/?enabled=maybe", "enabled"),
    ("credits/ledger/?limit=99999999999999999999", "limit"),
    ("credits/ledger/?offset=99999999999999999999", "offset"),
    ("ads/?limit=0", "limit"),
    ("ads/?limit=abc", "limit"),
    ("ads/?offset=-1", "offset"),
])
def test_bad_query_parameters_are_a_400_naming_them(make_tenant, path, param):
    a = make_tenant()
    response = a.client.get(f"{a.base}/{path}")
    assert response.status_code == 400, (path, response.status_code, response.content[:300])
    body = response.json()
    assert body["code"] == "invalid" and param in body["fields"], body


def test_good_filters_still_filter(make_tenant):
    a = make_tenant()
    job = AdJob.objects.create(workspace=a.workspace, options={})
    assert a.client.get(f"{a.base}/ads/?status=queued&limit=200").json()["count"] == 1
    failed = a.client.get(f"{a.base}/ads/?status=failed").json()
    assert failed.get("count") == 0, failed
    assert a.client.get(f"{a.base}/ads/?product={uuid.uuid4()}").json()["count"] == 0
    assert a.client.get(f"{a.base}/webhooks/?active=true").status_code == 200
    assert a.client.get(f"{a.base}/campaigns/?enabled=false").status_code == 200
    assert a.client.get(f"{a.base}/renders/?job={job.pk}").json()["count"] == 0


@pytest.mark.parametrize("path", ["products/?status=%00", "api-keys/?name=a%00b", "ads/?x%00=1"])
def test_nul_in_a_query_string_is_a_400(make_tenant, path):
    a = make_tenant()
    response = a.client.get(f"{a.base}/{path}")
    assert response.status_code == 400 and response.json()["code"] == "nul_character"


def test_nul_in_a_json_body_is_a_400(make_tenant):
    a = make_tenant()
    script = {"hook": "Hi\u0000there", "scenes": [{"voiceover": "a\u0000b"}]}
    response = a.client.post(f"{a.base}/ads/", {"url": "https://shop.example.com/p", "scripts": [script]},
                             format="json")
    assert response.status_code == 400 and response.json()["code"] == "nul_character"
    assert "scripts.0" in response.json()["message"]
    response = a.client.post(f"{a.base}/webhooks/", {"url": "https://example.com/\u0000", "secret": "s" * 20},
                             format="json")
    assert response.status_code == 400


@pytest.mark.parametrize("timeout", ["abc", "nan", "inf", "-inf", "1e400", "0", "3601"])
def test_sse_timeout_is_parsed_and_capped(make_tenant, timeout):
    a = make_tenant()
    job = AdJob.objects.create(workspace=a.workspace, options={}, status=AdJob.Status.SUCCEEDED)
    response = a.client.get(f"{a.base}/ads/{job.pk}/events/?timeout={timeout}")
    assert response.status_code == 400 and "timeout" in response.json()["fields"]


def test_sse_with_a_good_timeout_streams(make_tenant):
    a = make_tenant()
    job = AdJob.objects.create(workspace=a.workspace, options={}, status=AdJob.Status.SUCCEEDED)
    response = a.client.get(f"{a.base}/ads/{job.pk}/events/?timeout=5")
    assert response.status_code == 200
    assert b"event: done" in b"".join(response.streaming_content)


def test_schema_documents_errors_and_delete_api_keys_answers_what_it_says(make_tenant):
    a = make_tenant()
    schema = a.client.get("/api/v1/schema/?format=json").json()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                for status in ("400", "401", "403", "404", "409", "413", "429"):
                    assert status in operation["responses"], (method, path, status)
    assert schema["components"]["schemas"]["Error"]["required"] == ["code", "message"]
    delete = schema["paths"]["/api/v1/workspaces/{workspace_id}/api-keys/{id}/"]["delete"]
    documented = {code for code in delete["responses"] if code.startswith("2")}
    key = a.client.post(f"{a.base}/api-keys/", {"name": "tmp", "role": "viewer"}, format="json").json()
    response = a.client.delete(f"{a.base}/api-keys/{key['id']}/")
    assert documented == {str(response.status_code)} and response.json()["revoked_at"]
    params = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/workspaces/{workspace_id}/ads/"]["get"]["parameters"]}
    assert params["product"] == {"type": "string", "format": "uuid"} and params["limit"]["maximum"] == 200
    assert "queued" in params["status"]["enum"]
