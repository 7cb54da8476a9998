"""Finding 1 in a real browser (Debian's Chromium through Playwright, live server on loopback):
the dashboard's CSP blocks nothing the dashboard itself needs (htmx loads and polls), and the
stored-XSS reproduction (an admin opening an editor's HTML 'logo') no longer runs any script."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from adgen.ads.models import AdJob, BrandKit
from tenants.models import ApiKey
from tests.dashboard.browser import CHROMIUM_ARGS, signed_in_page

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
XSS = b"""<html><body><script>
fetch(location.pathname.split('/brand-kits/')[0].replace('/workspaces/', '/api/v1/workspaces/') + '/api-keys/',
      {method: 'POST', credentials: 'include', headers: {'Content-Type': 'application/json',
       'X-CSRFToken': (document.cookie.match(/csrftoken=([^;]+)/) || [])[1]}, body: '{"name": "pwned"}'});
document.title = 'ran';
</script></body></html>"""


@pytest.fixture
def page(live_server, make_tenant, monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop here
    tenant = make_tenant()
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = signed_in_page(chromium, live_server.url, tenant.user.email, accept_downloads=True)
        assert page.url.rstrip("/").endswith(str(tenant.workspace.pk))
        page.tenant, page.base = tenant, f"{live_server.url}/workspaces/{tenant.workspace.pk}"
        yield page
        chromium.close()


def test_the_dashboard_works_under_its_csp_and_htmx_polls(page):
    job = AdJob.objects.create(workspace=page.tenant.workspace, options={}, status=AdJob.Status.RUNNING)
    for path in ("/", "/brand-kits/", "/brand-kits/new/", "/create/", "/billing/", "/campaigns/"):
        page.goto(page.base + path)
        assert page.evaluate("typeof window.htmx") == "object", path
    with page.expect_request(lambda r: f"/jobs/{job.pk}/progress/" in r.url):
        page.goto(f"{page.base}/jobs/{job.pk}/")
    assert page.violations == []


def test_an_html_logo_opened_by_an_admin_runs_nothing(page):
    kit = BrandKit.objects.create(workspace=page.tenant.workspace, name="Stored before the fix")
    kit.logo.save("logo.html", ContentFile(XSS))
    keys_before = ApiKey.objects.for_workspace(page.tenant.workspace).count()
    with page.expect_download() as download:  # an attachment: saved, never rendered on our origin
        try:
            page.goto(f"{page.base}/brand-kits/{kit.pk}/files/logo/")
        except Exception as exc:  # Chromium reports a navigation that became a download
            assert "Download is starting" in str(exc)
    assert download.value.suggested_filename.endswith(".html")
    page.goto(f"{page.base}/brand-kits/")
    page.wait_for_timeout(500)
    assert page.title() != "ran"
    assert ApiKey.objects.for_workspace(page.tenant.workspace).count() == keys_before
