"""The script page's storyboard in a real browser (Debian's Chromium through Playwright, live server on
loopback, no workers: the review page writes the scripts in the request): the sticky credit bar never
covers the scene being edited at phone width, scenes move with the keyboard and say so, the length
estimate follows the typing, the CSP blocks nothing and axe-core finds nothing. Screenshots at 390 and
1280 px go to out/screenshots/."""

from __future__ import annotations

import base64
import re
import time
from pathlib import Path

import pytest

from adgen.ads.models import AdJob, Product
from tests.dashboard.browser import CHROMIUM_ARGS, check_page, signed_in_page

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "out" / "screenshots"


def image_data_url(name: str) -> str:
    """A demo-store photo inline (img-src allows data:; the store's loopback origin is not 'self')."""
    data = (ROOT / "fixtures" / "store" / "images" / name).read_bytes()
    return "data:image/jpeg;base64," + base64.b64encode(data).decode()


@pytest.fixture
def scripts_page(live_server, make_user, monkeypatch, settings, tmp_path):
    """A signed-in browser on the scripts page of a reviewed product (three variants, 20 s)."""
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop here
    settings.MEDIA_ROOT = str(tmp_path / "media")  # the presenter previews are drawn and cached here
    owner = make_user(credits=10_000)
    product = Product.objects.create(
        workspace=owner.workspace, url="https://shop.example.com/cloud-nest", status="ready",
        title="Cloud Nest Cat Bed", artifact_key="k" * 64,
        images=[{"url": image_data_url("chelsea-1.jpg")}, {"url": image_data_url("chelsea-2.jpg")},
                {"url": "https://127.0.0.1:9/gone.jpg"}],  # a picture that will not load
        data={"url": "https://shop.example.com/cloud-nest", "title": "Cloud Nest Cat Bed", "price": 49.0,
              "currency": "USD", "description": "A calming bed for anxious cats. Soft faux fur helps cats relax.",
              "features": ["Machine washable cover", "Raised rim supports the head and neck", "Non-slip bottom"],
              "reviews": [{"text": "My cat sleeps in it every night.", "rating": 5}],
              "rating": {"value": 4.8, "count": 120}})
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = signed_in_page(chromium, live_server.url, owner.user.email, viewport={"width": 1280, "height": 900})
        page.goto(f"{live_server.url}/workspaces/{owner.workspace.pk}/products/{product.pk}/")
        page.fill("#id_variants", "3")
        page.fill("#id_duration", "20")
        page.click("button:has-text('Write scripts')")
        page.wait_for_selector("text=Variant 1")
        page.owner = owner
        yield page
        chromium.close()


def assert_estimate_is_the_writers(variant, timeout_s: float = 10.0) -> None:
    """The variant's estimate in the page becomes the writer's (pipelines.script.locale.lines_seconds)
    for the text now in its fields, in the variant's language at its voice's pace."""
    from pipelines.script.locale import lines_seconds

    texts = [f.input_value() for f in variant.locator("textarea[data-voiceover]").all()]
    expected = lines_seconds(texts, variant.get_attribute("data-language"),
                             float(variant.get_attribute("data-words-per-second")))
    deadline = time.monotonic() + timeout_s
    while True:
        shown = float(variant.locator("[data-length-estimate]").get_attribute("data-seconds"))
        if shown == pytest.approx(expected, abs=0.006):
            return
        assert time.monotonic() < deadline, (shown, expected, texts)
        time.sleep(0.1)


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_load_state("networkidle")  # the presenter stills are drawn on first request
    for width, height in ((390, 844), (1280, 900)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        page.screenshot(path=str(SHOTS / f"{name}-{width}-window.png"))


def test_the_credit_bar_never_covers_the_scene_being_edited_at_phone_width(scripts_page):
    page = scripts_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.evaluate("window.scrollTo(0, 0)")
    bar = page.locator(".quote")
    assert re.search(r"\d+ credits", bar.inner_text()) and bar.locator("button:has-text('Generate')").is_visible()
    # every voice-over of the last variant, the last scene's first, each scrolled to the very bottom of
    # the window (where the bar sits) and then focused, as a user scrolling down and tapping it would
    fields = page.locator("[data-variant]").last.locator("textarea[data-voiceover]")
    for i in reversed(range(fields.count())):
        fields.nth(i).evaluate("el => window.scrollBy(0, el.getBoundingClientRect().bottom - window.innerHeight + 4)")
        fields.nth(i).focus()
        field_box, bar_box = fields.nth(i).bounding_box(), bar.bounding_box()
        assert field_box["y"] + field_box["height"] <= bar_box["y"], (i, field_box, bar_box)
        assert bar_box["y"] + bar_box["height"] <= 844 + 1  # the bar (and its price) is on screen
        if i == fields.count() - 1:
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "storyboard-last-scene-focused-390.png"))
    # and by keyboard: Tab from the last voice-over to its on-screen text field
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getBoundingClientRect().bottom")
    assert focused <= bar.bounding_box()["y"]
    assert page.violations == []


