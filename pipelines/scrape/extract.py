"""Product facts from a page's HTML, best source first, merged field by field.

Sources, in order of trust: JSON-LD, microdata, RDFa (all read by extruct), Shopify's
`products/<handle>.json`, OpenGraph/product meta tags, then heuristics over the DOM
(selectolax) for pages with no structured data. Every field records the source it came from.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import extruct
from selectolax.lexbor import LexborHTMLParser as HTMLParser, LexborNode as Node

from pipelines.product import Product, Rating, Review
from pipelines.scrape import clean
from pipelines.scrape import normalize as norm
from pipelines.scrape.category import classify
from pipelines.scrape.language import page_language

SOURCE_ORDER = ("json-ld", "microdata", "rdfa", "shopify", "opengraph", "heuristic")
PRODUCT_TYPES = {"product", "productgroup", "productmodel", "individualproduct", "car", "vehicle", "book",
                 "softwareapplication", "mobileapplication"}
JUNK_IMAGE = re.compile(
    r"logo|sprite|icon|favicon|pixel|spacer|blank\.|placeholder|badge|avatar|payment|flag|/stars?[-_.]|"
    r"rating|loader|loading|1x1|transparent|tracking|beacon|banner-ad|/ads?/|gravatar|emoji|swatch",
    re.I)
LIST_PRICE_HINT = re.compile(r"compare|was|old|regular|list|strike|original|before|msrp|rrp|crossed", re.I)
OUTSIDE_PRODUCT = re.compile(r"related|recommend|upsell|cross-?sell|similar|also-?bought|carousel-products|"
                             r"recently|footer|header|nav|sponsored|bundle", re.I)
BUY_BUTTON = re.compile(r"add to (?:cart|bag|basket|trolley)|buy (?:it )?now|add to order|in den warenkorb|"
                        r"ajouter au panier|añadir al carrito|aggiungi al carrello|加入购物车|立即购买|"
                        r"カートに入れる|pre-?order|sold out|notify me", re.I)
OUT_OF_STOCK = re.compile(r"out of stock|sold out|currently unavailable|no longer available|缺货|售罄|已售完|"
                          r"ausverkauft|épuisé|agotado|在庫切れ", re.I)


@dataclass
class Extraction:
    fields: dict = field(default_factory=dict)  # Product field -> value
    sources: dict = field(default_factory=dict)  # Product field -> source name
    structured: bool = False  # a Product node in JSON-LD/microdata/RDFa/Shopify
    og_product: bool = False
    buy_button: bool = False
    listing: bool = False
    article: bool = False
    has_scripts: bool = False
    app_shell: bool = False  # body is mostly empty and waits for JavaScript

    @property
    def is_product(self) -> bool:
        if not self.fields.get("title"):
            return False
        if self.structured or self.og_product:
            return True
        return self.buy_button and not self.listing and self.fields.get("price") is not None

    @property
    def complete(self) -> bool:
        return self.is_product and self.fields.get("price") is not None and bool(self.fields.get("images"))

    def product(self, url: str, max_reviews: int = 10) -> Product:
        data = dict(self.fields)
        data["url"] = url
        data["reviews"] = data.get("reviews", [])[:max_reviews]
        data["sources"] = dict(self.sources)
        data.pop("product_type", None)
        return Product.model_validate(data)


# --------------------------------------------------------------------------- schema.org nodes


def _types(node: dict) -> set[str]:
    raw = node.get("@type") or node.get("type") or []
    raw = raw if isinstance(raw, list) else [raw]
    return {str(t).rsplit("/", 1)[-1].rsplit("#", 1)[-1].lower() for t in raw if t}


def _walk(value, found: list[dict], depth: int = 0) -> None:
    if depth > 8:
        return
    if isinstance(value, list):
        for item in value:
            _walk(item, found, depth + 1)
    elif isinstance(value, dict):
        found.append(value)
        for key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement", "item", "about"):
            if key in value and isinstance(value[key], (list, dict)):
                _walk(value[key], found, depth + 1)


def _first(value):
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _name(value) -> str | None:
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("name") or value.get("@id")
        value = _first(value)
    if value is None:
        return None
    text = norm.clean_text(value)
    if text.startswith("http") or not text:
        return None
    return text


def _images_of(value, base: str) -> list[str]:
    out = []
    for item in value if isinstance(value, list) else [value]:
        url = norm.absolute_url(base, item)
        if url:
            out.append(url)
    return out


def _offer_list(offers) -> list[dict]:
    out = []
    for offer in offers if isinstance(offers, list) else [offers]:
        if not isinstance(offer, dict):
            continue
        out.append(offer)
        nested = offer.get("offers")
        if nested:
            out.extend(_offer_list(nested))
    return out


def _offer_prices(offers, *, prefer_lowest: bool = False) -> dict:
    """price, list_price, currency, availability from Offer / AggregateOffer / lists of them."""
    candidates = []
    for offer in _offer_list(offers):
        price = None
        list_price = None
        currency = offer.get("priceCurrency")
        specs = offer.get("priceSpecification") or []
        for spec in specs if isinstance(specs, list) else [specs]:
            if not isinstance(spec, dict):
                continue
            kind = str(spec.get("priceType", "")).lower()
            amount = norm.parse_amount(_first(spec.get("price")))
            currency = currency or spec.get("priceCurrency")
            if "listprice" in kind or "strikethrough" in kind or "msrp" in kind:
                list_price = amount
            elif amount is not None and price is None:
                price = amount
        direct = norm.parse_amount(_first(offer.get("price")))
        if direct is None and "aggregateoffer" in _types(offer):
            direct = norm.parse_amount(_first(offer.get("lowPrice")))
        if direct is None:
            direct = norm.parse_amount(_first(offer.get("lowPrice")))
        price = direct if direct is not None else price
        if price is None:
            continue
        if list_price is not None and list_price <= price:
            list_price = None
        candidates.append({"price": price, "list_price": list_price,
                           "currency": _first(currency), "availability": norm.availability(offer.get("availability"))})
    if not candidates:
        return {}
    if prefer_lowest:
        in_stock = [c for c in candidates if c["availability"] != "out_of_stock"] or candidates
        chosen = dict(min(in_stock, key=lambda c: c["price"]))
        if any(c["availability"] == "in_stock" for c in candidates):
            chosen["availability"] = "in_stock"
        return chosen
    return candidates[0]


def _pick_product(nodes: list[dict], page_url: str) -> dict | None:
    products = [n for n in nodes if _types(n) & PRODUCT_TYPES and (n.get("name") or n.get("offers"))]
    if not products:
        return None
    groups = [n for n in products if "productgroup" in _types(n)]
    if groups:
        return groups[0]
    path = urlsplit(page_url).path
    for node in products:
        url = _first(node.get("url")) or ""
        if isinstance(url, str) and url and urlsplit(url).path == path and node.get("offers"):
            return node
    with_offers = [n for n in products if n.get("offers")]
    return (with_offers or products)[0]


def _position(item: dict) -> float:
    try:
        return float(item.get("position") or 0)
    except (TypeError, ValueError):
        return 0.0


def _schema_fields(nodes: list[dict], base: str) -> tuple[dict, bool]:
    product = _pick_product(nodes, base)
    out: dict = {}
    crumbs = next((n for n in nodes if "breadcrumblist" in _types(n)), None)
    if crumbs:
        items = crumbs.get("itemListElement") or []
        items = sorted((i for i in _as_list(items) if isinstance(i, dict)), key=_position)
        names = [_name(i.get("name") or i.get("item")) for i in items]
        out["category"] = [n for n in names if n]
    org = next((n for n in nodes if _types(n) & {"organization", "onlinestore", "store", "corporation"}
                and n.get("logo")), None)
    if org:
        out["logo"] = norm.absolute_url(base, _first(org.get("logo")))
    if product is None:
        return out, False
    out["title"] = _name(product.get("name"))
    brand = product.get("brand") or product.get("manufacturer")
    out["brand"] = _name(brand)
    if isinstance(_first(brand), dict) and _first(brand).get("logo") and not out.get("logo"):
        out["logo"] = norm.absolute_url(base, _first(_first(brand).get("logo")))
    out["description"] = norm.clean_text(_first(product.get("description")), 2000)
    out["sku"] = norm.clean_text(_first(product.get("sku") or product.get("mpn"))) or None
    out["canonical_url"] = norm.absolute_url(base, _first(product.get("url")))
    images = _images_of(product.get("image"), base)
    variants = product.get("hasVariant") or []
    variants = [v for v in (variants if isinstance(variants, list) else [variants]) if isinstance(v, dict)]
    if "productgroup" in _types(product) and variants:
        offers = [o for v in variants for o in _offer_list(v.get("offers"))]
        prices = _offer_prices(offers, prefer_lowest=True)
        for variant in variants:
            images += _images_of(variant.get("image"), base)
    else:
        prices = _offer_prices(product.get("offers"))
    out.update({k: v for k, v in prices.items() if v is not None})
    out["images"] = images
    rating = product.get("aggregateRating")
    rating = _first(rating)
    if isinstance(rating, dict):
        value = norm.parse_amount(_first(rating.get("ratingValue")))
        raw_count = _first(rating.get("ratingCount") or rating.get("reviewCount"))
        digits = re.sub(r"\D", "", str(int(raw_count) if isinstance(raw_count, float) else raw_count or ""))
        count = int(digits) if digits else None
        best = norm.parse_amount(_first(rating.get("bestRating"))) or 5.0
        if value is not None and 0 < value <= best:
            out["rating"] = Rating(value=value, count=count, best=best)
    reviews = []
    for review in _as_list(product.get("review") or product.get("reviews")):
        if not isinstance(review, dict):
            continue
        author = clean.review_author(_name(review.get("author")))
        text = clean.review_text(norm.clean_text(_first(review.get("reviewBody") or review.get("description")), 1000),
                                 _name(review.get("author")))
        if not text:
            continue  # a review with no words of its own (or only its author's name) is not a quote
        rating_node = _first(review.get("reviewRating"))
        score = norm.parse_amount(_first(rating_node.get("ratingValue"))) if isinstance(rating_node, dict) else \
            norm.parse_amount(rating_node)
        reviews.append(Review(author=author, rating=score, text=text))
    out["reviews"] = reviews
    features = []
    for prop in _as_list(product.get("additionalProperty")):
        if isinstance(prop, dict) and prop.get("name") and prop.get("value"):
            features.append(f"{norm.clean_text(prop['name'])}: {norm.clean_text(_first(prop['value']))}")
    out["features"] = features
    out["language"] = product.get("inLanguage") if isinstance(product.get("inLanguage"), str) else None
    if product.get("category") or product.get("additionalType"):
        out["product_type"] = norm.clean_text(_first(product.get("category") or product.get("additionalType")))
    if not out.get("category") and product.get("category"):
        category = norm.clean_text(_first(product.get("category")))
        out["category"] = [c.strip() for c in re.split(r"\s*[<>/|›»]\s*", category) if c.strip()]
    return out, True


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


# --------------------------------------------------------------------------- meta tags


def _meta(tree: HTMLParser) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for node in tree.css("meta"):
        key = node.attributes.get("property") or node.attributes.get("name") or node.attributes.get("itemprop")
        value = node.attributes.get("content")
        if key and value:
            out.setdefault(key.strip().lower(), []).append(value.strip())
    return out


def _og_fields(meta: dict[str, list[str]], base: str) -> tuple[dict, bool, bool]:
    def one(*keys):
        for key in keys:
            if meta.get(key):
                return meta[key][0]
        return None

    out: dict = {}
    out["title"] = norm.clean_text(one("og:title", "twitter:title")) or None
    out["description"] = norm.clean_text(one("og:description", "twitter:description", "description"), 2000)
    out["images"] = [u for u in (norm.absolute_url(base, v) for v in
                                 meta.get("og:image", []) + meta.get("og:image:url", []) + meta.get("og:image:secure_url", [])
                                 + meta.get("twitter:image", [])) if u]
    out["canonical_url"] = norm.absolute_url(base, one("og:url"))
    sale = norm.parse_amount(one("product:sale_price:amount", "og:sale_price:amount"))
    price = norm.parse_amount(one("product:price:amount", "og:price:amount", "product:price"))
    original = norm.parse_amount(one("product:original_price:amount", "og:original_price:amount"))
    if sale is not None and price is not None and sale < price:
        out["price"], out["list_price"] = sale, price
    else:
        out["price"] = sale if sale is not None else price
        if original is not None and out["price"] is not None and original > out["price"]:
            out["list_price"] = original
    out["currency"] = one("product:price:currency", "og:price:currency", "product:sale_price:currency")
    out["availability"] = norm.availability(one("product:availability", "og:availability"))
    out["brand"] = norm.clean_text(one("product:brand", "og:brand")) or None
    og_type = (one("og:type") or "").lower()
    return out, "product" in og_type, og_type == "article"


# --------------------------------------------------------------------------- Shopify


def shopify_handle(html: str, url: str) -> str | None:
    """The product handle when the page is a Shopify product page."""
    if not re.search(r"cdn\.shopify\.com|Shopify\.shop|ShopifyAnalytics|shopify-section", html[:400000]):
        return None
    match = re.search(r"/products/([A-Za-z0-9][\w\-%.]*?)(?:\.html?)?/?$", urlsplit(url).path)
    return match.group(1) if match else None


def _shopify_fields(data: dict, base: str) -> dict:
    product = data.get("product") if isinstance(data, dict) else None
    if not isinstance(product, dict):
        return {}
    out: dict = {"title": norm.clean_text(product.get("title")) or None,
                 "brand": norm.clean_text(product.get("vendor")) or None,
                 "description": norm.clean_text(product.get("body_html"), 2000),
                 "product_type": norm.clean_text(product.get("product_type")) or None}
    variants = [v for v in product.get("variants") or [] if isinstance(v, dict)]
    if variants:
        variant = next((v for v in variants if v.get("available", True)), variants[0])
        out["price"] = norm.parse_amount(variant.get("price"))
        compare = norm.parse_amount(variant.get("compare_at_price"))
        if compare and out["price"] is not None and compare > out["price"]:
            out["list_price"] = compare
        out["sku"] = variant.get("sku") or None
        if "available" in variant:
            out["availability"] = "in_stock" if any(v.get("available") for v in variants) else "out_of_stock"
    images = []
    for image in product.get("images") or []:
        url = norm.absolute_url(base, image.get("src") if isinstance(image, dict) else image)
        if url:
            images.append(url)
    out["images"] = images
    body = HTMLParser(product.get("body_html") or "<p></p>")
    out["features"] = _bullets(body.css("li"))
    return out


# --------------------------------------------------------------------------- heuristics


def _attrs(node: Node) -> str:
    return " ".join(filter(None, (node.attributes.get("class"), node.attributes.get("id"),
                                  node.attributes.get("data-testid"), node.attributes.get("data-hook"))))


def _outside_product(node: Node, limit: int = 12) -> bool:
    parent = node.parent
    depth = 0
    while parent is not None and depth < limit:
        if parent.tag in ("footer", "nav", "header", "aside"):
            return True
        if OUTSIDE_PRODUCT.search(_attrs(parent)):
            return True
        parent = parent.parent
        depth += 1
    return False


def _struck(node: Node) -> bool:
    current, depth = node, 0
    while current is not None and depth < 4:
        if current.tag in ("s", "del", "strike") or LIST_PRICE_HINT.search(_attrs(current)) \
                or current.attributes.get("data-a-strike") == "true" or "a-text-price" in (current.attributes.get("class") or ""):
            return True
        current = current.parent
        depth += 1
    return False


def _bullets(nodes, limit: int = 8) -> list[str]:
    out = []
    for node in nodes:
        text = norm.clean_text(node.text(separator=" "), 1000)  # cut later, only where a clause ends
        if 3 <= len(text) and text not in out:
            out.append(text)
        if len(out) >= limit:
            break
    return out


PRICE_SELECTORS = (
    ".priceToPay .a-offscreen", "#corePriceDisplay_desktop_feature_div .a-price .a-offscreen",
    "#corePrice_desktop .a-price .a-offscreen", "#corePrice_feature_div .a-offscreen", "#price_inside_buybox",
    "#newBuyBoxPrice", "#priceblock_saleprice", "#kindle-price", "#priceblock_dealprice", "#priceblock_ourprice", ".a-price .a-offscreen",
    ".price ins .amount", ".summary .price .amount", "[data-testid*=price]", "[data-test*=price]",
    "[data-automation-id*=price]", "[data-qa*=price]", "[data-price]", ".product-price",
    ".product__price", ".price__current", ".sale-price", ".price", "[class*=price]", "[id*=price]",
)
LIST_PRICE_SELECTORS = ("[data-a-strike=true] .a-offscreen", ".a-text-price .a-offscreen", ".price del .amount", "s", "del", "[class*=compare]",
                        "[class*=was]", "[class*=list-price]", "[class*=original]", "[class*=regular]")
IMAGE_ATTRS = ("data-old-hires", "data-zoom-image", "data-large_image", "data-zoom", "data-full", "data-src",
               "data-lazy-src", "data-original", "src")


def _text(node: Node) -> str:
    return norm.clean_text(node.text(separator=" "))


def _heuristic_price(tree: HTMLParser) -> tuple[float | None, str | None, float | None]:
    price = currency = None
    for selector in PRICE_SELECTORS:
        for node in tree.css(selector):
            if node.tag in ("script", "style", "meta", "body", "html", "main") or _outside_product(node) or _struck(node):
                continue
            raw = node.attributes.get("data-price") if selector == "[data-price]" else None
            text = raw or _text(node)
            if len(text) > 60:
                continue
            amount, symbol = norm.parse_price_text(text)
            if amount is not None and amount > 0 and (symbol or selector != "[class*=price]"):
                price, currency = amount, symbol
                break
        if price is not None:
            break
    list_price = None
    if price is not None:
        for selector in LIST_PRICE_SELECTORS:
            for node in tree.css(selector):
                if _outside_product(node):
                    continue
                text = _text(node)
                if len(text) > 40:
                    continue
                amount, _ = norm.parse_price_text(text)
                if amount and amount > price:
                    list_price = amount
                    break
            if list_price:
                break
    return price, currency, list_price


def _srcset_best(value: str) -> str | None:
    best, best_w = None, -1.0
    for part in value.split(","):
        bits = part.strip().split()
        if not bits:
            continue
        width = 0.0
        if len(bits) > 1:
            try:
                width = float(bits[1].rstrip("wx"))
            except ValueError:
                width = 0.0
        if width > best_w:
            best, best_w = bits[0], width
    return best


def _dims(node: Node) -> tuple[int, int] | None:
    try:
        return int(node.attributes.get("width") or 0), int(node.attributes.get("height") or 0)
    except ValueError:
        return None


def heuristic_images(tree: HTMLParser, base: str, sizes: dict[str, tuple[int, int]] | None = None) -> list[str]:
    sizes = sizes or {}
    scored: list[tuple[float, int, str]] = []
    for order, node in enumerate(tree.css("img, [data-zoom-image], [data-a-dynamic-image]")):
        if _outside_product(node, limit=8):
            continue
        urls = []
        dynamic = node.attributes.get("data-a-dynamic-image")
        if dynamic:
            try:
                ranked = sorted(json.loads(dynamic).items(), key=lambda kv: -(kv[1][0] * kv[1][1]))
                urls.append(ranked[0][0])
            except (ValueError, TypeError, IndexError, KeyError):
                pass
        for attr in IMAGE_ATTRS:
            value = node.attributes.get(attr)
            if value:
                urls.append(value)
                break
        srcset = node.attributes.get("data-srcset") or node.attributes.get("srcset")
        if srcset and not urls:
            urls.append(_srcset_best(srcset))
        label = " ".join(filter(None, (node.attributes.get("alt"), _attrs(node))))
        for raw in urls:
            url = norm.absolute_url(base, raw)
            if not url or JUNK_IMAGE.search(url) or JUNK_IMAGE.search(label) or re.search(r"\.(svg|gif)(\?|$)", url, re.I):
                continue
            width, height = sizes.get(url) or _dims(node) or (0, 0)
            if width and height and (min(width, height) < 100 or max(width, height) / max(1, min(width, height)) > 4):
                continue
            ancestry = " ".join(_attrs(p) for p in _ancestors(node, 6))
            score = 0.0
            if re.search(r"gallery|product|media|main|hero|zoom|carousel|slider|image-block|landing", ancestry + label, re.I):
                score += 2.0
            area = width * height if width and height else 300 * 300
            score += min(area, 2_000_000) / 1_000_000
            scored.append((score, order, url))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return list(dict.fromkeys(url for _, _, url in scored))


BREADCRUMBS = ("#wayfinding-breadcrumbs_feature_div", "nav[aria-label*=readcrumb]", ".woocommerce-breadcrumb",
               "[class*=readcrumb]", "[id*=readcrumb]")


def _breadcrumbs(tree: HTMLParser) -> list[str]:
    """The shop's own filing of the product: "Home › Kitchen › Cutting Boards" -> ["Home", "Kitchen", ...]."""
    for selector in BREADCRUMBS:
        node = tree.css_first(selector)
        if node is None:
            continue
        items = [_text(n) for n in node.css("li a, li span:not([class*=divider]), a")] or \
            re.split(r"\s*[›>»/|]\s*", _text(node))
        crumbs = [c for c in dict.fromkeys(i.strip(" ›>»/|") for i in items) if c and len(c) <= 60]
        if crumbs:
            return crumbs[:8]
    return []


