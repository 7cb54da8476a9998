"""Writes for campaigns: create/update, start a run, execute it (expand -> scrape -> hash ->
budget -> fan out AdJobs through adgen.ads.services.job_submit), follow it, deliver it.

A run is driven by ids: `campaign_run_execute(run_id)` and `campaign_run_refresh(run_id)` are
the bodies of dramatiq actors (adgen.campaigns.actors) and are safe to call twice. One failed
product never fails the run.
"""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from adgen.ads import billing_hooks
from adgen.ads import services as ads_services
from adgen.ads.webhooks import WebhookFailed, webhook_post
from adgen.ads.models import AdJob, Product
from adgen.campaigns import schedules as scheduler
from pipelines import feeds as sources
from adgen.campaigns.models import Campaign, CampaignRun, CampaignRunItem
from adgen.security.outbound import bucket_endpoint_allowed
from pipelines.errors import PipelineError
from pipelines.jobs import DEFAULT_DURATION_S, job_spec_build, plan
from pipelines.runner import run_node
from pipelines.store import canonical_json
from tenants.errors import ApiError

log = logging.getLogger(__name__)

CAMPAIGN_FIELDS = ("name", "source_kind", "source_urls", "source_url", "url_pattern", "max_products", "matrix",
                   "max_outputs", "brand_kit", "preview", "budget_per_run", "budget_per_month", "schedule",
                   "time_zone", "enabled", "webhook_url", "webhook_secret", "bucket")
SCRAPE_THREADS = 3
Status, ItemStatus = CampaignRun.Status, CampaignRunItem.Status


def _runs():
    return CampaignRun.objects.dangerously_unscoped()  # actors get ids that came from scoped code


def _items():
    return CampaignRunItem.objects.dangerously_unscoped()


# --------------------------------------------------------------------------- campaigns


def _campaign_apply(campaign: Campaign, fields: dict) -> Campaign:
    for name, value in fields.items():
        if name in CAMPAIGN_FIELDS:
            setattr(campaign, name, value)
    try:
        scheduler.validate_schedule(campaign.schedule, campaign.time_zone)
    except scheduler.ScheduleError as exc:
        raise ApiError(str(exc), code="invalid_schedule", status_code=400) from None
    if campaign.brand_kit_id and campaign.brand_kit.workspace_id != campaign.workspace_id:
        raise ApiError("Not found.", code="not_found", status_code=404)  # defence in depth
    scheduler.schedule_reset(campaign, now=timezone.now())
    campaign.save()
    return campaign


def campaign_create(*, workspace, **fields) -> Campaign:
    return _campaign_apply(Campaign(workspace=workspace), fields)


def campaign_update(*, campaign: Campaign, **fields) -> Campaign:
    return _campaign_apply(campaign, fields)


def matrix_combinations(campaign: Campaign) -> list[dict]:
    """One AdJob's options per language x presenter x voice; variants x aspects x platforms live
    inside each job."""
    import itertools

    matrix = campaign.matrix or {}
    languages = matrix.get("languages") or [matrix.get("language")]  # None: each product page's own
    base = {"variants": int(matrix.get("variants", 2)), "duration": float(matrix.get("duration", DEFAULT_DURATION_S)),
            "preview": campaign.preview, "engines": matrix.get("engines") or {}, "seed": int(matrix.get("seed", 0))}
    for name in ("aspects", "platforms", "tone", "frameworks"):
        if matrix.get(name):
            base[name] = matrix[name]
    combos = []
    for language, presenter, voice in itertools.product(
            languages, matrix.get("presenters") or [None], matrix.get("voices") or [None]):
        options = {**base, **({"language": language} if language else {})}
        if presenter:
            options["presenter"] = presenter
        if voice:
            options["voice"] = voice
        combos.append(options)
    return combos


def outputs_per_product(campaign: Campaign) -> int:
    """Videos one product makes: the render nodes of each combination's plan."""
    total = 0
    for options in matrix_combinations(campaign):
        spec = job_spec_build({k: v for k, v in options.items() if k in ads_services.JOB_OPTION_NAMES},
                              require_source=False)
        total += spec.variants * len(spec.render_targets())
    return total


# --------------------------------------------------------------------------- starting runs


