"""Scrape a product page into a Product: static fetch first, Playwright when the page needs it.

    from pipelines.scrape import ScrapeConfig, scrape
    result = scrape("https://shop.example/products/x", ScrapeConfig(), out_dir)

Every request (page, redirect hops, Shopify JSON, images, and in the browser every subresource)
passes the SSRF guard in `pipelines.scrape.guard`. Failures raise ScrapeError with a stable code:
invalid_url, ssrf_blocked, unreachable, timeout, http_error, not_html, too_large,
too_many_redirects, bot_wall, not_a_product, browser_unavailable.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from pipelines.errors import ScrapeError
from pipelines.product import ScrapeResult
from pipelines.scrape.config import ScrapeConfig
from pipelines.scrape.extract import Extraction, extract, shopify_handle
from pipelines.scrape.fetch import Budget, bot_wall_error, check_page_response, fetch, looks_like_bot_wall
from pipelines.scrape.guard import GuardPolicy, check_url

__all__ = ["ScrapeConfig", "scrape", "extract_page"]

log = logging.getLogger(__name__)


def _report(report, fraction: float, message: str) -> None:
    if report is not None:
        report(fraction, message)


def _shopify_json(html: str, url: str, config: ScrapeConfig, budget: Budget) -> dict | None:
    handle = shopify_handle(html, url)
    if not handle or not config.shopify_json:
        return None
    path = urlsplit(url).path
    prefix = path[: path.rfind("/products/")]
    json_url = urljoin(url, f"{prefix}/products/{handle}.json")
    try:
        fetched = fetch(json_url, config, budget=budget, accept="application/json", max_bytes=2_000_000,
                        timeout_s=min(5.0, config.page_timeout_s), kind="product JSON")
        if fetched.status != 200:
            return None
        import json

        return json.loads(fetched.body)
    except (ScrapeError, ValueError) as exc:
        log.info("no Shopify JSON for %s: %s", url, exc)
        return None


def extract_page(html: str, url: str, config: ScrapeConfig, budget: Budget, *, headers=None,
                 image_sizes=None) -> Extraction:
    shopify = _shopify_json(html, url, config, budget)
    return extract(html, url, image_sizes=image_sizes, shopify=shopify, headers=headers,
                   max_features=config.max_features)


def _merge(primary: Extraction, fallback: Extraction) -> Extraction:
    """Fill what the rendered page lacks from what the raw HTML had."""
    for name, value in fallback.fields.items():
        if primary.fields.get(name) in (None, "", []) and value not in (None, "", []):
            primary.fields[name] = value
            if name in fallback.sources:
                primary.sources[name] = fallback.sources[name]
    primary.structured = primary.structured or fallback.structured
    primary.og_product = primary.og_product or fallback.og_product
    primary.buy_button = primary.buy_button or fallback.buy_button
    return primary


def scrape(url: str, config: ScrapeConfig | None = None, out_dir: Path | str | None = None,
           report=None) -> ScrapeResult:
    """Fetch, extract and download one product page. `report(fraction, message)` may be None."""
    config = config or ScrapeConfig()
    started = time.monotonic()
    budget = Budget(config)
    url = (url or "").strip()
    check_url(url, GuardPolicy.from_config(config))  # refuse early, before any connection
    _report(report, 0.02, "fetching the page")

    static: Extraction | None = None
    final_url = url
    static_html = ""
    walled: ScrapeError | None = None
    page = None
    if config.browser != "browser":
        page = fetch(url, config, budget=budget)
        try:
            check_page_response(page)
        except ScrapeError as exc:
            # a plain HTTP client is what bot walls are built to stop; a real browser may pass
            if config.browser != "auto" or not (exc.code == "bot_wall" or page.status in (403, 429)):
                raise
            walled = exc
        final_url = page.url
        if walled is None:
            static_html = page.text
            _report(report, 0.25, "reading the product facts")
            static = extract_page(static_html, final_url, config, budget, headers=page.headers)

    extraction = static
    fetch_path = "static"
    need_browser = config.browser == "browser" or walled is not None or (
        config.browser == "auto" and static is not None and not static.complete
        and (static.has_scripts or static.app_shell) and not (static.article and not static.structured))
    if need_browser:
        from pipelines.scrape.browser import render_page

        _report(report, 0.35, "rendering the page in a browser")
        try:
            reuse = page if page is not None and walled is None and page.status == 200 else None
            rendered = render_page(final_url, config, budget, prefetched=reuse)
        except ScrapeError as exc:
            if walled is not None and exc.code == "browser_unavailable":
                raise walled from None
            if static is None or not static.is_product or exc.code in ("ssrf_blocked",):
                raise
            log.warning("browser path failed for %s (%s); keeping the static result", url, exc)
        else:
            check_page_response(rendered.as_fetched())
            final_url = rendered.url
            browsed = extract_page(rendered.html, final_url, config, budget, image_sizes=rendered.image_sizes)
            extraction = _merge(browsed, static) if static is not None else browsed
            fetch_path = "browser"
            static_html = static_html or rendered.html

    assert extraction is not None
    if not extraction.is_product:
        if looks_like_bot_wall(200, static_html):
            raise bot_wall_error(final_url)
        title = extraction.fields.get("title") or final_url
        raise ScrapeError(f"{str(title)[:120]} does not look like a product page: no product data, price or "
                          "buy button was found.", code="not_a_product")

    product = extraction.product(final_url if final_url else url, config.max_reviews)
    product.url = url
    images = []
    if config.download_images and out_dir is not None and product.images:
        from pipelines.scrape.images import download_images

        _report(report, 0.6, "downloading product images")
        images, rejected = download_images(product.images, config, Path(out_dir), budget, report)
        tried = set(rejected) | {i.url for i in images}
        kept = [i.url for i in images] + [u for u in product.images if u not in tried]
        product.images = kept
    _report(report, 1.0, "product scraped")
    return ScrapeResult(product=product, images=images, fetch_path=fetch_path,
                        elapsed_s=round(time.monotonic() - started, 3))


class Scraper:
    """The scrape stage's engine: `Scraper(config)(url, out_dir, report)`."""

    def __init__(self, config: ScrapeConfig):
        self.config = config

    def __call__(self, url: str, out_dir: Path, report=None) -> ScrapeResult:
        return scrape(url, self.config, out_dir, report=report)
