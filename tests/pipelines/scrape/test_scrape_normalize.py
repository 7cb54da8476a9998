"""Price, currency, availability and language normalisation."""

from __future__ import annotations

import pytest

from pipelines.scrape import normalize as norm


@pytest.mark.parametrize("text,amount,symbol", [
    ("1.299,00 €", 1299.0, "€"),
    ("$$2,699.00", 2699.0, "$"),
    ("¥1,299", 1299.0, "¥"),
    ("$19.99 – $29.99", 19.99, "$"),
    ("R$ 49,90", 49.9, "R$"),
    ("1 299,00 zł", 1299.0, "zł"),
    ("£12", 12.0, "£"),
    ("Free", 0.0, None),
    ("See options", None, None),
])
def test_price_text(text, amount, symbol):
    assert norm.parse_price_text(text) == (amount, symbol)


@pytest.mark.parametrize("raw,language,host,code", [
    ("€", None, None, "EUR"), ("usd", None, None, "USD"), ("$", "en", "shop.example.ca", "CAD"),
    ("$", "en", "shop.example.com", "USD"), ("¥", "zh", None, "CNY"), ("¥", "ja", None, "JPY"),
    ("￥", "zh", None, "CNY"), ("元", None, None, "CNY"), ("CA$", None, None, "CAD"), ("GBP", None, None, "GBP"),
    ("", None, None, None), ("dollars?", None, None, None),
])
def test_currency_codes(raw, language, host, code):
    assert norm.currency_code(raw, language=language, host=host) == code


@pytest.mark.parametrize("value,amount", [("129.00", 129.0), (129, 129.0), ("1,299.00", 1299.0), ("-3", None),
                                          (None, None), ("", None), (True, None)])
def test_structured_amounts(value, amount):
    assert norm.parse_amount(value) == amount


def test_availability_and_language():
    assert norm.availability("https://schema.org/InStock") == "in_stock"
    assert norm.availability("http://schema.org/OutOfStock") == "out_of_stock"
    assert norm.availability("PreOrder") == "preorder"
    assert norm.availability("in stock") == "in_stock"
    assert norm.language("zh-CN") == "zh" and norm.language("en_US") == "en" and norm.language("") is None
    assert norm.detect_language("这是一个非常好的产品，质量很好，价格合理。" * 3) == "zh"


def test_absolute_urls():
    assert norm.absolute_url("https://s.example/p/x", "//cdn.example/a.jpg") == "https://cdn.example/a.jpg"
    assert norm.absolute_url("https://s.example/p/x", "../img/a.jpg#frag") == "https://s.example/img/a.jpg"
    assert norm.absolute_url("https://s.example/", "javascript:alert(1)") is None
    assert norm.absolute_url("https://s.example/", {"@type": "ImageObject", "url": "/b.jpg"}) == "https://s.example/b.jpg"