def campaign_run_start(*, campaign: Campaign, trigger: str = "manual", force: bool = False,
                       scheduled_for=None) -> CampaignRun | None:
    """Create a run and queue its execution on commit. A second run for the same cron tick is
    refused by the database; then None comes back."""
    try:
        with transaction.atomic():
            run = CampaignRun.objects.create(workspace_id=campaign.workspace_id, campaign=campaign, trigger=trigger,
                                             force=force, scheduled_for=scheduled_for)
    except IntegrityError:
        log.info("campaign %s: the run for %s already exists", campaign.pk, scheduled_for)
        return None
    transaction.on_commit(lambda: _send_execute(run.pk))
    return run


def _send_execute(run_id) -> None:
    from adgen.campaigns.actors import execute_campaign_run

    execute_campaign_run.send(str(run_id))


def _send_watch(run_id, delay_ms: int = 3000) -> None:
    from adgen.campaigns.actors import watch_campaign_run

    watch_campaign_run.send_with_options(args=(str(run_id),), delay=delay_ms)


# --------------------------------------------------------------------------- executing


def content_hash(scrape_meta: dict, artifact_dir: Path) -> str:
    """What a shopper sees of the product: its facts and its images' bytes (not where they were
    fetched from, nor when)."""
    product = dict(scrape_meta.get("product") or {})
    images = []
    for image in scrape_meta.get("images") or []:
        path = artifact_dir / image.get("file", "")
        images.append(hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else image.get("url"))
    product.pop("images", None)  # URLs; the bytes are hashed above
    return hashlib.sha256(canonical_json({"product": product, "images": images}).encode()).hexdigest()


def _scrape(url: str):
    from adgen.ads.lifecycle import artifact_store

    # the scrape node of the job this product would make: the same plan, the same cache key
    spec = job_spec_build({"url": url, "allow_private_hosts": settings.ADGEN_ALLOW_PRIVATE_HOSTS})
    node = next(n for n in plan(spec, {}) if n.stage == "scrape")
    return run_node(artifact_store(), node, {})


def _previous_hash(item: CampaignRunItem) -> str | None:
    """The hash this product had when it last rendered (an unchanged skip carries it forward)."""
    previous = (_items().filter(run__campaign_id=item.run.campaign_id, url=item.url,
                                status__in=[ItemStatus.SUCCEEDED, ItemStatus.UNCHANGED])
                .exclude(run_id=item.run_id).order_by("-created").first())
    return previous.content_hash if previous else None


def _claim(run_id) -> CampaignRun | None:
    with transaction.atomic():
        run = _runs().select_for_update().select_related("campaign").filter(pk=run_id).first()
        if run is None or run.status != Status.QUEUED:
            return None  # a duplicate message, or already done
        run.status, run.started_at = Status.EXPANDING, timezone.now()
        run.save(update_fields=["status", "started_at"])
        return run


def _run_fail(run: CampaignRun, code: str, message: str) -> None:
    run.status, run.error_code, run.error_message, run.finished_at = Status.FAILED, code, message, timezone.now()
    run.save(update_fields=["status", "error_code", "error_message", "finished_at"])
    transaction.on_commit(lambda: _send_webhook(run.pk))


def campaign_run_execute(*, run_id) -> CampaignRun | None:
    run = _claim(run_id)
    if run is None:
        return None
    campaign = run.campaign
    try:
        entries = sources.source_entries(kind=campaign.source_kind, urls=campaign.source_urls,
                                         feed_url=campaign.source_url, pattern=campaign.url_pattern,
                                         limit=campaign.max_products,
                                         allow_private_hosts=settings.ADGEN_ALLOW_PRIVATE_HOSTS)
    except PipelineError as exc:
        _run_fail(run, exc.code, exc.message)
        return run
    items = CampaignRunItem.objects.bulk_create([
        CampaignRunItem(workspace_id=run.workspace_id, run=run, position=i, url=e.url, title=e.title,
                        source_data=e.data) for i, e in enumerate(entries)])
    if not items:
        _run_fail(run, "source_empty", "The source lists no products.")
        return run

    with ThreadPoolExecutor(SCRAPE_THREADS) as pool:  # network-bound: a few at a time (no DB in threads)
        scraped = list(pool.map(_scrape_item, [item.url for item in items]))
    to_render = []
    for item, (result, error) in zip(items, scraped):
        if error is not None:
            _item_fail(item, *error)
            continue
        item.content_hash = content_hash(result.meta, result.dir)
        product = result.meta.get("product") or {}
        item.title = (product.get("title") or item.title)[:500]
        if not run.force and _previous_hash(item) == item.content_hash:
            item.status, item.reason = ItemStatus.UNCHANGED, "Unchanged since it last rendered."
        else:
            to_render.append((item, result))
        item.save(update_fields=["content_hash", "title", "status", "reason"])

    _fan_out(run, campaign, to_render)
    return campaign_run_refresh(run_id=run.pk)


