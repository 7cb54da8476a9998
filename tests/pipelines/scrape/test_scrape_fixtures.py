"""Every page in fixtures/pages through the real scraper (served on loopback): field accuracy."""

from __future__ import annotations

from scrape_helpers import load_fixture_module

from pipelines.scrape import ScrapeConfig


def test_fixture_set_field_accuracy(page_server):
    evaluate = load_fixture_module("evaluate")
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
