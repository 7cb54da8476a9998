"""Campaign runs without workers: expansion, content-hash skipping, budget cut-off, failures.
(The jobs' messages stay unsent inside the test transaction; the end-to-end test runs them.)"""

from __future__ import annotations

import pytest

from adgen.ads.models import AdJob, StageRun
from adgen.campaigns import services
from adgen.campaigns.models import CampaignRun, CampaignRunItem

from .conftest import balance, grant

pytestmark = pytest.mark.django_db
SMALL = {"variants": 1, "aspects": ["9:16"], "duration": 8}  # quote: 2 credits per product (preview)
S = CampaignRunItem.Status


def make_campaign(tenant, feed_site, **fields):
    defaults = {"name": "Weekly catalogue", "source_kind": "merchant", "source_url": f"{feed_site.base}/merchant.xml",
                "matrix": SMALL, "preview": True}
    return services.campaign_create(workspace=tenant.workspace, **{**defaults, **fields})


def run_once(campaign, **kwargs) -> CampaignRun:
    run = services.campaign_run_start(campaign=campaign, **kwargs)
    services.campaign_run_execute(run_id=run.pk)
    run.refresh_from_db()
    return run


def items(run) -> list[CampaignRunItem]:
    return list(run.items.order_by("position"))


def deliver_all(run) -> None:
    """Stand-in for the workers: mark the run's jobs delivered so the next run has a baseline."""
    for item in run.items.filter(status=S.RENDERING):
        item.jobs.update(status=AdJob.Status.SUCCEEDED)
    services.campaign_run_refresh(run_id=run.pk)


def test_a_feed_expands_into_one_job_per_product_reusing_the_scrape(tenant, feed_site, handles):
    campaign = make_campaign(tenant, feed_site)
    run = run_once(campaign)
    assert run.status == CampaignRun.Status.RENDERING
    rows = items(run)
    assert [i.url for i in rows] == [feed_site.url(h) for h in handles]
    assert {i.status for i in rows} == {S.RENDERING}
    assert all(len(i.content_hash) == 64 for i in rows) and len({i.content_hash for i in rows}) == 10
    jobs = [i.jobs.get() for i in rows]
    assert all(j.product_id == i.product_id and j.spec["preview"] and j.spec["aspects"] == ["9:16"]
               for j, i in zip(jobs, rows))
    # the campaign's scrape seeds each job: its scrape stage is done without fetching again
    scrape = StageRun.objects.for_workspace(tenant.workspace).get(job=jobs[0], node_id="scrape")
    assert scrape.status == StageRun.Status.DONE and scrape.cached
    assert run.quoted_credits == sum(j.quoted_credits for j in jobs) == 10 * 2
    assert run.summary["counts"] == {S.RENDERING: 10}


def test_unchanged_products_are_skipped_unless_forced(tenant, feed_site, handles):
    campaign = make_campaign(tenant, feed_site, max_products=4)
    first = run_once(campaign)
    deliver_all(first)
    first.refresh_from_db()
    assert first.status == CampaignRun.Status.SUCCEEDED and first.archive

    feed_site.edit(handles[1], "64.99", "59.99")  # one product changed its price
    second = run_once(campaign)
    by_status = {}
    for item in items(second):
        by_status.setdefault(item.status, []).append(item.url)
    assert by_status == {S.RENDERING: [feed_site.url(handles[1])],
                         S.UNCHANGED: [feed_site.url(h) for h in handles[:4] if h != handles[1]]}
    assert second.quoted_credits == 2
    deliver_all(second)

    third = run_once(campaign)
    assert {i.status for i in items(third)} == {S.UNCHANGED}
    third.refresh_from_db()
    assert third.status == CampaignRun.Status.SUCCEEDED and third.quoted_credits == 0

    forced = run_once(campaign, force=True)
    assert {i.status for i in items(forced)} == {S.RENDERING}


