"""Failures a marketer can act on: the job and product pages lead with a plain-language hint and
the next step (the raw code and message folded under "Technical details"), Retry / Edit and retry /
Try the link again, and a banner when no worker consumes a queue a waiting job needs."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from adgen.ads import lifecycle, services
from adgen.ads.billing_hooks import job_reference
from adgen.ads.models import AdJob, Product
from adgen.billing.models import CreditHold
from adgen.billing.selectors import account_balance
from adgen.ops.models import WorkerHeartbeat
from tenants.models import Membership
from tenants.services import membership_set, user_get_or_create

pytestmark = pytest.mark.django_db

RAW = "ConnectError [Errno 111] Connection refused"
OPTIONS = {"variants": 1, "aspects": ["9:16"], "duration": 8, "language": "en", "tone": "friendly", "preview": True}


def ready_product(workspace) -> Product:
    return Product.objects.create(
        workspace=workspace, url="https://shop.example.com/p", status="ready", title="Cloud Nest Bed",
        artifact_key="k" * 64, images=[{"url": "https://shop.example.com/a.jpg"}],
        data={"url": "https://shop.example.com/p", "title": "Cloud Nest Bed", "features": ["Washable"]})


OPENING = "A bed your cat will not leave."


def submitted(owner, **options) -> AdJob:
    """An ad job as the scripts page submits it: the offline writer's script, its opening line edited."""
    from adgen.dashboard.selectors import product_review_data, script_drafts

    product = ready_product(owner.workspace)
    options = {**OPTIONS, **options}
    [script] = script_drafts(product_data=product_review_data(product), image_urls=["https://shop.example.com/a.jpg"],
                             included_images=[0], options=options)
    script["scenes"][0]["voiceover"] = script["hook"] = OPENING
    return services.job_submit(workspace=owner.workspace, options={**options, "scripts": [script]}, product=product,
                               user=owner.user)


def failed(job: AdJob, *, code: str, message: str = RAW, stage: str = "") -> AdJob:
    with transaction.atomic():  # as the lifecycle ends a job: the row locked, the hold released
        locked = AdJob.objects.dangerously_unscoped().select_for_update().get(pk=job.pk)
        lifecycle.job_fail(job=locked, code=code, message=message, stage=stage)
    job.refresh_from_db()
    return job


def headline(html: str) -> str:
    """What the page says outside the folded technical details."""
    return re.sub(r"<details class=\"tech\">.*?</details>", "", html, flags=re.S)


def test_a_failed_job_leads_with_what_to_do_and_keeps_the_raw_error_for_support(make_user):
    owner = make_user(credits=10_000)
    job = failed(submitted(owner), code="unreachable", stage="scrape")
    html = owner.client.get(f"{owner.base}/jobs/{job.pk}/").content.decode()
    assert "The product page did not answer" in html
    assert "Check the link opens in your browser, then try again." in html
    assert "It stopped at: Reading the product page." in html
    assert "Technical details" in html and RAW in html and "unreachable" in html  # kept, folded away
    assert RAW not in headline(html) and "unreachable" not in headline(html).split("jobs/")[0]
    assert "in stage" not in html and "<strong>scrape</strong>" not in html
    # the product link was the trouble: try it again, or a different one
    assert "Try the link again" in html
    assert f"{owner.base}/create/?url=https%3A//shop.example.com/p&amp;retry_of={job.pk}" in html
    progress = owner.client.get(f"{owner.base}/jobs/{job.pk}/progress/").content.decode()
    assert "The product page did not answer" in progress and RAW not in headline(progress)


def test_an_unknown_code_gets_a_friendly_message(make_user):
    owner = make_user(credits=10_000)
    job = failed(submitted(owner), code="brand_new_code", message="KeyError: 'x'", stage="render")
    html = owner.client.get(f"{owner.base}/jobs/{job.pk}/").content.decode()
    assert "This could not be finished" in html and "It stopped at: Rendering." in html
    assert "KeyError" not in headline(html) and "KeyError" in html


def test_retry_submits_the_same_options_as_a_new_job_with_a_new_hold(make_user):
    owner = make_user(credits=10_000)
    job = failed(submitted(owner), code="render_failed", stage="render")
    old_hold = CreditHold.objects.get(reference=job_reference(job))
    assert old_hold.remaining == 0  # released when it failed
    before = account_balance(organization=owner.organization)
    page = owner.client.get(f"{owner.base}/jobs/{job.pk}/").content.decode()
    assert ">Retry<" in page and ">Edit and retry<" in page and "Try the link again" not in page

    response = owner.client.post(f"{owner.base}/jobs/{job.pk}/retry/")
    assert response.status_code == 302
    new = AdJob.objects.for_workspace(owner.workspace).exclude(pk=job.pk).get(kind=AdJob.Kind.AD)
    assert response.url == f"{owner.base}/jobs/{new.pk}/"
    assert new.options == job.options and new.product == job.product and new.brand_kit == job.brand_kit
    assert new.status != AdJob.Status.FAILED and new.quoted_credits == job.quoted_credits
    hold = CreditHold.objects.get(reference=job_reference(new))
    assert hold.status == CreditHold.Status.OPEN and hold.amount == new.quoted_credits
    assert account_balance(organization=owner.organization).available == before.available - new.quoted_credits


