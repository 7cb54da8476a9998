"""Product feeds -> an ordered list of product URLs (source order is priority order), for the
CLI's `adgen campaign run` and the service's campaigns alike.

- a URL list (pasted, or a CSV with a `url` column),
- a Shopify storefront feed (`/products.json?limit=..&page=..`, followed page by page),
- a Google Merchant Center feed (RSS 2.0 or Atom with the `g:` namespace),
- a sitemap (or sitemap index) filtered by a URL pattern.

Every request goes through the scraper's SSRF-guarded fetch (pipelines.scrape.fetch), and XML is
parsed with entity resolution, DTD loading and network access switched off.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

from lxml import etree

from pipelines.errors import PipelineError
from pipelines.scrape.config import ScrapeConfig
from pipelines.scrape.fetch import fetch

GOOGLE_NS = "http://base.google.com/ns/1.0"
ATOM_NS = "http://www.w3.org/2005/Atom"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
MAX_FEED_BYTES = 20_000_000
SHOPIFY_PAGE_LIMIT = 250
MAX_SHOPIFY_PAGES = 40
MAX_SITEMAPS = 20


class SourceError(PipelineError):
    code = "source_failed"


@dataclass
class SourceEntry:
    url: str
    title: str = ""
    data: dict = field(default_factory=dict)  # what the feed says (id, price, updated_at...)


def _config(allow_private_hosts: bool) -> ScrapeConfig:
    return ScrapeConfig(allow_private_hosts=allow_private_hosts, page_timeout_s=30.0)


def _get(url: str, config: ScrapeConfig, accept: str) -> bytes:
    fetched = fetch(url, config, accept=accept, max_bytes=MAX_FEED_BYTES, kind="feed")
    if fetched.status >= 400:
        raise SourceError(f"The feed at {url[:200]} answered HTTP {fetched.status}.", code="source_http_error",
                          retryable=fetched.status >= 500 or fetched.status == 429)
    body = fetched.body
    if body[:2] == b"\x1f\x8b":  # sitemap.xml.gz served as a file
        body = gzip.decompress(body)[:MAX_FEED_BYTES]
    return body


def _xml(body: bytes, url: str) -> etree._Element:
    # no entities, no DTDs, no network: a hostile feed cannot read files or fan out (XXE, billion laughs)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        raise SourceError(f"The feed at {url[:200]} is not valid XML: {exc}.", code="source_invalid") from None
    if root is None:
        raise SourceError(f"The feed at {url[:200]} is empty.", code="source_invalid")
    return root


def _http_url(value: str | None, base: str) -> str | None:
    if not value:
        return None
    absolute = urljoin(base, value.strip())
    return absolute if urlsplit(absolute).scheme in ("http", "https") else None


def _dedupe(entries: list[SourceEntry], limit: int) -> list[SourceEntry]:
    seen, out = set(), []
    for entry in entries:
        if entry.url not in seen:
            seen.add(entry.url)
            out.append(entry)
        if len(out) >= limit:
            break
    return out


# --------------------------------------------------------------------------- URL lists


def urls_source(urls: list[str], *, limit: int) -> list[SourceEntry]:
    entries = []
    for raw in urls:
        url = (raw or "").strip()
        if not url or url.startswith("#"):
            continue
        if urlsplit(url).scheme not in ("http", "https"):
            raise SourceError(f"{url[:200]} is not an http(s) URL.", code="source_invalid")
        entries.append(SourceEntry(url=url))
    return _dedupe(entries, limit)


def csv_urls(text: str) -> list[str]:
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


# --------------------------------------------------------------------------- Shopify


def _shopify_page_url(feed_url: str, page: int) -> str:
    parts = urlsplit(feed_url)
    path = parts.path if parts.path.endswith(".json") else parts.path.rstrip("/") + "/products.json"
    return urlunsplit((parts.scheme, parts.netloc, path, urlencode({"limit": SHOPIFY_PAGE_LIMIT, "page": page}), ""))


def shopify_source(feed_url: str, *, limit: int, allow_private_hosts: bool = False) -> list[SourceEntry]:
    """A storefront's products.json, page by page until a short page; product pages are
    `<origin>/products/<handle>` (a collection's products.json lists the same products)."""
    config = _config(allow_private_hosts)
    parts = urlsplit(feed_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    entries: list[SourceEntry] = []
    for page in range(1, MAX_SHOPIFY_PAGES + 1):
        url = _shopify_page_url(feed_url, page)
        body = _get(url, config, "application/json")
        try:
            products = json.loads(body)["products"]
            assert isinstance(products, list)
        except (ValueError, KeyError, TypeError, AssertionError):
            raise SourceError(f"{url[:200]} is not a Shopify products.json feed.", code="source_invalid") from None
        for item in products:
            handle = str(item.get("handle") or "").strip()
            if not handle:
                continue
            variants = item.get("variants") or [{}]
            entries.append(SourceEntry(
                url=f"{origin}/products/{handle}", title=str(item.get("title") or "")[:500],
                data={"id": item.get("id"), "handle": handle, "updated_at": item.get("updated_at"),
                      "price": variants[0].get("price"), "vendor": item.get("vendor")}))
        if len(products) < SHOPIFY_PAGE_LIMIT or len(entries) >= limit:
            break
    return _dedupe(entries, limit)


# --------------------------------------------------------------------------- Merchant Center


def _text(element, *paths: str) -> str:
    for path in paths:
        found = element.find(path, {"g": GOOGLE_NS, "atom": ATOM_NS})
        if found is not None and (found.text or "").strip():
            return found.text.strip()
    return ""


def merchant_source(feed_url: str, *, limit: int, allow_private_hosts: bool = False) -> list[SourceEntry]:
    """A Google Merchant Center product feed: RSS 2.0 `<item>`s or Atom `<entry>`s with `g:` fields.
    Items marked out of stock are left out (an ad for them would sell nothing)."""
    body = _get(feed_url, _config(allow_private_hosts), "application/rss+xml, application/atom+xml, application/xml, text/xml")
    root = _xml(body, feed_url)
    items = root.findall("./channel/item") or root.findall(f"{{{ATOM_NS}}}entry") or root.findall(".//item")
    if not items and root.tag not in ("rss", f"{{{ATOM_NS}}}feed"):
        raise SourceError(f"{feed_url[:200]} is not a Merchant Center RSS/Atom feed.", code="source_invalid")
    entries = []
    for item in items:
        link = _text(item, "g:link", "link")
        if not link:
            atom_link = item.find(f"{{{ATOM_NS}}}link")
            link = atom_link.get("href", "") if atom_link is not None else ""
        url = _http_url(link, feed_url)
        if url is None:
            continue
        availability = _text(item, "g:availability").lower().replace("_", " ")
        if availability in ("out of stock", "discontinued"):
            continue
        entries.append(SourceEntry(
            url=url, title=_text(item, "g:title", "title", f"{{{ATOM_NS}}}title")[:500],
            data={"id": _text(item, "g:id"), "price": _text(item, "g:price"),
                  "sale_price": _text(item, "g:sale_price"), "availability": availability or None,
                  "brand": _text(item, "g:brand"), "priority": _text(item, "g:custom_label_0") or None}))
    return _dedupe(entries, limit)


# --------------------------------------------------------------------------- sitemaps


def sitemap_source(sitemap_url: str, *, pattern: str = "", limit: int,
                   allow_private_hosts: bool = False) -> list[SourceEntry]:
    """`<urlset>` locations matching `pattern` (a regular expression searched in the URL); a
    `<sitemapindex>` is followed (up to MAX_SITEMAPS sitemaps)."""
    try:
        matcher = re.compile(pattern) if pattern else None
    except re.error as exc:
        raise SourceError(f"The URL pattern {pattern!r} is not a valid regular expression: {exc}.",
                          code="source_invalid") from None
    config = _config(allow_private_hosts)
    queue, seen, entries = [sitemap_url], set(), []
    while queue and len(seen) < MAX_SITEMAPS and len(entries) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        root = _xml(_get(url, config, "application/xml, text/xml"), url)
        local = etree.QName(root).localname
        locs = [(loc.text or "").strip() for loc in root.iter(f"{{{SITEMAP_NS}}}loc", "loc")]
        if local == "sitemapindex":
            queue.extend(u for u in (_http_url(loc, url) for loc in locs) if u)
            continue
        if local != "urlset":
            raise SourceError(f"{url[:200]} is not a sitemap.", code="source_invalid")
        for loc in locs:
            absolute = _http_url(loc, url)
            if absolute and (matcher is None or matcher.search(absolute)):
                entries.append(SourceEntry(url=absolute))
    return _dedupe(entries, limit)


def source_entries(*, kind: str, urls: list[str] | None = None, feed_url: str = "", pattern: str = "",
                   limit: int = 50, allow_private_hosts: bool = False) -> list[SourceEntry]:
    """The products a campaign source lists, in priority order, at most `limit`."""
    if kind == "urls":
        return urls_source(urls or [], limit=limit)
    if not feed_url:
        raise SourceError("This campaign's source needs a feed URL.", code="source_invalid")
    if kind == "shopify":
        return shopify_source(feed_url, limit=limit, allow_private_hosts=allow_private_hosts)
    if kind == "merchant":
        return merchant_source(feed_url, limit=limit, allow_private_hosts=allow_private_hosts)
    if kind == "sitemap":
        return sitemap_source(feed_url, pattern=pattern, limit=limit, allow_private_hosts=allow_private_hosts)
    raise SourceError(f"Unknown source kind {kind!r}.", code="source_invalid")
