"""Product feeds (pipelines.feeds) read from loopback feed sites through the scraper's SSRF guard."""

from __future__ import annotations

import pytest

from pipelines import feeds as sources
from pipelines.errors import PipelineError


def test_shopify_feed_is_followed_page_by_page(feed_site, handles, monkeypatch):
    monkeypatch.setattr(sources, "SHOPIFY_PAGE_LIMIT", 4)  # 10 products -> pages of 4, 4, 2
    entries = sources.shopify_source(f"{feed_site.base}/products.json", limit=50, allow_private_hosts=True)
    assert [e.url for e in entries] == [f"{feed_site.base}/products/{h}" for h in handles]
    assert entries[0].title == "Yirgacheffe Whole Bean Coffee" and entries[0].data["price"] == "18.50"
    pages = [r for r in feed_site.requests if r.startswith("/products.json")]
    assert pages == [f"/products.json?limit=4&page={p}" for p in (1, 2, 3)]


def test_shopify_feed_stops_at_the_limit(feed_site, monkeypatch):
    monkeypatch.setattr(sources, "SHOPIFY_PAGE_LIMIT", 4)
    entries = sources.shopify_source(feed_site.base, limit=3, allow_private_hosts=True)  # the shop root works too
    assert len(entries) == 3
    assert len([r for r in feed_site.requests if r.startswith("/products.json")]) == 1


def test_merchant_feed_lists_in_stock_products_in_order(feed_site, handles):
    entries = sources.merchant_source(f"{feed_site.base}/merchant.xml", limit=50, allow_private_hosts=True)
    assert [e.url for e in entries] == [feed_site.url(h) for h in handles]  # the sold-out lamp is left out
    assert entries[1].data == {"id": "HP-001", "price": "64.99 USD", "sale_price": "", "availability": "in stock",
                               "brand": "Harbor & Pine Market", "priority": None}


def test_merchant_atom_feed(tmp_path, serve_dir):
    (tmp_path / "feed.xml").write_text(
        '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:g="http://base.google.com/ns/1.0">'
        '<entry><g:id>1</g:id><title>A</title><link href="https://shop.example/p/a"/></entry>'
        '<entry><g:id>2</g:id><g:title>B</g:title><g:link>https://shop.example/p/b</g:link></entry></feed>')
    entries = sources.merchant_source(f"{serve_dir(tmp_path)}/feed.xml", limit=10, allow_private_hosts=True)
    assert [(e.url, e.title) for e in entries] == [("https://shop.example/p/a", "A"), ("https://shop.example/p/b", "B")]


def test_sitemap_is_filtered_by_pattern(feed_site, handles):
    entries = sources.sitemap_source(f"{feed_site.base}/sitemap.xml", pattern=r"/products/", limit=50,
                                     allow_private_hosts=True)
    assert [e.url for e in entries] == [feed_site.url(h) for h in handles]
    everything = sources.sitemap_source(f"{feed_site.base}/sitemap.xml", limit=50, allow_private_hosts=True)
    assert len(everything) == len(handles) + 2


def test_sitemap_index_is_followed(tmp_path, serve_dir):
    base = serve_dir(tmp_path)
    ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    (tmp_path / "index.xml").write_text(f'<sitemapindex {ns}><sitemap><loc>{base}/a.xml</loc></sitemap>'
                                        f'<sitemap><loc>/b.xml</loc></sitemap></sitemapindex>')
    (tmp_path / "a.xml").write_text(f'<urlset {ns}><url><loc>https://s.example/products/1</loc></url>'
                                    f'<url><loc>https://s.example/pages/faq</loc></url></urlset>')
    (tmp_path / "b.xml").write_text(f'<urlset {ns}><url><loc>https://s.example/products/2</loc></url></urlset>')
    entries = sources.sitemap_source(f"{base}/index.xml", pattern="/products/", limit=10, allow_private_hosts=True)
    assert [e.url for e in entries] == ["https://s.example/products/1", "https://s.example/products/2"]


def test_xml_entities_are_not_expanded(tmp_path, serve_dir):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    (tmp_path / "evil.xml").write_text(
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        '<rss xmlns:g="http://base.google.com/ns/1.0"><channel><item><title>&xxe;</title>'
        '<link>https://shop.example/p/1</link></item></channel></rss>')
    entries = sources.merchant_source(f"{serve_dir(tmp_path)}/evil.xml", limit=5, allow_private_hosts=True)
    assert all("TOP-SECRET" not in e.title for e in entries)


def test_private_feed_hosts_are_refused_without_permission(feed_site, monkeypatch):
    monkeypatch.delenv("ADGEN_ALLOW_PRIVATE_HOSTS", raising=False)
    with pytest.raises(PipelineError) as caught:
        sources.merchant_source(f"{feed_site.base}/merchant.xml", limit=5, allow_private_hosts=False)
    assert caught.value.code in ("ssrf_blocked", "private_address", "blocked") or "private" in caught.value.message.lower()
    assert feed_site.requests == []


def test_bad_feeds_say_why(feed_site, tmp_path, serve_dir):
    (tmp_path / "bad.xml").write_text("<rss><channel><item>")
    with pytest.raises(sources.SourceError) as caught:
        sources.merchant_source(f"{serve_dir(tmp_path)}/bad.xml", limit=5, allow_private_hosts=True)
    assert caught.value.code == "source_invalid"
    with pytest.raises(sources.SourceError) as caught:
        sources.merchant_source(f"{feed_site.base}/missing.xml", limit=5, allow_private_hosts=True)
    assert caught.value.code == "source_http_error"
    with pytest.raises(sources.SourceError) as caught:
        sources.sitemap_source(f"{feed_site.base}/sitemap.xml", pattern="(", limit=5)
    assert caught.value.code == "source_invalid"


def test_url_lists_and_csv():
    text = "name,URL\nA,https://s.example/a\nB,https://s.example/b\nA again,https://s.example/a\n"
    assert sources.csv_urls(text) == ["https://s.example/a", "https://s.example/b"]
    assert [e.url for e in sources.urls_source(["https://s.example/a", " ", "#x", "https://s.example/a"], limit=5)] \
        == ["https://s.example/a"]
    with pytest.raises(sources.SourceError):
        sources.urls_source(["file:///etc/passwd"], limit=5)