def _scrape_item(url: str):
    """(scrape result, None) or (None, (code, message)): one product never fails the run."""
    try:
        return _scrape(url), None
    except PipelineError as exc:
        return None, (exc.code, exc.message)
    except Exception as exc:
        log.exception("campaign: scraping %s crashed", url)
        return None, ("internal_error", f"The product page could not be read: {exc}")


def _item_fail(item: CampaignRunItem, code: str, message: str) -> None:
    item.status, item.error_code, item.error_message = ItemStatus.FAILED, code, message[:2000]
    item.save(update_fields=["status", "error_code", "error_message"])


def month_spent(campaign: Campaign, *, now=None) -> int:
    """Credits this campaign's runs set aside this calendar month (in the campaign's time zone)."""
    local = (now or timezone.now()).astimezone(scheduler.zone(campaign.time_zone))
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return sum(_items().filter(run__campaign=campaign, run__created__gte=start)
               .values_list("quoted_credits", flat=True))


def run_allowance(campaign: Campaign) -> int | None:
    """The most this run may hold: the smaller of the run budget and what is left of the month."""
    limits = []
    if campaign.budget_per_run is not None:
        limits.append(campaign.budget_per_run)
    if campaign.budget_per_month is not None:
        limits.append(max(0, campaign.budget_per_month - month_spent(campaign)))
    return min(limits) if limits else None


def _fan_out(run: CampaignRun, campaign: Campaign, to_render: list) -> None:
    """Quote every product, then submit in priority order while the budget and the output cap
    allow; whatever does not fit is marked with the reason (nothing later jumps the queue)."""
    organization = campaign.workspace.organization
    combos = matrix_combinations(campaign)
    per_product_outputs = outputs_per_product(campaign)
    allowance = run_allowance(campaign)
    run.budget_allowed = allowance
    spent, outputs, stopped = 0, 0, None
    for item, result in to_render:
        quote = 0
        for options in combos:
            spec = ads_services.job_spec_build(options=options, url=item.url, product=None,
                                               brand_kit=campaign.brand_kit)
            quote += billing_hooks.job_quote(organization=organization, spec=spec)
        if stopped is None and outputs + per_product_outputs > campaign.max_outputs:
            stopped = (ItemStatus.OVER_CAP, f"The campaign's cap of {campaign.max_outputs} videos per run was reached.")
        if stopped is None and allowance is not None and spent + quote > allowance:
            stopped = (ItemStatus.OVER_BUDGET,
                       f"Needs {quote} credits; {allowance - spent} of this run's {allowance} were left "
                       f"(run budget {campaign.budget_per_run}, month budget {campaign.budget_per_month}).")
        if stopped is not None:
            item.status, item.reason = stopped
            item.quoted_credits = 0
            item.save(update_fields=["status", "reason", "quoted_credits"])
            continue
        held = _submit_item(run, campaign, item, result, combos)
        if item.status == ItemStatus.OVER_BUDGET:  # the organization's balance ran out
            stopped = (ItemStatus.OVER_BUDGET, item.reason)
            continue
        spent += held
        outputs += per_product_outputs
    run.quoted_credits = spent
    run.status = Status.RENDERING
    run.save(update_fields=["budget_allowed", "quoted_credits", "status"])


