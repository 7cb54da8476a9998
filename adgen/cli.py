"""The `adgen` command line.

Pipeline commands (`scrape`, `script`, `make`, `demo`, `models`) run in this process with no
services at all. Service commands (`serve`, `worker`, `tenant`, `migrate`) start Django and are
handled by `adgen.service_cli`. `campaign` runs a batch from a CSV of product URLs.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import json
import os
import sys
import threading
import time
from pathlib import Path

from pipelines.jobs import DEFAULT_DURATION_S, PLATFORMS  # light: no engine is imported

SERVICE_COMMANDS = {"serve", "worker", "scheduler", "tenant", "migrate"}
REPO_ROOT = Path(__file__).resolve().parent.parent
STORE_DIR = REPO_ROOT / "fixtures" / "store"
DEMO_PORTRAIT = STORE_DIR / "presenters" / "astronaut.jpg"


def default_cache_dir() -> Path:
    if os.environ.get("ARTIFACT_ROOT"):
        return Path(os.environ["ARTIFACT_ROOT"])
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "adgen" / "artifacts"


def allow_private_hosts() -> bool:
    return os.environ.get("ADGEN_ALLOW_PRIVATE_HOSTS", "").strip().lower() in {"1", "true", "yes"}


class CliError(Exception):
    """A one-line error for the user; the CLI prints it and exits non-zero."""


# --------------------------------------------------------------------------- progress


class ProgressPrinter:
    """Prints one line per node state change, with the overall count, to stderr."""

    def __init__(self, stream=sys.stderr, quiet: bool = False):
        self.stream = stream
        self.quiet = quiet
        self.started = time.perf_counter()
        self.finished: set[str] = set()
        self.seen: set[str] = set()
        self._lock = threading.Lock()
        self._last_fraction: dict[str, float] = {}

    def __call__(self, event) -> None:
        if self.quiet:
            return
        with self._lock:
            self.seen.add(event.node_id)
            if event.status in {"done", "cached"}:
                self.finished.add(event.node_id)
            elif event.status == "running":
                last = self._last_fraction.get(event.node_id, -1.0)
                if 0.0 < event.fraction < 1.0 and event.fraction - last < 0.25:
                    return  # one line per quarter is plenty
                self._last_fraction[event.node_id] = event.fraction
            elapsed = time.perf_counter() - self.started
            suffix = f" {event.fraction:4.0%}" if event.status == "running" and event.fraction else ""
            message = f" - {event.message}" if event.message else ""
            print(f"[{elapsed:6.1f}s] {len(self.finished):3d}/{len(self.seen):<3d} "
                  f"{event.node_id:<26} {event.status}{suffix}{message}", file=self.stream, flush=True)


# --------------------------------------------------------------------------- make


def parse_engines(values: list[str] | None) -> dict[str, str]:
    engines: dict[str, str] = {}
    for value in values or []:
        for item in value.split(","):
            stage, sep, name = item.partition("=")
            if not sep or not stage.strip() or not name.strip():
                raise CliError(f"--engine expects STAGE=NAME (e.g. avatar=photo), got {item!r}")
            engines[stage.strip()] = name.strip()
    return engines  # job_spec_build checks every stage and name against the engine registry


def load_brand_kit(path: str | None):
    from pipelines.product import BrandKit
    from pipelines.render.brand import load_brand_kit as load_kit_file

    return load_kit_file(path) if path else BrandKit()


def build_spec(url: str, args) -> "JobSpec":  # noqa: F821
    from pipelines.jobs import job_spec_build

    presenter = getattr(args, "presenter", None)
    if presenter and not Path(presenter).is_file():
        raise CliError(f"--presenter: no such image {presenter}")
    presenters = [p.strip() for p in (getattr(args, "presenters", None) or "").split(",")] or None
    for i, value in enumerate(presenters or []):
        if value and not _is_look(value):
            if not Path(value).is_file():
                raise CliError(f"--presenters: no such image or presenter look {value}")
            presenters[i] = str(Path(value).resolve())
    return job_spec_build({
        "url": url, "variants": args.variants, "aspects": args.aspects, "duration": args.duration,
        "language": args.language, "tone": args.tone, "seed": args.seed, "engines": parse_engines(args.engine),
        "platforms": args.platform, "preview": args.preview,
        "brand": load_brand_kit(getattr(args, "brand_kit", None)),
        "presenter": str(Path(presenter).resolve()) if presenter else None,
        "presenters": presenters if presenters and any(presenters) else None,
        "model_dir": str(Path(args.model_dir).resolve()) if getattr(args, "model_dir", None) else None,
        "device": getattr(args, "device", None), "allow_private_hosts": allow_private_hosts(),
    })


def _is_look(name: str) -> bool:
    from pipelines.avatar.looks import LOOKS

    return name in LOOKS


def make(urls: list[str], args, *, keep_going: bool = False) -> dict:
    """Run the whole pipeline for each URL and gather their exports into one batch folder.
    Returns the manifest.

    Each job ends in its export stage (the same packaging the service and campaigns use); the
    folder is those exports side by side with one manifest. With keep_going (campaigns), a
    product that fails is listed under `failed` in the manifest instead of failing the batch.
    """
    from pipelines.engines import STAGES
    from pipelines.errors import PipelineError
    from pipelines.export import export_combine
    from pipelines.runner import InProcessExecutor
    from pipelines.store import ArtifactStore

    store = ArtifactStore(args.cache or default_cache_dir())
    printer = ProgressPrinter(quiet=args.quiet)
    executor = InProcessExecutor(store, report=printer, workers=args.workers)
    started = time.perf_counter()
    exports, timings, engines, failures = [], {stage: 0.0 for stage in (*STAGES, "export")}, {}, []
    for url in urls:
        spec = build_spec(url, args)
        engines = {stage: spec.engine(stage) for stage in STAGES}
        try:
            run = executor.run(spec)
        except PipelineError as exc:
            if not keep_going:
                raise
            # a campaign goes on without the product, and says why in the manifest
            failures.append({"url": url, **exc.to_dict()})
            print(f"adgen: skipped {url}: {exc.stage or 'job'} failed: {exc.message} [{exc.code}]",
                  file=sys.stderr)
            continue
        for stage, seconds in run.timings_s.items():
            timings[stage] = round(timings.get(stage, 0.0) + seconds, 3)
        export = run.results["export"]
        exports.append(export.dir / export.meta["folder"])
    timings["total"] = round(time.perf_counter() - started, 3)
    return export_combine(exports, Path(args.out), engines=engines, timings_s=timings,
                          failed=failures if keep_going else None, zip=args.zip)


def summarize(manifest: dict, out_dir: Path) -> str:
    outputs = [o for p in manifest["products"] for v in p["variants"] for o in v["outputs"]]
    timings = manifest.get("timings_s", {})
    breakdown = ", ".join(f"{k} {v:.1f}s" for k, v in timings.items() if k != "total")
    return (f"wrote {len(outputs)} videos to {out_dir}/ in {timings.get('total', 0):.1f}s ({breakdown})\n"
            f"manifest: {out_dir / 'manifest.json'}")


# --------------------------------------------------------------------------- demo


@contextlib.contextmanager
def serve_directory(directory: Path):
    """Serve a folder on a free loopback port for the length of the block."""

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(QuietHandler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def demo_product_paths() -> list[str]:
    """Product pages of the bundled store, as paths relative to its root (demo.json lists them)."""
    listing = STORE_DIR / "demo.json"
    if listing.is_file():
        return list(json.loads(listing.read_text())["products"])
    return sorted(str(p.relative_to(STORE_DIR)) for p in STORE_DIR.glob("products/*.html"))


# --------------------------------------------------------------------------- commands


def cmd_scrape(args) -> int:
    from pipelines.store import ArtifactStore
    from pipelines.scrape import ScrapeConfig, scrape

    config = ScrapeConfig(allow_private_hosts=allow_private_hosts())
    store = ArtifactStore(args.cache or default_cache_dir())
    workdir = store.new_workdir()
    try:
        result = scrape(args.url, config, workdir)
    finally:
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        print(json.dumps(result.product.model_dump(mode="json"), indent=2, ensure_ascii=False))
    else:
        p = result.product
        price = f"{p.price} {p.currency}" if p.price is not None else "no price"
        print(f"{p.title} ({p.brand or 'no brand'}) - {price}; {len(p.images)} images, "
              f"{len(p.features)} features, {len(p.reviews)} reviews [{result.fetch_path} path]")
    return 0


def cmd_script(args) -> int:
    from pipelines.store import ArtifactStore
    from pipelines.product import Product
    from pipelines.script import ScriptOptions, write_scripts

    source = args.product
    if Path(source).is_file():
        data = json.loads(Path(source).read_text())
        product = Product.model_validate(data.get("product", data))
    else:
        from pipelines.scrape import ScrapeConfig, scrape

        store = ArtifactStore(args.cache or default_cache_dir())
        workdir = store.new_workdir()
        try:
            product = scrape(source, ScrapeConfig(allow_private_hosts=allow_private_hosts()), workdir).product
        finally:
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)
    from pipelines.script import preferred_engine

    # no --language: the product page's own (as the pipeline's script stage does)
    options = ScriptOptions(variants=args.variants, duration_s=args.duration,
                            language=args.language or product.language or "en", tone=args.tone, seed=args.seed)
    scripts = write_scripts(product, options, engine=args.engine or preferred_engine())
    for warning in dict.fromkeys(w for s in scripts for w in s.warnings):
        print(f"warning: {warning}", file=sys.stderr)
    if args.json:
        print(json.dumps([s.model_dump(mode="json") for s in scripts], indent=2, ensure_ascii=False))
    else:
        for script in scripts:
            print(f"== {script.variant_id} [{script.framework}] {script.angle}")
            for scene in script.scenes:
                print(f"  ({scene.visual}) {scene.voiceover}")
            print()
    return 0


def cmd_make(args) -> int:
    manifest = make(args.urls, args)
    print(summarize(manifest, Path(args.out)))
    return 0


def cmd_demo(args) -> int:
    os.environ["ADGEN_ALLOW_PRIVATE_HOSTS"] = "1"  # the demo store is served on loopback
    paths = demo_product_paths()
    if not paths:
        raise CliError(f"the demo store has no product pages under {STORE_DIR}")
    with serve_directory(STORE_DIR) as base:
        url = f"{base}/{paths[0]}"
        print(f"serving the demo store at {base}/ ; making ads for {url}", file=sys.stderr)
        manifest = make([url], args)
    print(summarize(manifest, Path(args.out)))
    return 0


def cmd_models(args) -> int:
    """`adgen models list | pull | import | verify | make-tiny` (pipelines.models)."""
    from pipelines import models

    command = args.models_command
    if command == "list":
        rows = models.listing()
        if args.json:
            print(json.dumps([models.describe(row) for row in rows], indent=2))
        else:
            print(models.format_listing(rows))
        return 0
    if command == "pull":
        entry = models.catalog_entry(args.name)
        print(f"{entry.name}: {entry.licence.name} ({entry.licence.summary})", file=sys.stderr)
        path = models.pull(args.name, args.dir, accept_licence=args.accept_licence, progress=not args.quiet)
        print(f"{entry.name} installed in {path}")
        print(models.usage_hint(entry, path))
        return 0
    if command == "import":
        entry = models.catalog_entry(args.name)
        path = models.import_folder(args.name, args.source, args.dir)
        print(f"{entry.name} imported into {path}")
        print(models.usage_hint(entry, path))
        return 0
    if command == "verify":
        results = models.verify(args.name, args.dir)
        for result in results:
            print(f"{result.entry.name}: {'ok' if result.state == 'installed' else 'DAMAGED'} ({result.folder})")
            for problem in result.problems:
                print(f"  {problem}")
        if not results:
            print("no catalogue model is installed (adgen models list)")
        damaged = [r.entry.name for r in results if r.state != "installed"]
        if damaged:
            raise CliError(f"damaged: {', '.join(damaged)}; run `adgen models pull NAME` again to repair")
        return 0
    if command == "make-tiny":
        kind = args.kind or args.family or "ltx"
        path = models.make_tiny(kind, Path(args.dir))
        print(f"tiny randomly initialised {kind} model written to {path}")
        print(models.usage_hint_for_kind(kind, path))
        return 0
    raise CliError("adgen models: choose a subcommand (list, pull, import, verify, make-tiny)")


def campaign_sources(source: str, *, limit: int = 1000) -> list[str]:
    """Product URLs from a CSV/URL-list file, or from a feed URL (products.json, Merchant XML,
    sitemap.xml) read through the scraper's SSRF guard."""
    from pipelines.errors import PipelineError
    from pipelines.feeds import csv_urls, feed_kind, source_entries
    from pipelines.scrape.config import private_hosts_allowed_by_env

    if source.startswith(("http://", "https://")):
        try:
            entries = source_entries(kind=feed_kind(source), feed_url=source, limit=limit,
                                     allow_private_hosts=private_hosts_allowed_by_env())
        except PipelineError as exc:
            raise CliError(f"campaign: {exc.message} [{exc.code}]") from None
        return [entry.url for entry in entries]
    path = Path(source)
    if not path.is_file():
        raise CliError(f"campaign: no such file {source}")
    return csv_urls(path.read_text(encoding="utf-8-sig"))


