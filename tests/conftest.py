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
    from pipelines.graph import ArtifactStore

    return ArtifactStore(tmp_path / "artifacts")
