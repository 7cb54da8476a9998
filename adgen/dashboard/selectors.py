"""Reads the dashboard needs on top of the apps' own selectors. Nothing here writes tenant data.

Script drafts call the pipeline's offline script writer so a user can read and edit scripts
before anything is queued or charged; the edited scripts travel with `job_submit`'s options.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.db.models import Sum
from django.http import Http404
from django.urls import reverse

from adgen.ads import selectors as ads_selectors
from adgen.ads.billing_hooks import JOB_REFERENCE_PREFIX, job_id_from_reference
from adgen.ads.error_hints import error_hint_for
from adgen.ads.models import AdJob, Product, StageRun
from adgen.billing import selectors as billing_selectors
from adgen.billing.models import CreditHold
from tenants import selectors as tenant_selectors
from tenants.models import Membership, Organization

STAGE_ORDER = ("scrape", "script", "voice", "avatar", "broll", "render", "export")
STAGE_LABELS = {"scrape": "Reading the product page", "script": "Writing scripts", "voice": "Voice-over",
                "avatar": "Presenter", "broll": "B-roll", "render": "Rendering", "export": "Packaging"}


@dataclass(frozen=True)
class WorkspaceAccess:
    workspace: object
    role: str

    @property
    def can_edit(self) -> bool:
        return tenant_selectors.role_at_least(self.role, Membership.Role.EDITOR)

    @property
    def can_admin(self) -> bool:
        return tenant_selectors.role_at_least(self.role, Membership.Role.ADMIN)

    @property
    def can_pay(self) -> bool:
        return tenant_selectors.role_at_least(self.role, billing_selectors.PAYER_ROLE)

    @property
    def is_owner(self) -> bool:
        return self.role == Membership.Role.OWNER


def workspace_access_or_404(*, user, workspace_id) -> WorkspaceAccess:
    """The workspace and the user's role, or 404 — another tenant's workspace looks like none."""
    found = tenant_selectors.workspace_role(workspace_id=workspace_id, user=user)
    if found is None:
        raise Http404("No such workspace.")
    return WorkspaceAccess(*found)


def organizations_owned(*, user) -> list[Organization]:
    """Organizations where the user owns or administers a workspace: they may add workspaces there."""
    memberships = (Membership.objects.filter(user=user, role__in=[Membership.Role.OWNER, Membership.Role.ADMIN])
                   .select_related("workspace__organization"))
    seen: dict = {}
    for m in memberships:
        seen.setdefault(m.workspace.organization_id, m.workspace.organization)
    return list(seen.values())


def workspace_spend(*, workspace) -> int:
    """Credits captured for this workspace's jobs (billing is per organization; holds name the job)."""
    references = [f"{JOB_REFERENCE_PREFIX}{pk}" for pk in AdJob.objects.for_workspace(workspace).values_list("pk", flat=True)]
    if not references:
        return 0
    return CreditHold.objects.filter(account__organization=workspace.organization_id,
                                     reference__in=references).aggregate(s=Sum("captured"))["s"] or 0


def credit_rows(*, items, user, organization) -> list[dict]:
    """Ledger entries (or holds) with a readable description and, for a job's credits, a link to the
    job (and its campaign run) in whichever of the organization's workspaces the user can open and it
    still exists in; a job that is gone or out of the user's reach is described, not linked."""
    from adgen.campaigns.models import CampaignRunItem

    entries = list(items)
    job_ids = {job_id for job_id in (job_id_from_reference(e.reference) for e in entries) if job_id}
    jobs: dict = {}
    runs: dict = {}
    if job_ids:
        for workspace in tenant_selectors.workspace_list_for_user(user=user).filter(organization=organization):
            for job in AdJob.objects.for_workspace(workspace).filter(pk__in=job_ids).select_related("product"):
                jobs[job.pk] = job
            items = (CampaignRunItem.objects.for_workspace(workspace).filter(jobs__in=job_ids)
                     .select_related("run__campaign").prefetch_related("jobs"))
            for item in items:
                for job in item.jobs.all():
                    runs[job.pk] = item.run
    rows = []
    for entry in entries:
        job_id = job_id_from_reference(entry.reference)
        description = getattr(entry, "description", "")
        row = {"item": entry, "text": description or entry.reference, "url": None, "run": None, "run_url": None}
        if job_id is not None:
            job = jobs.get(job_id)
            if job is None:
                row["text"] = f"Ad job {str(job_id)[:8]} (deleted, or in a workspace you are not in)"
            else:
                what = (job.product.title if job.product and job.product.title else job.url) or "a product"
                row["text"] = f"{'Product page read' if job.kind == AdJob.Kind.SCRAPE else 'Ads for'} {what}"
                if job.kind == AdJob.Kind.AD:
                    row["url"] = reverse("dashboard:job", kwargs={"workspace_id": job.workspace_id, "job_id": job.pk})
                run = runs.get(job_id)
                if run is not None:
                    row["run"] = run
                    row["run_url"] = reverse("dashboard:campaign-run", kwargs={
                        "workspace_id": run.workspace_id, "campaign_id": run.campaign_id, "run_id": run.pk})
            if description and job is not None:
                row["text"] += f" ({description})"
        rows.append(row)
    return rows


