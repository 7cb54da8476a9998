"""Fixtures for the scraper tests: the page-fixture server (with hostile endpoints)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PAGES = ROOT / "fixtures" / "pages"


def load_serve_module():
    spec = importlib.util.spec_from_file_location("fixture_pages_serve", PAGES / "serve.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def page_server():
    server = load_serve_module().PageServer(PAGES).start()
    yield server
    server.stop()


@pytest.fixture
def private_hosts_refused(monkeypatch):
    """The production default: the test suite's ADGEN_ALLOW_PRIVATE_HOSTS=1 switched off."""
    monkeypatch.delenv("ADGEN_ALLOW_PRIVATE_HOSTS", raising=False)
