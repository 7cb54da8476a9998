"""Brand kits, products, ad jobs and their stage runs, variants, renders, outgoing webhooks.

Every row belongs to a workspace (fail-closed manager from `tenants.models`). The stage DAG of a
job lives in its StageRun rows: the broker only carries ids.
"""

from __future__ import annotations

import subprocess
import tempfile
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from pipelines.media import media_info
from tenants.models import WorkspaceScopedModel


BRAND_CLIP_MAX_MB = 100


def validate_brand_clip(value) -> None:
    """An intro/outro upload must be a video ffmpeg can play: said at upload, not when a render fails."""
    if getattr(value, "_committed", False):  # already stored (an update that kept the file)
        return
    if value.size > BRAND_CLIP_MAX_MB * 1024 * 1024:
        raise ValidationError(f"Keep intro/outro clips under {BRAND_CLIP_MAX_MB} MB (only the first 5 s play).")
    upload = getattr(value, "file", value)
    try:
        if hasattr(upload, "temporary_file_path"):
            info = media_info(upload.temporary_file_path())
        else:
            with tempfile.NamedTemporaryFile(suffix=Path(value.name or "").suffix) as tmp:
                for chunk in value.chunks():
                    tmp.write(chunk)
                tmp.flush()
                info = media_info(tmp.name)
    except (subprocess.CalledProcessError, OSError, ValueError, KeyError):  # ffprobe could not read it
        info = None
    if info is None or not info.width or (info.video_duration_s or info.duration_s) <= 0:
        raise ValidationError("This is not a video clip we can play; upload an MP4, MOV or WebM.")


