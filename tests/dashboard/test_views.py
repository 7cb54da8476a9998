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
    """Sign-up mails a confirmation link; confirming logs in to the new workspace. Signing up
    again with the same email looks the same on the page (the mail says it has an account)."""
    from django.core import mail

    settings.TRIAL_CREDITS = 50
    client = Client()
    response = client.post("/signup/", {"email": "new@example.com", "password": "a long password 1",
                                        "organization": "Acme", "agency": "on"})
    assert response.status_code == 200 and b"Check your email" in response.content
    link = re.search(r"/signup/confirm/\S+/", mail.outbox[-1].body).group(0)
    response = client.post(link, follow=True)
    assert response.status_code == 200
    assert b"Acme" in response.content and b"50 credits available" in response.content
    again = client.post("/signup/", {"email": "NEW@example.com", "password": "a long password 1",
                                     "organization": "Acme 2"})
    assert b"Check your email" in again.content and "already has an account" in mail.outbox[-1].body


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
    for page in ["/", "members/", "create/", f"products/{product.pk}/", f"jobs/{job.pk}/", "brand-kits/",
                 "brand-kits/new/", "billing/", "campaigns/", "campaigns/new/"]:
        url = f"{owner.base}/{page}".replace("//", "/")
        assert owner.client.get(url).status_code == 200, url


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

    assert 'name="s0-hook"' not in html  # the hook is the first scene's voice-over, edited there
    response = owner.client.post(response.url, {"s0-0-vo": "Edited first line."})
    assert response.status_code == 302, response.content[:2000]
    job = AdJob.objects.for_workspace(owner.workspace).get(kind=AdJob.Kind.AD)
    assert response.url.endswith(f"/jobs/{job.pk}/") and job.product == product
    scripts = job.options["scripts"]
    # what the video opens with and what the post copy leads with are the same edited line
    assert scripts[0]["hook"] == "Edited first line." and scripts[0]["scenes"][0]["voiceover"] == "Edited first line."
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


def _ready_product(workspace) -> Product:
    return Product.objects.create(
        workspace=workspace, url="https://shop.example.com/p", status="ready", title="Cloud Nest Bed",
        artifact_key="k" * 64, images=[{"url": "https://shop.example.com/a.jpg"}],
        data={"url": "https://shop.example.com/p", "title": "Cloud Nest Bed", "price": 49.0, "currency": "USD",
              "features": ["Washable cover"]})