def _ancestors(node: Node, limit: int):
    parent, depth = node.parent, 0
    while parent is not None and depth < limit:
        yield parent
        parent = parent.parent
        depth += 1


def _heuristic_fields(tree: HTMLParser, base: str, sizes) -> dict:
    out: dict = {}
    title_node = (tree.css_first("#productTitle") or tree.css_first("h1[class*=title]") or tree.css_first("h1[class*=product]")
                  or tree.css_first("h1[itemprop=name]") or tree.css_first("h1"))
    if title_node is not None:
        out["title"] = _text(title_node) or None
    if not out.get("title"):
        title = tree.css_first("title")
        if title is not None:
            out["title"] = re.split(r"\s+[|–—-]\s+", _text(title))[0] or None
    price, symbol, list_price = _heuristic_price(tree)
    out["price"], out["list_price"], out["currency_symbol"] = price, list_price, symbol
    for selector in ("#bylineInfo", "[itemprop=brand]", ".product-brand", ".product__vendor", "[class*=vendor]",
                     ".brand", "[class*=brand]"):
        node = tree.css_first(selector)
        if node is not None and not _outside_product(node):
            text = _text(node)
            text = re.sub(r"^(?:visit the|brand:|by|marke:|品牌[:：]?)\s*", "", text, flags=re.I)
            text = re.sub(r"\s+store$", "", text, flags=re.I).strip()
            if 1 < len(text) <= 40:
                out["brand"] = text
                break
    for selector in ("#productDescription", "[itemprop=description]", ".product-description", ".product__description",
                     "#description", "[class*=description]"):
        node = tree.css_first(selector)
        if node is not None and not _outside_product(node):
            text = norm.clean_text(node.text(separator=" "), 2000)
            if len(text) >= 20:
                out["description"] = text
                break
    out["images"] = heuristic_images(tree, base, sizes)
    out["category"] = _breadcrumbs(tree)
    for selector in ("#feature-bullets li", "[class*=feature] li", "[id*=feature] li", "[class*=highlight] li",
                     "[class*=bullet] li", "[class*=benefit] li", "[class*=short-description] li",
                     "[itemprop=description] li", "[class*=description] li", "[id*=description] li",
                     "[class*=verview] li", "[class*=attributes] li", "[id*=details] li"):
        bullets = _bullets(node for node in tree.css(selector) if not _outside_product(node))
        if len(bullets) >= 2:
            out["features"] = bullets
            break
    rating_text = " ".join(
        (n.attributes.get("aria-label") or n.attributes.get("title") or "") + " " + _text(n)
        for n in tree.css("#acrPopover, #acrCustomerReviewText, [class*=rating], [class*=stars], [id*=rating], "
                          "[class*=review-summary]")[:6])
    match = re.search(r"(\d(?:[.,]\d+)?)\s*(?:out of|/|von|sur|de)\s*5", rating_text, re.I)
    if match:
        value = float(match.group(1).replace(",", "."))
        count = re.search(r"([\d][\d,.\s]*)\s*(?:global\s+)?(?:ratings|reviews|bewertungen|avis|条评价|评价)", rating_text, re.I)
        out["rating"] = Rating(value=value, count=int(re.sub(r"\D", "", count.group(1))) if count else None)
    reviews = []
    for node in tree.css("[data-hook=review], .review, [class*=review-item], [class~=comment]"):
        # the review's own body first: a profile block ("a-profile-content") also matches [class*=content]
        body = next((b for b in (node.css_first(sel) for sel in ("[data-hook=review-body]", "[itemprop=reviewBody]",
                                                                  "[class*=review-text]", "[class*=body]", "[class*=text]",
                                                                  "[class*=content]", "p")) if b is not None), None)
        if body is None:
            continue
        text = norm.clean_text(body.text(separator=" "), 1000)
        if len(text) < 10:
            continue
        author_node = node.css_first("[data-hook=review-author], [class*=author], [class*=name]")
        raw_author = re.sub(r"^[—–-]\s*", "", _text(author_node)) if author_node is not None else None
        author = clean.review_author(raw_author)
        text = clean.review_text(text, raw_author)
        if not text:
            continue
        stars = node.css_first("[aria-label*='out of'], [class*=stars], [class*=rating]")
        score = None
        if stars is not None:
            label = (stars.attributes.get("aria-label") or "") + " " + _text(stars)
            found = re.search(r"(\d(?:[.,]\d)?)\s*(?:out of|/)\s*5", label)
            if found:
                score = float(found.group(1).replace(",", "."))
            elif "★" in label:
                score = float(label.count("★"))
        reviews.append(Review(author=author, rating=score, text=text))
    out["reviews"] = list({r.text: r for r in reviews}.values())  # one node can match two selectors
    stock_text = " ".join(_text(n) for n in tree.css("[class*=stock], [class*=availability], [id*=availability]")[:4])
    buttons = [n for n in tree.css("button, input[type=submit], a[class*=cart], [class*=add-to-cart]")
               if BUY_BUTTON.search(_text(n) + " " + (n.attributes.get("value") or "") + " " + _attrs(n))]
    out["buy_button"] = bool(buttons)
    out["buy_buttons"] = len({n.mem_id for n in buttons if not _outside_product(n)})
    if OUT_OF_STOCK.search(stock_text) or (buttons and all("disabled" in n.attributes for n in buttons)) or any(
            OUT_OF_STOCK.search(_text(n)) for n in buttons):
        out["availability"] = "out_of_stock"
    elif re.search(r"in stock|available|有货|现货|auf lager|en stock", stock_text, re.I) or buttons:
        out["availability"] = "in_stock"
    logo = None
    for node in tree.css("header img, [class*=logo] img, img[class*=logo], img[alt*=logo i]")[:4]:
        src = node.attributes.get("src")
        label = " ".join(filter(None, (node.attributes.get("alt"), _attrs(node), src, _attrs(node.parent) if node.parent else "")))
        if src and re.search(r"logo", label, re.I):
            logo = norm.absolute_url(base, src)
            break
    out["logo"] = logo
    return out


