"""Team, invitation, billing and campaign-form pages in Chromium (live server, data made through
the services): screenshots at 390 and 1280 px into out/screenshots/, no sideways scrolling on a
phone, axe-core finds nothing, the keyboard reaches everything (tests/dashboard/browser.py's check_page),
and the campaign form's static JS shows only the chosen fields."""

from __future__ import annotations

import pytest

from adgen.ads import services as ads_services
from adgen.campaigns import services as campaign_services
from tenants.models import Membership
from tenants.services import invitation_create, membership_set, user_get_or_create
from tests.dashboard.browser import CHROMIUM_ARGS, check_page

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_team_billing_and_campaign_pages(live_server, make_user, settings, monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.STRIPE_SECRET_KEY = ""
    owner = make_user(credits=5000)
    for email, role in (("maria.admin@example.com", "admin"), ("li.editor@example.com", "editor")):
        membership_set(user=user_get_or_create(email=email), workspace=owner.workspace, role=role)
    _, token = invitation_create(workspace=owner.workspace, email="new.colleague@example.com", role="editor",
                                 invited_by=owner.user)
    invitation_create(workspace=owner.workspace, email="viewer.friend@example.com", role="viewer",
                      invited_by=owner.user)
    ads_services.job_submit(workspace=owner.workspace, url="https://shop.example.com/products/cloud-nest-cat-bed",
                            options={"url": "https://shop.example.com/products/cloud-nest-cat-bed", "variants": 1,
                                     "aspects": ["9:16"], "duration": 8, "preview": True})
    campaign = campaign_services.campaign_create(
        workspace=owner.workspace, name="Monday cats", source_kind="urls",
        source_urls=["https://shop.example.com/a"], schedule="0 9 * * mon", time_zone="Europe/Paris")
    session = owner.client.cookies["sessionid"].value
    base = f"{live_server.url}{owner.base}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context()
        context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)

        page.goto(f"{base}/members/")
        assert page.locator("h3", has_text="new.colleague@example.com").count() == 1
        check_page(page, "team")
        editor_row = page.locator("li.team-item", has_text="li.editor@example.com")
        editor_row.locator("select").select_option("admin")
        editor_row.locator("button:has-text('Save')").click()
        page.wait_for_selector("text=li.editor@example.com is now admin")
        assert Membership.objects.get(user__email="li.editor@example.com").role == "admin"

        page.goto(f"{base}/billing/")
        assert page.locator("text=Card payments are off").count() == 1 and page.locator("text=Buy for").count() == 0
        assert page.locator("#ledger a:has-text('Ads for')").count() >= 1
        check_page(page, "billing-no-stripe")

        page.goto(f"{base}/campaigns/new/")
        assert page.is_hidden("#id_source_url") and page.is_visible("#id_source_urls")
        assert page.is_hidden("#id_schedule_weekday") and page.is_hidden("#id_schedule")
        page.select_option("#id_source_kind", "sitemap")
        assert page.is_visible("#id_source_url") and page.is_visible("#id_url_pattern")
        assert page.is_hidden("#id_source_urls")
        page.select_option("#id_schedule_frequency", "weekly")
        assert page.is_visible("#id_schedule_weekday") and page.is_visible("#id_schedule_time")
        check_page(page, "campaign-form")

        page.goto(f"{base}/campaigns/{campaign.pk}/")
        assert page.locator("text=Every Monday at 09:00 Europe/Paris").count() == 1
        page.goto(f"{base}/campaigns/{campaign.pk}/edit/")
        assert page.input_value("#id_schedule_frequency") == "weekly" and page.is_visible("#id_schedule_weekday")

        stranger = browser.new_context().new_page()
        stranger.goto(f"{live_server.url}/invitations/{token}/")
        assert stranger.locator(f"text={owner.user.email}").count() >= 1
        check_page(stranger, "invitation")
        assert not [m for m in problems if "Content Security Policy" in m], problems
        browser.close()
