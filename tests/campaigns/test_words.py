"""Campaign runs in words: the summary ("ads made for 7 products, 3 failed"), the status, and
credits "held" while a run is active, "spent" (and "returned") once it has finished."""

from __future__ import annotations

import pytest
from django.db import transaction

from adgen.ads import lifecycle
from adgen.ads.billing_hooks import job_reference
from adgen.ads.models import AdJob
from adgen.billing.services import credits_capture
from adgen.campaigns import services
from adgen.campaigns.models import CampaignRun
from adgen.campaigns.selectors import RUN_STATUS_WORDS, run_credits_words, run_summary_words

from .test_services import S, make_campaign, run_once

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("counts, words", [
    ({S.SUCCEEDED: 3, S.UNCHANGED: 1, S.FAILED: 1}, "Ads made for 3 products, 1 product skipped (unchanged), 1 failed"),
    ({S.SUCCEEDED: 1}, "Ads made for 1 product"),
    ({S.OVER_BUDGET: 2, S.OVER_CAP: 1, S.RENDERING: 4}, "2 skipped (over budget), 1 skipped (video cap reached), "
                                                         "4 in progress"),
    ({}, "No products"),
])
def test_summary_in_words(counts, words):
    run = CampaignRun(status=CampaignRun.Status.SUCCEEDED, summary={"products": sum(counts.values()), "counts": counts})
    assert run_summary_words(run) == words


def test_every_run_status_has_words():
    assert set(RUN_STATUS_WORDS) == set(CampaignRun.Status.values)


def test_an_active_run_holds_credits_a_finished_one_spent_and_returned_them(tenant, feed_site):
    campaign = make_campaign(tenant, feed_site)  # 10 products, 2 credits each
    run = run_once(campaign)
    assert run.status == CampaignRun.Status.RENDERING
    assert run_credits_words(run) == "20 credits held"
    jobs = [item.jobs.get() for item in run.items.order_by("position")]
    for job in jobs[:7]:  # delivered: its videos captured the hold
        credits_capture(reference=job_reference(job), amount=job.quoted_credits, idempotency_key=f"t:{job.pk}")
        AdJob.objects.for_workspace(tenant.workspace).filter(pk=job.pk).update(status=AdJob.Status.SUCCEEDED)
    for job in jobs[7:]:  # failed: the lifecycle released the hold
        with transaction.atomic():
            locked = AdJob.objects.dangerously_unscoped().select_for_update().get(pk=job.pk)
            lifecycle.job_fail(job=locked, code="render_failed", message="ffmpeg exited 1", stage="render")
    services.campaign_run_refresh(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == CampaignRun.Status.PARTIAL
    assert run_credits_words(run) == "14 credits spent, 6 returned"
    assert run_summary_words(run) == "Ads made for 7 products, 3 failed"


def test_the_dashboard_shows_runs_in_words(tenant, feed_site):
    from django.test import Client

    campaign = make_campaign(tenant, feed_site)
    run = run_once(campaign)
    for item in run.items.all():
        job = item.jobs.get()
        credits_capture(reference=job_reference(job), amount=job.quoted_credits, idempotency_key=f"t:{job.pk}")
        item.jobs.update(status=AdJob.Status.SUCCEEDED)
    services.campaign_run_refresh(run_id=run.pk)
    client = Client()
    client.force_login(tenant.user)
    base = f"/workspaces/{tenant.workspace.pk}/campaigns/{campaign.pk}/"
    listing = client.get(base).content.decode()
    assert "Ads made for 10 products" in listing and "20 credits spent" in listing and ">Done<" in listing
    assert "counts" not in listing and "{" not in listing.split("<tbody>")[1].split("</tbody>")[0]
    page = client.get(f"{base}runs/{run.pk}/").content.decode()
    assert "20 credits spent" in page and "held" not in page and ">Ads made<" in page
