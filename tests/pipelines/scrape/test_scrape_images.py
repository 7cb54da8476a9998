"""Downloaded images: re-encoded, EXIF gone (orientation applied), junk refused, subject boxed."""

from __future__ import annotations

import json

import numpy as np
from PIL import Image, ImageOps

from pipelines.scrape import ScrapeConfig, scrape
from pipelines.scrape.images import subject_box

from scrape_helpers import PAGES, load_serve_module


def _shop(tmp_path):
    photo = Image.open(PAGES / "img" / "rocket.jpg").convert("RGB")  # landscape 400x267
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° on display
    exif[0x010F] = "SecretCam"  # make
    exif[0x8825] = {2: (51.0, 30.0, 0.0)}  # GPS latitude
    photo.save(tmp_path / "exif.jpg", "JPEG", exif=exif)
    upright = ImageOps.exif_transpose(Image.open(tmp_path / "exif.jpg"))
    upright.resize((133, 200)).save(tmp_path / "same-smaller.jpg", "JPEG")  # the same picture, smaller
    badge = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    badge.paste((200, 30, 30, 255), (60, 60, 240, 240))
    badge.save(tmp_path / "cutout.png", "PNG")
    (tmp_path / "fake.jpg").write_text("<html>not an image</html>")
    Image.new("RGB", (40, 40), "red").save(tmp_path / "tiny.jpg")
    images = ["/exif.jpg", "/fake.jpg", "/tiny.jpg", "/same-smaller.jpg", "/cutout.png", "/missing.jpg"]
    product = {"@context": "https://schema.org", "@type": "Product", "name": "Image Test", "image": images,
               "offers": {"@type": "Offer", "price": "5.00", "priceCurrency": "USD"}}
    (tmp_path / "p.html").write_text(f"<!doctype html><html lang='en'><head><title>Image Test</title>"
                                     f"<script type='application/ld+json'>{json.dumps(product)}</script></head>"
                                     f"<body><h1>Image Test</h1></body></html>")


def test_images_reencoded_and_stripped(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    _shop(site)
    out = tmp_path / "out"
    with load_serve_module().PageServer(site) as server:
        result = scrape(server.url + "/p.html", ScrapeConfig(browser="static"), out)
    assert [i.url.rsplit("/", 1)[1] for i in result.images] == ["exif.jpg", "cutout.png"]
    first, cutout = result.images
    with Image.open(out / first.file) as decoded:
        assert decoded.format == "JPEG"
        assert decoded.size == (267, 400)  # orientation applied, then dropped
        assert not decoded.getexif() and "exif" not in decoded.info
    with Image.open(out / cutout.file) as decoded:
        assert decoded.format == "PNG" and decoded.mode == "RGBA"
    # refused images are no longer offered as product images
    assert not any(u.endswith(("fake.jpg", "tiny.jpg", "missing.jpg")) for u in result.product.images)


def test_subject_box_finds_the_product_on_a_plain_background():
    canvas = np.full((400, 600, 3), 245, np.uint8)
    canvas[120:300, 350:520] = (30, 60, 160)  # the product, right of centre
    x, y, w, h = subject_box(Image.fromarray(canvas))
    assert x <= 350 and y <= 120 and x + w >= 520 and y + h >= 300
    assert w * h < 0.6 * 600 * 400
