"""/api/v1/docs/ works offline: Swagger UI's files are served by the app (drf-spectacular-sidecar),
nothing the page references is on another host, and in Chromium, with every non-loopback request
refused and the site's CSP on, the operations render with no CSP error."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest

DOCS = "/api/v1/docs/"


def referenced(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', html)


@pytest.mark.django_db
def test_docs_page_and_every_asset_come_from_the_app(client):
    page = client.get(DOCS)
    assert page.status_code == 200
    html = page.content.decode()
    assets = referenced(html)
    assert any("swagger-ui-bundle.js" in a for a in assets) and any("swagger-ui.css" in a for a in assets)
    assert "<script>" not in html  # the start-up script is a file too (the CSP allows no inline script)
    for asset in assets:
        url = urljoin("http://testserver" + DOCS, asset)
        assert urlsplit(url).netloc == "testserver", f"{asset} is on another host"
        response = client.get(url)
        assert response.status_code == 200, asset
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert len(body) > 100, asset
    csp = page["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "cdn" not in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_docs_render_in_chromium_without_network(live_server, monkeypatch):
    from playwright.sync_api import sync_playwright

    from tests.dashboard.browser import CHROMIUM_ARGS, screenshots

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    local = urlsplit(live_server.url).netloc
    outside: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

        def only_loopback(route):
            if urlsplit(route.request.url).netloc == local or route.request.url.startswith("data:"):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        page.route("**/*", only_loopback)
        page.goto(f"{live_server.url}{DOCS}")
        page.wait_for_selector(".swagger-ui .opblock-summary-path", timeout=60_000)
        assert page.locator(".swagger-ui .opblock").count() > 10
        assert "adgen API" in page.inner_text(".swagger-ui .info")
        # out/screenshots/api-docs-{390,1280}.png; Swagger UI is drf-spectacular-sidecar's page, not
        # the dashboard's: it gets pictures, not check_page (axe finds its contrast and nesting)
        screenshots(page, "api-docs")
        browser.close()
    assert outside == [], outside
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
