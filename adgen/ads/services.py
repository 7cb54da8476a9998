"""Writes for ads: brand kits, products, jobs (submit, cancel, fail, complete), webhooks.

Functions that take a locked job (`job_fail`, `job_complete`) are called by the walker inside
its transaction; the others open their own.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from adgen.ads import billing_hooks
from adgen.ads.models import AdJob, BrandKit, Product, Render, StageRun, Variant, Webhook, WebhookDelivery
from adgen.security.outbound import outbound_post
from pipelines import jobs
from pipelines.errors import PipelineError, ScrapeError
from pipelines.jobs import JobOptions, JobSpec
from pipelines.stages import NodeResult
from pipelines.store import ArtifactStore
from pipelines.product import BrandKit as PipelineBrandKit
from tenants.errors import ApiError, Conflict
from tenants.models import Workspace

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- brand kits

BRAND_KIT_FIELDS = ("name", "primary_color", "secondary_color", "accent_color", "font", "logo", "music",
                    "presenter_image", "presenter", "voice", "cta", "watermark", "intro", "outro")


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
                dst.write(src.read())
        return str(cache)


def brand_kit_to_pipeline(brand_kit: BrandKit | None) -> PipelineBrandKit:
    if brand_kit is None:
        return PipelineBrandKit()
    return PipelineBrandKit(
        name=brand_kit.name, primary_color=brand_kit.primary_color, secondary_color=brand_kit.secondary_color,
        accent_color=brand_kit.accent_color, font=_local_path(brand_kit.font), logo=_local_path(brand_kit.logo),
        music=_local_path(brand_kit.music), cta=brand_kit.cta or None, voice=brand_kit.voice or None,
        presenter=_local_path(brand_kit.presenter_image) or brand_kit.presenter or None,
        watermark=brand_kit.watermark, intro=_local_path(brand_kit.intro), outro=_local_path(brand_kit.outro))


# --------------------------------------------------------------------------- products


@transaction.atomic
def product_scrape_submit(*, workspace: Workspace, url: str, user=None) -> Product:
    """A product row plus a one-stage scrape job; the product fills in when the scrape lands."""
    from adgen.ads.walker import job_advance

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
    from adgen.ads.walker import job_advance

    if (product and product.workspace_id != workspace.pk) or (brand_kit and brand_kit.workspace_id != workspace.pk):
        raise ApiError("Not found.", code="not_found", status_code=404)  # defence in depth
    if product is not None and product.status == Product.Status.FAILED:
        raise ApiError("This product could not be scraped; submit its URL again.", code="product_failed",
                       status_code=409)
    spec = job_spec_build(options=options, url=url, product=product, brand_kit=brand_kit)
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
        _outputs_discard(job)
        billing_hooks.job_release(job=job)
    return job


def job_fail(*, job: AdJob, code: str, message: str, stage: str = "") -> AdJob:
    """Called with the job row locked: record a clear error, stop the rest, release the hold."""
    now = timezone.now()
    job.status, job.finished_at = AdJob.Status.FAILED, now
    job.error_code, job.error_message, job.error_stage = code, message, stage
    job.save(update_fields=["status", "finished_at", "error_code", "error_message", "error_stage"])
    job.stage_runs.filter(status__in=[StageRun.Status.PENDING, StageRun.Status.QUEUED]).update(
        status=StageRun.Status.CANCELLED, finished_at=now)  # running ones stop themselves (see job_cancel)
    _outputs_discard(job)
    billing_hooks.job_release(job=job)
    if job.kind == AdJob.Kind.SCRAPE and job.product_id:
        Product.objects.dangerously_unscoped().filter(pk=job.product_id).update(
            status=Product.Status.FAILED, error_code=code, error_message=message)
    else:
        webhooks_emit(job=job, event="ad.failed")
    return job


def job_variants_record(*, job: AdJob, script_meta: dict) -> None:
    if job.variants.exists():
        return
    Variant.objects.bulk_create([Variant(workspace_id=job.workspace_id, job=job, index=i, script=script)
                                 for i, script in enumerate(script_meta.get("scripts", []))])


def job_complete(*, job: AdJob, results: dict[str, NodeResult], store: ArtifactStore) -> AdJob:
    """Called with the job row locked once every node is done: deliver the outputs, capture the
    credits of what was delivered, release the rest, notify."""
    if job.kind == AdJob.Kind.SCRAPE:
        scrape = results["scrape"]
        product_data = scrape.meta.get("product") or {}
        Product.objects.dangerously_unscoped().filter(pk=job.product_id).update(
            status=Product.Status.READY, data=product_data, title=(product_data.get("title") or "")[:500],
            images=scrape.meta.get("images", []), artifact_key=scrape.key, error_code="", error_message="")
    else:
        saved: list[str] = []
        try:
            renders = _renders_deliver(job, results, saved)
            if "export" in results:
                job.export_artifact_key = results["export"].key
                job.archive = _export_archive(job, results["export"], saved) or ""
        except Exception:
            for name in saved:  # nothing half-delivered
                default_storage.delete(name)
            raise
        shares = _shares(job.quoted_credits or 0, len(renders))
        for render, share in zip(renders, shares):
            billing_hooks.render_capture(job=job, render=render, amount=share)
    billing_hooks.job_release(job=job)
    job.status, job.progress, job.finished_at = AdJob.Status.SUCCEEDED, 100, timezone.now()
    job.save(update_fields=["status", "progress", "finished_at", "export_artifact_key", "archive"])
    if job.kind == AdJob.Kind.AD:
        webhooks_emit(job=job, event="ad.completed")
    return job


def _shares(total: int, count: int) -> list[int]:
    """Split a quote over the delivered renders; the remainder goes to the first ones."""
    if count <= 0 or total <= 0:
        return [0] * max(count, 0)
    base, extra = divmod(total, count)
    return [base + (1 if i < extra else 0) for i in range(count)]


def _store_file(source: Path, name: str, saved: list[str]) -> str:
    with open(source, "rb") as fh:
        stored = default_storage.save(name, File(fh))
    saved.append(stored)
    return stored


def _renders_deliver(job: AdJob, results: dict[str, NodeResult], saved: list[str]) -> list[Render]:
    from pipelines.media import media_info

    variants = {v.index: v for v in job.variants.all()}
    renders = []
    for node_id, result in sorted(results.items()):
        if result.stage != "render":
            continue
        meta = result.meta
        prefix = f"renders/{job.workspace_id}/{job.pk}/{node_id.replace(':', '_')}"
        video = result.dir / meta["file"]
        info = media_info(video)
        render = Render(workspace_id=job.workspace_id, job=job, node_id=node_id,
                        variant=variants.get(int(node_id.split(":")[1])), aspect=meta.get("aspect", ""),
                        platform=meta.get("platform") or "", artifact_key=result.key,
                        width=info.width or meta.get("width", 0), height=info.height or meta.get("height", 0),
                        duration_s=info.duration_s, size_bytes=info.size_bytes,
                        video_codec=info.video_codec or "", audio_codec=info.audio_codec or "",
                        facts={"fps": info.fps, "pix_fmt": info.pix_fmt, "profile": info.profile,
                               "sample_rate": info.sample_rate, "audio_duration_s": info.audio_duration_s,
                               "video_duration_s": info.video_duration_s})
        render.file.name = _store_file(video, f"{prefix}{video.suffix}", saved)
        if meta.get("thumbnail"):
            thumb = result.dir / meta["thumbnail"]
            render.thumbnail.name = _store_file(thumb, f"{prefix}{thumb.suffix}", saved)
        if meta.get("captions"):
            captions = result.dir / meta["captions"]
            render.captions.name = _store_file(captions, f"{prefix}{captions.suffix}", saved)
        render.save()
        renders.append(render)
    return renders


def _export_archive(job: AdJob, export: NodeResult, saved: list[str]) -> str | None:
    zips = sorted(export.dir.rglob("*.zip"))
    if not zips:
        return None
    return _store_file(zips[0], f"exports/{job.workspace_id}/{job.pk}/{zips[0].name}", saved)


def _outputs_discard(job: AdJob) -> None:
    """A job that did not finish keeps no outputs (files and rows)."""
    for render in job.renders.all():
        for field in (render.file, render.thumbnail, render.captions):
            if field:
                field.delete(save=False)
    job.renders.all().delete()
    if job.archive:
        job.archive.delete(save=False)
        job.archive = ""
        job.save(update_fields=["archive"])


# --------------------------------------------------------------------------- webhooks

WEBHOOK_MAX_ATTEMPTS = 6


def webhook_create(*, workspace: Workspace, url: str, secret: str, events: list[str] | None = None,
                   active: bool = True) -> Webhook:
    return Webhook.objects.create(workspace=workspace, url=url, secret=secret, events=events or [], active=active)


def webhook_update(*, webhook: Webhook, **fields) -> Webhook:
    for name in ("url", "secret", "events", "active"):
        if name in fields:
            setattr(webhook, name, fields[name])
    webhook.save()
    return webhook


def job_payload(job: AdJob) -> dict:
    from adgen.ads.selectors import job_outputs

    return {"id": str(job.pk), "workspace_id": str(job.workspace_id), "status": job.status,
            "url": job.url, "error": ({"code": job.error_code, "message": job.error_message, "stage": job.error_stage}
                                      if job.status == AdJob.Status.FAILED else None),
            "outputs": job_outputs(job)}


def webhooks_emit(*, job: AdJob, event: str) -> list[WebhookDelivery]:
    """Queue one signed delivery per subscribed webhook, sent after the transaction commits."""
    deliveries = []
    for webhook in Webhook.objects.for_workspace(job.workspace_id).filter(active=True):
        if webhook.events and event not in webhook.events:
            continue
        delivery = WebhookDelivery.objects.create(
            workspace_id=job.workspace_id, webhook=webhook, event=event,
            payload={"id": None, "type": event, "created": int(time.time()), "data": job_payload(job)})
        delivery.payload["id"] = str(delivery.pk)
        delivery.save(update_fields=["payload"])
        deliveries.append(delivery)
        transaction.on_commit(lambda pk=delivery.pk: _send_webhook(pk))
    return deliveries


def _send_webhook(delivery_id) -> None:
    from adgen.ads.actors import deliver_webhook

    deliver_webhook.send(str(delivery_id))


def webhook_signature(secret: str, timestamp: int, body: bytes) -> str:
    """`t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (the receiver checks both, like Stripe's)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class WebhookFailed(Exception):
    """Raised so the deliver actor's retries (with backoff) try again."""


def webhook_deliver(*, delivery_id) -> WebhookDelivery:
    delivery = (WebhookDelivery.objects.dangerously_unscoped().select_related("webhook")
                .get(pk=delivery_id))
    if delivery.status != WebhookDelivery.Status.PENDING:
        return delivery
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = int(time.time())
    headers = {"Content-Type": "application/json", "User-Agent": "adgen-webhooks/1",
               "X-Adgen-Event": delivery.event, "X-Adgen-Delivery": str(delivery.pk),
               "X-Adgen-Signature": webhook_signature(delivery.webhook.secret, timestamp, body)}
    delivery.attempts += 1
    refused = False
    try:  # the guard again, now: a URL registered while private hosts were allowed is refused here
        status_code = outbound_post(delivery.webhook.url, body=body, headers=headers)
        delivery.last_status_code, delivery.last_error = status_code, ""
        ok = 200 <= status_code < 300
        if not ok:
            delivery.last_error = f"HTTP {status_code}"
    except ScrapeError as exc:
        ok, refused, delivery.last_error = False, exc.code != "unreachable", exc.message[:1000]
    if ok:
        delivery.status, delivery.delivered_at = WebhookDelivery.Status.DELIVERED, timezone.now()
    elif refused or delivery.attempts >= WEBHOOK_MAX_ATTEMPTS:
        delivery.status = WebhookDelivery.Status.FAILED
    delivery.save(update_fields=["status", "attempts", "last_status_code", "last_error", "delivered_at"])
    if delivery.status == WebhookDelivery.Status.PENDING:
        raise WebhookFailed(f"webhook delivery {delivery.pk} attempt {delivery.attempts}: {delivery.last_error}")
    return delivery


def new_secret() -> str:
    return uuid.uuid4().hex + uuid.uuid4().hex
