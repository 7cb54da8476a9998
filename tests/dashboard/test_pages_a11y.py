"""Every dashboard page in Chromium, filled with realistic data (made through the services or the
ORM, no workers): each passes tests/dashboard/browser.py's check_page at 390 and 1280 px (axe-core,
no sideways scrolling, keyboard) and links a favicon that answers. The URL names of
adgen/dashboard/urls.py are all accounted for: a new page fails here until it is visited below
(or named in NOT_PAGES with the reason it has no page of its own)."""

from __future__ import annotations

import io
import re
import subprocess
from urllib.parse import urlsplit

import httpx
import pytest
from django.core.files.base import ContentFile
from django.urls import get_resolver, resolve

from tests.dashboard.browser import check_page
from tests.dashboard.test_e2e import browser, wait_until  # noqa: F401  (browser: a fixture)

# URL names with no page to look at: files, htmx fragments, POST-only actions, redirects.
NOT_PAGES = {
    "home": "redirects to the last workspace or the log-in page",
    "logout": "POST only",
    "favicon": "redirects to the icon (checked by test_favicon_answers)",
    "api-key-revoke": "POST only", "job-cancel": "POST only", "job-upgrade": "POST only",
    "campaign-run-now": "POST only", "billing-checkout": "POST only, ends on Stripe",
    "billing-portal": "POST only, ends on Stripe",
    "job-progress": "htmx fragment of the job page", "job-archive": "zip file", "render-file": "video/image file",
    "brand-kit-file": "uploaded file", "voice-sample": "WAV file", "presenter-preview": "PNG file",
    "product-image": "image file",
    "campaign-run-archive": "zip file",
    "member-role": "POST only", "member-remove": "POST only", "invitation-revoke": "POST only",
    "job-retry": "POST only", "job-edit-retry": "POST only, redirects to the create flow",
    "product-retry": "POST only", "script-estimate": "JSON for the storyboard's length estimate",
}


def dashboard_url_names(patterns=None, namespace: str = "") -> set[str]:
    """Every URL name under the dashboard: namespace."""
    names = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if hasattr(pattern, "url_patterns"):
            names |= dashboard_url_names(pattern.url_patterns, pattern.namespace or namespace)
        elif pattern.name and namespace == "dashboard":
            names.add(pattern.name)
    return names


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", *args], check=True)


def tiny_render_files(tmp_path) -> dict[str, bytes]:
    """A real 2-second 9:16 MP4 with sound, its poster frame and WebVTT captions."""
    video, poster = tmp_path / "ad.mp4", tmp_path / "ad.png"
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=s=180x320:r=25:d=2", "-f", "lavfi", "-i", "sine=f=440:d=2",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(video))
    _ffmpeg("-i", str(video), "-frames:v", "1", str(poster))
    captions = b"WEBVTT\n\n00:00.000 --> 00:02.000\nYour cat deserves a cloud.\n"
    return {"video": video.read_bytes(), "thumbnail": poster.read_bytes(), "captions": captions}


def logo_png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (120, 40), "#3046c9").save(out, format="PNG")
    return out.getvalue()


