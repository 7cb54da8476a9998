"""End-to-end benchmark: a product page of the bundled demo store -> finished ads.

Serves fixtures/store on a loopback port, runs the whole graph in-process (scrape, script,
voice, avatar, b-roll, render, export) with the offline engines at final quality, on a cold
artifact store and a cold render cache, and prints where the time went. The last line is
exactly `e2e_wall_s=<x> videos=<n>`.

    .venv/bin/python bench/e2e.py [--variants 3] [--aspects 9:16,1:1,4:5,16:9] [--duration 20]
                                  [--product yirgacheffe-whole-bean-coffee] [--preview] [--out DIR]
                                  [--workers N] [--preset veryfast|medium|...]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve_store() -> tuple[str, http.server.ThreadingHTTPServer]:
    handler = functools.partial(_Quiet, directory=str(ROOT / "fixtures" / "store"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--variants", type=int, default=3)
    parser.add_argument("--aspects", default="9:16,1:1,4:5,16:9")
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--product", default="yirgacheffe-whole-bean-coffee")
    parser.add_argument("--preview", action="store_true")
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--nodes", action="store_true", help="also print each node's start and end")
    parser.add_argument("--preset", default=None, help="x264 preset for the renders (default: the renderer's)")
    parser.add_argument("--out", default=None, help="keep the exported batch here")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="bench-e2e-")
    work = Path(tmp.name)
    os.environ["ADGEN_ALLOW_PRIVATE_HOSTS"] = "1"
    os.environ["ADGEN_CACHE_DIR"] = str(work / "cache")  # cold render cache (music bed, mixes)

    from pipelines.engines import STAGES
    from pipelines.export import export_combine
    from pipelines.jobs import job_spec_build
    from pipelines.product import Product
    from pipelines.runner import InProcessExecutor
    from pipelines.store import ArtifactStore

    base, server = serve_store()
    url = f"{base}/products/{args.product}.html"
    spec = job_spec_build({"url": url, "variants": args.variants, "aspects": args.aspects, "duration": args.duration,
                           "preview": args.preview, "allow_private_hosts": True,
                           "engine_settings": {"render": {"preset": args.preset}} if args.preset else None})
    store = ArtifactStore(work / "artifacts")  # cold artifact store

    spans: dict[str, list[float]] = {}
    lock = threading.Lock()

    def on_progress(event) -> None:
        now = time.perf_counter()
        with lock:
            if event.status == "running" and event.node_id not in spans:
                spans[event.node_id] = [now, now]
            elif event.status in ("done", "cached", "failed") and event.node_id in spans:
                spans[event.node_id][1] = now

    executor = InProcessExecutor(store, workers=args.workers or None, report=on_progress)
    started = time.perf_counter()
    run = executor.run(spec)  # export included: the same packaging as `adgen make`
    product = Product.model_validate(run.results["scrape"].meta["product"])
    out_dir = Path(args.out) if args.out else work / "out"
    timings = {k: round(v, 2) for k, v in run.timings_s.items()}
    export = run.results["export"]
    manifest = export_combine([export.dir / export.meta["folder"]], out_dir,
                              engines={k: spec.engine(k) for k in STAGES}, timings_s=timings)
    wall = time.perf_counter() - started
    timings["total"] = round(wall, 2)
    server.shutdown()

    # per stage: busy time summed over its nodes, and the wall-clock window it occupied
    by_stage: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for node_id, (a, b) in spans.items():
        by_stage[node_id.split(":")[0]].append((a - started, b - started))
    videos = sum(len(o) for v in manifest["products"][0]["variants"] for o in [v["outputs"]])
    print(f"product: {product.title!r}  variants={args.variants} aspects={args.aspects} "
          f"duration={args.duration:.0f}s preview={args.preview} preset={args.preset or 'default'} workers={executor.workers} cores={os.cpu_count()}")
    print(f"{'stage':<8} {'nodes':>5} {'busy_s':>8} {'window_s':>16}")
    for stage in ("scrape", "script", "voice", "avatar", "broll", "render"):
        items = by_stage.get(stage, [])
        if not items:
            continue
        busy = sum(b - a for a, b in items)
        print(f"{stage:<8} {len(items):>5} {busy:>8.1f} {min(a for a, _ in items):>7.1f}-{max(b for _, b in items):<8.1f}")
    print(f"{'export':<8} {1:>5} {timings.get('export', 0.0):>8.1f}")
    if args.nodes:  # the schedule: which node ran when
        for node_id, (a, b) in sorted(spans.items(), key=lambda kv: kv[1][0]):
            print(f"  {a - started:6.1f}-{b - started:<6.1f} {b - a:5.1f}s  {node_id}")
    durations = [o["duration_s"] for v in manifest["products"][0]["variants"] for o in v["outputs"]]
    print(f"outputs: {videos} videos, {min(durations):.1f}-{max(durations):.1f} s each, in {out_dir}")
    tmp.cleanup() if not args.out else None
    print(f"e2e_wall_s={wall:.1f} videos={videos}")


if __name__ == "__main__":
    main()
