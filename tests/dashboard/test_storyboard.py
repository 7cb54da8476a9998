"""The script page's storyboard through Django's test client: plain scene and framework names (never
the writers' codes), what each scene shows, the voice's pace for the length estimate, and the order
the user put the scenes in. The browser side (moving, typing, the sticky bar) is in test_e2e.py and
test_storyboard_browser.py."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from adgen.ads import services as ads_services
from adgen.ads.models import AdJob, Product
from pipelines.engines import DEFAULT_ENGINES
from pipelines.script.roles import FRAMEWORK_NAMES, SCENE_ROLES
from pipelines.voice import rates

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]

PRODUCT_DATA = {
    "url": "https://shop.example.com/p", "title": "Cloud Nest Cat Bed", "price": 49.0, "currency": "USD",
    "features": ["Machine washable cover", "Raised rim supports the head and neck", "Non-slip bottom"],
    "description": "A calming bed for anxious cats. Soft faux fur helps cats relax and sleep deeply.",
    "reviews": [{"text": "My cat sleeps in it every night.", "rating": 5}], "rating": {"value": 4.8, "count": 120}}


class VisibleText(HTMLParser):
    """What a reader of the page sees or hears: text outside script/style, plus alt and aria-label."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")
        self.parts += [value for name, value in attrs if name in ("alt", "aria-label", "value", "title") and value]

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def scripts_page(owner, *, variants: int = 3, brand_kit=None) -> str:
    """Review a product (through the page, as a user does) and return the scripts page's URL."""
    product = Product.objects.create(
        workspace=owner.workspace, url=PRODUCT_DATA["url"], status="ready", title=PRODUCT_DATA["title"],
        artifact_key="k" * 64,
        images=[{"url": "https://shop.example.com/a.jpg"}, {"url": "https://shop.example.com/b.jpg"}],
        data=PRODUCT_DATA)
    response = owner.client.post(f"{owner.base}/products/{product.pk}/", {
        "title": PRODUCT_DATA["title"], "price": "49.00", "currency": "usd", "description": PRODUCT_DATA["description"],
        "features": "\n".join(PRODUCT_DATA["features"]), "reviews": "My cat sleeps in it every night.",
        "images": ["0", "1"], "variants": str(variants), "aspects": ["9:16"], "duration": "20", "language": "en",
        "tone": "friendly", "preview": "on", "brand_kit": str(brand_kit.pk) if brand_kit else ""})
    assert response.status_code == 302, response.content[:3000]
    return response.url


def session_scripts(owner, url: str) -> list[dict]:
    product_id = re.search(r"/products/([0-9a-f-]{36})/", url).group(1)
    return owner.client.session[f"dashboard_draft:{product_id}"]["scripts"]


def test_scenes_and_frameworks_have_plain_names_never_codes(make_user):
    owner = make_user(credits=10_000)
    url = scripts_page(owner, variants=3)
    html = owner.client.get(url).content.decode()
    text = visible_text(html)
    scripts = session_scripts(owner, url)

    assert "Opening hook" in text and "Call to action" in text
    for script in scripts:
        assert FRAMEWORK_NAMES[script["framework"]] in text
        assert script["angle"] and script["angle"] not in text  # "problem:taste" and the like
    for code in ("PAS", "AIDA", "UGC"):
        assert not re.search(rf"\b{code}\b", text), code
    for code in ("listicle", "agitate", "broll:", "product_image:", "avatar", "push_in"):
        assert code not in text.lower(), code
    roles = {scene["role"] for script in scripts for scene in script["scenes"]}
    assert all(SCENE_ROLES[role] in text for role in roles)
    # the price quote and the Generate button stay
    assert re.search(r"[\d,]+ credits", text) and ">Generate</button>" in html


def test_each_scene_card_shows_what_the_scene_shows(make_user):
    owner = make_user(credits=10_000)
    kit = ads_services.brand_kit_create(workspace=owner.workspace, name="Main", presenter="leo")
    url = scripts_page(owner, variants=3, brand_kit=kit)
    html = owner.client.get(url).content.decode()
    visuals = [scene["visual"] for script in session_scripts(owner, url) for scene in script["scenes"]]

    assert html.count('class="scene-card"') == len(visuals)
    assert f"/workspaces/{owner.workspace.pk}/presenters/leo/preview.png" in html  # the kit's presenter
    if any(v.startswith("product_image:") for v in visuals):
        assert 'src="https://shop.example.com/' in html
    brolls = [v.split(":", 1)[1] for v in visuals if v.startswith("broll:")]
    assert brolls, visuals  # this product's problem/fix ad has a b-roll scene
    assert all(prompt[:40] in html for prompt in brolls)