def test_retry_is_refused_for_a_job_that_has_not_ended(make_user):
    owner = make_user(credits=10_000)
    job = submitted(owner)
    assert owner.client.post(f"{owner.base}/jobs/{job.pk}/retry/").status_code == 404
    assert owner.client.post(f"{owner.base}/jobs/{job.pk}/edit-retry/").status_code == 404
    assert AdJob.objects.for_workspace(owner.workspace).count() == 1


def test_a_cancelled_job_can_be_retried(make_user):
    owner = make_user(credits=10_000)
    job = services.job_cancel(job=submitted(owner))
    html = owner.client.get(f"{owner.base}/jobs/{job.pk}/").content.decode()
    assert "This job was cancelled" in html and ">Retry<" in html
    assert owner.client.post(f"{owner.base}/jobs/{job.pk}/retry/").status_code == 302
    assert AdJob.objects.for_workspace(owner.workspace).filter(kind=AdJob.Kind.AD).count() == 2


def test_edit_and_retry_prefills_the_scripts_page_with_the_failed_jobs_options_and_scripts(make_user):
    owner = make_user(credits=10_000)
    job = failed(submitted(owner, duration=10, tone="premium"), code="script_too_long", stage="script")
    response = owner.client.post(f"{owner.base}/jobs/{job.pk}/edit-retry/")
    assert response.status_code == 302
    assert response.url == f"{owner.base}/products/{job.product.pk}/scripts/"
    page = owner.client.get(response.url).content.decode()
    assert OPENING in page and "10 s" in page
    review = owner.client.get(f"{owner.base}/products/{job.product.pk}/").content.decode()
    assert re.search(r"<option value=\"premium\"[^>]*selected", review)
    assert re.search(r"name=\"duration\" value=\"10\"", review)

    response = owner.client.post(f"{owner.base}/products/{job.product.pk}/scripts/",
                                 {"s0-0-vo": "A shorter opening line."})
    assert response.status_code == 302, response.content[:2000]
    new = AdJob.objects.for_workspace(owner.workspace).exclude(pk=job.pk).get(kind=AdJob.Kind.AD)
    assert new.options["scripts"][0]["scenes"][0]["voiceover"] == "A shorter opening line."
    assert new.options["duration"] == 10 and new.options["tone"] == "premium" and new.product == job.product


def test_a_job_submitted_by_link_is_edited_on_the_create_page_and_keeps_its_options(make_user):
    owner = make_user(credits=10_000)
    job = services.job_submit(workspace=owner.workspace, options={**OPTIONS, "duration": 12, "tone": "playful"},
                              url="https://shop.example.com/gone", user=owner.user)
    job = failed(job, code="timeout", stage="scrape")
    response = owner.client.post(f"{owner.base}/jobs/{job.pk}/edit-retry/")
    assert response.url == f"{owner.base}/create/?url=https%3A%2F%2Fshop.example.com%2Fgone&retry_of={job.pk}"
    page = owner.client.get(response.url).content.decode()
    assert 'value="https://shop.example.com/gone"' in page
    # a different link: the new product's review starts from the failed job's options
    response = owner.client.post(response.url, {"url": "https://shop.example.com/works"})
    product = Product.objects.for_workspace(owner.workspace).get(url="https://shop.example.com/works")
    assert response.url == f"{owner.base}/products/{product.pk}/"
    Product.objects.for_workspace(owner.workspace).filter(pk=product.pk).update(
        status="ready", title="Works", data={"url": product.url, "title": "Works"})
    review = owner.client.get(response.url).content.decode()
    assert re.search(r"<option value=\"playful\"[^>]*selected", review)
    assert re.search(r"name=\"duration\" value=\"12\"", review) and 'value="Works"' in review
    # another tenant's job id seeds nothing
    stranger = make_user()
    stranger.client.post(f"{stranger.base}/create/?retry_of={job.pk}", {"url": "https://shop.example.com/x"})
    other = Product.objects.for_workspace(stranger.workspace).get()
    assert f"dashboard_retry_seed:{other.pk}" not in stranger.client.session


