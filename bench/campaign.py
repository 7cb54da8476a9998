"""Wall time per finished video of a 10-product campaign with the offline engines.

The 10-product Shopify feed (fixtures/feeds) is served on loopback, expanded by the campaign
source reader, and rendered by the offline campaign path (`adgen campaign run`: the same graph
the workers run, in-process) into one batch. Defaults keep it quick on 2 cores: preview
quality, 1 variant x 1 aspect (9:16), 8 s; pass e.g. `--variants 2 --aspects 9:16,1:1` for more.
Last line: `campaign_s_per_video=<x> videos=<n>`.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "fixtures" / "feeds"))
os.environ.setdefault("ADGEN_ALLOW_PRIVATE_HOSTS", "1")  # the feed is on loopback


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--variants", type=int, default=1)
    parser.add_argument("--aspects", default="9:16")
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--final", action="store_true", help="final quality instead of preview")
    parser.add_argument("--products", type=int, default=10)
    options = parser.parse_args()

    from server import FeedSite

    from pipelines.feeds import shopify_source
    from adgen.cli import build_parser, make

    with tempfile.TemporaryDirectory(prefix="adgen-bench-campaign-") as tmp:
        site = FeedSite(Path(tmp) / "site").start()
        try:
            started = time.perf_counter()
            entries = shopify_source(f"{site.base}/products.json", limit=options.products, allow_private_hosts=True)
            urls = [e.url for e in entries]
            argv = ["campaign", "run", "unused.csv", "--out", str(Path(tmp) / "out"), "--cache", str(Path(tmp) / "cache"),
                    "--variants", str(options.variants), "--aspects", options.aspects, "--duration",
                    str(options.duration), "--quiet"] + ([] if options.final else ["--preview"])
            args = build_parser().parse_args(argv)
            manifest = make(urls, args, keep_going=True)
            wall = time.perf_counter() - started
        finally:
            site.stop()
        videos = sorted((Path(tmp) / "out").rglob("*.mp4"))
        failed = manifest.get("failed", [])
        print(f"products={len(urls)} failed={len(failed)} variants={options.variants} aspects={options.aspects} "
              f"duration_s={options.duration} quality={'final' if options.final else 'preview'} wall_s={wall:.1f}")
        for stage, seconds in manifest.get("timings_s", {}).items():
            print(f"  {stage}: {seconds:.1f}s")
        if not videos:
            print("campaign_s_per_video=nan videos=0")
            return 1
        print(f"campaign_s_per_video={wall / len(videos):.2f} videos={len(videos)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