def test_pace_attribute_is_the_pipelines_pace_for_the_jobs_voice(make_user):
    owner = make_user(credits=10_000)
    kit = ads_services.brand_kit_create(workspace=owner.workspace, name="Joe", voice="en-us-joe", voice_rate=1.2)
    html = owner.client.get(scripts_page(owner, variants=2, brand_kit=kit)).content.decode()
    paces = [float(p) for p in re.findall(r'data-words-per-second="([^"]+)"', html)]
    expected = rates.words_per_second(DEFAULT_ENGINES["voice"], "en-us-joe", "en") * 1.2
    assert paces == [pytest.approx(expected)] * 2
    assert expected != pytest.approx(rates.words_per_second(DEFAULT_ENGINES["voice"], None, "en"))
    assert re.search(r'data-target-seconds="20(\.0)?"', html) and 'data-language="en"' in html
    assert 'data-length-tolerance="0.1"' in html  # the writer's own (pipelines.script.guards)
    assert 'data-estimate-url="/workspaces/' in html and "data-seconds=" in html  # the server's own estimate


def test_the_post_keeps_the_order_the_user_gave_the_scenes(make_user):
    owner = make_user(credits=10_000)
    url = scripts_page(owner, variants=1)
    owner.client.get(url)
    scenes = session_scripts(owner, url)[0]["scenes"]
    n = len(scenes)
    # the user moved the second scene to the top and the first to the end
    order = [n - 1, 0] + list(range(1, n - 1))
    post = {f"s0-{i}-order": str(place) for i, place in enumerate(order)}
    post["s0-1-vo"] = "Now this line opens the ad."
    response = owner.client.post(url, post)
    assert response.status_code == 302, response.content[:2000]
    script = AdJob.objects.for_workspace(owner.workspace).get(kind=AdJob.Kind.AD).options["scripts"][0]
    got = [scene["role"] for scene in script["scenes"]]
    assert got == [scenes[1]["role"], *[s["role"] for s in scenes[2:]], scenes[0]["role"]]
    assert script["scenes"][0]["voiceover"] == script["hook"] == "Now this line opens the ad."


def test_an_order_that_is_not_a_permutation_keeps_the_scenes_as_they_were(make_user):
    owner = make_user(credits=10_000)
    url = scripts_page(owner, variants=1)
    scenes = session_scripts(owner, url)[0]["scenes"]
    response = owner.client.post(url, {"s0-0-order": "1", "s0-1-order": "1", "s0-2-order": "x"})
    assert response.status_code == 302, response.content[:2000]
    script = AdJob.objects.for_workspace(owner.workspace).get(kind=AdJob.Kind.AD).options["scripts"][0]
    assert [s["voiceover"] for s in script["scenes"]] == [s["voiceover"] for s in scenes]
    assert script["hook"] == scenes[0]["voiceover"]


def test_a_brand_kit_portrait_is_the_presenter_scenes_picture(make_user, settings, tmp_path):
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = str(tmp_path)
    owner = make_user(credits=10_000)
    kit = ads_services.brand_kit_create(workspace=owner.workspace, name="Photo")
    kit.presenter_image.save("face.jpg", ContentFile((ROOT / "fixtures/store/images/chelsea-thumb.jpg").read_bytes()))
    html = owner.client.get(scripts_page(owner, variants=1, brand_kit=kit)).content.decode()
    assert f"/workspaces/{owner.workspace.pk}/brand-kits/{kit.pk}/files/presenter_image/" in html
    assert "/presenters/" not in html


def test_the_length_estimate_is_the_writers_own_figure(make_user):
    from pipelines.script.locale import lines_seconds

    owner, stranger = make_user(), make_user()
    lines = ["Only $1,299.50 for 3 sets, isn't it nice?", "", "Free delivery today."]
    url = f"{owner.base}/scripts/estimate/"
    answer = owner.client.get(url, {"language": "en", "pace": "3.4", "line": lines})
    assert answer.status_code == 200
    assert answer.json()["seconds"] == round(lines_seconds(lines, "en", 3.4), 2)
    zh = owner.client.get(url, {"language": "zh", "pace": "4.1", "line": ["这款猫窝真的很软，只要 49.99 元。"]})
    assert zh.json()["seconds"] == round(lines_seconds(["这款猫窝真的很软，只要 49.99 元。"], "zh", 4.1), 2)
    for bad in ({"pace": "fast"}, {"pace": "0"}, {"pace": "3", "line": ["word"] * 41}):
        assert owner.client.get(url, bad).status_code == 400, bad
    assert stranger.client.get(url, {"pace": "3.4", "line": lines}).status_code == 404