def seed(owner, *, store_url: str, tmp_path) -> dict:
    """A workspace as it looks after some use: products, jobs (one with a real render, one failed),
    a brand kit with a logo, a campaign with a run, a team with a pending invitation, API keys and a
    ledger long enough to page."""
    from adgen.ads import services as ads_services
    from adgen.ads.models import AdJob, Product, Render, StageRun, Variant
    from adgen.billing import services as billing_services
    from adgen.campaigns import services as campaign_services
    from adgen.campaigns.models import CampaignRun, CampaignRunItem
    from tenants import services as tenant_services
    from tenants.models import Membership

    ws = owner.workspace
    images = [{"url": f"{store_url}/images/coffee-{i}.jpg"} for i in (1, 2, 3)]
    product = Product.objects.create(
        workspace=ws, url=f"{store_url}/products/cloud-nest-calming-cat-bed.html", status="ready",
        title="Cloud Nest Calming Cat Bed", artifact_key="k" * 64, images=images,
        data={"url": f"{store_url}/products/cloud-nest-calming-cat-bed.html", "title": "Cloud Nest Calming Cat Bed",
              "price": 49.0, "currency": "USD", "description": "A calming, washable bed for cats.",
              "features": ["Washable cover", "Raised rim", "Non-slip base"],
              "reviews": [{"text": "My cat sleeps in it all day."}]})
    pending = Product.objects.create(workspace=ws, url="https://shop.example.com/products/slow-page")
    failed_product = Product.objects.create(
        workspace=ws, url="https://shop.example.com/about-us", status="failed", error_code="not_a_product",
        error_message="This page does not look like a product page: no price and no buy button.")

    script = {"variant_id": "v1", "framework": "pas", "language": "en", "hook": "Your cat deserves a cloud.",
              "cta": "Shop now", "caption": "Naps, upgraded. The Cloud Nest bed is back in stock.",
              "hashtags": ["cats", "catbed"],
              "scenes": [{"voiceover": "Your cat deserves a cloud.", "on_screen_text": "Meet Cloud Nest",
                          "visual": "product_image:0", "role": "hook"},
                         {"voiceover": "Soft, washable and calming.", "on_screen_text": "Washable cover",
                          "visual": "product_image:1", "role": "benefit"}]}
    done = AdJob.objects.create(workspace=ws, product=product, status=AdJob.Status.SUCCEEDED, progress=100,
                                quoted_credits=120, options={"variants": 1, "aspects": ["9:16"], "duration": 8,
                                                             "preview": True, "language": "en"})
    variant = Variant.objects.create(workspace=ws, job=done, index=0, script=script)
    files = tiny_render_files(tmp_path)
    render = Render(workspace=ws, job=done, variant=variant, node_id="render:0:9x16", aspect="9:16", width=180,
                    height=320, duration_s=2.0, size_bytes=len(files["video"]), video_codec="h264",
                    audio_codec="aac", artifact_key="r" * 64)
    render.file.save("ad.mp4", ContentFile(files["video"]), save=False)
    render.thumbnail.save("ad.png", ContentFile(files["thumbnail"]), save=False)
    render.captions.save("ad.vtt", ContentFile(files["captions"]), save=False)
    render.save()
    done.archive.save("batch.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18), save=True)
    # node ids as pipelines.jobs plans them ("voice:<variant>", "render:<variant>:<aspect>")
    for node_id in ("scrape", "script", "voice:0", "avatar:0", "broll:0:0", "render:0:9x16", "export"):
        StageRun.objects.create(workspace=ws, job=done, node_id=node_id, stage=node_id.split(":")[0], queue="cpu",
                                status="done", progress=1.0, artifacts={"voice": "en-gb-m1"} if
                                node_id.startswith("voice") else {})
    failed = AdJob.objects.create(workspace=ws, product=product, status=AdJob.Status.FAILED, progress=40,
                                  options={"variants": 2, "aspects": ["9:16", "1:1"], "duration": 20},
                                  error_code="voice_unavailable", error_stage="voice",
                                  error_message="The voice engine could not load its model.")
    for node_id, status in (("scrape", "done"), ("script", "done"), ("voice:0", "failed"),
                            ("render:0:9x16", "cancelled")):
        StageRun.objects.create(workspace=ws, job=failed, node_id=node_id, stage=node_id.split(":")[0], queue="cpu",
                                status=status,
                                error_code="voice_unavailable" if status == "failed" else "",
                                error_message="The voice engine could not load its model." if status == "failed"
                                else "")

    running = AdJob.objects.create(workspace=ws, product=product, status=AdJob.Status.RUNNING, progress=35,
                                   quoted_credits=240, options={"variants": 2, "aspects": ["9:16"], "duration": 20})
    for node_id, status, progress in (("scrape", "done", 1.0), ("script", "done", 1.0), ("voice:0", "running", 0.4),
                                      ("render:0:9x16", "pending", 0.0)):
        StageRun.objects.create(workspace=ws, job=running, node_id=node_id, stage=node_id.split(":")[0], queue="cpu",
                                status=status, progress=progress,
                                message="Speaking scene 2 of 4" if status == "running" else "")

    kit = ads_services.brand_kit_create(workspace=ws, name="Cloud Nest", primary_color="#1d3557",
                                        secondary_color="#f1faee", accent_color="#e63946", presenter="leo",
                                        voice="en-gb-m1", cta="Shop the nest",
                                        logo=ContentFile(logo_png(), name="logo_kc.png"))
    campaign = campaign_services.campaign_create(
        workspace=ws, name="Weekly cat beds", source_kind="urls",
        source_urls=[product.url, "https://shop.example.com/products/gone"], max_products=10,
        matrix={"variants": 1, "aspects": ["9:16"], "languages": ["en"], "duration": 8}, brand_kit=kit,
        schedule="0 9 * * mon", time_zone="Europe/London", budget_per_run=500)
    run = CampaignRun.objects.create(workspace=ws, campaign=campaign, status=CampaignRun.Status.PARTIAL,
                                     quoted_credits=120, budget_allowed=500, summary={"succeeded": 1, "failed": 1})
    item = CampaignRunItem.objects.create(workspace=ws, run=run, position=0, url=product.url, title=product.title,
                                          status="succeeded", product=product)
    item.jobs.add(done)
    CampaignRunItem.objects.create(workspace=ws, run=run, position=1, url="https://shop.example.com/products/gone",
                                   status="failed", error_code="http_404", error_message="The page answered 404.")

    editor = tenant_services.user_get_or_create(email="editor@example.com", password="x-long-password-1")
    tenant_services.membership_set(user=editor, workspace=ws, role=Membership.Role.EDITOR)
    _, invitation_token = tenant_services.invitation_create(workspace=ws, email="new.hire@example.com",
                                                            role=Membership.Role.VIEWER, invited_by=owner.user)
    tenant_services.api_key_create(workspace=ws, name="Shopify sync", created_by=owner.user)
    old_key, _ = tenant_services.api_key_create(workspace=ws, name="Old CI", created_by=owner.user)
    tenant_services.api_key_revoke(api_key=old_key)

    org = owner.organization
    for n in range(14):  # more than a ledger page (25 rows)
        billing_services.credits_grant(organization=org, amount=500 + n, idempotency_key=f"seed-grant-{n}",
                                       description=f"Promotional credits, batch {n + 1}")
        billing_services.credits_hold(organization=org, amount=40, reference=f"job:seed-{n}",
                                      description="Ad job for Cloud Nest Calming Cat Bed")
        billing_services.credits_capture(reference=f"job:seed-{n}", amount=30, idempotency_key="render-0")
    return {"product": product, "pending": pending, "failed_product": failed_product, "done": done,
            "failed": failed, "running": running, "kit": kit, "campaign": campaign, "run": run,
            "invitation_token": invitation_token}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_every_dashboard_page_passes_the_browser_checks(live_server, browser, make_user, settings,  # noqa: F811
                                                        tmp_path, monkeypatch, store_url, mailoutbox):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop here
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SITE_URL = live_server.url
    owner = make_user(agency=True, credits=20_000)
    data = seed(owner, store_url=store_url, tmp_path=tmp_path)
    base, ws = live_server.url, f"{live_server.url}{owner.base}"
    seen: dict[str, str] = {}
    icons: set[str] = set()
    failures: list[str] = []  # every page's problems, reported together

    def checked(page, name: str) -> None:
        try:
            check_page(page, f"pages/{name}")  # out/screenshots/pages/: e2e's shots keep their own names
        except AssertionError as exc:
            failures.append(str(exc))

    def visit(page, url: str, name: str) -> None:
        response = page.goto(url)
        assert response is not None and response.status < 400, (url, response and response.status)
        look(page, name)

    def look(page, name: str) -> None:
        page.wait_for_load_state("load")
        icon = page.evaluate("(document.querySelector('link[rel~=icon]') || {}).href || null")
        assert icon, f"{name}: no <link rel=icon> in <head>"
        icons.add(icon)
        checked(page, name)
        seen[resolve(urlsplit(page.url).path).url_name] = name

    owner_context = browser.new_context()
    owner_context.add_cookies([{"name": "sessionid", "value": owner.client.cookies["sessionid"].value,
                                "url": base}])
    page = owner_context.new_page()
    page.set_default_timeout(60_000)
    kit, campaign, run = data["kit"], data["campaign"], data["run"]
    for path, name in [
        ("/workspaces/", "overview"), ("/workspaces/new/", "workspace-new"),
        (f"{owner.base}/", "workspace"), (f"{owner.base}/members/", "members"),
        (f"{owner.base}/api-keys/", "api-keys"), (f"{owner.base}/create/", "create"),
        (f"{owner.base}/products/{data['pending'].pk}/", "product-pending"),
        (f"{owner.base}/products/{data['failed_product'].pk}/", "product-failed"),
        (f"{owner.base}/jobs/{data['done'].pk}/", "job-succeeded"),
        (f"{owner.base}/jobs/{data['failed'].pk}/", "job-failed"),
        (f"{owner.base}/jobs/{data['running'].pk}/", "job-running"),
        (f"{owner.base}/jobs/{data['done'].pk}/variants/0/rerender/", "variant-rerender"),
        (f"{owner.base}/brand-kits/new/", "brand-kit-new"),
        (f"{owner.base}/brand-kits/{kit.pk}/", "brand-kit-edit"),
        (f"{owner.base}/campaigns/", "campaigns"), (f"{owner.base}/campaigns/new/", "campaign-new"),
        (f"{owner.base}/campaigns/{campaign.pk}/", "campaign"),
        (f"{owner.base}/campaigns/{campaign.pk}/edit/", "campaign-edit"),
        (f"{owner.base}/campaigns/{campaign.pk}/runs/{run.pk}/", "campaign-run"),
        (f"{owner.base}/billing/", "billing"),
    ]:
        visit(page, base + path, name)

    # saved: the brand-kits page with its flash message
    page.goto(f"{ws}/brand-kits/{kit.pk}/")
    page.click("button:has-text('Save brand kit')")
    page.wait_for_selector(".messages >> text=saved")
    # presenter stills are drawn on their first request
    wait_until(page, "[...document.querySelectorAll('.presenters img')].every(i => i.complete && i.naturalWidth > 0)",
               timeout_ms=120_000)
    cards = page.inner_text(".kit")
    assert "Leo" in cards and "English (UK), male 1" in cards and "en-gb-m1" not in cards, cards
    look(page, "brand-kits")

    # the kit's stored logo is linked through the tenant-scoped file view, and answers
    page.goto(f"{ws}/brand-kits/{kit.pk}/")
    current = page.get_attribute(".field:has(#id_logo) a", "href")
    assert current.endswith(f"/brand-kits/{kit.pk}/files/logo/"), current
    assert owner.client.get(current).status_code == 200

    # the review step, then the scripts the offline writer drafts from it
    visit(page, f"{ws}/products/{data['product'].pk}/", "review")
    page.fill("#id_variants", "1")
    page.fill("#id_duration", "8")
    page.click("button:has-text('Write scripts')")
    page.wait_for_selector("text=Variant 1")
    look(page, "scripts")

    # a page with an error panel and field errors
    page.goto(f"{ws}/campaigns/new/")
    page.fill("#id_name", "No products yet")  # a list campaign with no URLs: refused, with the field's error
    page.click("button:has-text('Save campaign')")
    page.wait_for_selector(".error")
    checked(page, "campaign-new-errors")

    # signed out: log in, sign up and its mail, the invitation, the lockout
    guest = browser.new_context().new_page()
    visit(guest, f"{base}/login/", "login")
    visit(guest, f"{base}/signup/", "signup")
    guest.fill("#id_email", "someone@example.com")
    guest.fill("#id_password", "a long test password")
    guest.fill("#id_organization", "Someone's Shop")
    guest.click("button:has-text('Sign up')")
    guest.wait_for_selector("text=Check your email")
    look(guest, "signup-sent")
    link = re.search(r"https?://\S+/signup/confirm/\S+/", mailoutbox[-1].body).group(0)
    visit(guest, link, "signup-confirm")
    visit(guest, f"{base}/invitations/{data['invitation_token']}/", "invitation")
    guest.goto(f"{base}/login/")
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        guest.fill("#id_username", owner.user.email)
        guest.fill("#id_password", "not the password")
        guest.click("button:has-text('Log in')")
        guest.wait_for_load_state("load")
        if attempt == 0:
            guest.wait_for_selector(".error-panel")
            checked(guest, "login-error")
    guest.wait_for_selector("text=Too many log-in attempts")
    checked(guest, "locked-out")
    seen["locked-out"] = "locked-out"

    assert not failures, "\n\n".join(failures)
    missing = dashboard_url_names() - set(NOT_PAGES) - set(seen)
    assert not missing, f"dashboard pages not checked here: {sorted(missing)}"
    for icon in icons:
        answer = httpx.get(icon, timeout=30)
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("image/"), icon


@pytest.mark.django_db(transaction=True)
def test_favicon_answers(live_server):
    answer = httpx.get(f"{live_server.url}/favicon.ico", follow_redirects=True, timeout=30)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("image/svg+xml")
    assert answer.history and answer.history[0].status_code == 301


def test_one_language_list_for_create_campaigns_and_voices(make_user):
    """The Create form, the campaign form and the voice list on the brand-kits page offer the
    same languages: every language some catalogue voice speaks."""
    from pipelines.voice import list_voices
    from pipelines.voice.catalog import LANGUAGE_NAMES

    from adgen.ads.models import Product

    owner = make_user()
    product = Product.objects.create(workspace=owner.workspace, url="https://shop.example.com/p", status="ready",
                                     title="Thing", data={"url": "https://shop.example.com/p", "title": "Thing"})
    review = owner.client.get(f"{owner.base}/products/{product.pk}/").content.decode()
    offered = re.findall(r'<option value="([^"]+)"', review.split('id="id_language"')[1].split("</select>")[0])
    spoken = {"en" if v.language == "en-us" else v.language for v in list_voices()}
    assert set(offered) == spoken and len(offered) > 2
    campaign = owner.client.get(f"{owner.base}/campaigns/new/").content.decode()
    assert set(re.findall(r'name="languages" value="([^"]+)"', campaign)) == spoken
    kits = owner.client.get(f"{owner.base}/brand-kits/").content.decode()
    groups = re.findall(r"<summary>([^<]+) <small", kits)
    assert {g.strip() for g in groups} == {LANGUAGE_NAMES[v.language] for v in list_voices()}


WIDE_TABLE = ("<section><h2>Ledger</h2><div class='table-wrap'><table style='min-width: 1600px'><tr>"
              + "".join(f"<td>column {i}</td>" for i in range(8)) + "</tr></table></div></section>")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_check_page_catches_what_it_should(live_server, browser):  # noqa: F811
    """check_page is strict: a missing alt, sideways scrolling, a positive tabindex, a scroll area
    a keyboard cannot reach, a control without a focus ring and a description that is not there
    each fail it; the same page done
    right (with the dashboard's app.css and scroll_regions.js) passes."""
    head = (f"<!doctype html><html lang='en'><head><title>Check</title>"
            f"<link rel='stylesheet' href='{live_server.url}/static/dashboard/app.css'>{{}}</head>")
    bad = head.format("<style>#plain:focus-visible { box-shadow: none; }</style>") + (
        "<body><main><h1>Bad</h1><img src='data:,'><a href='#x' tabindex='2'>Jump</a>"
        "<button id='plain' type='button'>Plain</button><div style='width:2000px'>wide</div>"
        "<label for='q'>Search</label><input id='q' aria-describedby='q_helptext'>"
        + WIDE_TABLE + "</main></body></html>")
    good = head.format(f"<script src='{live_server.url}/static/dashboard/scroll_regions.js'></script>") + (
        "<body><main><h1>Good</h1><img src='data:,' alt='A dot'><a href='#x'>Jump</a>"
        "<button type='button'>Plain</button>" + WIDE_TABLE + "</main></body></html>")
    page = browser.new_page()
    page.set_content(bad)
    with pytest.raises(AssertionError) as failed:
        check_page(page, "selftest/check-page-bad")
    report = str(failed.value)
    for expected in ("image-alt", "tabindex", "scrolls", "scrollable-region-focusable",
                     "no visible focus on button#plain", 'no such id: aria-describedby="q_helptext"'):
        assert expected in report, (expected, report)
    page.set_content(good)
    check_page(page, "selftest/check-page-good")
    page.set_viewport_size({"width": 390, "height": 844})
    page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    assert page.get_attribute(".table-wrap", "aria-label") == "Ledger (scrolls sideways)"