def test_budget_holds_what_it_allows_in_priority_order_and_says_what_was_skipped(tenant, feed_site, handles):
    campaign = make_campaign(tenant, feed_site, budget_per_run=7, budget_per_month=10, max_products=6)
    before = balance(tenant.organization)
    run = run_once(campaign)
    rows = items(run)
    assert [i.status for i in rows] == [S.RENDERING] * 3 + [S.OVER_BUDGET] * 3  # 3 x 2 credits fit in 7
    assert "Needs 2 credits; 1 of this run's 7 were left" in rows[3].reason
    assert run.budget_allowed == 7 and run.quoted_credits == 6
    assert [s["url"] for s in run.summary["skipped"]] == [feed_site.url(h) for h in handles[3:6]]
    after = balance(tenant.organization)
    assert after.held - before.held == 6 and before.available - after.available == 6

    # the month has 10 - 6 = 4 left: the next run gets two products, the first two not yet rendered
    second = run_once(campaign)
    assert second.budget_allowed == 4
    assert [i.url for i in items(second) if i.status == S.RENDERING] == [feed_site.url(h) for h in handles[:2]]


def test_the_organization_balance_caps_a_run_too(tenant, feed_site):
    from adgen.billing.services import credits_hold

    available = balance(tenant.organization).available
    credits_hold(organization=tenant.organization, amount=available - 5, reference="other-work")  # 5 left
    run = run_once(make_campaign(tenant, feed_site, max_products=4))
    statuses = [i.status for i in items(run)]
    assert statuses == [S.RENDERING] * 2 + [S.OVER_BUDGET] * 2
    assert "insufficient_credits" in items(run)[2].reason


def test_the_output_cap_limits_products(tenant, feed_site):
    grant(tenant.organization, 1000)
    campaign = make_campaign(tenant, feed_site, matrix={**SMALL, "variants": 2, "aspects": ["9:16", "1:1"]},
                             max_outputs=10)  # 4 videos per product
    campaign.max_products = 4
    campaign.save()
    rows = items(run_once(campaign))
    assert [i.status for i in rows] == [S.RENDERING] * 2 + [S.OVER_CAP] * 2


def test_one_bad_product_never_fails_the_run(tenant, feed_site, handles):
    urls = [feed_site.url(handles[0]), f"{feed_site.base}/products/gone.html", feed_site.url(handles[1])]
    run = run_once(services.campaign_create(workspace=tenant.workspace, name="List", source_kind="urls",
                                            source_urls=urls, matrix=SMALL))
    rows = items(run)
    assert [i.status for i in rows] == [S.RENDERING, S.FAILED, S.RENDERING]
    assert rows[1].error_code == "http_error" and "does not exist" in rows[1].error_message
    for item in run.items.filter(status=S.RENDERING):
        item.jobs.update(status=AdJob.Status.SUCCEEDED)
    services.campaign_run_refresh(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == CampaignRun.Status.PARTIAL and run.manifest["products"][1]["error"]["code"] == "http_error"


def test_a_source_that_cannot_be_read_fails_the_run_with_its_reason(tenant, feed_site):
    run = run_once(make_campaign(tenant, feed_site, source_url=f"{feed_site.base}/nope.xml"))
    assert run.status == CampaignRun.Status.FAILED and run.error_code == "source_http_error"


def test_matrix_fans_out_over_languages_presenters_and_voices():
    from adgen.campaigns.models import Campaign
    from adgen.campaigns.services import matrix_combinations, outputs_per_product

    campaign = Campaign(preview=True, matrix={"variants": 2, "aspects": ["9:16", "1:1"], "languages": ["en", "zh"],
                                              "presenters": ["ava", "leo"], "voices": ["en-us-f1"]})
    combos = matrix_combinations(campaign)
    assert len(combos) == 4
    assert {(c["language"], c["presenter"], c["voice"]) for c in combos} == {
        ("en", "ava", "en-us-f1"), ("en", "leo", "en-us-f1"), ("zh", "ava", "en-us-f1"), ("zh", "leo", "en-us-f1")}
    assert outputs_per_product(campaign) == 4 * 2 * 2
