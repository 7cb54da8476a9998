"""Every page in fixtures/pages through the real scraper (served on loopback): field accuracy."""

from __future__ import annotations

import importlib.util
import sys

from pipelines.scrape import ScrapeConfig

PAGES = __import__("pathlib").Path(__file__).resolve().parents[3] / "fixtures" / "pages"


def _evaluate():
    spec = importlib.util.spec_from_file_location("fixture_pages_evaluate", PAGES / "evaluate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_fixture_set_field_accuracy(page_server):
    evaluate = _evaluate()
    cases = evaluate.load_cases()
    assert len(cases) >= 20
    config = ScrapeConfig(download_images=False)
    results = [evaluate.run_case(name, case, page_server.url, config) for name, case in cases.items()]
    failures = {r.name: {k: v for k, v in r.checks.items() if not v} | ({"raised": r.error} if r.error else {})
                for r in results if not r.passed}
    core = evaluate.accuracy(results, evaluate.CORE_FIELDS)
    overall = evaluate.accuracy(results)
    print(f"\nfixture pages: {len(results)}  core accuracy={core:.3f}  all fields={overall:.3f}  failures={failures}")
    assert core >= 0.95, failures
    assert overall >= 0.95, failures
    wrong_path = {r.name: r.fetch_path for r in results if r.fetch_path and r.fetch_path != r.via}
    assert not wrong_path, f"pages scraped on the unexpected path: {wrong_path}"