class BrandKit(WorkspaceScopedModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    primary_color = models.CharField(max_length=9, default="#111111")
    secondary_color = models.CharField(max_length=9, default="#ffffff")
    accent_color = models.CharField(max_length=9, default="#ff3d57")
    font = models.FileField(upload_to="brand/fonts/", blank=True)
    logo = models.FileField(upload_to="brand/logos/", blank=True)
    music = models.FileField(upload_to="brand/music/", blank=True)
    presenter_image = models.FileField(upload_to="brand/presenters/", blank=True)
    # short brand clips around every ad (the render plays at most 5 s of each)
    intro = models.FileField(upload_to="brand/clips/", blank=True, validators=[validate_brand_clip])
    outro = models.FileField(upload_to="brand/clips/", blank=True, validators=[validate_brand_clip])
    presenter = models.CharField(max_length=100, blank=True, default="")  # a puppet look name
    voice = models.CharField(max_length=100, blank=True, default="")
    # voice direction: pace (1.0 = the voice's own), pitch in semitones (engines that can), and
    # respellings of names ({"Xiaomi": "show me"}); see pipelines.product.BrandKit
    voice_rate = models.FloatField(null=True, blank=True, validators=[MinValueValidator(0.5), MaxValueValidator(2.0)])
    voice_pitch = models.FloatField(null=True, blank=True,
                                    validators=[MinValueValidator(-12.0), MaxValueValidator(12.0)])
    pronunciations = models.JSONField(default=dict, blank=True)
    cta = models.CharField(max_length=120, blank=True, default="")
    watermark = models.BooleanField(default=False)
    created = models.DateTimeField(default=timezone.now, editable=False)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.name


class Product(WorkspaceScopedModel):
    class Status(models.TextChoices):
        PENDING = "pending"
        READY = "ready"
        FAILED = "failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    url = models.URLField(max_length=2000)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    title = models.CharField(max_length=500, blank=True, default="")
    data = models.JSONField(null=True, blank=True)  # pipelines.product.Product
    images = models.JSONField(default=list, blank=True)  # [{url, width, height, file}]
    artifact_key = models.CharField(max_length=64, blank=True, default="")
    error_code = models.CharField(max_length=64, blank=True, default="")
    error_message = models.TextField(blank=True, default="")
    created = models.DateTimeField(default=timezone.now, editable=False)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.title or self.url


class AdJob(WorkspaceScopedModel):
    class Kind(models.TextChoices):
        AD = "ad"
        SCRAPE = "scrape"

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        CANCELLED = "cancelled"

    TERMINAL = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED)
    RETRYABLE = (Status.FAILED, Status.CANCELLED)  # ended without its ads: Retry / Edit and retry

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.AD)
    url = models.URLField(max_length=2000, blank=True, default="")
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs")
    brand_kit = models.ForeignKey(BrandKit, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs")
    options = models.JSONField(default=dict)  # what the client asked for
    spec = models.JSONField(default=dict)  # pipelines.jobs.JobSpec, resolved
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField(default=0)  # 0-100
    error_code = models.CharField(max_length=64, blank=True, default="")
    error_message = models.TextField(blank=True, default="")
    error_stage = models.CharField(max_length=32, blank=True, default="")
    quoted_credits = models.IntegerField(null=True, blank=True)
    export_artifact_key = models.CharField(max_length=64, blank=True, default="")
    archive = models.FileField(upload_to="exports/", max_length=500, blank=True)  # the export batch zip
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    cancel_requested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    @property
    def is_terminal(self) -> bool:
        return self.status in self.TERMINAL

    def __str__(self) -> str:
        return f"job {self.id} ({self.status})"


class Variant(WorkspaceScopedModel):
    job = models.ForeignKey(AdJob, on_delete=models.CASCADE, related_name="variants")
    index = models.PositiveSmallIntegerField()
    script = models.JSONField()  # pipelines.product.AdScript

    class Meta:
        ordering = ["index"]
        constraints = [models.UniqueConstraint(fields=["job", "index"], name="variant_unique_per_job")]


class Render(WorkspaceScopedModel):
    """One delivered video: a variant in one aspect (and platform preset)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    job = models.ForeignKey(AdJob, on_delete=models.CASCADE, related_name="renders")
    variant = models.ForeignKey(Variant, null=True, on_delete=models.SET_NULL, related_name="renders")
    node_id = models.CharField(max_length=100)
    aspect = models.CharField(max_length=8)
    platform = models.CharField(max_length=32, blank=True, default="")
    file = models.FileField(upload_to="renders/", max_length=500)
    thumbnail = models.FileField(upload_to="renders/", max_length=500, blank=True)
    captions = models.FileField(upload_to="renders/", max_length=500, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    duration_s = models.FloatField(default=0)
    size_bytes = models.BigIntegerField(default=0)
    video_codec = models.CharField(max_length=32, blank=True, default="")
    audio_codec = models.CharField(max_length=32, blank=True, default="")
    facts = models.JSONField(default=dict, blank=True)  # ffprobe summary
    artifact_key = models.CharField(max_length=64)
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["job", "node_id"]
        constraints = [models.UniqueConstraint(fields=["job", "node_id"], name="render_unique_per_node")]


class StageRun(WorkspaceScopedModel):
    """One node of a job's DAG: the system of record for what ran, where, and how it ended."""

    class Status(models.TextChoices):
        PENDING = "pending"  # waiting for its inputs
        QUEUED = "queued"  # a message was sent
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"
        CANCELLED = "cancelled"

    job = models.ForeignKey(AdJob, on_delete=models.CASCADE, related_name="stage_runs")
    node_id = models.CharField(max_length=100)
    stage = models.CharField(max_length=32)
    queue = models.CharField(max_length=16)
    params = models.JSONField(default=dict)
    deps = models.JSONField(default=list)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempt = models.PositiveIntegerField(default=0)
    cache_key = models.CharField(max_length=64, blank=True, default="")
    artifact_key = models.CharField(max_length=64, blank=True, default="")
    artifacts = models.JSONField(default=dict, blank=True)  # the artifact's meta
    cached = models.BooleanField(default=False)
    progress = models.FloatField(default=0.0)  # 0..1
    message = models.CharField(max_length=500, blank=True, default="")
    error_code = models.CharField(max_length=64, blank=True, default="")
    error_message = models.TextField(blank=True, default="")
    created = models.DateTimeField(default=timezone.now, editable=False)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    elapsed_s = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["created", "id"]
        constraints = [models.UniqueConstraint(fields=["job", "node_id"], name="stage_run_unique_per_node")]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="stage_run_sweep_idx")]


class Webhook(WorkspaceScopedModel):
    EVENTS = ("ad.completed", "ad.failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    url = models.URLField(max_length=2000)
    secret = models.CharField(max_length=200)
    events = models.JSONField(default=list)  # empty = every event
    active = models.BooleanField(default=True)
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created"]


class WebhookDelivery(WorkspaceScopedModel):
    class Status(models.TextChoices):
        PENDING = "pending"
        DELIVERED = "delivered"
        FAILED = "failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=64)
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    created = models.DateTimeField(default=timezone.now, editable=False)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
