"""Shared fixtures: a temp artifact store, a loopback static file server, private hosts allowed."""

from __future__ import annotations

import functools
import http.server
import os
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Tests serve pages on loopback; nothing else in the product sets this.
os.environ.setdefault("ADGEN_ALLOW_PRIVATE_HOSTS", "1")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output readable
        pass


@pytest.fixture(scope="session")
def serve_dir():
    """serve_dir(path) -> base URL of a loopback HTTP server for that folder (session-wide)."""
    servers = []

    def start(directory: str | os.PathLike) -> str:
        handler = functools.partial(_QuietHandler, directory=str(directory))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()


@pytest.fixture(scope="session")
def store_url(serve_dir):
    """Base URL of the bundled demo store served on loopback."""
    return serve_dir(ROOT / "fixtures" / "store")


@pytest.fixture
def artifact_store(tmp_path):
    from pipelines.store import ArtifactStore

    return ArtifactStore(tmp_path / "artifacts")


@pytest.fixture
def make_tenant(db):
    """make_tenant() -> an organization + workspace + owner + API key (tenant_create's result),
    with `.client` (a DRF client authenticated by that key) and `.base` (the workspace's API root)."""
    from rest_framework.test import APIClient

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
