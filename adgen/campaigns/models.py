"""Campaigns: a product source + a variant matrix + a budget + a schedule + delivery.

A CampaignRun expands the source into CampaignRunItems (one per product), skips products whose
scraped content did not change since they last rendered, fits the rest into the budget in
source order, and fans out one AdJob per product and language through the ads services.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from tenants.models import WorkspaceScopedModel


class Campaign(WorkspaceScopedModel):
    class SourceKind(models.TextChoices):
        URLS = "urls"  # pasted list or CSV upload
        SHOPIFY = "shopify"  # a storefront's /products.json
        MERCHANT = "merchant"  # Google Merchant Center XML (RSS 2.0 or Atom, g: namespace)
        SITEMAP = "sitemap"  # sitemap.xml (or an index of them) filtered by a URL pattern

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    source_kind = models.CharField(max_length=16, choices=SourceKind.choices, default=SourceKind.URLS)
    source_urls = models.JSONField(default=list, blank=True)  # kind=urls
    source_url = models.URLField(max_length=2000, blank=True, default="")  # the feed / sitemap
    url_pattern = models.CharField(max_length=500, blank=True, default="")  # sitemap: a regex product URLs match
    max_products = models.PositiveIntegerField(default=50)
    # the variant matrix: {"variants", "frameworks", "aspects", "platforms", "languages", "duration",
    # "tone", "engines", "seed"}; every product gets every combination, capped by max_outputs
    matrix = models.JSONField(default=dict, blank=True)
    max_outputs = models.PositiveIntegerField(default=400)
    brand_kit = models.ForeignKey("ads.BrandKit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    preview = models.BooleanField(default=True)  # preview-first; final renders cost more
    budget_per_run = models.PositiveIntegerField(null=True, blank=True)  # credits; null = no cap
    budget_per_month = models.PositiveIntegerField(null=True, blank=True)
    # schedule: a cron expression read in the campaign's time zone (e.g. "0 9 * * mon", "Asia/Shanghai")
    schedule = models.CharField(max_length=120, blank=True, default="")
    time_zone = models.CharField(max_length=64, default="UTC")
    enabled = models.BooleanField(default=True)
    next_run_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # delivery: a zip per run always; an outgoing signed webhook and an S3-compatible bucket if set
    webhook_url = models.URLField(max_length=2000, blank=True, default="")
    webhook_secret = models.CharField(max_length=200, blank=True, default="")
    bucket = models.JSONField(default=dict, blank=True)  # {"bucket", "prefix", "endpoint_url", "region"}
    created = models.DateTimeField(default=timezone.now, editable=False)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.name


class CampaignRun(WorkspaceScopedModel):
    class Trigger(models.TextChoices):
        MANUAL = "manual"  # "run now" (API / dashboard)
        SCHEDULE = "schedule"

    class Status(models.TextChoices):
        QUEUED = "queued"
        EXPANDING = "expanding"  # reading the source and scraping products
        RENDERING = "rendering"  # ad jobs are out
        DELIVERING = "delivering"
        SUCCEEDED = "succeeded"  # every submitted product delivered (or nothing needed rendering)
        PARTIAL = "partial"  # some products failed; the rest were delivered
        FAILED = "failed"  # the source could not be read, or every product failed

    TERMINAL = (Status.SUCCEEDED, Status.PARTIAL, Status.FAILED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="runs")
    trigger = models.CharField(max_length=16, choices=Trigger.choices, default=Trigger.MANUAL)
    force = models.BooleanField(default=False)  # render unchanged products too
    scheduled_for = models.DateTimeField(null=True, blank=True)  # the cron tick this run stands for
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    budget_allowed = models.IntegerField(null=True, blank=True)  # credits this run could spend
    quoted_credits = models.IntegerField(default=0)  # credits held for the submitted products
    summary = models.JSONField(default=dict, blank=True)  # counts per item status, skipped reasons
    manifest = models.JSONField(default=dict, blank=True)
    archive = models.FileField(upload_to="campaigns/", max_length=500, blank=True)
    delivery = models.JSONField(default=dict, blank=True)  # {"webhook": {...}, "bucket": {...}}
    error_code = models.CharField(max_length=64, blank=True, default="")
    error_message = models.TextField(blank=True, default="")
    created = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        constraints = [
            # the last line against a double fire: one run per campaign per cron tick
            models.UniqueConstraint(fields=["campaign", "scheduled_for"], name="campaign_run_once_per_tick",
                                    condition=models.Q(scheduled_for__isnull=False)),
        ]

    @property
    def is_terminal(self) -> bool:
        return self.status in self.TERMINAL


class CampaignRunItem(WorkspaceScopedModel):
    """One product of a run: where it came from, whether it changed, what was made of it."""

    class Status(models.TextChoices):
        PENDING = "pending"
        UNCHANGED = "unchanged"  # same content hash as when it last rendered: skipped
        OVER_BUDGET = "over_budget"  # skipped: the run's or month's budget (or the balance) ran out
        OVER_CAP = "over_cap"  # skipped: the campaign's output cap was reached
        RENDERING = "rendering"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    TERMINAL = (Status.UNCHANGED, Status.OVER_BUDGET, Status.OVER_CAP, Status.SUCCEEDED, Status.FAILED)

    run = models.ForeignKey(CampaignRun, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()  # source order = priority order
    url = models.URLField(max_length=2000)
    title = models.CharField(max_length=500, blank=True, default="")
    source_data = models.JSONField(default=dict, blank=True)  # what the feed said about it
    content_hash = models.CharField(max_length=64, blank=True, default="", db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(max_length=500, blank=True, default="")
    product = models.ForeignKey("ads.Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    jobs = models.ManyToManyField("ads.AdJob", blank=True, related_name="+")
    quoted_credits = models.IntegerField(default=0)
    error_code = models.CharField(max_length=64, blank=True, default="")
    error_message = models.TextField(blank=True, default="")
    created = models.DateTimeField(default=timezone.now, editable=False)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["run", "position"]
        constraints = [models.UniqueConstraint(fields=["run", "position"], name="campaign_item_unique_position")]
