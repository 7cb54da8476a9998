"""A job's page, gallery first (issue 22): one large player with a format switcher over the formats
the job rendered, then a card per variant (angle, voice, duration, poster, a download per format
and platform with its size). "Render final quality" shows its price and asks once before it
spends credits. Files are served by `views.render_file`, named by `pipelines.export.render_filename`."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from adgen.ads import selectors as ads_selectors
from adgen.ads.models import AdJob
from adgen.billing import selectors as billing_selectors
from adgen.billing.errors import BillingError
from adgen.dashboard.views import _job, _job_context, _message, _quote, _resubmit, _resubmit_options, _ws_url, \
    workspace_view
from pipelines.product import ASPECT_NAMES, ASPECTS
from pipelines.render.platforms import PLATFORMS
from tenants.errors import ApiError
from tenants.models import Membership

def _file_url(request, render_, kind: str) -> str:
    return reverse("dashboard:render-file", kwargs={"workspace_id": request.workspace.pk, "render_id": render_.pk,
                                                    "kind": kind})


def _voices(job: AdJob) -> dict[int, str]:
    """Who speaks each variant, as the voice stage recorded it."""
    voices = {}
    for node_id, meta in job.stage_runs.filter(stage="voice").values_list("node_id", "artifacts"):
        meta = meta or {}
        voices[int(node_id.split(":")[1])] = meta.get("voice_label") or meta.get("voice") or ""
    return voices


def _angle_words(angle: str | None) -> str:
    """The script writer's angle key in words: "problem:easy_clean" -> "Problem: easy clean"."""
    text = ": ".join(part.strip().replace("_", " ") for part in (angle or "").split(":") if part.strip())
    return text[:1].upper() + text[1:]


def job_gallery(request, job: AdJob) -> dict:
    """The results page's data: formats (in ASPECTS order), the player's sources per variant and
    format (the first platform of each), and one card per variant with its downloads."""
    renders = sorted(job.renders.select_related("variant"),
                     key=lambda r: (r.variant.index if r.variant else 0, list(ASPECTS).index(r.aspect)
                                    if r.aspect in ASPECTS else 99, r.platform))
    if not renders:
        return {}
    names = ads_selectors.job_product_names(job)
    voices = _voices(job)
    formats = [a for a in ASPECTS if any(r.aspect == a for r in renders)]
    formats += sorted({r.aspect for r in renders} - set(formats))
    cards: dict[int, dict] = {}
    sources: dict[str, dict] = {}
    for r in renders:
        index = r.variant.index if r.variant else int(r.node_id.split(":")[1])
        script = (r.variant.script if r.variant else None) or {}
        card = cards.setdefault(index, {
            "index": index, "number": index + 1, "variant": r.variant, "angle": _angle_words(script.get("angle")),
            "framework": script.get("framework") or "", "hook": script.get("hook") or "",
            "caption": script.get("caption") or "", "hashtags": script.get("hashtags") or [],
            "voice": voices.get(index, ""), "duration_s": r.duration_s, "poster": None, "downloads": []})
        poster = _file_url(request, r, "thumbnail") if r.thumbnail else None
        card["poster"] = card["poster"] or poster
        platform = PLATFORMS.get(r.platform or None)
        card["downloads"].append({
            "render": r, "aspect": r.aspect, "format": ASPECT_NAMES.get(r.aspect, r.aspect),
            "platform": platform.label if platform else r.platform, "size_bytes": r.size_bytes,
            "url": _file_url(request, r, "video") + "?download=1",
            "filename": ads_selectors.render_download_name(r, product_names=names),
            "captions_url": _file_url(request, r, "captions") + "?download=1" if r.captions else None})
        sources.setdefault(str(index), {}).setdefault(r.aspect, {
            "src": _file_url(request, r, "video"), "poster": poster, "width": r.width, "height": r.height,
            "captions": _file_url(request, r, "captions") if r.captions else None,
            "label": f"Variant {index + 1} · {r.aspect} {ASPECT_NAMES.get(r.aspect, '')}".strip()})
    first = renders[0]
    first_index = first.variant.index if first.variant else int(first.node_id.split(":")[1])
    current = sources[str(first_index)][first.aspect]
    return {"formats": [{"aspect": a, "name": ASPECT_NAMES.get(a, a)} for a in formats],
            "cards": list(cards.values()), "sources": sources, "current": current,
            "current_variant": first_index, "current_format": first.aspect}


