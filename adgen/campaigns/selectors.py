"""Reads for campaigns (the API and the dashboard share them)."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
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
