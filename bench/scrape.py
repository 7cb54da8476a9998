"""Scraper benchmark: time per page on fixtures/pages with a warm browser pool, and field accuracy.

    .venv/bin/python bench/scrape.py [--rounds N] [--images]

Serves fixtures/pages on loopback, warms the browser once, then scrapes every page N times.
Prints per-path figures (static vs browser), the cold browser launch it saved, and, last,
exactly `p50_s=<x> p95_s=<y> accuracy=<z>` (accuracy over title, price, currency, brand, main
image and rating, plus the expected error for the non-product pages).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("ADGEN_ALLOW_PRIVATE_HOSTS", "1")  # the fixture server is on loopback


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"fixture_pages_{name}", ROOT / "fixtures" / "pages" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--images", action="store_true", help="also download and re-encode the images")
    args = parser.parse_args()

    from pipelines.scrape import ScrapeConfig
    from pipelines.scrape.browser import pool

    serve, evaluate = _load("serve"), _load("evaluate")
    cases = evaluate.load_cases()
    config = ScrapeConfig(download_images=args.images)
    with serve.PageServer(ROOT / "fixtures" / "pages") as server:
        started = time.perf_counter()
        pool().warm(config)
        launch_s = time.perf_counter() - started
        for name, case in cases.items():  # one untimed pass: imports, JIT of the parsers, page cache
            evaluate.run_case(name, case, server.url, config)
        timings: dict[str, list[float]] = {"static": [], "browser": [], "error": []}
        results = []
        for _round in range(args.rounds):
            for name, case in cases.items():
                result = evaluate.run_case(name, case, server.url, config)
                timings[result.fetch_path or "error"].append(result.elapsed_s)
                if _round == 0:
                    results.append(result)
    everything = [t for values in timings.values() for t in values]
    print(f"pages={len(cases)} rounds={args.rounds} images={'on' if args.images else 'off'} cpus={os.cpu_count()}")
    print(f"cold browser launch (paid once, not per page): {launch_s:.2f} s")
    for path, values in timings.items():
        if values:
            print(f"{path:8s} n={len(values):3d} p50={statistics.median(values):.3f}s "
                  f"p95={percentile(values, 95):.3f}s max={max(values):.3f}s")
    if timings["static"] and timings["browser"]:
        ratio = statistics.median(timings["browser"]) / statistics.median(timings["static"])
        print(f"browser path / static path (p50): {ratio:.1f}x; warm browser saves {launch_s:.2f} s per browser page "
              "against a cold launch")
    for result in results:
        bad = [k for k, ok in result.checks.items() if not ok]
        print(f"  {result.name:24s} {result.fetch_path or result.error:8s} {result.elapsed_s:.3f}s "
              f"{'ok' if not bad else 'WRONG: ' + ','.join(bad)}")
    core = evaluate.accuracy(results, evaluate.CORE_FIELDS)
    print(f"all-fields accuracy={evaluate.accuracy(results):.3f}")
    print(f"p50_s={statistics.median(everything):.3f} p95_s={percentile(everything, 95):.3f} accuracy={core:.3f}")
    pool().close()


if __name__ == "__main__":
    main()
