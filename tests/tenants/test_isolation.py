"""Tenant isolation, driven by the OpenAPI schema: for EVERY endpoint it lists, tenant A's
credentials against tenant B's workspace and objects (read, update, delete, and B's ids inside
A's request bodies) answer 404/403, never B's data, and B's objects are unchanged."""

from __future__ import annotations

import json
import re

import pytest
from django.core.files.base import ContentFile
from rest_framework.test import APIClient

from adgen.ads.models import AdJob, BrandKit, Product, Render, StageRun, Variant, Webhook
from tenants.models import ApiKey
from tenants.services import api_key_create

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture
def tenants(make_tenant, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    a, b = make_tenant("Tenant A"), make_tenant("Tenant B")
    objects = {}
    for t in (a, b):
        ws = t.workspace
        product = Product.objects.create(workspace=ws, url="https://shop.test/p/1", status="ready",
                                         title=f"secret product of {ws.name}", data={"title": "x", "url": "u"})
        kit = BrandKit.objects.create(workspace=ws, name=f"kit of {ws.name}")
        job = AdJob.objects.create(workspace=ws, url=product.url, product=product, brand_kit=kit,
                                   status=AdJob.Status.RUNNING, spec={"url": product.url})
        StageRun.objects.create(workspace=ws, job=job, node_id="scrape", stage="scrape", queue="io")
        variant = Variant.objects.create(workspace=ws, job=job, index=0, script={"hook": "h"})
        render = Render(workspace=ws, job=job, variant=variant, node_id="render:0:9x16", aspect="9:16",
                        artifact_key="k" * 64)
        render.file.save(f"{ws.pk}.mp4", ContentFile(b"private video bytes of " + str(ws.pk).encode()))
        webhook = Webhook.objects.create(workspace=ws, url="https://hooks.test/x", secret="s" * 32)
        key, _ = api_key_create(workspace=ws, name="extra")
        objects[t.workspace.pk] = {"products": product, "brand-kits": kit, "ads": job, "renders": render,
                                   "webhooks": webhook, "api-keys": key}
    a.objects, b.objects = objects[a.workspace.pk], objects[b.workspace.pk]
    return a, b


def _schema_operations(client) -> list[tuple[str, str, dict]]:
    schema = client.get("/api/v1/schema/?format=json").json()
    ops = []
    for path, item in schema["paths"].items():
        for method in METHODS:
            if method in item:
                ops.append((path, method, item[method]))
    return ops, schema


OBJECT_PARAM = re.compile(r"\{(?!workspace_id\})[a-z_]+\}")


def _object_for(path: str, objects: dict, param: str = ""):
    """The object a path parameter names: the collection segment right before it (any B object
    for collections this suite has no fixture for: it must answer 404 all the same)."""
    match = re.search(r"/([a-z-]+)/\{" + (re.escape(param) if param else "[a-z_]+") + r"\}/", path)
    return objects.get(match.group(1) if match else "", objects["ads"])


def _fill(path: str, workspace_id, objects: dict) -> str:
    url = path.replace("{workspace_id}", str(workspace_id))
    return OBJECT_PARAM.sub(lambda m: str(_object_for(path, objects, m.group(0)[1:-1]).pk), url)


def _uuid_fields(operation: dict, schema: dict) -> list[str]:
    body = operation.get("requestBody", {}).get("content", {})
    media = body.get("application/json") or next(iter(body.values()), None)
    if not media:
        return []
    ref = media["schema"].get("$ref", "")
    component = schema["components"]["schemas"].get(ref.rsplit("/", 1)[-1], media["schema"])
    return [name for name, prop in component.get("properties", {}).items()
            if prop.get("format") == "uuid" and not prop.get("readOnly")]


def _call(client: APIClient, method: str, url: str, body: dict | None = None):
    kwargs = {"format": "json"} if method in ("post", "put", "patch") else {}
    return getattr(client, method)(url, body or {}, **kwargs) if kwargs else getattr(client, method)(url)


def _assert_no_leak(response, b, where: str):
    assert response.status_code in (403, 404), f"{where}: {response.status_code} {getattr(response, 'content', b'')[:300]!r}"
    text = b"" if getattr(response, "streaming", False) else response.content
    for obj in b.objects.values():
        assert str(obj.pk).encode() not in text, f"{where} leaked {obj!r}"
    assert b"secret product" not in text and b"private video bytes" not in text


def _workspace_ops(ops):
    return [(p, m, o) for p, m, o in ops if "{workspace_id}" in p]


def test_every_endpoint_refuses_other_tenants_workspace_and_objects(tenants):
    a, b = tenants
    ops, schema = _schema_operations(a.client)
    ws_ops = _workspace_ops(ops)
    assert len(ws_ops) >= 20, [p for p, _, _ in ws_ops]  # the suite really covers the API
    session = APIClient()
    assert session.login(username=a.user.username, password="correct horse battery")
    checked = 0
    for path, method, operation in ws_ops:
        # 1) A's credentials (key and session) on B's workspace, with B's object ids
        for client in (a.client, session):
            url = _fill(path, b.workspace.pk, b.objects)
            _assert_no_leak(_call(client, method, url), b, f"A on B's workspace {method.upper()} {url}")
        # 2) A's own workspace, B's object ids in the path
        if OBJECT_PARAM.search(path):
            url = _fill(path, a.workspace.pk, b.objects)
            _assert_no_leak(_call(a.client, method, url), b, f"B's id in A's path {method.upper()} {url}")
        # 3) A's own workspace, B's ids inside the request body
        if method in ("post", "put", "patch"):
            fields = _uuid_fields(operation, schema)
            if fields:
                url = _fill(path, a.workspace.pk, a.objects)
                for field in fields:
                    body = {"url": "https://shop.test/p/2", "name": "n", field: str(_object_for(
                        f"/{field.replace('_', '-')}s/{{id}}/", b.objects).pk)}
                    _assert_no_leak(_call(a.client, method, url, body), b,
                                    f"B's {field} in A's body {method.upper()} {url}")
        checked += 1
    assert checked == len(ws_ops)

    # B's objects are untouched
    bo = b.objects
    assert Webhook.objects.for_workspace(b.workspace).filter(pk=bo["webhooks"].pk).exists()
    assert BrandKit.objects.for_workspace(b.workspace).get(pk=bo["brand-kits"].pk).name == "kit of Tenant B"
    assert ApiKey.objects.for_workspace(b.workspace).get(pk=bo["api-keys"].pk).revoked_at is None
    assert AdJob.objects.for_workspace(b.workspace).get(pk=bo["ads"].pk).status == AdJob.Status.RUNNING
    assert Product.objects.for_workspace(b.workspace).filter(pk=bo["products"].pk).exists()
    assert Render.objects.for_workspace(b.workspace).filter(pk=bo["renders"].pk).exists()


def test_lists_in_own_workspace_never_show_other_tenants_rows(tenants):
    a, b = tenants
    ops, _ = _schema_operations(a.client)
    for path, method, _ in _workspace_ops(ops):
        if method != "get" or OBJECT_PARAM.search(path):
            continue
        response = a.client.get(path.replace("{workspace_id}", str(a.workspace.pk)))
        assert response.status_code == 200, path
        text = json.dumps(response.json()) if response.get("Content-Type", "").startswith("application/json") else ""
        for obj in b.objects.values():
            assert str(obj.pk) not in text, f"{path} lists B's {obj!r}"


def test_bodies_with_other_tenants_ids_answer_404(tenants):
    a, b = tenants
    made = a.client.post(f"{a.base}/ads/", {"product": str(b.objects["products"].pk), "variants": 1}, format="json")
    assert made.status_code == 404 and made.json()["code"] == "not_found"
    made = a.client.post(f"{a.base}/ads/", {"url": "https://shop.test/p/1", "brand_kit": str(b.objects["brand-kits"].pk)},
                         format="json")
    assert made.status_code == 404
    assert AdJob.objects.for_workspace(a.workspace).count() == 1  # only A's fixture job