def test_cancel_and_failed_job_error_panel(make_user):
    owner = make_user()
    job = AdJob.objects.create(workspace=owner.workspace, product=_ready_product(owner.workspace),
                               options={"variants": 1}, status=AdJob.Status.RUNNING)
    page = owner.client.get(f"{owner.base}/jobs/{job.pk}/").content.decode()
    assert "Cancel" in page and 'hx-trigger="every 1s"' in page
    response = owner.client.post(f"{owner.base}/jobs/{job.pk}/cancel/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == AdJob.Status.CANCELLED

    failed = AdJob.objects.create(workspace=owner.workspace, url="https://shop.example.com/x", options={},
                                  status=AdJob.Status.FAILED, error_code="not_a_product",
                                  error_message="This page does not look like a product page.", error_stage="scrape")
    html = owner.client.get(f"{owner.base}/jobs/{failed.pk}/progress/").content.decode()
    assert "This page does not look like a product page." in html and "not_a_product" in html
    assert "hx-trigger" not in html  # a finished job stops polling


def test_invitation_accept_new_user_and_existing_email_must_log_in(make_user, mailoutbox):
    owner = make_user()
    other = make_user()
    response = owner.client.post(f"{owner.base}/members/", {"email": "new.member@example.com", "role": "editor"})
    assert response.status_code == 302
    token = re.search(r"/invitations/([^/]+)/", mailoutbox[-1].body).group(1)
    client = Client()
    assert client.get(f"/invitations/{token}/").status_code == 200
    # someone holding the link cannot take over an existing account by typing its email
    hijack = client.post(f"/invitations/{token}/", {"email": other.user.email, "password": "another long password"})
    assert hijack.status_code == 400 and b"log in first" in hijack.content
    joined = client.post(f"/invitations/{token}/", {"email": "new.member@example.com",
                                                    "password": "another long password"})
    assert joined.status_code == 302 and joined.url == f"{owner.base}/"
    assert client.get(f"{owner.base}/").status_code == 200
    assert client.get(f"{owner.base}/members/").status_code == 404  # editors do not manage the team
    assert Client().post(f"/invitations/{token}/", {"email": "x@example.com", "password": "another long password"}
                         ).status_code == 404  # used once


def test_upgrade_preview_to_final_and_rerender_one_variant(make_user):
    from adgen.ads.models import Variant

    owner = make_user(credits=100_000)
    product = _ready_product(owner.workspace)
    script = {"variant_id": "v1", "framework": "pas", "hook": "Hi", "cta": "Buy",
              "scenes": [{"voiceover": "First line."}, {"voiceover": "Second line."}]}
    job = AdJob.objects.create(workspace=owner.workspace, product=product, status=AdJob.Status.SUCCEEDED,
                               options={"variants": 2, "aspects": ["9:16"], "duration": 8, "preview": True})
    Variant.objects.create(workspace=owner.workspace, job=job, index=0, script=script)
    Variant.objects.create(workspace=owner.workspace, job=job, index=1, script={
        **script, "hook": "Other", "scenes": [{"voiceover": "Other first line."}, {"voiceover": "Second line."}]})

    response = owner.client.post(f"{owner.base}/jobs/{job.pk}/upgrade/", {"confirm": "1"})  # the confirm page's POST
    final = AdJob.objects.for_workspace(owner.workspace).exclude(pk=job.pk).get()
    assert response.url.endswith(f"/jobs/{final.pk}/")
    assert final.options["preview"] is False and len(final.options["scripts"]) == 2
    assert final.options["aspects"] == ["9:16"] and final.product == product

    form = owner.client.get(f"{owner.base}/jobs/{job.pk}/variants/1/rerender/")
    assert b"Other first line." in form.content
    response = owner.client.post(f"{owner.base}/jobs/{job.pk}/variants/1/rerender/", {
        "s0-0-vo": "A better first line.", "preview": "on"})
    again = AdJob.objects.for_workspace(owner.workspace).exclude(pk__in=[job.pk, final.pk]).get()
    assert response.url.endswith(f"/jobs/{again.pk}/")
    assert again.options["variants"] == 1 and again.options["preview"] is True
    assert again.options["scripts"][0]["hook"] == "A better first line."
    assert again.options["scripts"][0]["scenes"][0]["voiceover"] == "A better first line."


def test_brand_kit_uploads_are_previewed_in_scope(make_user, settings, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from adgen.ads.models import BrandKit

    settings.MEDIA_ROOT = str(tmp_path)
    owner, stranger = make_user(), make_user()
    png = io.BytesIO()
    Image.new("RGB", (64, 32), "#3046c9").save(png, format="PNG")
    response = owner.client.post(f"{owner.base}/brand-kits/new/", {
        "name": "Logo kit", "primary_color": "#112233", "secondary_color": "#ffffff", "accent_color": "#ff3d57",
        "logo": SimpleUploadedFile("logo.png", png.getvalue(), content_type="image/png")})
    assert response.status_code == 302, response.content.decode()[:2000]
    kit = BrandKit.objects.for_workspace(owner.workspace).get()
    url = f"{owner.base}/brand-kits/{kit.pk}/files/logo/"
    served = owner.client.get(url)
    assert served.status_code == 200 and b"".join(served.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"
    assert url.encode() in owner.client.get(f"{owner.base}/brand-kits/{kit.pk}/").content
    assert stranger.client.get(url).status_code == 404
    assert owner.client.get(f"{owner.base}/brand-kits/{kit.pk}/files/secret/").status_code == 404


def test_voice_sample_and_presenter_preview(make_user, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    owner = make_user()
    sample = owner.client.get(f"{owner.base}/voices/en-us-f1/sample.wav")
    assert sample.status_code == 200 and b"".join(sample.streaming_content)[:4] == b"RIFF"
    preview = owner.client.get(f"{owner.base}/presenters/leo/preview.png")
    assert preview.status_code == 200 and b"".join(preview.streaming_content)[:4] == b"\x89PNG"
    assert owner.client.get(f"{owner.base}/voices/nope/sample.wav").status_code == 404
    assert owner.client.get(f"{owner.base}/presenters/nope/preview.png").status_code == 404
    page = owner.client.get(f"{owner.base}/brand-kits/").content.decode()
    assert "Chinese (Mandarin)" in page and "/voices/zh-f1/sample.wav" in page


def test_product_pending_polls_and_failed_scrape_explains(make_user):
    owner = make_user()
    pending = Product.objects.create(workspace=owner.workspace, url="https://shop.example.com/p")
    html = owner.client.get(f"{owner.base}/products/{pending.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in html
    failed = Product.objects.create(workspace=owner.workspace, url="https://shop.example.com/x", status="failed",
                                    error_code="not_a_product", error_message="No product found on this page.")
    html = owner.client.get(f"{owner.base}/products/{failed.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "No product found on this page." in html and "not_a_product" in html and "hx-trigger" not in html
    ready = _ready_product(owner.workspace)
    polled = owner.client.get(f"{owner.base}/products/{ready.pk}/", HTTP_HX_REQUEST="true")
    assert polled.status_code == 204 and polled["HX-Refresh"] == "true"


def test_brand_kit_intro_and_outro_clips_upload_and_preview(make_user, settings, tmp_path):
    import subprocess

    from django.core.files.uploadedfile import SimpleUploadedFile

    from adgen.ads.models import BrandKit

    settings.MEDIA_ROOT = str(tmp_path)
    owner = make_user()
    clip = tmp_path / "sting.mp4"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "color=c=red:s=160x90:r=30:d=1",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(clip)], check=True)
    form = {"name": "Sting kit", "primary_color": "#112233", "secondary_color": "#ffffff", "accent_color": "#ff3d57"}
    bad = owner.client.post(f"{owner.base}/brand-kits/new/", {
        **form, "intro": SimpleUploadedFile("intro.mp4", b"no video here", content_type="video/mp4")})
    assert bad.status_code == 200 and "not a video clip we can play" in bad.content.decode()
    response = owner.client.post(f"{owner.base}/brand-kits/new/", {
        **form, "intro": SimpleUploadedFile("intro.mp4", clip.read_bytes(), content_type="video/mp4"),
        "outro": SimpleUploadedFile("outro.mp4", clip.read_bytes(), content_type="video/mp4")})
    assert response.status_code == 302, response.content.decode()[:2000]
    kit = BrandKit.objects.for_workspace(owner.workspace).get()
    assert kit.intro and kit.outro
    page = owner.client.get(f"{owner.base}/brand-kits/{kit.pk}/").content.decode()
    assert "Intro clip" in page and f"/brand-kits/{kit.pk}/files/intro/" in page
    served = owner.client.get(f"{owner.base}/brand-kits/{kit.pk}/files/outro/")
    assert served.status_code == 200 and served["Content-Type"] == "video/mp4"
