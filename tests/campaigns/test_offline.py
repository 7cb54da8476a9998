"""The offline campaign path reads CSV files and feed URLs alike (no Django, no services)."""

from __future__ import annotations

import pytest

from adgen.cli import campaign_sources
from pipelines.feeds import feed_kind


def test_feed_urls_expand_like_csv_files(feed_site, handles, tmp_path):
    pages = [feed_site.url(h) for h in handles]
    assert campaign_sources(f"{feed_site.base}/merchant.xml") == pages
    assert campaign_sources(f"{feed_site.base}/sitemap.xml") == pages[:2] + [
        f"{feed_site.base}/about.html", f"{feed_site.base}/blog/launch-day.html"] + pages[2:]
    assert campaign_sources(f"{feed_site.base}/products.json") == [f"{feed_site.base}/products/{h}" for h in handles]
    csv = tmp_path / "list.csv"
    csv.write_text("url\n" + "\n".join(pages[:2]) + "\n")
    assert campaign_sources(str(csv)) == pages[:2]


def test_feed_kind_and_errors(feed_site):
    from adgen.cli import CliError

    assert [feed_kind(u) for u in ("https://s/products.json?x=1", "https://s/sitemap_products_1.xml",
                                   "https://s/feeds/google.xml")] == ["shopify", "sitemap", "merchant"]
    with pytest.raises(CliError, match="source_http_error"):
        campaign_sources(f"{feed_site.base}/missing.xml")
