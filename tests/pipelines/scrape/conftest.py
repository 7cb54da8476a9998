"""Fixtures for the scraper tests: the page-fixture server (with hostile endpoints)."""

from __future__ import annotations

import pytest
from scrape_helpers import PAGES, load_serve_module


@pytest.fixture(scope="session")
def page_server():
    server = load_serve_module().PageServer(PAGES).start()
    yield server
    server.stop()


@pytest.fixture
def private_hosts_refused(monkeypatch):
    """The production default: the test suite's ADGEN_ALLOW_PRIVATE_HOSTS=1 switched off."""
    monkeypatch.delenv("ADGEN_ALLOW_PRIVATE_HOSTS", raising=False)
