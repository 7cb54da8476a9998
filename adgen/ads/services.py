"""Writes for ads: brand kits, products, jobs (submit, cancel). Running and ending a job is
adgen.ads.lifecycle's; webhooks are adgen.ads.webhooks'."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from adgen.ads import billing_hooks, policy
from adgen.ads.lifecycle import job_outputs_discard, job_advance
from adgen.ads.models import AdJob, BrandKit, Product, StageRun
from pipelines import jobs
from pipelines.errors import PipelineError
from pipelines.jobs import JobOptions, JobSpec
from pipelines.product import BrandKit as PipelineBrandKit
from tenants.errors import ApiError, Conflict
from tenants.models import Workspace

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- brand kits

BRAND_KIT_FIELDS = ("name", "primary_color", "secondary_color", "accent_color", "font", "logo", "music",
                    "presenter_image", "presenter", "voice", "cta", "watermark", "intro", "outro",
                    "voice_rate", "voice_pitch", "pronunciations")


def brand_kit_create(*, workspace: Workspace, **fields) -> BrandKit:
    kit = BrandKit(workspace=workspace, **{k: v for k, v in fields.items() if k in BRAND_KIT_FIELDS})
    kit.full_clean(exclude=["workspace"])
    kit.save()
    return kit


def brand_kit_update(*, brand_kit: BrandKit, **fields) -> BrandKit:
    for name, value in fields.items():
        if name in BRAND_KIT_FIELDS:
            setattr(brand_kit, name, value)
    brand_kit.full_clean(exclude=["workspace"])
    brand_kit.save()
    return brand_kit


def _local_path(field) -> str | None:
    """A brand file as a local path for ffmpeg (object storage is fetched into the artifact root)."""
    if not field:
        return None
    try:
        return field.path
    except NotImplementedError:
        cache = Path(settings.ARTIFACT_ROOT) / "brand-files" / field.name
        if not cache.exists():
            cache.parent.mkdir(parents=True, exist_ok=True)
            with field.open("rb") as src, open(cache, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)  # streamed: brand clips can be 100 MB
        return str(cache)


def brand_kit_to_pipeline(brand_kit: BrandKit | None) -> PipelineBrandKit:
    if brand_kit is None:
        return PipelineBrandKit()
    return PipelineBrandKit(
        name=brand_kit.name, primary_color=brand_kit.primary_color, secondary_color=brand_kit.secondary_color,
        accent_color=brand_kit.accent_color, font=_local_path(brand_kit.font), logo=_local_path(brand_kit.logo),
        music=_local_path(brand_kit.music), cta=brand_kit.cta or None, voice=brand_kit.voice or None,
        presenter=_local_path(brand_kit.presenter_image) or brand_kit.presenter or None,
        watermark=brand_kit.watermark, intro=_local_path(brand_kit.intro), outro=_local_path(brand_kit.outro),
        voice_rate=brand_kit.voice_rate, voice_pitch=brand_kit.voice_pitch,
        pronunciations=dict(brand_kit.pronunciations or {}))


# --------------------------------------------------------------------------- products


@transaction.atomic
def product_scrape_submit(*, workspace: Workspace, url: str, user=None) -> Product:
    """A product row plus a one-stage scrape job; the product fills in when the scrape lands."""
    product = Product.objects.create(workspace=workspace, url=url)
    spec = jobs.job_spec_build({"url": url, "variants": 1, "allow_private_hosts": settings.ADGEN_ALLOW_PRIVATE_HOSTS})
    job = AdJob.objects.create(workspace=workspace, kind=AdJob.Kind.SCRAPE, url=url, product=product,
                               options={"url": url}, spec=spec.model_dump(mode="json"),
                               created_by=_user(user))
    job_advance(job.pk)
    return product


def _user(user):
    return user if getattr(user, "pk", None) else None


# --------------------------------------------------------------------------- jobs


# the API's and the dashboard's job options, in pipelines.jobs.JobOptions' names
JOB_OPTION_NAMES = frozenset(JobOptions.model_fields) - {"url", "product", "brand", "model_dir", "device",
                                                         "allow_private_hosts", "engine_settings"}


def job_spec_build(*, options: dict, url: str | None, product: Product | None,
                   brand_kit: BrandKit | None) -> JobSpec:
    """The service's JobSpec: the user's options, the product's URL, the brand kit's files."""
    try:
        return jobs.job_spec_build({
            **{k: v for k, v in options.items() if k in JOB_OPTION_NAMES},
            "url": url or (product.url if product else None),
            "brand": brand_kit_to_pipeline(brand_kit),
            "allow_private_hosts": settings.ADGEN_ALLOW_PRIVATE_HOSTS,
        })
    except PipelineError as exc:
        raise ApiError(exc.message, code=exc.code, status_code=400) from None


@transaction.atomic
def job_submit(*, workspace: Workspace, options: dict, url: str | None = None, product: Product | None = None,
               brand_kit: BrandKit | None = None, user=None) -> AdJob:
    """Create an ad job, hold its quoted credits, and enqueue its first stages on commit.

    `product` and `brand_kit` must already be scoped to `workspace` (the serializer does it).
    A product that was scraped before is not fetched again: its scrape artifact seeds the DAG.
    """
    if (product and product.workspace_id != workspace.pk) or (brand_kit and brand_kit.workspace_id != workspace.pk):
        raise ApiError("Not found.", code="not_found", status_code=404)  # defence in depth
    if product is not None and product.status == Product.Status.FAILED:
        raise ApiError("This product could not be scraped; submit its URL again.", code="product_failed",
                       status_code=409)
    spec = job_spec_build(options=options, url=url, product=product, brand_kit=brand_kit)
    policy.engines_check(workspace, spec.engines)  # only what the operator runs, before any hold
    job = AdJob.objects.create(workspace=workspace, kind=AdJob.Kind.AD, url=spec.url or "", product=product,
                               brand_kit=brand_kit, options=_json_options(options), spec=spec.model_dump(mode="json"),
                               created_by=_user(user))
    job.quoted_credits = billing_hooks.job_hold(job=job, organization=workspace.organization, spec=spec)
    job.save(update_fields=["quoted_credits"])
    if product is not None and product.status == Product.Status.READY and product.artifact_key:
        StageRun.objects.create(workspace=workspace, job=job, node_id="scrape", stage="scrape", queue="io",
                                params={"url": product.url, "reused_product": str(product.pk)},
                                status=StageRun.Status.DONE, artifact_key=product.artifact_key, cached=True,
                                progress=1.0, finished_at=timezone.now())
    job_advance(job.pk)
    job.refresh_from_db()
    return job


def job_retry(*, job: AdJob, user=None) -> AdJob:
    """The same job again, as a new job with a new hold (the failed or cancelled one released its
    hold when it ended): the same options, product or link, and brand kit."""
    if job.status not in AdJob.RETRYABLE:
        raise Conflict("Only a failed or cancelled job can be retried.", code="job_not_ended")
    return job_submit(workspace=job.workspace, options=dict(job.options or {}), product=job.product,
                      url=None if job.product else job.url, brand_kit=job.brand_kit, user=user)


def _json_options(options: dict) -> dict:
    return {k: (str(v.pk) if hasattr(v, "pk") else v) for k, v in options.items()}


def job_cancel(*, job: AdJob) -> AdJob:
    """Stop a job: queued stages never start, running ones stop at their next check (ffmpeg is
    killed), nothing is delivered, and the held credits go back."""
    with transaction.atomic():
        job = AdJob.objects.dangerously_unscoped().select_for_update().get(pk=job.pk)
        if job.is_terminal:
            raise Conflict(f"The job has already {job.status}.", code="job_finished")
        now = timezone.now()
        job.status, job.cancel_requested_at, job.finished_at = AdJob.Status.CANCELLED, now, now
        job.error_code, job.error_message = "cancelled", "The job was cancelled."
        job.save(update_fields=["status", "cancel_requested_at", "finished_at", "error_code", "error_message"])
        # queued work never starts; a running stage sees the cancellation within a second (its
        # heartbeat watches the job), kills its ffmpeg, and marks itself cancelled
        job.stage_runs.filter(status__in=[StageRun.Status.PENDING, StageRun.Status.QUEUED]).update(
            status=StageRun.Status.CANCELLED, finished_at=now)
        job_outputs_discard(job)
        billing_hooks.job_release(job=job)
    return job
