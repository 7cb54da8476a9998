"""The dashboard in a real browser (Debian's Chromium through Playwright) against the live server
on loopback, with real dramatiq workers on Redis and the local Stripe stand-in.

One walk through what a user does: sign up, add a workspace, paste a product link, review it,
edit a script (type, see the length estimate change, move a scene), generate (1 variant, 9:16, 8 s
preview), watch progress reach 100%, play the video, download the zip, buy credits, and check that
a user of another organization gets 404.
Screenshots at 390 px and desktop width go to out/screenshots/.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
import zipfile
from pathlib import Path

import httpx
import pytest
from django.db import connection

from tests.ads.test_workers import Worker, broker_url, redis_actors  # noqa: F401  (fixtures)
from tests.billing.stripe_server import event_payload, sign_payload, stripe_server, stripe_settings  # noqa: F401
from tests.dashboard.browser import CHROMIUM_ARGS, check_page
from tests.dashboard.test_storyboard_browser import assert_estimate_is_the_writers

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = "products/cloud-nest-calming-cat-bed.html"
EDITED_LINE = "Your cat deserves a cloud, edited in the dashboard."


def wait_until(page, expression: str, timeout_ms: int = 30_000) -> None:
    """Poll a page expression from here: Playwright's wait_for_function evaluates its predicate
    with eval(), which the dashboard's CSP (script-src 'self', no unsafe-eval) rightly refuses."""
    deadline = time.monotonic() + timeout_ms / 1000
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {expression}")
        time.sleep(0.2)



@pytest.fixture
def workers(live_server, redis_actors, broker_url, settings, tmp_path, monkeypatch):  # noqa: F811
    """Settings for the live server plus one `adgen worker` subprocess on the same DB and Redis."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop here
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.ARTIFACT_ROOT = tmp_path / "artifacts"
    settings.ADGEN_ALLOW_PRIVATE_HOSTS = True
    settings.SITE_URL = live_server.url
    settings.TRIAL_CREDITS = 5000
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    db = connection.settings_dict
    env = {**os.environ, "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
           "BROKER_URL": broker_url, "MEDIA_ROOT": settings.MEDIA_ROOT, "ARTIFACT_ROOT": str(settings.ARTIFACT_ROOT),
           "ADGEN_STAGE_STALE_S": "30", "ADGEN_ALLOW_PRIVATE_HOSTS": "1", "DJANGO_SETTINGS_MODULE": "adgen.settings"}
    worker = Worker(env, tmp_path / "worker.log").start()
    yield worker
    worker.stop()


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def shoot(page, name: str) -> None:
    """Full-page screenshots at phone (390 px) and desktop (1280 px) width, and the page passes
    tests/dashboard/browser.py's checks there (axe-core, no sideways scrolling, keyboard)."""
    check_page(page, name)


