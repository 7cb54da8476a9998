"""Small normalisers: prices and currencies, availability, languages, text, URLs."""

from __future__ import annotations

import html
import re
from decimal import Decimal
from urllib.parse import urljoin, urlsplit, urlunsplit

from price_parser import Price

# symbol or local spelling -> ISO 4217; "$" and "¥" are decided with the page's context
CURRENCY_SYMBOLS = {
    "€": "EUR", "eur": "EUR", "£": "GBP", "gbp": "GBP", "₹": "INR", "rs": "INR", "rs.": "INR", "₩": "KRW",
    "₽": "RUB", "руб": "RUB", "zł": "PLN", "zl": "PLN", "kč": "CZK", "ft": "HUF", "₺": "TRY", "tl": "TRY",
    "r$": "BRL", "c$": "CAD", "ca$": "CAD", "a$": "AUD", "au$": "AUD", "nz$": "NZD", "hk$": "HKD",
    "s$": "SGD", "mx$": "MXN", "us$": "USD", "usd": "USD", "chf": "CHF", "fr.": "CHF", "kr": "SEK", "kr.": "DKK",
    "元": "CNY", "rmb": "CNY", "cny": "CNY", "円": "JPY", "jpy": "JPY", "￥": "CNY", "₫": "VND", "₱": "PHP",
    "฿": "THB", "₪": "ILS", "zar": "ZAR", "r": "ZAR", "aed": "AED", "د.إ": "AED", "nt$": "TWD",
}
ISO_CURRENCY = re.compile(r"^[A-Z]{3}$")
_PLAIN_NUMBER = re.compile(r"^\s*-?\d+(?:\.\d+)?\s*$")

AVAILABILITY = {
    "instock": "in_stock", "in_stock": "in_stock", "onlineonly": "in_stock", "instoreonly": "in_stock",
    "limitedavailability": "in_stock", "outofstock": "out_of_stock", "out_of_stock": "out_of_stock",
    "soldout": "out_of_stock", "discontinued": "out_of_stock", "preorder": "preorder", "presale": "preorder",
    "backorder": "preorder", "in stock": "in_stock", "out of stock": "out_of_stock",
}


def currency_code(raw: str | None, *, language: str | None = None, host: str | None = None) -> str | None:
    if not raw:
        return None
    token = raw.strip()
    if ISO_CURRENCY.match(token.upper()) and len(token) == 3 and token.isalpha():
        return token.upper()
    lowered = token.lower()
    if lowered in CURRENCY_SYMBOLS:
        return CURRENCY_SYMBOLS[lowered]
    if token in ("¥", "JP¥"):
        return "CNY" if (language or "").startswith("zh") or (host or "").endswith(".cn") else "JPY"
    if token in ("$", "$$"):
        tld = (host or "").rsplit(".", 1)[-1]
        return {"ca": "CAD", "au": "AUD", "nz": "NZD", "mx": "MXN", "sg": "SGD", "hk": "HKD"}.get(tld, "USD")
    return None


def parse_amount(value) -> float | None:
    """A number from structured data ("129.00", 129, "1,299.00") or shop text ("1.299,00 €")."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float, Decimal)):
        return float(value) if value >= 0 else None
    text = str(value).strip()
    if not text:
        return None
    if _PLAIN_NUMBER.match(text):
        amount = float(text)
        return amount if amount >= 0 else None
    price = Price.fromstring(text)
    return float(price.amount) if price.amount is not None else None


def parse_price_text(text: str) -> tuple[float | None, str | None]:
    """(amount, currency symbol or code) from visible price text; ranges give their low end."""
    text = re.sub(r"\s+", " ", html.unescape(text or "")).strip()
    if not text or len(text) > 80:
        return None, None
    price = Price.fromstring(text)
    if price.amount is None:
        return None, price.currency
    return float(price.amount), price.currency


def availability(raw) -> str | None:
    if not raw:
        return None
    if isinstance(raw, list):
        raw = raw[0] if raw else None
        if not raw:
            return None
    token = str(raw).rsplit("/", 1)[-1].strip().lower()
    return AVAILABILITY.get(token) or AVAILABILITY.get(token.replace(" ", ""))


def language(raw: str | None) -> str | None:
    if not raw:
        return None
    match = re.match(r"^\s*([A-Za-z]{2,3})(?:[-_]|$)", raw)
    return match.group(1).lower() if match else None


def detect_language(text: str) -> str | None:
    sample = text[:4000]
    if not sample:
        return None
    cjk = len(re.findall(r"[\u4e00-\u9fff]", sample))
    kana = len(re.findall(r"[\u3040-\u30ff]", sample))
    hangul = len(re.findall(r"[\uac00-\ud7af]", sample))
    letters = max(1, len(re.findall(r"\w", sample)))
    if kana > 20:
        return "ja"
    if hangul > 20:
        return "ko"
    if cjk / letters > 0.2:
        return "zh"
    return None


def clean_text(value, limit: int | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = " ".join(str(v) for v in value if v)
    text = html.unescape(str(value))
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    if limit and len(text) > limit:
        cut = text[:limit].rsplit(" ", 1)[0]
        text = cut.rstrip(",;:") + "…"
    return text


def absolute_url(base: str, value) -> str | None:
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl") or value.get("@id")
    if isinstance(value, list):
        value = value[0] if value else None
    if not value or not isinstance(value, str):
        return None
    value = value.strip()
    if value.startswith("data:") or value.startswith("javascript:"):
        return None
    joined = urljoin(base, value)
    parts = urlsplit(joined)
    if parts.scheme not in ("http", "https"):
        return None
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))