# --------------------------------------------------------------------------- merge


def _compact_rdfa(expanded: list[dict]) -> list[dict]:
    """extruct gives RDFa as expanded JSON-LD (full IRIs, @value lists, blank-node links):
    fold it back into the compact shape the JSON-LD reader understands."""
    by_id = {n.get("@id"): n for n in expanded if isinstance(n, dict) and n.get("@id")}

    def local(key: str) -> str:
        return key.rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    def convert(node: dict, depth: int) -> dict:
        out: dict = {}
        for key, values in node.items():
            if key == "@id":
                continue
            if key == "@type":
                out["@type"] = [local(t) for t in (values if isinstance(values, list) else [values])]
                continue
            items = []
            for value in values if isinstance(values, list) else [values]:
                if isinstance(value, dict) and "@value" in value:
                    items.append(value["@value"])
                elif isinstance(value, dict) and "@id" in value:
                    target = by_id.get(value["@id"])
                    items.append(convert(target, depth + 1) if target is not None and depth < 5 else value["@id"])
                else:
                    items.append(value)
            out[local(key)] = items[0] if len(items) == 1 else items
        return out

    linked = {v.get("@id") for n in expanded if isinstance(n, dict) for vs in n.values()
              if isinstance(vs, list) for v in vs if isinstance(v, dict) and str(v.get("@id", "")).startswith("_:")}
    return [convert(n, 0) for n in expanded if isinstance(n, dict) and n.get("@type") and n.get("@id") not in linked]


