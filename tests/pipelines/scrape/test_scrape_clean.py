"""Marketplace copy cleaned for speech; the page's category and language."""

from __future__ import annotations

import pytest

from pipelines.scrape.category import classify
from pipelines.scrape.clean import (clean_description, clean_feature, clean_features, cut_at_clause, review_author,
                                    review_text)
from pipelines.scrape.extract import extract
from pipelines.scrape.language import detect_language, page_language


def test_bracket_and_caps_headers_become_labels_not_speech():
    f = clean_feature("【Easy To Install】Wall/Surface mounted, each lamp comes with screws and anchors.")
    assert f.text == "Wall/Surface mounted, each lamp comes with screws and anchors." and f.label == "Easy To Install"
    f = clean_feature("EASY TO INSTALL - Comes with mounting hardware and a template.")
    assert f.text == "Comes with mounting hardware and a template." and f.label == "Easy To Install"
    assert clean_feature("VEGAN AND CRUELTY-FREE, made without parabens").text == \
        "Vegan and cruelty-free, made without parabens."
    assert clean_feature("LED LIGHT shows the work").text == "LED light shows the work."
    assert clean_feature("Meets ANSI Z87.1+ impact standard").text == "Meets ANSI Z87.1+ impact standard."
    # a header that carries the meaning stays, sentence-cased
    assert clean_feature("3 SIZES FOR EVERY TASK: 15 x 10, 12 x 8 and 9 x 6 inches.").text == \
        "3 sizes for every task: 15 x 10, 12 x 8 and 9 x 6 inches."


@pytest.mark.parametrize("text", [
    "Make sure this fits by entering your model number.",
    "✅ 100% SATISFACTION GUARANTEE: contact us anytime",
    "【What You Get】2 wall lamps and our friendly customer service: please contact us.",
    "Ships in 1-2 business days. Free returns within 30 days.",
    "Please note: due to different monitors, the colour may vary slightly.",
    "全国包邮，7天无理由退换",
    "Envío en 3-5 días laborables.",
])
def test_boilerplate_is_not_a_feature(text):
    assert clean_feature(text) is None


def test_long_features_are_cut_only_where_a_clause_ends():
    long = ("Add Mid-century style to any room with tapered solid oak legs and a walnut finish, which pairs with "
            "almost any decor, from Scandinavian to industrial, and holds up to 150 lbs")
    cut = clean_feature(long).text
    assert cut.startswith("Add Mid-century style to any room with tapered solid oak legs and a walnut finish")
    assert len(cut) <= 151 and cut.endswith(".")
    # "a warm, soft glow": a comma inside a list of adjectives is no clause end, so no cut at all
    assert clean_feature("【Soft and Homely】These wall mounted lamps give a warm, soft glow that makes any bedroom "
                         "or living room feel cosy and welcoming for the whole family at night and in the morning "
                         "too") is None
    assert cut_at_clause("Short enough.") == "Short enough."


def test_features_are_said_once_and_descriptions_lose_boilerplate():
    assert clean_features(["Soft wool", "SOFT WOOL", "Make sure this fits by entering your model number."]) == \
        ["Soft wool"]
    assert clean_description("Hand thrown in Valencia. Envío en 3-5 días. Cada pieza es única.") == \
        "Hand thrown in Valencia. Cada pieza es única."


def test_reviews_that_are_a_name_or_empty_are_refused():
    assert review_text("Amazon Customer", "Amazon Customer") is None
    assert review_text("", "Jane") is None
    assert review_text("Jane D.") is None
    assert review_text("Great!") is None
    assert review_text("Admin", "Admin") is None
    assert review_text("匿名用户", "匿名用户") is None
    assert review_text("Verified Purchase Works great, my kids love it. Read more") == "Works great, my kids love it."
    assert review_author("Amazon Customer") is None and review_author("Dana K.") == "Dana K."


def test_amazon_style_page_gives_clean_bullets_and_real_reviews():
    row = "<li><span class='a-list-item'> {} </span></li>"
    bullets = "".join(row.format(t) for t in [
        "Make sure this fits by entering your model number.",
        "【Sturdy Metal Build】Black powder-coated steel shade and base resist scratches.",
        "【Easy To Install】Comes with screws and anchors."])
    review = ("<div data-hook='review' class='review'><div class='a-profile-content'><span class='a-profile-name'>{a}"
              "</span></div><span data-hook='review-body'><span>{t}</span></span></div>")
    html = f"""<html lang="en-us"><body><div id="wayfinding-breadcrumbs_feature_div"><ul><li><a>Home &amp; Kitchen</a>
    </li><li><a>Lighting</a></li></ul></div><span id="productTitle">Wall Lamp, Plug in, Black</span>
    <span class="a-price priceToPay"><span class="a-offscreen">$36.99</span></span>
    <div id="feature-bullets"><ul>{bullets}</ul></div><input id="add-to-cart-button" type="submit" value="Add to Cart">
    {review.format(a="Amazon Customer", t="Amazon Customer")}{review.format(a="Amazon Customer", t="")}
    {review.format(a="Dana K.", t="Easy to hang and the switch on the cord is handy.")}</body></html>"""
    fields = extract(html, "https://shop.example/dp/B0TEST").fields
    assert fields["features"] == ["Black powder-coated steel shade and base resist scratches",
                                  "Comes with screws and anchors"]
    assert [(r.author, r.text) for r in fields["reviews"]] == [
        ("Dana K.", "Easy to hang and the switch on the cord is handy.")]
    assert fields["category"] == ["Home & Kitchen", "Lighting"] and fields["taxonomy"] == "home"


@pytest.mark.parametrize("kw, key", [
    (dict(breadcrumbs=["Pet Supplies", "Cats", "Beds"], title="Cloud Nest Calming Cat Bed"), "pets"),
    (dict(breadcrumbs=["首页", "玩具益智", "拼图"], title="太空探索系列 1000片拼图"), "toys_hobbies"),
    (dict(title="Yirgacheffe Single-Origin Whole Bean Coffee"), "food_drink"),
    (dict(product_type="Bags", title="The Everyday Canvas Tote"), "apparel"),
    (dict(breadcrumbs=["Furniture", "Office Furniture", "Desks"], title='60"W x 24"D Maple Workbench Top'),
     "furniture"),
    (dict(title="Arc Desk Lamp"), "home"),
    (dict(title="Plain Widget"), None),
])
def test_taxonomy_from_breadcrumbs_type_and_title(kw, key):
    assert classify(**kw) == key


def test_language_declared_checked_against_the_products_words():
    spanish = "Taza de cerámica hecha a mano en nuestro taller de Valencia y esmaltada en azul cobalto."
    assert page_language(declared=["zh-CN"], product_text="太空探索系列 1000片拼图 宇航员") == "zh"
    assert page_language(declared=[None, "es-ES"], product_text=spanish) == "es"
    # a shop that keeps lang="en" on every locale: the product's own words win
    assert page_language(declared=["en"], product_text=spanish) == "es"
    # kanji are Han too: a Japanese page stays Japanese
    assert page_language(declared=["ja"], product_text="三徳包丁 165mm") == "ja"
    assert page_language(declared=[], product_text="") == "en"
    assert detect_language("Hi")[0] is None
