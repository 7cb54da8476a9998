"""Products the script tests write for: built in-test, plus the fixture pages' expected Products."""

from __future__ import annotations

from pathlib import Path

from pipelines.product import Product, Rating, Review

ROOT = Path(__file__).resolve().parents[3]


def bottle() -> Product:
    return Product(
        url="https://shop.example/p/aero-bottle", title="Northpeak Aero Insulated Bottle - 750 ml", brand="Northpeak",
        description="A double-wall stainless steel bottle for commutes, hikes and long desk days. "
                    "Leak-proof lid with a carry loop.",
        price=24.99, list_price=34.99, currency="USD",
        images=[f"https://shop.example/img/{i}.jpg" for i in range(3)],
        features=["Double-wall vacuum insulation keeps drinks cold for 24 hours and hot for 12",
                  "Leak-proof lid with a soft carry loop", "Dishwasher-safe powder-coated finish in 6 colours",
                  "Fits standard car cup holders"],
        rating=Rating(value=4.8, count=1284),
        reviews=[Review(author="Maya R.", rating=5, text="My coffee is still hot when I get to the office. "
                                                         "Love the colour too."),
                 Review(author="Tom", rating=4, text="Solid bottle, the lid is great.")],
        category=["Home", "Drinkware"])


def juicer_zh() -> Product:
    return Product(
        url="https://shop.example/p/juicer", title="小米 便携榨汁杯", brand="小米",
        description="无线充电，随时随地享受新鲜果汁。", price=1299, currency="CNY", language="zh",
        features=["一键启动，30秒出汁", "300ml大容量，可拆洗杯体", "USB-C快充，续航可打15杯"],
        rating=Rating(value=4.9, count=2310), images=["https://shop.example/a.jpg", "https://shop.example/b.jpg"],
        reviews=[Review(author="小王", rating=5, text="颜值很高，榨汁很快，清洗也方便。")])


def lamp_eur() -> Product:
    return Product(url="https://shop.example/p/lamp", title="Lumen Desk Lamp", price=29.99, currency="EUR",
                   features=["Dimmable warm light", "Wireless charging pad in the base"],
                   images=["https://shop.example/lamp.jpg"])


def bare() -> Product:
    """A page that gave a title and a photo, nothing else."""
    return Product(url="https://shop.example/p/widget", title="Plain Widget", images=["https://shop.example/w.jpg"])


def built_products() -> dict[str, Product]:
    return {"bottle": bottle(), "juicer_zh": juicer_zh(), "lamp_eur": lamp_eur(), "bare": bare()}


def fixture_products() -> dict[str, Product]:
    """The product pages the scraper fixtures ship (tests pages and the demo store), read by the
    scraper's own extractor from their static HTML. Pages that only render in a browser are
    covered by the scraper's tests, not here."""
    try:
        from pipelines.scrape.extract import extract
    except ImportError:  # the scraper is another package; without it there is nothing to read
        return {}
    found = {}
    pages = sorted([*ROOT.glob("fixtures/pages/**/*.html"), *ROOT.glob("fixtures/store/products/*.html")])
    for path in pages:
        rel = str(path.relative_to(ROOT))
        url = f"https://fixtures.example/{rel}"
        try:
            extraction = extract(path.read_text(encoding="utf-8", errors="replace"), url)
        except Exception:  # a deliberately broken page is the scraper's concern
            continue
        if extraction.is_product and extraction.fields.get("title"):
            found[rel] = extraction.product(url)
    return found
