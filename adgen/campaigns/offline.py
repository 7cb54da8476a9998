"""`adgen campaign run FILE.csv --out DIR`: a campaign over a URL list with no services.

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


def campaign_run_offline(args) -> int:
    from adgen.cli import CliError, make, summarize

    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"campaign: no such file {args.file}")
    urls = campaign_urls(path.read_text(encoding="utf-8-sig"))
    if not urls:
        raise CliError(f"campaign: {args.file} lists no product URLs (expected a 'url' column)")
    manifest = make(urls, args, keep_going=True)
    print(summarize(manifest, Path(args.out)))
    failed = manifest.get("failed", [])
    if failed:
        print(f"{len(failed)} of {len(urls)} products failed; see 'failed' in the manifest")
    return 0 if len(failed) < len(urls) else 2