def test_no_axe_violations_and_no_sideways_scrolling(scripts_page):
    page = scripts_page
    page.wait_for_load_state("networkidle")
    check_page(page, "storyboard-checked")


def test_move_scenes_and_watch_the_length_estimate(scripts_page):
    page = scripts_page
    variant = page.locator("[data-variant]").first
    estimate = variant.locator("[data-length-estimate]")
    assert re.fullmatch(r"About \d+ s of 20 s( · (too long|short))?", estimate.inner_text()), estimate.inner_text()
    # no broken pictures: one that cannot load became a neutral tile that says what the scene shows
    page.wait_for_load_state("networkidle")
    assert page.evaluate("[...document.querySelectorAll('.scene-shot img')]"
                         ".every(i => i.complete && i.naturalWidth > 0)")
    unloadable = page.request.get(page.url).text().count("https://127.0.0.1:9/gone.jpg")
    assert page.locator(".scene-shot-image .broll-caption").count() == unloadable
    # the writer fitted every draft to this voice's pace
    assert page.locator("[data-length-estimate][data-state='fits']").count() == page.locator("[data-variant]").count()
    shoot(page, "storyboard")

    # the browser's estimate is the script writer's own (asked of the server as the user types)
    for i in range(page.locator("[data-variant]").count()):
        assert_estimate_is_the_writers(page.locator("[data-variant]").nth(i))
    tricky = "Only $1,299.50 for 3 crème-brûlée sets, isn't it nice? 真的很好 Free delivery."
    first_text = variant.locator("textarea[data-voiceover]").first
    original = first_text.input_value()
    first_text.fill(tricky)
    assert_estimate_is_the_writers(variant)
    # the same for a character language (the variant's language switched, as a zh ad renders it)
    variant.evaluate("v => { v.dataset.language = 'zh'; }")
    first_text.fill("这款猫窝真的很软，只要 49.99 元，Cloud Nest 值得拥有！")
    assert_estimate_is_the_writers(variant)
    variant.evaluate("v => { v.dataset.language = 'en'; }")
    first_text.fill(original)
    assert_estimate_is_the_writers(variant)

    # typing more words makes the estimate longer, and far too many turns it red ("too long")
    before = float(estimate.get_attribute("data-seconds"))
    first = variant.locator("textarea[data-voiceover]").first
    first.fill(first.input_value() + " And one more thing worth saying about it today.")
    assert_estimate_is_the_writers(variant)
    assert float(estimate.get_attribute("data-seconds")) > before
    first.fill(first.input_value() + " More words." * 40)
    assert_estimate_is_the_writers(variant)
    assert estimate.get_attribute("data-state") == "long" and "too long" in estimate.inner_text()
    first.fill("Meet the bed your cat will not leave.")

    # keyboard only: the second scene moves up, the focus stays on its button, the page says so
    cards = variant.locator("[data-scene]")
    second_name = cards.nth(1).get_attribute("data-scene-name")
    second_id = cards.nth(1).locator("textarea").get_attribute("id")
    cards.nth(1).locator("[data-move='-1']").focus()
    page.keyboard.press("Enter")
    assert cards.nth(0).locator("textarea").get_attribute("id") == second_id
    assert page.evaluate("document.activeElement.dataset.move") == "1"  # Move up is disabled at the top
    assert page.locator("[data-storyboard-status]").inner_text() == \
        f"{second_name} is now scene 1 of {cards.count()} in Variant 1."
    assert [cards.nth(i).locator("[data-scene-order]").input_value() for i in range(cards.count())] == \
        [str(i) for i in range(cards.count())]
    assert cards.nth(0).locator("[data-scene-number]").inner_text() == "1"
    page.fill(f"#{second_id}", "This line opens the ad now.")
    assert page.violations == []

    page.click("button:has-text('Generate')")
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f-]{36}/$"))

    job_id = re.search(r"/jobs/([0-9a-f-]{36})/$", page.url).group(1)
    script = AdJob.objects.for_workspace(page.owner.workspace).get(pk=job_id).options["scripts"][0]
    assert script["hook"] == script["scenes"][0]["voiceover"] == "This line opens the ad now."
    assert script["scenes"][1]["voiceover"] == "Meet the bed your cat will not leave."