def _submit_item(run, campaign, item, result, combos) -> int:
    """A ready ads Product from the scrape we already did (the job reuses it, nothing is fetched
    twice), then one AdJob per language. Returns the credits held."""
    from adgen.billing.errors import BillingError

    meta = result.meta
    product_data = meta.get("product") or {}
    product = Product.objects.create(workspace_id=run.workspace_id, url=item.url, status=Product.Status.READY,
                                     data=product_data, title=(product_data.get("title") or "")[:500],
                                     images=meta.get("images", []), artifact_key=result.key)
    item.product = product
    jobs, held = [], 0
    for options in combos:
        try:
            job = ads_services.job_submit(workspace=campaign.workspace, options=options, product=product,
                                          brand_kit=campaign.brand_kit)
        except BillingError as exc:
            for submitted in jobs:  # all languages of a product or none
                ads_services.job_cancel(job=submitted)
            item.status, item.reason = ItemStatus.OVER_BUDGET, f"{exc.detail} [{exc.get_codes()}]"[:500]
            item.quoted_credits = 0
            item.save(update_fields=["product", "status", "reason", "quoted_credits"])
            return 0
        except PipelineError as exc:
            _item_fail(item, exc.code, exc.message)
            return 0
        jobs.append(job)
        held += job.quoted_credits or 0
    item.status, item.quoted_credits = ItemStatus.RENDERING, held
    item.save(update_fields=["product", "status", "quoted_credits"])
    item.jobs.set(jobs)
    return held


# --------------------------------------------------------------------------- following


def _item_settle(item: CampaignRunItem) -> bool:
    """Move a rendering item on from its jobs' states; True once it is settled."""
    if item.status != ItemStatus.RENDERING:
        return True
    jobs = list(item.jobs.all())
    if not all(job.is_terminal for job in jobs):
        return False
    failed = [job for job in jobs if job.status != AdJob.Status.SUCCEEDED]
    if failed:
        item.status, item.error_code = ItemStatus.FAILED, failed[0].error_code or failed[0].status
        item.error_message = failed[0].error_message or f"The ad job {failed[0].status}."
    else:
        item.status = ItemStatus.SUCCEEDED
    item.save(update_fields=["status", "error_code", "error_message"])
    return True


def campaign_run_refresh(*, run_id) -> CampaignRun | None:
    """Settle finished products; when every product is settled, deliver and finish the run.
    Otherwise ask to be called again (the scheduler's sweep is the safety net)."""
    with transaction.atomic():
        run = _runs().select_for_update().select_related("campaign").filter(pk=run_id).first()
        if run is None or run.status != Status.RENDERING:
            return run
        items = list(run.items.all())
        settled = [_item_settle(item) for item in items]
        run.summary = run_summary(items)
        if not all(settled):
            run.save(update_fields=["summary"])
            transaction.on_commit(lambda: _send_watch(run_id))
            return run
        run.status = Status.DELIVERING
        run.save(update_fields=["summary", "status"])
    return campaign_run_deliver(run_id=run_id)


def campaign_runs_refresh_active() -> int:
    """Nudge every rendering run (a lost watch message must not leave a run hanging)."""
    ids = list(_runs().filter(status=Status.RENDERING).values_list("pk", flat=True))
    for run_id in ids:
        campaign_run_refresh(run_id=run_id)
    # a run whose execute message was lost: queued for a while with nothing started
    stale = timezone.now() - timedelta(minutes=10)
    for run_id in _runs().filter(status=Status.QUEUED, created__lt=stale).values_list("pk", flat=True):
        _send_execute(run_id)
    return len(ids)


def run_summary(items: list[CampaignRunItem]) -> dict:
    counts: dict[str, int] = {}
    for item in items:
        counts[item.status] = counts.get(item.status, 0) + 1
    skipped = [{"url": i.url, "status": i.status, "reason": i.reason} for i in items
               if i.status in (ItemStatus.OVER_BUDGET, ItemStatus.OVER_CAP)]
    return {"products": len(items), "counts": counts, "skipped": skipped}


# --------------------------------------------------------------------------- delivering