def _schema_nodes(html: str, base: str) -> dict[str, list[dict]]:
    # Each syntax only where the page carries it: pyRdfa walks the whole DOM (seconds on a 1 MB
    # retailer page, and every OpenGraph tag is an RDFa `property`), so RDFa runs only with `typeof`.
    lowered = html.lower()
    syntaxes = [syntax for syntax, marker in (("json-ld", "application/ld+json"), ("microdata", "itemscope"),
                                              ("rdfa", "typeof=")) if marker in lowered]
    data = {}
    if syntaxes:
        try:
            data = extruct.extract(html, base_url=base, syntaxes=syntaxes, uniform=True, errors="ignore")
        except Exception:  # a broken block must not hide the rest of the page
            data = {}
    out = {}
    for syntax, source in (("json-ld", "json-ld"), ("microdata", "microdata"), ("rdfa", "rdfa")):
        nodes: list[dict] = []
        raw = data.get(syntax) or []
        _walk(_compact_rdfa(raw) if syntax == "rdfa" else raw, nodes)
        out[source] = nodes
    if not out["json-ld"] and "json-ld" in syntaxes:  # extruct drops a whole page's JSON-LD on one bad block: read them one by one
        for block in re.findall(r"<script[^>]+application/ld\+json[^>]*>(.*?)</script>", html, re.S | re.I):
            try:
                _walk(json.loads(block.strip().rstrip(";")), out["json-ld"])
            except ValueError:
                continue
    return out


