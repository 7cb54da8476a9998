"""The static path over the bundled demo store, and every failure as its own error code."""

from __future__ import annotations

import pytest
from PIL import Image

from pipelines.errors import ScrapeError
from pipelines.scrape import ScrapeConfig, scrape

STATIC = ScrapeConfig(browser="static")


def test_store_product_complete(store_url, tmp_path):
    progress = []
    result = scrape(f"{store_url}/products/falcon-ascent-model-rocket-kit.html", STATIC, tmp_path,
                    report=lambda f, m: progress.append((f, m)))
    product = result.product
    assert result.fetch_path == "static"
    assert product.title == "Falcon Ascent Model Rocket Launch Kit"
    assert product.brand == "Apogee Hobby Works"
    assert (product.price, product.list_price, product.currency) == (64.99, 79.99, "USD") and product.on_sale
    assert product.availability == "in_stock"
    assert product.rating.value == 4.5 and product.rating.count == 86
    assert len(product.reviews) == 3 and product.reviews[0].author == "Tom B."
    assert 4 <= len(product.features) <= 6
    assert product.images[0] == f"{store_url}/images/rocket-1.jpg"
    assert product.logo == f"{store_url}/images/logo.png"
    assert product.category == ["Home", "Toys & Hobbies", "Model Rockets"]
    assert product.sources["title"] == "json-ld" and product.sources["features"] == "heuristic"
    assert progress[-1][0] == 1.0
    assert len(result.images) == 3
    for image in result.images:
        path = tmp_path / image.file
        with Image.open(path) as decoded:
            assert decoded.size == (image.width, image.height)
            assert decoded.format == "JPEG" and not decoded.getexif()
        x, y, w, h = image.subject_box
        assert 0 <= x and 0 <= y and x + w <= image.width and y + h <= image.height and w > 0 and h > 0


def test_store_chinese_page(store_url, tmp_path):
    product = scrape(f"{store_url}/products/astronaut-jigsaw-puzzle-1000.html", STATIC, tmp_path).product
    assert product.language == "zh" and product.currency == "CNY" and product.price == 129.0
    assert product.title.startswith("太空探索系列")


def test_store_out_of_stock(store_url, tmp_path):
    product = scrape(f"{store_url}/products/hubble-deep-field-poster.html",
                     ScrapeConfig(browser="static", download_images=False), tmp_path).product
    assert product.availability == "out_of_stock"


@pytest.mark.parametrize("path,code", [
    ("/__/status/404", "http_error"),
    ("/__/status/410", "http_error"),
    ("/__/status/500", "http_error"),
    ("/__/pdf", "not_html"),
    ("/__/huge", "too_large"),
    ("/__/botwall", "bot_wall"),
    ("/__/captcha200", "bot_wall"),
    ("/__/chain/9", "too_many_redirects"),
    ("/not-a-product/article.html", "not_a_product"),
    ("/__/slow?s=3", "timeout"),
])
def test_failures_have_distinct_codes(page_server, tmp_path, path, code):
    config = ScrapeConfig(browser="static", page_timeout_s=1.0, max_page_bytes=2_000_000)
    with pytest.raises(ScrapeError) as caught:
        scrape(page_server.url + path, config, tmp_path)
    assert caught.value.code == code
    assert caught.value.message


def test_unreachable(tmp_path):
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(ScrapeError) as caught:
        scrape(f"http://127.0.0.1:{port}/p", STATIC, tmp_path)
    assert caught.value.code == "unreachable"


def test_unresolvable_host(tmp_path):
    with pytest.raises(ScrapeError) as caught:
        scrape("http://no-such-shop.invalid/products/x", STATIC, tmp_path)
    assert caught.value.code == "unreachable"