def run_manifest(run: CampaignRun, files: dict[str, dict]) -> dict:
    items = []
    for item in run.items.all():
        items.append({
            "position": item.position, "url": item.url, "title": item.title, "status": item.status,
            "reason": item.reason or None, "content_hash": item.content_hash or None,
            "credits": item.quoted_credits, "source": item.source_data,
            "error": {"code": item.error_code, "message": item.error_message} if item.error_code else None,
            "videos": [name for name, facts in files.items() if facts["position"] == item.position],
        })
    return {"campaign": {"id": str(run.campaign_id), "name": run.campaign.name},
            "run": {"id": str(run.pk), "trigger": run.trigger, "force": run.force,
                    "scheduled_for": run.scheduled_for.isoformat() if run.scheduled_for else None,
                    "created": run.created.isoformat()},
            "budget": {"allowed": run.budget_allowed, "held": run.quoted_credits},
            "summary": run.summary, "products": items,
            "videos": [{"file": name, **{k: v for k, v in facts.items() if k != "position"}}
                       for name, facts in files.items()]}


def _archive_build(run: CampaignRun, target: Path) -> dict:
    """The run's zip: each job's export (the batch folder its export stage made: videos, captions,
    thumbnails, post copy and the job's manifest) under `<position>-<product>/<language>/`, plus
    the campaign's manifest.json."""
    from adgen.ads.lifecycle import artifact_store
    from pipelines.export import export_files

    store = artifact_store()
    files: dict[str, dict] = {}
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive:  # MP4s do not deflate
        for item in run.items.filter(status=ItemStatus.SUCCEEDED).prefetch_related("jobs"):
            slug = slugify(item.title or item.url)[:60] or f"product-{item.position}"
            for job in item.jobs.all():
                if not job.export_artifact_key:
                    continue
                batch = store.path(job.export_artifact_key) / "batch"
                manifest = json.loads((batch / "manifest.json").read_text(encoding="utf-8"))
                language = (job.options or {}).get("language") or _job_language(manifest)
                folder = f"{item.position:03d}-{slug}/{language}"
                for name in [*export_files(manifest), "manifest.json"]:
                    archive.write(batch / name, f"{folder}/{name}")
                for product in manifest["products"]:
                    for v, variant in enumerate(product["variants"]):
                        for output in variant["outputs"]:
                            files[f"{folder}/{output['file']}"] = {
                                "position": item.position, "job": str(job.pk), "aspect": output["aspect"],
                                "platform": output.get("platform"), "variant": v + 1, "language": language,
                                "width": output["width"], "height": output["height"],
                                "duration_s": output["duration_s"], "size_bytes": output["size_bytes"]}
        manifest = run_manifest(run, files)
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False, default=str))
    return manifest


def _job_language(manifest: dict) -> str:
    variants = [v for p in manifest.get("products", []) for v in p.get("variants", [])]
    return (variants[0].get("language") if variants else None) or "en"


def campaign_run_deliver(*, run_id) -> CampaignRun:
    """One zip per run (videos + manifest.json) in Django storage, a copy in the campaign's
    bucket when one is set, then the signed webhook."""
    run = _runs().select_related("campaign").get(pk=run_id)
    if run.status != Status.DELIVERING:
        return run
    delivery: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"campaign-{run.pk}.zip"
        manifest = _archive_build(run, path)
        if run.archive:
            run.archive.delete(save=False)
        with open(path, "rb") as fh:
            run.archive.name = default_storage.save(
                f"campaigns/{run.workspace_id}/{run.campaign_id}/{run.pk}.zip", File(fh))
        if run.campaign.bucket.get("bucket"):
            try:
                delivery["bucket"] = bucket_upload(run.campaign.bucket, path, manifest, run)
            except Exception as exc:  # the zip is still downloadable; say why the copy failed
                log.exception("campaign run %s: bucket upload failed", run.pk)
                delivery["bucket"] = {"status": "failed", "error": bucket_error_message(exc)}
    counts = run.summary.get("counts", {})
    failed = counts.get(ItemStatus.FAILED, 0)
    delivered = counts.get(ItemStatus.SUCCEEDED, 0)
    if failed and not delivered and not counts.get(ItemStatus.UNCHANGED):
        run.status, run.error_code = Status.FAILED, "all_products_failed"
        run.error_message = "Every product of this run failed; see each product's error."
    else:
        run.status = Status.PARTIAL if failed else Status.SUCCEEDED
    run.manifest, run.delivery, run.finished_at = manifest, delivery, timezone.now()
    run.save(update_fields=["archive", "manifest", "delivery", "status", "error_code", "error_message",
                            "finished_at"])
    _send_webhook(run.pk)
    return run


