"""The dashboard's API-keys page: an admin creates a key (its secret shown once), the key works
against the API with a Bearer header, revoking it makes the API answer 401; editors and viewers
neither see the page nor its link. Then the page in Chromium at 390 and 1280 px with axe-core."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tenants.models import ApiKey, Membership
from tenants.services import membership_set, user_get_or_create


def page_url(user) -> str:
    return f"{user.base}/api-keys/"


def api_client(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")  # what `curl -H "Authorization: Bearer ..."` sends
    return client


def test_create_use_revoke(make_user):
    owner = make_user()
    page = owner.client.get(page_url(owner))
    assert page.status_code == 200
    assert "cli" in page.content.decode()  # tenant_create's first key is listed, by name
    assert owner.raw_api_key not in page.content.decode()  # ...but never its secret

    created = owner.client.post(page_url(owner), {"name": "Shopify sync", "role": "editor"})
    assert created.status_code == 200
    assert "no-store" in created["Cache-Control"]
    key = ApiKey.objects.for_workspace(owner.workspace).get(name="Shopify sync")
    assert key.role == "editor" and key.created_by == owner.user
    html = created.content.decode()
    raw = html.split('id="new-key-value" class="key-value" type="text" value="')[1].split('"')[0]
    assert raw.startswith(key.prefix) and "shown only this once" in html

    api = f"/api/v1/workspaces/{owner.workspace.pk}"
    assert api_client(raw).get(f"{api}/ads/").status_code == 200
    # an editor key may not manage keys (the API's rule, and the page's)
    assert api_client(raw).post(f"{api}/api-keys/", {"name": "x"}, format="json").status_code == 403

    key.refresh_from_db()
    assert key.last_used_at is not None
    again = owner.client.get(page_url(owner)).content.decode()
    assert raw not in again  # shown once
    card = again.split("<h3>Shopify sync</h3>")[1].split("</li>")[0]
    assert "Last used</dt><dd><time" in card and " ago</time>" in card  # its use is on the page

    revoked = owner.client.post(f"{page_url(owner)}{key.pk}/revoke/")
    assert revoked.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert api_client(raw).get(f"{api}/ads/").status_code == 401
    listed = owner.client.get(page_url(owner)).content.decode()
    assert "Revoked" in listed and f"{key.pk}/revoke/" not in listed


def test_role_rules(make_user):
    owner = make_user()
    other = make_user()
    for role in (Membership.Role.EDITOR, Membership.Role.VIEWER):
        user = user_get_or_create(email=f"{role}-{owner.workspace.pk}@example.com", password="x-long-password")
        membership_set(user=user, workspace=owner.workspace, role=role)
        from django.test import Client

        client = Client()
        client.force_login(user)
        assert client.get(page_url(owner)).status_code == 404
        assert "API keys" not in client.get(f"{owner.base}/").content.decode()
    assert "API keys" in owner.client.get(f"{owner.base}/").content.decode()

    admin = user_get_or_create(email=f"admin-{owner.workspace.pk}@example.com", password="x-long-password")
    membership_set(user=admin, workspace=owner.workspace, role=Membership.Role.ADMIN)
    from django.test import Client

    client = Client()
    client.force_login(admin)
    refused = client.post(page_url(owner), {"name": "root", "role": "owner"})  # more than the admin's own rights
    assert refused.status_code == 200 and not ApiKey.objects.for_workspace(owner.workspace).filter(name="root").exists()
    assert client.post(page_url(owner), {"name": "ops", "role": "admin"}).status_code == 200
    assert ApiKey.objects.for_workspace(owner.workspace).filter(name="ops", role="admin").exists()

    # another organization's key cannot be revoked through this workspace's URL
    theirs = ApiKey.objects.for_workspace(other.workspace).get()
    assert owner.client.post(f"{page_url(owner)}{theirs.pk}/revoke/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert owner.client.get(f"{page_url(owner)}{theirs.pk}/revoke/").status_code == 405


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_page_in_chromium_has_no_axe_violations(live_server, make_user, settings, monkeypatch):
    """The page with a new key shown passes check_page (axe-core, no sideways scrolling, keyboard;
    screenshots out/screenshots/api-keys-*.png); the copy button works without inline script (CSP)."""
    from playwright.sync_api import sync_playwright

    from tests.dashboard.browser import CHROMIUM_ARGS, check_page

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    owner = make_user()
    owner.client.post(page_url(owner), {"name": "Used by CI", "role": "editor"})
    session = owner.client.cookies["sessionid"].value
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context()
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
        context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.goto(f"{live_server.url}{page_url(owner)}")
        page.fill("#id_name", "Zapier")
        page.select_option("#id_role", "viewer")
        page.click("button:has-text('Create key')")
        page.wait_for_selector("#new-key-value")
        page.click("button:has-text('Copy')")
        page.wait_for_selector("text=Copied to the clipboard.")
        raw = page.input_value("#new-key-value")
        assert page.evaluate("navigator.clipboard.readText()") == raw
        check_page(page, "api-keys")
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("button:has-text('Revoke Zapier')")
        page.wait_for_selector("text=Requests with it now get 401")
        assert api_client(raw).get(f"/api/v1/workspaces/{owner.workspace.pk}/ads/").status_code == 401
        assert not [m for m in problems if "Content Security Policy" in m], problems
        browser.close()
