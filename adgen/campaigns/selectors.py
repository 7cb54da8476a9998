"""Reads for campaigns (the API and the dashboard share them)."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet, Sum
from django.urls import reverse

from adgen.ads.selectors import job_outputs
from adgen.campaigns.models import Campaign, CampaignRun, CampaignRunItem


def campaign_list(*, workspace) -> QuerySet[Campaign]:
    return Campaign.objects.for_workspace(workspace)


def run_list(*, campaign: Campaign) -> QuerySet[CampaignRun]:
    return CampaignRun.objects.for_workspace(campaign.workspace_id).filter(campaign=campaign)


def run_archive_url(run: CampaignRun, *, base_url: str | None = None) -> str | None:
    if not run.archive:
        return None
    base = (base_url if base_url is not None else settings.SITE_URL).rstrip("/")
    return base + reverse("campaign-run-archive", kwargs={"workspace_id": run.workspace_id,
                                                          "campaign_pk": run.campaign_id, "pk": run.pk})


def run_items(run: CampaignRun, *, base_url: str | None = None) -> list[dict]:
    """Per-product status with each job's state and, once delivered, its download links."""
    out = []
    for item in run.items.prefetch_related("jobs").order_by("position"):
        jobs = [{"id": str(job.pk), "status": job.status, "language": (job.options or {}).get("language"),
                 "outputs": job_outputs(job, base_url=base_url)} for job in item.jobs.all()]
        out.append({"position": item.position, "url": item.url, "title": item.title, "status": item.status,
                    "reason": item.reason or None, "content_hash": item.content_hash or None,
                    "credits": item.quoted_credits, "product": str(item.product_id) if item.product_id else None,
                    "error": {"code": item.error_code, "message": item.error_message} if item.error_code else None,
                    "jobs": jobs})
    return out


def item_list(*, run: CampaignRun) -> QuerySet[CampaignRunItem]:
    return run.items.order_by("position")


# --------------------------------------------------------------------------- in words (the dashboard's one place)

RUN_STATUS_WORDS = {
    CampaignRun.Status.QUEUED: "Waiting to start", CampaignRun.Status.EXPANDING: "Reading the products",
    CampaignRun.Status.RENDERING: "Making the ads", CampaignRun.Status.DELIVERING: "Packaging the ads",
    CampaignRun.Status.SUCCEEDED: "Done", CampaignRun.Status.PARTIAL: "Done, some products failed",
    CampaignRun.Status.FAILED: "Failed",
}
ITEM_STATUS_WORDS = {
    CampaignRunItem.Status.PENDING: "Waiting", CampaignRunItem.Status.UNCHANGED: "Skipped: unchanged",
    CampaignRunItem.Status.OVER_BUDGET: "Skipped: over budget",
    CampaignRunItem.Status.OVER_CAP: "Skipped: video cap reached",
    CampaignRunItem.Status.RENDERING: "Making ads", CampaignRunItem.Status.SUCCEEDED: "Ads made",
    CampaignRunItem.Status.FAILED: "Failed",
}
# a run summary's counts, in the order a marketer reads them: (status, one, many)
_SUMMARY_PHRASES = (
    (CampaignRunItem.Status.SUCCEEDED, "ads made for {n} product", "ads made for {n} products"),
    (CampaignRunItem.Status.UNCHANGED, "{n} product skipped (unchanged)", "{n} products skipped (unchanged)"),
    (CampaignRunItem.Status.OVER_BUDGET, "{n} skipped (over budget)", "{n} skipped (over budget)"),
    (CampaignRunItem.Status.OVER_CAP, "{n} skipped (video cap reached)", "{n} skipped (video cap reached)"),
    (CampaignRunItem.Status.FAILED, "{n} failed", "{n} failed"),
    (CampaignRunItem.Status.RENDERING, "{n} in progress", "{n} in progress"),
    (CampaignRunItem.Status.PENDING, "{n} waiting", "{n} waiting"),
)


def run_summary_words(run: CampaignRun) -> str:
    """'ads made for 3 products, 1 product skipped (unchanged), 1 failed' from the run's summary counts."""
    counts = (run.summary or {}).get("counts") or {}
    parts = [(one if counts[status] == 1 else many).format(n=counts[status])
             for status, one, many in _SUMMARY_PHRASES if counts.get(status)]
    text = ", ".join(parts)
    return text[:1].upper() + text[1:] if text else ("No products" if run.is_terminal else "")


def run_credits(run: CampaignRun) -> dict:
    """Credits of the run's ad jobs: still held, spent (captured by delivered videos), returned."""
    from adgen.ads.billing_hooks import job_reference
    from adgen.ads.models import AdJob
    from adgen.billing.models import CreditHold

    job_ids = CampaignRunItem.jobs.through.objects.filter(campaignrunitem__run=run).values_list("adjob_id", flat=True)
    jobs = AdJob.objects.for_workspace(run.workspace_id).filter(pk__in=job_ids).only("id")
    references = [job_reference(job) for job in jobs]
    totals = CreditHold.objects.filter(reference__in=references).aggregate(
        amount=Sum("amount"), captured=Sum("captured"), released=Sum("released")) if references else {}
    spent, returned = totals.get("captured") or 0, totals.get("released") or 0
    return {"held": (totals.get("amount") or 0) - spent - returned, "spent": spent, "returned": returned}


def run_credits_words(run: CampaignRun) -> str:
    """An active run 'holds' credits; a finished one has 'spent' them (and 'returned' the rest)."""
    credits = run_credits(run)
    if not run.is_terminal:
        return f"{credits['held'] + credits['spent']:,} credits held"
    text = f"{credits['spent']:,} credits spent"
    return text + (f", {credits['returned']:,} returned" if credits["returned"] else "")
