"""`adgen campaign run FILE.csv|FEED_URL --out DIR`: a campaign over a URL list or a product
feed (Shopify products.json, Merchant XML, sitemap) with no services.

The same matrix options as `adgen make`; one failed product is reported and skipped, never
fails the batch. No Django is needed here: this is the offline path of a campaign run.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path


def campaign_urls(text: str) -> list[str]:
    """URLs from a CSV with a `url` column (any case), or one URL per line. De-duplicated."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return []
    header = [cell.strip().lower() for cell in rows[0]]
    if "url" in header:
        column = header.index("url")
        candidates = [row[column] for row in rows[1:] if len(row) > column]
    else:
        candidates = [row[0] for row in rows if row]
    seen: dict[str, None] = {}
    for url in (c.strip() for c in candidates):
        if url and not url.startswith("#"):
            seen.setdefault(url, None)
    return list(seen)


def feed_kind(url: str) -> str:
    """Which reader a feed URL needs: Shopify products.json, a sitemap, or a Merchant feed."""
    path = url.split("?", 1)[0].lower()
    if path.endswith(".json"):
        return "shopify"
    if "sitemap" in path:
        return "sitemap"
    return "merchant"


def campaign_sources(source: str, *, limit: int = 1000) -> list[str]:
    """Product URLs from a CSV/URL-list file, or from a feed URL (products.json, Merchant XML,
    sitemap.xml) read through the scraper's SSRF guard."""
    from adgen.cli import CliError
    from adgen.campaigns.sources import source_entries
    from pipelines.errors import PipelineError
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
    return campaign_urls(path.read_text(encoding="utf-8-sig"))


def campaign_run_offline(args) -> int:
    from adgen.cli import CliError, make, summarize

    urls = campaign_sources(args.file)
    if not urls:
        raise CliError(f"campaign: {args.file} lists no product URLs (expected a 'url' column)")
    manifest = make(urls, args, keep_going=True)
    print(summarize(manifest, Path(args.out)))
    failed = manifest.get("failed", [])
    if failed:
        print(f"{len(failed)} of {len(urls)} products failed; see 'failed' in the manifest")
    return 0 if len(failed) < len(urls) else 2
