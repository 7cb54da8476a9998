"""Dashboard pages through Django's test client: access, scoping (404 for other tenants), forms
and CSRF. The browser flow with workers runs in test_e2e.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from adgen.ads.models import AdJob, Product

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_log_in(make_user):
    owner = make_user()
    response = Client().get(f"{owner.base}/")
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_sign_up_creates_an_organization_and_logs_in(db, settings):
    settings.TRIAL_CREDITS = 50
    client = Client()
    response = client.post("/signup/", {"email": "new@example.com", "password": "a long password 1",
                                        "organization": "Acme", "agency": "on"}, follow=True)
    assert response.status_code == 200
    assert b"Acme" in response.content and b"50 credits available" in response.content
    again = client.post("/signup/", {"email": "NEW@example.com", "password": "a long password 1",
                                     "organization": "Acme 2"})
    assert b"already exists" in again.content


def test_log_in_with_email(make_user):
    owner = make_user()
    client = Client()
    response = client.post("/login/", {"username": owner.user.email, "password": "correct horse battery"})
    assert response.status_code == 302
    assert client.get("/", follow=True).status_code == 200


def test_every_page_of_another_org_is_404(make_user):
    owner, stranger = make_user(), make_user()
    product = Product.objects.create(workspace=owner.workspace, url="https://shop.example.com/p", status="ready",
                                     title="Thing", data={"url": "https://shop.example.com/p", "title": "Thing"})
    job = AdJob.objects.create(workspace=owner.workspace, product=product, options={})
    pages = ["/", "members/", "create/", f"products/{product.pk}/", f"products/{product.pk}/scripts/",
             f"jobs/{job.pk}/", f"jobs/{job.pk}/progress/", f"jobs/{job.pk}/archive.zip",
             f"jobs/{job.pk}/variants/0/rerender/", "brand-kits/", "brand-kits/new/", "billing/",
             "voices/en-us-f1/sample.wav", "presenters/ava/preview.png"]
    for page in pages:
        url = f"{owner.base}/{page}".replace("//", "/")
        assert stranger.client.get(url).status_code == 404, url
    for page in [f"jobs/{job.pk}/cancel/", f"jobs/{job.pk}/upgrade/", "billing/checkout/", "billing/portal/"]:
        assert stranger.client.post(f"{owner.base}/{page}").status_code == 404, page
    assert owner.client.get(f"{owner.base}/jobs/{job.pk}/").status_code == 200


def test_post_without_csrf_token_is_refused(make_user):
    owner = make_user()
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner.user)
    assert client.post(f"{owner.base}/create/", {"url": "https://shop.example.com/p"}).status_code == 403


def test_agency_overview_and_new_workspace(make_user):
    agency = make_user(agency=True)
    response = agency.client.post("/workspaces/new/", {"name": "Client Two", "organization": agency.organization.pk})
    assert response.status_code == 302
    overview = agency.client.get("/workspaces/").content.decode()
    assert "Client Two" in overview and agency.workspace.name in overview


def test_review_and_scripts_submit_the_edited_scripts(make_user):
    owner = make_user(credits=10_000)
    product = Product.objects.create(
        workspace=owner.workspace, url="https://shop.example.com/p", status="ready", title="Cloud Nest Bed",
        artifact_key="k" * 64, images=[{"url": "https://shop.example.com/a.jpg"}, {"url": "https://shop.example.com/b.jpg"}],
        data={"url": "https://shop.example.com/p", "title": "Cloud Nest Bed", "price": 49.0, "currency": "USD",
              "features": ["Washable cover", "Raised rim"], "description": "A calming bed for cats."})
    page = owner.client.get(f"{owner.base}/products/{product.pk}/")
    assert page.status_code == 200 and b"Washable cover" in page.content
    response = owner.client.post(f"{owner.base}/products/{product.pk}/", {
        "title": "Cloud Nest Cat Bed", "price": "39.00", "currency": "usd", "description": "Soft.",
        "features": "Machine washable\nRaised rim", "reviews": "My cat loves it", "images": ["1"],
        "variants": "1", "aspects": ["9:16"], "duration": "8", "language": "en", "tone": "friendly",
        "preview": "on"})
    assert response.status_code == 302, response.content[:2000]
    scripts_page = owner.client.get(response.url)
    html = scripts_page.content.decode()
    assert "Cloud Nest Cat Bed" in html and "credits" in html
    assert "product_image:0" not in html  # only the included image (index 1) is used

    hook_name = re.search(r'name="(s0-hook)"', html).group(1)
    response = owner.client.post(response.url, {hook_name: "Edited hook!", "s0-0-vo": "Edited first line."})
    assert response.status_code == 302, response.content[:2000]
    job = AdJob.objects.for_workspace(owner.workspace).get(kind=AdJob.Kind.AD)
    assert response.url.endswith(f"/jobs/{job.pk}/") and job.product == product
    scripts = job.options["scripts"]
    assert scripts[0]["hook"] == "Edited hook!" and scripts[0]["scenes"][0]["voiceover"] == "Edited first line."
    assert job.options["variants"] == 1 and job.quoted_credits


def test_brand_kit_create_with_colours(make_user):
    owner = make_user()
    response = owner.client.post(f"{owner.base}/brand-kits/new/", {
        "name": "Main", "primary_color": "#112233", "secondary_color": "#ffffff", "accent_color": "#ff3d57",
        "presenter": "leo", "voice": "en-us-m1", "cta": "Shop now"})
    assert response.status_code == 302, response.content[:2000]
    listing = owner.client.get(f"{owner.base}/brand-kits/").content.decode()
    assert "Main" in listing and "#112233" in listing
    bad = owner.client.post(f"{owner.base}/brand-kits/new/", {"name": "Bad", "primary_color": "red",
                                                               "secondary_color": "#ffffff", "accent_color": "#ff3d57"})
    assert bad.status_code == 200 and b"Use a colour" in bad.content


def test_campaign_pages_create_run_and_scope(make_user):
    from adgen.campaigns.models import Campaign, CampaignRun

    owner, stranger = make_user(), make_user()
    response = owner.client.post(f"{owner.base}/campaigns/new/", {
        "name": "Weekly cats", "source_kind": "urls",
        "source_urls": "https://shop.example.com/a\nhttps://shop.example.com/b", "max_products": "10",
        "variants": "1", "aspects": ["9:16", "1:1"], "languages": ["en"], "duration": "8", "preview": "on",
        "schedule": "0 9 * * mon", "time_zone": "Asia/Shanghai", "enabled": "on", "budget_per_run": "100"})
    assert response.status_code == 302, response.content.decode()[:3000]
    campaign = Campaign.objects.for_workspace(owner.workspace).get()
    assert campaign.source_urls == ["https://shop.example.com/a", "https://shop.example.com/b"]
    assert campaign.matrix["aspects"] == ["9:16", "1:1"] and campaign.next_run_at is not None
    assert b"Weekly cats" in owner.client.get(f"{owner.base}/campaigns/").content

    bad = owner.client.post(f"{owner.base}/campaigns/new/", {
        "name": "Bad", "source_kind": "urls", "source_urls": "https://shop.example.com/a", "max_products": "10",
        "variants": "1", "aspects": ["9:16"], "languages": ["en"], "duration": "8", "schedule": "every day",
        "time_zone": "UTC"})
    assert bad.status_code == 200 and b"error" in bad.content

    run_response = owner.client.post(f"{owner.base}/campaigns/{campaign.pk}/run/")
    run = CampaignRun.objects.for_workspace(owner.workspace).get()
    assert run_response.status_code == 302 and run_response.url.endswith(f"/runs/{run.pk}/")
    assert owner.client.get(run_response.url).status_code == 200

    for url in (f"{owner.base}/campaigns/", f"{owner.base}/campaigns/{campaign.pk}/",
                f"{owner.base}/campaigns/{campaign.pk}/edit/", f"{owner.base}/campaigns/{campaign.pk}/runs/{run.pk}/"):
        assert stranger.client.get(url).status_code == 404, url
    assert stranger.client.post(f"{owner.base}/campaigns/{campaign.pk}/run/").status_code == 404
    # the stranger's own workspace URL with the owner's campaign id: still 404
    assert stranger.client.get(f"{stranger.base}/campaigns/{campaign.pk}/").status_code == 404


def test_pages_load_under_200_kb_of_our_js_and_css(make_user):
    from django.contrib.staticfiles import finders

    owner = make_user()
    html = owner.client.get(f"{owner.base}/").content.decode()
    assets = re.findall(r'(?:src|href)="/static/([^"]+\.(?:js|css))"', html)
    assert assets, html[:500]
    total = sum(Path(finders.find(a)).stat().st_size for a in assets)
    assert total < 200 * 1024, (assets, total)
    assert "cdn" not in html.lower()  # vendored, nothing fetched from elsewhere at run time