def cmd_campaign(args) -> int:
    """`adgen campaign run FILE.csv|FEED_URL --out DIR`: the matrix over every product of a URL
    list or feed, with no services; a product that fails is reported and skipped."""
    urls = campaign_sources(args.file)
    if not urls:
        raise CliError(f"campaign: {args.file} lists no product URLs (expected a 'url' column)")
    manifest = make(urls, args, keep_going=True)
    print(summarize(manifest, Path(args.out)))
    failed = manifest.get("failed", [])
    if failed:
        print(f"{len(failed)} of {len(urls)} products failed; see 'failed' in the manifest")
    return 0 if len(failed) < len(urls) else 2


def add_make_options(parser: argparse.ArgumentParser, *, out_default: str | None = None,
                     presenters_default: str | None = None) -> None:
    parser.add_argument("--variants", type=int, default=2, help="ad script variants per product (default 2)")
    parser.add_argument("--aspects", default="9:16,1:1,4:5,16:9", help="comma-separated aspect ratios")
    parser.add_argument("--duration", type=float, default=DEFAULT_DURATION_S,
                        help=f"target length in seconds (default {DEFAULT_DURATION_S:g})")
    parser.add_argument("--language", default=None,
                        help="script and voice language (en, zh, ...); default: the product page's own")
    parser.add_argument("--tone", default="friendly", help="friendly | bold | premium | playful ...")
    parser.add_argument("--seed", type=int, default=0, help="seed for variant choice (deterministic)")
    parser.add_argument("--engine", action="append", metavar="STAGE=NAME",
                        help="pick an engine, e.g. --engine avatar=photo --engine broll=dit")
    parser.add_argument("--presenter", help="portrait image for the photo presenter")
    parser.add_argument("--presenters", default=presenters_default,
                        help="one presenter per variant, in turn: look names or portrait images, comma-separated "
                             "(an empty item keeps the default presenter)")
    parser.add_argument("--model-dir", help="local model directory for a neural engine")
    parser.add_argument("--device", help="torch device for neural engines (cpu, cuda)")
    parser.add_argument("--brand-kit", help="brand kit file (JSON or TOML, asset paths relative to it)")
    parser.add_argument("--platform", help=f"platform preset(s), comma-separated: {', '.join(PLATFORMS)}")
    parser.add_argument("--preview", action="store_true", help="fast 540p preview with watermark")
    parser.add_argument("--zip", action="store_true", help="also write the batch as a zip")
    parser.add_argument("--out", default=out_default, required=out_default is None, help="output folder")
    parser.add_argument("--cache", help="artifact cache folder (default ~/.cache/adgen/artifacts)")
    parser.add_argument("--workers", type=int, default=None, help="parallel stage workers")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")