def agency_overview(*, user) -> list[dict]:
    """Every workspace the user can open, with its recent jobs, spend and its organization's balance."""
    rows = []
    balances: dict = {}
    for workspace in tenant_selectors.workspace_list_for_user(user=user).order_by("organization__name", "name"):
        org = workspace.organization
        if org.pk not in balances:
            balances[org.pk] = billing_selectors.account_balance(organization=org)
        jobs = list(ads_selectors.job_list(workspace=workspace)[:3])
        rows.append({"workspace": workspace, "organization": org, "balance": balances[org.pk],
                     "jobs": jobs, "job_count": ads_selectors.job_list(workspace=workspace).count(),
                     "spend": workspace_spend(workspace=workspace)})
    return rows


def job_stage_bars(job: AdJob) -> list[dict]:
    """One bar per stage (fan-out nodes averaged), in pipeline order."""
    groups: dict[str, list[dict]] = {}
    for node in ads_selectors.job_stage_progress(job):
        groups.setdefault(node["stage"], []).append(node)
    bars = []
    for stage in sorted(groups, key=lambda s: STAGE_ORDER.index(s) if s in STAGE_ORDER else 99):
        nodes = groups[stage]
        statuses = {n["status"] for n in nodes}
        status = ("failed" if "failed" in statuses else "running" if statuses & {"running", "queued"}
                  else "done" if statuses == {"done"} else "cancelled" if "cancelled" in statuses else "pending")
        errors = [n["error"] for n in nodes if n["error"]]
        bars.append({"stage": stage, "label": STAGE_LABELS.get(stage, stage.title()), "status": status,
                     "error_title": error_hint_for(errors[0]["code"]).title if errors else "",
                     "percent": round(sum(n["progress"] for n in nodes) / len(nodes)),
                     "done": sum(1 for n in nodes if n["status"] == "done"), "total": len(nodes),
                     "message": next((n["message"] for n in nodes if n["status"] == "running" and n["message"]), ""),
                     "error": errors[0] if errors else None})
    return bars


def failure_view(*, code: str, message: str, stage: str = "") -> dict:
    """A failure as the dashboard shows it: the plain-language hint first, the step in words, and
    the raw code and message kept for support (the template puts them under "Technical details")."""
    hint = error_hint_for(code)
    return {"hint": hint, "stage": STAGE_LABELS.get(stage, stage.title()) if stage else "",
            "link_problem": hint.link_problem or stage == "scrape", "code": code, "message": message}


def job_failure(job: AdJob) -> dict | None:
    if job.status == AdJob.Status.FAILED:
        return failure_view(code=job.error_code, message=job.error_message, stage=job.error_stage)
    if job.status == AdJob.Status.CANCELLED:
        return failure_view(code=job.error_code or "cancelled", message=job.error_message)
    return None


def product_failure(product: Product) -> dict | None:
    if product.status != Product.Status.FAILED:
        return None
    return failure_view(code=product.error_code, message=product.error_message, stage="scrape")


def job_waiting_queues(job: AdJob) -> set[str]:
    """The queues the job's queued stages wait on (what a worker must consume for it to move)."""
    return set(job.stage_runs.filter(status=StageRun.Status.QUEUED).values_list("queue", flat=True))


def product_waiting_queues(product: Product) -> set[str]:
    """The queues the product's page-reading job waits on."""
    return set(StageRun.objects.for_workspace(product.workspace_id)
               .filter(job__product=product, job__kind=AdJob.Kind.SCRAPE, status=StageRun.Status.QUEUED)
               .values_list("queue", flat=True))


def job_retry_seed(job: AdJob) -> dict:
    """What a retried job keeps whatever product it is for: its options (not its scripts, which are
    about its product) and its brand kit."""
    return {"options": {k: v for k, v in (job.options or {}).items() if k != "scripts"},
            "brand_kit": str(job.brand_kit_id) if job.brand_kit_id else None}


def retry_draft(seed: dict, product: Product, scripts: list[dict] | None = None) -> dict:
    """The create flow's session draft for `product`, seeded from a failed job."""
    return {"product": product_review_data(product), "images": list(range(len(product.images or []))),
            "options": seed["options"], "scripts": scripts or [], "brand_kit": seed["brand_kit"]}