def _upgrade_quote(request, job: AdJob) -> int | None:
    scripts = [v.script for v in job.variants.all()]
    return _quote(request, _resubmit_options(job, scripts=scripts, preview=False), job.product, job.brand_kit,
                  url=None if job.product else job.url)


@workspace_view()
def job(request, job_id):
    job = _job(request, job_id)
    context = _job_context(request, job)
    context["gallery"] = job_gallery(request, job) if job.status == AdJob.Status.SUCCEEDED else {}
    if job.status == AdJob.Status.SUCCEEDED and job.options.get("preview") and request.access.can_edit:
        context["upgrade_quote"] = _upgrade_quote(request, job)
    return render(request, "dashboard/job.html", context)


@workspace_view(Membership.Role.EDITOR)
def job_upgrade(request, job_id):
    """Preview -> final: the same scripts, rendered at full quality. GET (and a POST without
    `confirm=1`) shows the price and the balance; only the confirmed POST submits and spends."""
    job = _job(request, job_id)
    scripts = [v.script for v in job.variants.all()]
    if job.status != AdJob.Status.SUCCEEDED or not scripts:
        raise Http404("Only a finished job can be upgraded.")
    error = None
    if request.method == "POST" and request.POST.get("confirm") == "1":
        try:
            new = _resubmit(request, job, scripts=scripts, preview=False)
        except (ApiError, BillingError) as exc:
            error = _message(exc)
        else:
            messages.success(request, "Rendering at final quality.")
            return redirect(_ws_url(request, "job", job_id=new.pk))
    return render(request, "dashboard/job_upgrade.html", {
        "job": job, "quote": _upgrade_quote(request, job), "error": error,
        "balance": billing_selectors.account_balance(organization=request.workspace.organization)},
        status=400 if error else 200)


STATUS_WORDS = {AdJob.Status.QUEUED: "Waiting to start", AdJob.Status.RUNNING: "Being made",
                AdJob.Status.SUCCEEDED: "Ready", AdJob.Status.FAILED: "Could not be made",
                AdJob.Status.CANCELLED: "Cancelled"}


def ads_list_rows(request, jobs: list[AdJob]) -> list[dict]:
    """The Ads list's rows for one page of jobs: a poster, the formats rendered, the status in
    words and what the job cost (captured credits; held while it runs; nothing when it failed)."""
    from adgen.ads import billing_hooks
    from adgen.ads.models import Render

    renders: dict = {}
    for r in Render.objects.for_workspace(request.workspace).filter(job__in=jobs).order_by("job", "node_id"):
        renders.setdefault(r.job_id, []).append(r)
    holds = billing_hooks.job_holds(organization=request.workspace.organization_id, jobs=jobs)
    rows = []
    for j in jobs:
        done = renders.get(j.pk, [])
        poster = next((r for r in done if r.thumbnail), None)
        aspects = {r.aspect for r in done} or set(j.options.get("aspects") or [])
        hold = holds.get(j.pk)
        if j.status == AdJob.Status.SUCCEEDED or (hold and hold.captured):
            cost = f"{hold.captured if hold else j.quoted_credits or 0:,} credits"
        elif not j.is_terminal:
            cost = f"{j.quoted_credits:,} credits held" if j.quoted_credits else ""
        else:
            cost = "No charge"
        words = STATUS_WORDS.get(j.status, j.status)
        if j.status == AdJob.Status.RUNNING:
            words = f"{words} · {j.progress}%"
        rows.append({"job": j, "poster": _file_url(request, poster, "thumbnail") if poster else None,
                     "formats": [a for a in ASPECTS if a in aspects] + sorted(aspects - set(ASPECTS)),
                     "status_words": words, "cost": cost,
                     "quality": "Preview" if j.options.get("preview") else "Final quality"})
    return rows


@workspace_view()
def workspace(request):
    jobs = ads_selectors.job_list(workspace=request.workspace)
    page = Paginator(jobs, 20).get_page(request.GET.get("page"))
    return render(request, "dashboard/workspace.html", {
        "page": page, "rows": ads_list_rows(request, list(page.object_list)),
        "balance": billing_selectors.account_balance(organization=request.workspace.organization)})