def sign_up(page, base: str, email: str, organization: str) -> None:
    page.goto(f"{base}/signup/")
    page.fill("#id_email", email)
    page.fill("#id_password", "a long test password")
    page.fill("#id_organization", organization)
    page.click("button:has-text('Sign up')")
    page.wait_for_selector("text=Check your email")
    from django.core import (
        mail,  # the live server runs in this process: its mail lands here
    )

    link = re.search(r"https?://\S+/signup/confirm/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.click("button:has-text('Confirm')")
    page.wait_for_url(re.compile(r"/workspaces/[0-9a-f-]{36}/$"))


def test_dashboard_end_to_end(workers, browser, live_server, store_url, stripe_settings, tmp_path):  # noqa: F811
    from adgen.ads.models import AdJob

    base = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)

    # sign up, then add a second brand workspace
    page.goto(f"{base}/login/")
    shoot(page, "login")
    page.goto(f"{base}/signup/")
    shoot(page, "signup")
    sign_up(page, base, "owner@example.com", "Northwind Agency")
    shoot(page, "workspace-empty")
    page.goto(f"{base}/workspaces/new/")
    shoot(page, "workspace-new")
    page.fill("#id_name", "Cloud Nest")
    page.click("button:has-text('Create workspace')")
    page.wait_for_url(re.compile(r"/workspaces/[0-9a-f-]{36}/$"))
    workspace_url = page.url
    assert "Cloud Nest" in page.inner_text("h1")

    # paste the product link; the scrape runs on the worker, the page polls until it is ready
    page.click("nav.tabs >> text=Create")
    shoot(page, "create")
    page.fill("#id_url", f"{store_url}/{PRODUCT}")
    page.click("button:has-text('Read the page')")
    page.wait_for_selector("text=Review the product", timeout=90_000)
    assert "Cloud Nest" in page.input_value("#id_title")
    shoot(page, "review")
    page.fill("#id_variants", "1")
    page.fill("#id_duration", "8")
    assert page.is_checked("input[name=aspects][value='9:16']") and page.is_checked("#id_preview")
    page.check("input[name=aspects][value='1:1']")  # two formats: the gallery switches between them
    page.click("button:has-text('Write scripts')")

    # scripts: edit the opening line (the hook), see the quote, generate
    page.wait_for_selector("text=Variant 1")
    assert re.search(r"\d+ credits", page.inner_text(".quote"))
    page.fill("#s0-0-vo", EDITED_LINE)
    # the storyboard: typing changes the length estimate; the second scene moves down one place
    variant = page.locator("[data-variant]").first
    estimate = variant.locator("[data-length-estimate]")
    assert_estimate_is_the_writers(variant)
    before = float(estimate.get_attribute("data-seconds"))
    cards = variant.locator("[data-scene]")
    assert cards.count() >= 3, cards.count()
    cards.last.locator("textarea[data-voiceover]").press("Control+End")
    page.keyboard.type(" Seriously, take a look.")
    assert_estimate_is_the_writers(variant)
    assert float(estimate.get_attribute("data-seconds")) > before
    moved = cards.nth(1).locator("textarea[data-voiceover]").input_value()
    cards.nth(1).locator("[data-move='1']").click()
    assert cards.nth(2).locator("textarea[data-voiceover]").input_value() == moved
    assert "is now scene 3" in page.inner_text("[data-storyboard-status]")
    shoot(page, "scripts")
    page.click("button:has-text('Generate')")
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f-]{36}/$"))
    job_url = page.url
    shoot(page, "progress")

    # live progress until the job ends; the page reloads into the results
    page.wait_for_selector("#job-status:has-text('succeeded'), #job-status:has-text('failed')", timeout=240_000)
    status = page.text_content("#job-status").strip()
    assert status == "succeeded", page.inner_text("#progress") + "\n" + workers.log.read_text(errors="replace")[-3000:]
    assert page.inner_text("#job-percent") == "100%"
    assert "100" == page.get_attribute("#job-progress", "value")

    # play the result
    wait_until(page, "document.querySelector('video') && document.querySelector('video').readyState >= 1")
    duration = page.evaluate("document.querySelector('video').duration")
    assert 5 < duration < 20
    page.evaluate("document.querySelector('video').muted = true; document.querySelector('video').play()")
    wait_until(page, "document.querySelector('video').currentTime > 0.3", timeout_ms=30_000)
    page.evaluate("document.querySelector('video').pause()")
    shoot(page, "results")

    video_url = base + page.get_attribute("video source", "src")

    # the gallery's format switcher: only the rendered formats; 1:1 swaps the player to the square render
    assert [t.split() for t in page.locator(".format-switch [data-format]").all_inner_texts()] == [
        ["9:16", "Vertical"], ["1:1", "Square"]]
    assert page.get_attribute("#preview-player", "poster")
    page.click(".format-switch [data-format='1:1']")
    assert page.get_attribute(".format-switch [data-format='1:1']", "aria-pressed") == "true"
    assert page.get_attribute(".format-switch [data-format='9:16']", "aria-pressed") == "false"
    player = "document.querySelector('#preview-player')"
    wait_until(page, f"{player}.readyState >= 1 && {player}.videoWidth > 0 "
                     f"&& {player}.videoWidth === {player}.videoHeight")
    assert base + page.get_attribute("video source", "src") != video_url
    page.focus(".format-switch [data-format='9:16']")  # keyboard: a button, Enter presses it
    page.keyboard.press("Enter")
    wait_until(page, f"{player}.readyState >= 1 && {player}.videoHeight > {player}.videoWidth")

    # a single download is named after the product, variant, format and platform
    with page.expect_download() as single:
        page.click(".variant-card .downloads a.download >> nth=0")
    name = single.value.suggested_filename
    assert re.fullmatch(r"cloud-nest-calming-cat-bed[a-z0-9-]*_v1_9x16_generic\.mp4", name), name

    # the Ads list: a row with the poster, the formats and the cost
    page.goto(workspace_url)
    row = page.locator(".ad-row").first
    assert row.locator(".ad-thumb img").count() == 1 and "9:16 · 1:1" in row.inner_text()
    assert re.search(r"\d+ credits", row.inner_text())
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the Ads list overflows a phone"
    shoot(page, "ads-list")
    page.goto(job_url)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the results page overflows a phone"
    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("#upgrade")  # the price on the button, then one question before anything is spent
    page.wait_for_selector("#upgrade-price")
    shoot(page, "upgrade-confirm")

    # buy credits through the Stripe stand-in, then Stripe's signed webhook arrives
    page.click("nav.tabs >> text=Billing")
    before = int(page.inner_text("#balance-available").replace(",", ""))
    shoot(page, "billing")
    pack_credits = int(page.inner_text("form.pack .big").split()[0].replace(",", ""))
    page.click("form.pack button")
    page.wait_for_url(re.compile(re.escape(stripe_settings.url) + r"/c/pay/cs_test_\w+"))
    session = stripe_settings.pay(page.url.rsplit("/", 1)[1])
    payload = event_payload("checkout.session.completed", session)
    delivered = httpx.post(f"{base}/api/v1/billing/stripe/webhook/", content=payload, timeout=30,
                           headers={"Content-Type": "application/json", "Stripe-Signature": sign_payload(payload)})
    assert delivered.status_code == 200, delivered.text
    page.goto(f"{workspace_url}billing/?checkout=success")
    assert int(page.inner_text("#balance-available").replace(",", "")) == before + pack_credits
    assert "Purchase" in page.inner_text("#ledger")

    page.goto(f"{base}/workspaces/")
    shoot(page, "overview")
    page.goto(f"{workspace_url}brand-kits/")
    wait_until(page, "[...document.querySelectorAll('.presenters img')].every(i => i.complete && i.naturalWidth > 0)")
    shoot(page, "brand-kits")
    page.goto(f"{workspace_url}campaigns/new/")
    shoot(page, "campaign-new")

    # an API key made on its page works from the shell: curl lists this job's renders
    page.click("nav.tabs >> text=API keys")
    page.fill("#id_name", "Feed sync")
    page.click("button:has-text('Create key')")
    raw_key = page.input_value("#new-key-value")
    shoot(page, "api-key-created")
    listed = subprocess.run(["curl", "-sS", "--fail-with-body", "-H", f"Authorization: Bearer {raw_key}",
                             f"{base}/api/v1/workspaces/{workspace_url.rstrip('/').rsplit('/', 1)[1]}/renders/"],
                            capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert job_url.rstrip("/").rsplit("/", 1)[1] in listed.stdout
    page.goto(page.url)  # a GET: reloading would post the form again
    assert page.locator(".key-list li").count() == 1
    assert "Never" not in page.inner_text(".key-list")  # "Last used" now says when

    # another organization's user sees none of it
    stranger = browser.new_context().new_page()
    sign_up(stranger, base, "stranger@example.com", "Other Brand")
    for url in (workspace_url, job_url, f"{job_url}progress/", f"{job_url}archive.zip", f"{workspace_url}billing/",
                f"{workspace_url}brand-kits/", f"{workspace_url}create/", video_url):
        response = stranger.goto(url)
        assert response.status == 404, url

    # download every file at once (checked last: it needs the export stage to write the batch zip)
    page.goto(job_url)
    assert page.locator("text=Download all (zip)").count() == 1, "the finished job has no batch zip (job.archive)"
    with page.expect_download() as download_info:
        page.click("text=Download all (zip)")
    zip_name = download_info.value.suggested_filename
    assert re.fullmatch(r"cloud-nest-calming-cat-bed[a-z0-9-]*_[0-9a-f]{8}\.zip", zip_name), zip_name
    archive = tmp_path / "all.zip"
    download_info.value.save_as(archive)
    with zipfile.ZipFile(archive) as zf:
        assert any(name.endswith(".mp4") for name in zf.namelist()), zf.namelist()
        assert f"batch/{name}" in zf.namelist()  # the single download's name is the zip's name for that file
    # the edited script is the one that was rendered
    job = AdJob.objects.dangerously_unscoped().get(pk=job_url.rstrip("/").rsplit("/", 1)[1])
    script = job.variants.get(index=0).script
    assert script["hook"] == EDITED_LINE and script["scenes"][0]["voiceover"] == EDITED_LINE
    assert script["scenes"][2]["voiceover"] == moved.strip()  # the order the user gave the scenes