def extract(html: str, url: str, *, image_sizes: dict[str, tuple[int, int]] | None = None,
            shopify: dict | None = None, headers: dict | None = None, max_features: int = 8) -> Extraction:
    tree = HTMLParser(html)
    result = Extraction()
    per_source: dict[str, dict] = {}
    for source, nodes in _schema_nodes(html, url).items():
        fields, found = _schema_fields(nodes, url)
        per_source[source] = fields
        result.structured = result.structured or found
    if shopify:
        per_source["shopify"] = _shopify_fields(shopify, url)
        result.structured = result.structured or bool(per_source["shopify"].get("title"))
    meta = _meta(tree)
    og, result.og_product, result.article = _og_fields(meta, url)
    per_source["opengraph"] = og
    heuristic = _heuristic_fields(tree, url, image_sizes)
    result.buy_button = heuristic.pop("buy_button")
    result.listing = heuristic.pop("buy_buttons") > 2  # a grid of products with a button each
    per_source["heuristic"] = heuristic
    scripts = tree.css("script[src], script:not([type])")
    result.has_scripts = bool(scripts)
    body = tree.body
    body_text = _text(body) if body is not None else ""
    result.app_shell = len(body_text) < 200 and bool(scripts)

    def take(name: str, sources=SOURCE_ORDER, empty=(None, "", [])):
        for source in sources:
            value = per_source.get(source, {}).get(name)
            if value not in empty:
                result.fields[name] = value
                result.sources[name] = source
                return value
        return None

    for name in ("title", "brand", "description", "availability", "sku", "logo", "rating"):
        take(name)
    take("reviews")
    take("category")
    take("features", ("shopify", "heuristic", "json-ld", "microdata", "rdfa"))
    if result.fields.get("description"):
        result.fields["description"] = clean.clean_description(result.fields["description"])
    if not result.fields.get("features") and result.fields.get("description"):
        # no bullet list anywhere: the description's short sentences are the next best facts
        sentences = [x.strip() for x in re.split(r"(?<=[.!?。！？])\s*", result.fields["description"]) if x.strip()]
        short = [x.rstrip(".。") for x in sentences if 8 <= len(x) <= 140]
        if len(short) >= 2:
            result.fields["features"] = short[:4]
            result.sources["features"] = "description"
    if result.fields.get("features"):
        # marketplace headers, boilerplate ("make sure this fits"), cut only where a clause ends
        result.fields["features"] = clean.clean_features(result.fields["features"])[:max_features]
    # price and its list price and currency travel together from one source
    for source in SOURCE_ORDER:
        fields = per_source.get(source, {})
        if fields.get("price") is not None:
            result.fields["price"] = fields["price"]
            result.sources["price"] = source
            if fields.get("list_price"):
                result.fields["list_price"] = fields["list_price"]
                result.sources["list_price"] = source
            currency = fields.get("currency") or fields.get("currency_symbol")
            if currency:
                result.sources["currency"] = source
            result.fields["_currency_raw"] = currency
            break
    if not result.fields.get("list_price"):
        # a sale shown in the page's own markup when the structured data only has the sale price
        hint = per_source["heuristic"].get("list_price")
        price = result.fields.get("price")
        if hint and price and hint > price and per_source["heuristic"].get("price") == price:
            result.fields["list_price"] = hint
            result.sources["list_price"] = "heuristic"
    lang_attr = tree.css_first("html")
    product_words = " ".join([result.fields.get("title") or "", result.fields.get("description") or "",
                              *(result.fields.get("features") or [])])
    lang = page_language(
        declared=[next((per_source[s].get("language") for s in ("json-ld", "microdata", "rdfa")
                        if per_source.get(s, {}).get("language")), None),
                  lang_attr.attributes.get("lang") if lang_attr is not None else None,
                  (meta.get("og:locale") or [None])[0], (headers or {}).get("content-language")],
        product_text=product_words, page_text=body_text)
    result.fields["language"] = lang
    product_type = next((per_source[s].get("product_type") for s in ("shopify", "json-ld", "microdata", "rdfa")
                         if per_source.get(s, {}).get("product_type")), None)
    result.fields["taxonomy"] = classify(breadcrumbs=result.fields.get("category"), product_type=product_type,
                                         title=result.fields.get("title") or "",
                                         description=result.fields.get("description") or "")
    raw_currency = result.fields.pop("_currency_raw", None)
    if raw_currency is None and result.fields.get("price") is not None:
        raw_currency = og.get("currency") or heuristic.get("currency_symbol")
        if raw_currency:
            result.sources["currency"] = "opengraph" if og.get("currency") else "heuristic"
    result.fields["currency"] = norm.currency_code(raw_currency, language=lang, host=urlsplit(url).hostname)
    # images: the best source's order first, then the rest, without junk or duplicates
    images: list[str] = []
    seen: set[str] = set()
    for source in SOURCE_ORDER:
        for image in per_source.get(source, {}).get("images") or []:
            key = image.split("?", 1)[0]
            if key in seen or JUNK_IMAGE.search(image.rsplit("/", 1)[-1]):
                continue
            seen.add(key)
            images.append(image)
            result.sources.setdefault("images", source)
    if image_sizes:
        def too_small(u):
            size = image_sizes.get(u)
            return bool(size and size[0] and size[1] and min(size) < 100)
        images = [u for u in images if not too_small(u)]
    result.fields["images"] = images[:15]
    canonical = tree.css_first("link[rel=canonical]")
    result.fields["canonical_url"] = (norm.absolute_url(url, canonical.attributes.get("href")) if canonical is not None else None) \
        or per_source["json-ld"].get("canonical_url") or og.get("canonical_url") or url
    if result.fields.get("title") and len(result.fields["title"]) > 300:
        result.fields["title"] = norm.clean_text(result.fields["title"], 300)
    return result
