"""Helpers shared by the scraper tests (a uniquely named module: `conftest` names collide)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PAGES = ROOT / "fixtures" / "pages"


def load_fixture_module(name: str):
    """fixtures/pages/<name>.py, which is not a package."""
    module_name = f"fixture_pages_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, PAGES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def load_serve_module():
    return load_fixture_module("serve")