def job_retry_draft(job: AdJob) -> dict | None:
    """The review/scripts draft that "Edit and retry" starts from: the failed job's options and
    scripts. None when the job has no readable product (it was submitted by link, and the link is
    the thing to change)."""
    product = job.product
    if product is None or product.status != Product.Status.READY:
        return None
    scripts = (job.options or {}).get("scripts") or [v.script for v in job.variants.order_by("index")]
    return retry_draft(job_retry_seed(job), product, scripts)


def product_image_file(product, index: int) -> Path | None:
    """The scrape's own copy of a product image (downloaded, re-encoded, metadata stripped), or
    None when the product has no such image or the artifact is gone."""
    from adgen.ops.selectors import artifact_store
    from pipelines.store import ArtifactMissing

    images = product.images or []
    name = images[index].get("file") if 0 <= index < len(images) else None
    if not name or not product.artifact_key:
        return None
    try:
        folder = artifact_store().path(product.artifact_key).resolve()
    except ArtifactMissing:
        return None
    path = (folder / name).resolve()
    return path if path.is_relative_to(folder) and path.is_file() else None


def product_image_urls(product) -> list[str]:
    """Where the dashboard shows each product image from: our copy (the shop's own address may be
    plain http, which the site's CSP refuses, or gone), the shop's address only when we have none."""
    return [reverse("dashboard:product-image", kwargs={"workspace_id": product.workspace_id,
                                                       "product_id": product.pk, "index": i})
            if image.get("file") and product.artifact_key else image.get("url", "")
            for i, image in enumerate(product.images or [])]


def product_review_data(product) -> dict:
    """The scraped product as the review form edits it (pipeline Product fields)."""
    data = dict(product.data or {})
    data.setdefault("url", product.url)
    data.setdefault("title", product.title or product.url)
    return data


def script_drafts(*, product_data: dict, image_urls: list[str], included_images: list[int],
                  options: dict, banned_words=(), words_per_second: float | None = None) -> list[dict]:
    """Scripts written by the offline writer from the reviewed product.

    Only the included images are offered to the writer; its `product_image:k` visuals are mapped
    back to the scraped images' indices, which is how the b-roll stage addresses them.
    """
    from pipelines.product import Product
    from pipelines.script import ScriptOptions, write_scripts

    product = Product.model_validate({**product_data, "images": [image_urls[i] for i in included_images]})
    scripts = write_scripts(product, ScriptOptions(variants=options["variants"], duration_s=options["duration"],
                                                   language=options["language"], tone=options.get("tone") or "friendly",
                                                   brand_safety=list(banned_words),
                                                   words_per_second=words_per_second))
    drafts = []
    for script in scripts:
        draft = script.model_dump(mode="json")
        for scene in draft["scenes"]:
            if scene["visual"].startswith("product_image:") and included_images:
                k = int(scene["visual"].split(":", 1)[1]) % len(included_images)
                scene["visual"] = f"product_image:{included_images[k]}"
        drafts.append(draft)
    return drafts


def script_pace(*, spec, language: str) -> float:
    """Tokens per second the job's voice reads `language` at: the very figure its script stage fits
    scripts to (pipelines.jobs.ScriptParams.words_per_second). `spec` None: the default voice's."""
    from pipelines.jobs import plan
    from pipelines.voice import words_per_second

    if spec is None:
        return words_per_second(None, None, language)
    return next(node.params for node in plan(spec, {}) if node.stage == "script").words_per_second(language)


def script_storyboard(*, scripts: list[dict], spec, image_urls: list[str]) -> list[dict]:
    """The script page's storyboard: per variant its plain framework name, target length and reading
    pace, and per scene its plain name and what it shows (the presenter, a product image, or b-roll)."""
    from pipelines.avatar.looks import DEFAULT_LOOK, LOOKS, get_look
    from pipelines.script.guards import LENGTH_TOLERANCE
    from pipelines.script.locale import lines_seconds
    from pipelines.script.roles import framework_name, scene_name

    paces: dict[str, float] = {}
    variants = []
    for v, script in enumerate(scripts):
        language = script.get("language") or "en"
        if language not in paces:
            paces[language] = script_pace(spec=spec, language=language)
        presenter = (spec.presenter(v)[1] if spec is not None else None) or DEFAULT_LOOK
        if presenter.strip().lower() in LOOKS:
            look = get_look(presenter)
            presenter_shot = {"kind": "presenter", "look": look.name, "label": look.label.split(":")[0]}
        else:  # the brand kit's portrait, animated by the photo presenter
            presenter_shot = {"kind": "portrait"}
        scenes = []
        for i, scene in enumerate(script["scenes"]):
            visual = scene.get("visual") or "avatar"
            if visual.startswith("product_image:"):
                k = int(visual.split(":", 1)[1] or 0)
                url = image_urls[k] if 0 <= k < len(image_urls) else ""
                shot = {"kind": "image", "url": url} if url else {"kind": "broll", "caption": "Product image"}
            elif visual.startswith("broll:"):
                shot = {"kind": "broll", "caption": visual.split(":", 1)[1].strip()}
            else:
                shot = presenter_shot
            scenes.append({"index": i, "name": scene_name(scene.get("role")), "shot": shot,
                           "voiceover": scene.get("voiceover", ""), "on_screen_text": scene.get("on_screen_text", "")})
        variants.append({"index": v, "script": script, "framework": framework_name(script.get("framework")),
                         "language": language, "target_s": script.get("target_duration_s") or 20,
                         "words_per_second": paces[language], "length_tolerance": LENGTH_TOLERANCE,
                         "estimate_s": lines_seconds([s["voiceover"] for s in scenes], language, paces[language]),
                         "scenes": scenes})
    return variants


