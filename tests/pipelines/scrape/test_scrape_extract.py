"""The extractor on odd but real-world markup: it must never crash, and pick the right facts."""

from __future__ import annotations

import json

import pytest

from pipelines.scrape.extract import extract, shopify_handle

URL = "https://shop.example/products/thing"


def page(*blocks: object, body: str = "<h1>Thing</h1>", lang: str = "en") -> str:
    scripts = "".join(f"<script type='application/ld+json'>{b if isinstance(b, str) else json.dumps(b)}</script>"
                      for b in blocks)
    return f"<!doctype html><html lang='{lang}'><head><title>Thing</title>{scripts}</head><body>{body}</body></html>"


@pytest.mark.parametrize("html", ["", "\x00\x01binary", "<html>", page("{not json"), page([]), page({"@graph": None}),
                                  page({"@type": "Product"}), page({"@type": ["Product"], "name": ["A", "B"], "offers": "x"}),
                                  "<div>" * 5000])
def test_odd_markup_never_crashes(html):
    extract(html, URL)


def test_loose_json_ld_shapes():
    product = {"@context": "http://schema.org", "@type": ["Product", "Thing"], "name": "Thing &amp; Co",
               "brand": [{"@type": "Brand", "name": ["Acme"]}],
               "image": [{"@type": "ImageObject", "url": "//cdn.example/a.jpg"}, "/b.jpg", None],
               "offers": {"@type": "AggregateOffer", "lowPrice": "$9.50", "highPrice": "12",
                          "offers": [{"@type": "Offer", "price": "12", "priceCurrency": "USD"}]},
               "aggregateRating": {"ratingValue": "4,5", "ratingCount": "1.204"},
               "review": {"author": "Ann", "reviewRating": 4, "reviewBody": "<p>Nice&nbsp;thing</p>"}}
    result = extract(page(product, body="<h1>Thing</h1><p class='price'>$9.50</p>"), URL)
    fields = result.fields
    assert fields["title"] == "Thing & Co" and fields["brand"] == "Acme"
    assert fields["images"][:2] == ["https://cdn.example/a.jpg", "https://shop.example/b.jpg"]
    assert fields["price"] == 9.5 and fields["currency"] == "USD"
    assert fields["rating"].value == 4.5 and fields["rating"].count == 1204
    assert fields["reviews"][0].text == "Nice thing" and fields["reviews"][0].rating == 4
    assert result.is_product


def test_shopify_detection():
    html = "<script src='https://cdn.shopify.com/s/x.js'></script>"
    assert shopify_handle(html, "https://a.example/products/blue-mug") == "blue-mug"
    assert shopify_handle(html, "https://a.example/collections/mugs/products/blue-mug?variant=1") == "blue-mug"
    assert shopify_handle("<p>no</p>", "https://a.example/products/blue-mug") is None
