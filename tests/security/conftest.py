"""Security tests: a hostile tenant's requests through the API and the dashboard (Django's test
client), with private hosts NOT allowed unless a test says so, and fresh throttle counters."""

from __future__ import annotations

import http.server
import threading

import pytest


@pytest.fixture(autouse=True)
def _fresh(settings, tmp_path):
    from django.core.cache import cache

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.ADGEN_ALLOW_PRIVATE_HOSTS = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def listener():
    """A loopback HTTP server that records every request it gets (the SSRF target)."""
    received: list[dict] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def _record(self):
            length = int(self.headers.get("Content-Length") or 0)
            received.append({"method": self.command, "path": self.path, "headers": dict(self.headers),
                             "body": self.rfile.read(length) if length else b""})
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"internal secret banner")

        do_GET = do_POST = do_PUT = _record

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    server.received = received
    yield server
    server.shutdown()


@pytest.fixture
def dashboard_user(make_tenant):
    """make_tenant() plus a Django test client logged in as its owner (`.web`)."""
    from django.test import Client

    def make(**kwargs):
        tenant = make_tenant(**kwargs)
        tenant.web = Client()
        tenant.web.force_login(tenant.user)
        tenant.web_base = f"/workspaces/{tenant.workspace.pk}"
        return tenant

    return make
