"""Reads for ads (the API and the dashboard share them)."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse

from adgen.ads.error_hints import error_hint
from adgen.ads.models import AdJob, BrandKit, Product, Render, StageRun, Webhook
from tenants.models import Workspace


def job_list(*, workspace: Workspace) -> QuerySet[AdJob]:
    return AdJob.objects.for_workspace(workspace).filter(kind=AdJob.Kind.AD).select_related("product")


def job_get(*, workspace: Workspace, job_id) -> AdJob | None:
    return AdJob.objects.for_workspace(workspace).filter(pk=job_id).first()


def product_list(*, workspace: Workspace) -> QuerySet[Product]:
    return Product.objects.for_workspace(workspace)


def brand_kit_list(*, workspace: Workspace) -> QuerySet[BrandKit]:
    return BrandKit.objects.for_workspace(workspace)


def render_list(*, workspace: Workspace) -> QuerySet[Render]:
    return Render.objects.for_workspace(workspace).select_related("job", "variant")


def webhook_list(*, workspace: Workspace) -> QuerySet[Webhook]:
    return Webhook.objects.for_workspace(workspace)


def stage_runs(job: AdJob) -> list[StageRun]:
    return list(job.stage_runs.order_by("created", "id"))


def render_download_path(render: Render) -> str:
    return reverse("render-download", kwargs={"workspace_id": render.workspace_id, "pk": render.pk})


def job_archive_path(job: AdJob) -> str:
    return reverse("ad-archive", kwargs={"workspace_id": job.workspace_id, "pk": job.pk})


def job_outputs(job: AdJob, *, base_url: str | None = None) -> dict:
    """Delivered files of a finished job, with download URLs (absolute when base_url is given)."""
    base = (base_url if base_url is not None else settings.SITE_URL).rstrip("/")
    if job.status != AdJob.Status.SUCCEEDED:
        return {"renders": [], "archive_url": None}
    renders = [{
        "id": str(r.pk), "variant": r.variant.index if r.variant else None, "aspect": r.aspect,
        "platform": r.platform or None, "width": r.width, "height": r.height, "duration_s": round(r.duration_s, 3),
        "size_bytes": r.size_bytes, "video_codec": r.video_codec, "audio_codec": r.audio_codec,
        "download_url": base + render_download_path(r),
    } for r in job.renders.select_related("variant").order_by("node_id")]
    return {"renders": renders, "archive_url": base + job_archive_path(job) if job.archive else None}


def job_stage_progress(job: AdJob) -> list[dict]:
    return [{
        "node": r.node_id, "stage": r.stage, "queue": r.queue, "status": r.status, "attempt": r.attempt,
        "progress": round(100 * (1.0 if r.status == StageRun.Status.DONE else r.progress)), "cached": r.cached,
        "message": r.message, "error": ({"code": r.error_code, "message": r.error_message} if r.error_code else None),
        "started_at": r.started_at, "finished_at": r.finished_at, "elapsed_s": r.elapsed_s,
    } for r in stage_runs(job)]


def job_progress(job: AdJob) -> int:
    if job.status == AdJob.Status.SUCCEEDED:
        return 100
    return max(job.progress, job_progress_percent(job, stage_runs(job)))


def job_status(job: AdJob, *, base_url: str | None = None) -> dict:
    """The job as the API, the SSE stream and the dashboard show it."""
    ended_badly = job.status in AdJob.RETRYABLE and job.error_code
    return {
        "id": str(job.pk), "status": job.status, "progress": job_progress(job),
        "error": ({"code": job.error_code, "message": job.error_message, "stage": job.error_stage or None}
                  if ended_badly else None),
        "error_hint": error_hint(job.error_code) if ended_badly else None,
        "stages": job_stage_progress(job),
        "outputs": job_outputs(job, base_url=base_url),
        "warnings": job_warnings(job),
    }


def job_warnings(job: AdJob) -> list[str]:
    """What the marketer should check before posting (e.g. the ad's language is not the page's),
    from the variants' scripts and voices, each said once."""
    notes: dict[str, None] = {}
    for variant in job.variants.all():
        for note in (variant.script or {}).get("warnings") or []:
            notes.setdefault(note, None)
    for run in job.stage_runs.filter(stage="voice", status=StageRun.Status.DONE):
        note = (run.artifacts or {}).get("notice")
        if note:
            notes.setdefault(note, None)
    return list(notes)


STAGE_WEIGHT = {"scrape": 1.0, "script": 1.0, "voice": 1.0, "avatar": 2.0, "broll": 1.0, "render": 3.0, "export": 0.5}


def job_progress_percent(job: AdJob, runs: list[StageRun]) -> int:
    """0-100. Before the script exists the rest of the graph is unknown: planning counts 10%."""
    if job.status == AdJob.Status.SUCCEEDED:
        return 100
    planning = [r for r in runs if r.stage in ("scrape", "script")]
    rest = [r for r in runs if r.stage not in ("scrape", "script")]

    def fraction(items):
        total = sum(STAGE_WEIGHT.get(r.stage, 1.0) for r in items)
        if not total:
            return 0.0
        return sum(STAGE_WEIGHT.get(r.stage, 1.0) * (1.0 if r.status == StageRun.Status.DONE else r.progress)
                   for r in items) / total

    if not rest:
        return int(10 * fraction(planning)) if job.kind == AdJob.Kind.AD else int(99 * fraction(planning))
    return min(99, int(10 + 90 * fraction(rest)))


def job_product_names(job: AdJob) -> dict:
    """The product title and page URL the job's export named its files by (the scraped product:
    the job's Product row, else what its scrape or script stage recorded), as keyword arguments
    for `pipelines.export.render_filename`."""
    data = (job.product.data or {}) if job.product_id else {}
    if not data:
        recorded = job.stage_runs.filter(node_id__in=("scrape", "script")).values_list("node_id", "artifacts")
        by_node = {node: (artifacts or {}).get("product") for node, artifacts in recorded}
        data = by_node.get("scrape") or by_node.get("script") or {}
    title = data.get("title") or (job.product.title if job.product_id else "")
    page_url = data.get("canonical_url") or data.get("url") or (job.product.url if job.product_id else job.url)
    return {"product_title": title, "product_url": page_url}


def render_download_name(render: Render, ext: str = "mp4", *, product_names: dict | None = None) -> str:
    """The file name a render downloads as, the export's own (`render_filename`), so a file saved
    from the dashboard or the API matches the one in the job's zip. Pass `product_names`
    (job_product_names) when naming many renders of one job."""
    from pipelines.export import render_filename

    names = product_names if product_names is not None else job_product_names(render.job)
    variant = render.variant.index if render.variant else int(render.node_id.split(":")[1])
    return render_filename(names["product_title"], variant, render.aspect, render.platform or None, ext,
                           product_url=names["product_url"])


def job_archive_name(job: AdJob) -> str:
    """The name the job's zip downloads as: its product and the job (`pipelines.export.archive_filename`)."""
    from pipelines.export import archive_filename

    names = job_product_names(job)
    return archive_filename(names["product_title"], str(job.pk), product_url=names["product_url"])