def voice_choices(language: str | None = None) -> list[tuple[str, str]]:
    """Every voice the default voice engine offers (natural voices first, then espeak-ng's basic ones)."""
    from pipelines.voice import list_voices

    return [(v.id, v.label or v.id) for v in list_voices(language=language)]


def language_choices() -> list[tuple[str, str]]:
    """The ad languages the Create form offers: every language some voice here speaks."""
    from pipelines.voice import list_voices
    from pipelines.voice.catalog import language_choices as catalog_languages

    return catalog_languages(list_voices())


def voice_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """Catalog voices grouped by language label ("English (US)": [(id, label), ...])."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for voice_id, label in voice_choices():
        groups.setdefault(label.split(",")[0], []).append((voice_id, label))
    return list(groups.items())


def presenter_choices() -> list[tuple[str, str]]:
    from pipelines.avatar.looks import LOOKS

    return [(name, look.label) for name, look in LOOKS.items()]


def _preview_dir(kind: str):
    from django.conf import settings

    path = Path(settings.MEDIA_ROOT) / "dashboard-previews" / kind
    path.mkdir(parents=True, exist_ok=True)
    return path


# what each catalog language's voice says as its sample (English for the rest)
VOICE_SAMPLE_LINES = {
    "zh": "大家好，这是我的声音。", "yue": "大家好，这是我的声音。", "ja": "こんにちは、これが私の声です。",
    "ko": "안녕하세요, 제 목소리입니다.", "fr": "Bonjour ! Voici la voix de vos publicités.",
    "de": "Hallo! So klingen Ihre Anzeigen.", "es": "¡Hola! Así sonarán tus anuncios.",
    "it": "Ciao! Ecco come suoneranno i tuoi annunci.", "pt": "Olá! É assim que seus anúncios vão soar.",
    "nl": "Hallo! Zo klinken je advertenties.", "ru": "Привет! Так будет звучать ваша реклама.",
    "hi": "नमस्ते! आपके विज्ञापन ऐसे सुनाई देंगे।", "vi": "Xin chào! Đây là giọng quảng cáo của bạn.",
    "ar": "مرحبا! هكذا ستبدو إعلاناتك.",
}


def voice_sample_path(voice_id: str):
    """A spoken sample of a catalog voice, synthesised by the voice stage once and cached."""
    from pipelines.product import AdScript, Scene
    from pipelines.voice import list_voices, synthesize
    from pipelines.voice.catalog import normalize_language

    voice = next((v for v in list_voices() if v.id == voice_id), None)
    if voice is None:
        return None
    target = _preview_dir("voices") / f"{voice.id}.wav"
    if not target.exists():
        line = VOICE_SAMPLE_LINES.get(normalize_language(voice.language).split("-")[0],
                                      "Hi! This is how your ads will sound.")
        script = AdScript(variant_id="sample", framework="sample", language=voice.language, hook=line,
                          scenes=[Scene(voiceover=line)], cta="")
        track = synthesize(script, target.parent / f"work-{voice.id}", settings={"voice": voice.id})
        (target.parent / f"work-{voice.id}" / track.audio).replace(target)
    return target


def presenter_preview_path(look: str):
    """A still of a drawn presenter look in its rest pose, rendered once and cached."""
    from PIL import Image

    from pipelines.avatar.looks import LOOKS
    from pipelines.avatar.puppet import puppet_assets

    if look not in LOOKS:
        return None
    target = _preview_dir("presenters") / f"{look}.png"
    if not target.exists():
        assets = puppet_assets(look, "#3b5bdb", 270, 480, str(_preview_dir("presenter-cache")))
        frame = assets.base(0, 0, 0)
        Image.fromarray(frame[..., :3]).save(target)
    return target