class BucketRefused(Exception):
    """Delivery to a bucket this service will not sign requests for."""


def bucket_error_message(exc: Exception) -> str:
    """What a tenant is told: the S3 error code at most, never the upstream's text (no port or
    status oracle)."""
    if isinstance(exc, BucketRefused):
        return str(exc)
    code = (getattr(exc, "response", None) or {}).get("Error", {}).get("Code") if hasattr(exc, "response") else None
    if code:
        return f"The bucket refused the upload ({str(code)[:64]})."
    return "The bucket could not be reached; the zip is still downloadable here."


def bucket_upload(bucket: dict, archive: Path, manifest: dict, run: CampaignRun) -> dict:
    """Copy the zip and its manifest to an S3-compatible bucket through django-storages
    (credentials come from the environment, as boto3 reads them)."""
    from django.core.files.base import ContentFile
    from storages.backends.s3 import S3Storage

    endpoint = None
    if bucket.get("endpoint_url"):  # checked again now: the operator may have withdrawn it since
        endpoint = bucket_endpoint_allowed(bucket["endpoint_url"])
        if endpoint is None:
            raise BucketRefused("This bucket endpoint is no longer allowed by the operator.")
    storage = S3Storage(bucket_name=bucket["bucket"], location=bucket.get("prefix", ""),
                        endpoint_url=endpoint, region_name=bucket.get("region") or None)
    base = f"{slugify(run.campaign.name) or run.campaign_id}/{run.created:%Y-%m-%d}-{run.pk}"
    with open(archive, "rb") as fh:
        zip_name = storage.save(f"{base}/videos.zip", File(fh))
    manifest_name = storage.save(f"{base}/manifest.json",
                                 ContentFile(json.dumps(manifest, indent=2, default=str).encode()))
    return {"status": "delivered", "bucket": bucket["bucket"], "zip": zip_name, "manifest": manifest_name}


# --------------------------------------------------------------------------- webhook

def _send_webhook(run_id) -> None:
    from adgen.campaigns.actors import deliver_campaign_webhook

    deliver_campaign_webhook.send(str(run_id))


def run_payload(run: CampaignRun) -> dict:
    from adgen.campaigns.selectors import run_archive_url

    return {"id": str(run.pk), "campaign_id": str(run.campaign_id), "workspace_id": str(run.workspace_id),
            "status": run.status, "trigger": run.trigger, "summary": run.summary,
            "error": {"code": run.error_code, "message": run.error_message} if run.error_code else None,
            "archive_url": run_archive_url(run), "delivery": run.delivery}


def campaign_webhook_deliver(*, run_id) -> dict | None:
    """POST `campaign.run.finished` (or `.failed`) to the campaign's webhook, signed and guarded
    like every adgen webhook (adgen.ads.webhooks)."""
    run = _runs().select_related("campaign").get(pk=run_id)
    campaign = run.campaign
    if not campaign.webhook_url or (run.delivery.get("webhook") or {}).get("status") == "delivered":
        return None
    event = "campaign.run.finished" if run.status != Status.FAILED else "campaign.run.failed"
    state = dict(run.delivery.get("webhook") or {"attempts": 0})
    state["attempts"] = state.get("attempts", 0) + 1
    attempt = webhook_post(url=campaign.webhook_url, secret=campaign.webhook_secret, event=event,
                           delivery_id=f"{run.pk}:{event}", attempt=state["attempts"],
                           payload={"id": f"{run.pk}:{event}", "type": event, "created": int(time.time()),
                                    "data": run_payload(run)})
    state.update(status=attempt.status, status_code=attempt.status_code, error=attempt.error[:500])
    with transaction.atomic():
        locked = _runs().select_for_update().get(pk=run_id)
        locked.delivery = {**locked.delivery, "webhook": state}
        locked.save(update_fields=["delivery"])
    if state["status"] == "pending":
        raise WebhookFailed(f"campaign run {run_id} webhook attempt {state['attempts']}: {state['error']}")
    return state