def cmd_cache(args) -> int:
    """`adgen cache stats|prune`: this machine's artifact folder (the store, or with
    ARTIFACT_STORE_URL the bucket's local cache). With DATABASE_URL set, prune keeps what the
    service's unfinished jobs reference."""
    from pipelines.store import open_store

    references = "none (no DATABASE_URL: only the grace period protects artifacts in use)"
    if os.environ.get("DATABASE_URL"):
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "adgen.settings")
        import django

        django.setup()  # adgen.ops registers the active jobs' artifact keys as references
        references = "the unfinished jobs in the database"
    cap = None if args.max_mb is None else int(args.max_mb * 1024 * 1024)
    store = open_store(args.cache or default_cache_dir(), cache_max_bytes=cap, grace_s=args.grace_s)
    if args.cache_command == "stats":
        stats = store.stats().as_dict()
        if args.json:
            print(json.dumps(stats))
            return 0
        cap_text = f"{stats['cap_bytes'] / 2**20:,.1f} MB" if stats["cap_bytes"] else "none"
        print(f"folder      {stats['root']}  ({stats['backend']}"
              f"{': ' + getattr(store, 'url', '') if stats['backend'] == 's3' else ''})")
        print(f"artifacts   {stats['artifacts']}  {stats['bytes'] / 2**20:,.1f} MB  (cap {cap_text})")
        print(f"builds      {stats['builds']}  {stats['build_bytes'] / 2**20:,.1f} MB in progress or left by a crash")
        return 0
    result = store.prune(max_bytes=cap, dry_run=args.dry_run).as_dict()
    if args.json:
        print(json.dumps({**result, "dry_run": args.dry_run}))
        return 0
    verb = "would evict" if args.dry_run else "evicted"
    print(f"{verb} {result['evicted']} artifacts ({result['evicted_bytes'] / 2**20:,.1f} MB); "
          f"{result['bytes_after'] / 2**20:,.1f} MB left, cap {result['cap_bytes'] / 2**20:,.1f} MB; "
          f"{result['kept_referenced']} kept as in use; {result['stale_builds_removed']} stale build folders removed")
    print(f"references: {references}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="adgen", description="Turn product pages into video ads.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("scrape", help="scrape a product page")
    p.add_argument("url")
    p.add_argument("--json", action="store_true", help="print the Product as JSON")
    p.add_argument("--cache", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_scrape)

    p = sub.add_parser("script", help="write ad scripts for a product (JSON file or URL)")
    p.add_argument("product")
    p.add_argument("--variants", type=int, default=3)
    p.add_argument("--duration", type=float, default=DEFAULT_DURATION_S)
    p.add_argument("--language", default=None, help="default: the product page's own language")
    p.add_argument("--tone", default="friendly")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--engine", help="template, openai, transformers (default: openai when OPENAI_BASE_URL is set, else template)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--cache", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_script)

    p = sub.add_parser("make", help="make video ads for product URLs")
    p.add_argument("urls", nargs="+", metavar="URL")
    add_make_options(p)
    p.set_defaults(func=cmd_make)

    p = sub.add_parser("demo", help="make ads for a product of the bundled demo store")
    # the illustrated presenter in the first variant, a real person's photo (NASA, public domain) in the second
    add_make_options(p, out_default="out/demo", presenters_default=f",{DEMO_PORTRAIT}")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("models", help="the model catalogue: list, pull, import, verify, make-tiny")
    models_sub = p.add_subparsers(dest="models_command", required=True)
    listing = models_sub.add_parser("list", help="every catalogue model: installed?, size, VRAM, licence")
    listing.add_argument("--json", action="store_true")
    pull = models_sub.add_parser("pull", help="download a model from the Hugging Face hub ($HF_ENDPOINT), verified")
    pull.add_argument("name")
    pull.add_argument("--dir", help="install here instead of the default folder")
    pull.add_argument("--accept-licence", action="store_true", help="needed for models whose licence restricts use")
    pull.add_argument("--quiet", action="store_true", help="no progress bars")
    imp = models_sub.add_parser("import", help="install a folder you fetched yourself")
    imp.add_argument("name")
    imp.add_argument("source", metavar="DIR")
    imp.add_argument("--dir", help="install here instead of the default folder")
    check = models_sub.add_parser("verify", help="re-hash installed models against their install manifests")
    check.add_argument("name", nargs="?")
    check.add_argument("--dir", help="the model's folder, when not the default")
    tiny = models_sub.add_parser("make-tiny", help="write a tiny random model in a published layout (try a GPU "
                                                   "engine on a CPU)")
    tiny.add_argument("dir")
    tiny.add_argument("--kind", help="musetalk, ltx (default), wan, cogvideox, piper")
    tiny.add_argument("--family", help=argparse.SUPPRESS)  # the --kind of older releases
    p.set_defaults(func=cmd_models)

    p = sub.add_parser("campaign", help="batch campaigns (offline path)")
    campaign_sub = p.add_subparsers(dest="campaign_command", required=True)
    run = campaign_sub.add_parser("run", help="make ads for every product URL in a CSV")
    run.add_argument("file", help="CSV with a url column (or one URL per line)")
    add_make_options(run)
    p.set_defaults(func=cmd_campaign)

    p = sub.add_parser("cache", help="the local artifact folder: stats, prune to its cap")
    cache_sub = p.add_subparsers(dest="cache_command", required=True)
    for name, text in (("stats", "size, count and cap of the artifact folder"),
                       ("prune", "evict least recently used artifacts no active job references, down to the cap")):
        c = cache_sub.add_parser(name, help=text)
        c.add_argument("--cache", help="the folder (default: ARTIFACT_ROOT or ~/.cache/adgen/artifacts)")
        c.add_argument("--max-mb", type=float, help="cap in MB (default: ARTIFACT_CACHE_MAX_MB, 20480)")
        c.add_argument("--grace-s", type=float, help="keep artifacts used this recently (default: ARTIFACT_CACHE_GRACE_S, 600)")
        c.add_argument("--json", action="store_true")
        if name == "prune":
            c.add_argument("--dry-run", action="store_true", help="say what would go, remove nothing")
    p.set_defaults(func=cmd_cache)

    for name in sorted(SERVICE_COMMANDS):
        sub.add_parser(name, help=f"service: {name} (see adgen {name} --help)", add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SERVICE_COMMANDS:
        from adgen.service_cli import main as service_main

        return service_main(argv)
    args = build_parser().parse_args(argv)
    from pipelines.errors import PipelineError

    try:
        return args.func(args)
    except PipelineError as exc:
        where = f"{exc.stage} failed" if exc.stage else "failed"
        print(f"adgen: {where}: {exc.message} [{exc.code}]", file=sys.stderr)
        return 2
    except CliError as exc:
        print(f"adgen: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("adgen: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