def test_only_editors_see_and_use_the_buttons(make_user):
    owner = make_user(credits=10_000)
    job = failed(submitted(owner), code="render_failed", stage="render")
    viewer = user_get_or_create(email=f"viewer-{owner.workspace.pk}@example.com", password="x-long-password")
    membership_set(user=viewer, workspace=owner.workspace, role=Membership.Role.VIEWER)
    client = Client()
    client.force_login(viewer)
    html = client.get(f"{owner.base}/jobs/{job.pk}/").content.decode()
    assert "A step of making the video failed" in html and ">Retry<" not in html and "Edit and retry" not in html
    assert client.post(f"{owner.base}/jobs/{job.pk}/retry/").status_code == 404
    stranger = make_user()
    assert stranger.client.post(f"{owner.base}/jobs/{job.pk}/retry/").status_code == 404
    assert stranger.client.post(f"{owner.base}/jobs/{job.pk}/edit-retry/").status_code == 404


def test_a_product_page_that_could_not_be_read_offers_the_link_again_or_another(make_user):
    owner = make_user()
    product = Product.objects.create(workspace=owner.workspace, url="http://127.0.0.1:9/p", status="failed",
                                     error_code="unreachable", error_message=RAW)
    html = owner.client.get(f"{owner.base}/products/{product.pk}/").content.decode()
    assert "The product page did not answer" in html and RAW not in headline(html) and RAW in html
    assert "Try the link again" in html and "Edit the link and retry" in html
    response = owner.client.post(f"{owner.base}/products/{product.pk}/retry/")
    new = Product.objects.for_workspace(owner.workspace).exclude(pk=product.pk).get()
    assert response.url == f"{owner.base}/products/{new.pk}/" and new.url == product.url
    create = owner.client.get(f"{owner.base}/create/?url=http%3A//127.0.0.1%3A9/p").content.decode()
    assert 'value="http://127.0.0.1:9/p"' in create


def _beat(queues, *, age_s: float = 0) -> None:
    seen = timezone.now() - timedelta(seconds=age_s)
    WorkerHeartbeat.objects.update_or_create(name="box:1", defaults=dict(
        hostname="box", pid=1, queues=queues, started_at=seen, seen_at=seen))


def test_no_worker_banner_on_the_pending_product_page_comes_and_goes_with_a_heartbeat(make_user, settings):
    owner = make_user()
    product = services.product_scrape_submit(workspace=owner.workspace, url="https://shop.example.com/p")
    url = f"{owner.base}/products/{product.pk}/"
    html = owner.client.get(url).content.decode()
    assert "Reading the product page" in html
    assert "No worker is running for 'io'" in html and "adgen worker --queues io,cpu" in html
    _beat(["io", "cpu"], age_s=settings.ADGEN_WORKER_STALE_S + 5)  # a worker that died
    assert "No worker is running" in owner.client.get(url).content.decode()
    _beat(["io", "cpu"])
    assert "No worker is running" not in owner.client.get(url).content.decode()
    assert "No worker is running" not in owner.client.get(url, HTTP_HX_REQUEST="true").content.decode()


def test_no_worker_banner_on_a_waiting_job(make_user):
    owner = make_user(credits=10_000)
    job = services.job_submit(workspace=owner.workspace, options={**OPTIONS}, url="https://shop.example.com/p",
                              user=owner.user)  # its scrape stage is queued on io
    html = owner.client.get(f"{owner.base}/jobs/{job.pk}/progress/").content.decode()
    assert "No worker is running for 'io'" in html
    _beat(["gpu"])
    assert "No worker is running for 'io'" in owner.client.get(f"{owner.base}/jobs/{job.pk}/").content.decode()
    _beat(["io"])
    assert "No worker is running" not in owner.client.get(f"{owner.base}/jobs/{job.pk}/").content.decode()


def test_the_api_job_carries_the_hint(make_user):
    from rest_framework.test import APIClient

    owner = make_user(credits=10_000)
    job = failed(submitted(owner), code="unreachable", stage="scrape")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {owner.raw_api_key}")
    body = api.get(f"/api/v1/workspaces/{owner.workspace.pk}/ads/{job.pk}/").json()
    assert body["error"]["code"] == "unreachable" and body["error"]["message"] == RAW
    assert body["error_hint"]["title"] == "The product page did not answer" and body["error_hint"]["link_problem"]
    product = Product.objects.create(workspace=owner.workspace, url="http://127.0.0.1:9/p", status="failed",
                                     error_code="timeout", error_message="ReadTimeout")
    body = api.get(f"/api/v1/workspaces/{owner.workspace.pk}/products/{product.pk}/").json()
    assert body["error_hint"]["title"] == "The product page did not answer"
    schema = api.get("/api/v1/schema/?format=json").json()["components"]["schemas"]
    assert "error_hint" in schema["AdJob"]["properties"] and "error_hint" in schema["AdProduct"]["properties"]
    assert set(schema["ErrorHint"]["properties"]) == {"title", "next_step", "link_problem", "retry_may_help"}
