"""Dashboard views: thin. Access is checked once per request (`workspace_view`), every object is read
through the URL's workspace, and every write goes through the apps' services."""

from __future__ import annotations

import mimetypes
import uuid
from urllib.parse import urlsplit
from functools import wraps

import pydantic
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from adgen.ads import selectors as ads_selectors
from adgen.ads import services as ads_services
from adgen.ads.models import AdJob, Product
from adgen.billing import selectors as billing_selectors
from adgen.billing import services as billing_services
from adgen.billing.errors import BillingError
from adgen.billing.stripe_client import card_payments_enabled
from adgen.dashboard import forms
from adgen.dashboard import selectors
from adgen.ops import selectors as ops_selectors
from adgen.security.throttles import ScrapeThrottle, SignupEmailThrottle, SignupThrottle, throttled_or_none
from adgen.security.uploads import served_content_type
from tenants import selectors as tenant_selectors
from tenants import services as tenant_services
from tenants.errors import ApiError
from tenants.models import Membership
from pipelines.errors import PipelineError

SESSION_WORKSPACE = "dashboard_workspace"


# --------------------------------------------------------------------------- access


def workspace_view(minimum: str = Membership.Role.VIEWER):
    """Log-in required; the URL's workspace must be one of the user's (else 404), with at least
    `minimum` role (else 404 too: a viewer is not told what an editor could do there)."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapper(request, workspace_id, *args, **kwargs):
            access = selectors.workspace_access_or_404(user=request.user, workspace_id=workspace_id)
            if not tenant_selectors.role_at_least(access.role, minimum):
                raise Http404("No such page.")
            request.access, request.workspace = access, access.workspace
            request.session[SESSION_WORKSPACE] = str(access.workspace.pk)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def _ws_url(request, name: str, **kwargs) -> str:
    return reverse(f"dashboard:{name}", kwargs={"workspace_id": request.workspace.pk, **kwargs})


def _message(exc) -> str:
    """The human message of a service error (ApiError keeps it in `detail`, BillingError in `message`)."""
    return getattr(exc, "message", None) or str(getattr(exc, "detail", exc))


def _get_or_404(queryset, **lookup):
    obj = queryset.filter(**lookup).first()
    if obj is None:
        raise Http404("Not found.")
    return obj


# --------------------------------------------------------------------------- accounts


def home(request):
    if not request.user.is_authenticated:
        return redirect("dashboard:login")
    workspaces = tenant_selectors.workspace_list_for_user(user=request.user)
    last = request.session.get(SESSION_WORKSPACE)
    if last and workspaces.filter(pk=last).exists():
        return redirect("dashboard:workspace", workspace_id=last)
    if workspaces.count() == 1:
        return redirect("dashboard:workspace", workspace_id=workspaces.first().pk)
    return redirect("dashboard:overview")


def signup(request):
    """The same answer whether or not the email has an account (the link in the mail decides)."""
    form = forms.SignUpForm(request.POST or None)
    if request.method == "POST":
        wait = throttled_or_none(request, SignupThrottle, SignupEmailThrottle)
        if wait is not None:
            return render(request, "dashboard/signup.html", {
                "form": form, "error": f"Too many sign-ups; try again in {max(1, round(wait / 60))} min."},
                status=429)
        if form.is_valid():
            d = form.cleaned_data
            tenant_services.signup_request(email=d["email"], password=d["password"], organization=d["organization"],
                                           agency=d["agency"],
                                           confirm_base=request.build_absolute_uri(reverse("dashboard:signup")) + "confirm")
            return render(request, "dashboard/signup_sent.html", {"email": d["email"]})
    return render(request, "dashboard/signup.html", {"form": form}, status=400 if form.errors else 200)


def signup_confirm(request, uidb64: str, token: str):
    """GET shows a button (mail scanners follow links); POST confirms, logs in, opens the workspace."""
    user = tenant_services.signup_confirm(uidb64=uidb64, token=token, check_only=request.method != "POST")
    if user is None:
        return render(request, "dashboard/signup_confirm.html", {"invalid": True}, status=404)
    if request.method != "POST":
        return render(request, "dashboard/signup_confirm.html", {})
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    workspace = tenant_selectors.workspace_list_for_user(user=user).first()
    messages.success(request, f"Welcome! {workspace.name} is ready." if workspace else "Welcome!")
    return redirect("dashboard:workspace", workspace_id=workspace.pk) if workspace else redirect("dashboard:home")


def invitation_accept(request, token: str):
    """Signed-in users join at once (after a POST); new users set a password first. The page says
    which workspace (and organization) the link opens and who sent it."""
    form = forms.InvitationSignUpForm(request.POST or None)
    invitation = tenant_selectors.invitation_for_token(token=token)
    if invitation is None and request.method != "POST":
        return render(request, "dashboard/invitation.html", {
            "error": "This invitation link is invalid, was revoked or has expired. Ask for a new one."}, status=404)
    if request.method == "POST":
        user = request.user if request.user.is_authenticated else None
        if user is None:
            email = request.POST.get("email", "").strip().lower()
            if not form.is_valid() or not email:
                return render(request, "dashboard/invitation.html", {"form": form, "token": token,
                                                                     "invitation": invitation}, status=400)
            if get_user_model().objects.filter(email__iexact=email).exists():
                # an existing account proves who it is by logging in, never by typing its email here
                return render(request, "dashboard/invitation.html", {
                    "form": form, "token": token, "invitation": invitation,
                    "error": "This email already has an account: log in first."},
                    status=400)
            user = tenant_services.user_get_or_create(email=email, password=form.cleaned_data["password"])
        try:
            membership = tenant_services.invitation_accept(token=token, user=user)
        except ApiError as exc:
            return render(request, "dashboard/invitation.html", {"error": _message(exc), "token": token}, status=404)
        if not request.user.is_authenticated:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"You joined {membership.workspace.name} as {membership.role}.")
        return redirect("dashboard:workspace", workspace_id=membership.workspace_id)
    return render(request, "dashboard/invitation.html", {"form": form, "token": token, "invitation": invitation})


@login_required
def overview(request):
    return render(request, "dashboard/overview.html", {
        "rows": selectors.agency_overview(user=request.user),
        "can_create": bool(selectors.organizations_owned(user=request.user))})


@login_required
def workspace_new(request):
    organizations = selectors.organizations_owned(user=request.user)
    if not organizations:
        raise Http404("Only organization owners and admins add workspaces.")
    form = forms.WorkspaceForm(request.POST or None, organizations=organizations,
                               initial={"organization": organizations[0].pk})
    if request.method == "POST" and form.is_valid():
        workspace = tenant_services.workspace_create(organization=form.cleaned_data["organization"],
                                                     name=form.cleaned_data["name"], owner=request.user)
        messages.success(request, f"Workspace {workspace.name} created.")
        return redirect("dashboard:workspace", workspace_id=workspace.pk)
    return render(request, "dashboard/workspace_new.html", {"form": form})


# --------------------------------------------------------------------------- workspace home (the Ads list: results.py)


# --------------------------------------------------------------------------- create flow


@workspace_view(Membership.Role.EDITOR)
def create(request):
    # ?url=: "Edit the link and retry" on a failed job or product starts from the link that failed
    form = forms.ProductUrlForm(request.POST or None, initial={"url": request.GET.get("url", "")})
    if request.method == "POST" and form.is_valid():
        if throttled_or_none(request, ScrapeThrottle) is not None:
            form.add_error("url", "This workspace has read many pages in the last hour; try again later.")
            return render(request, "dashboard/create.html", {"form": form, "recent": []}, status=429)
        product = ads_services.product_scrape_submit(workspace=request.workspace, url=form.cleaned_data["url"],
                                                     user=request.user)
        _retry_seed_keep(request, product)
        return redirect(_ws_url(request, "product", product_id=product.pk))
    recent = ads_selectors.product_list(workspace=request.workspace)[:6]
    return render(request, "dashboard/create.html", {"form": form, "recent": recent})


def _draft_key(product) -> str:
    return f"dashboard_draft:{product.pk}"


def _retry_seed_key(product) -> str:
    return f"dashboard_retry_seed:{product.pk}"


def _retry_seed_keep(request, product) -> None:
    """A failed job retried with a different link (?retry_of=<job>): its options wait in the
    session for the new product's review page."""
    try:
        job_id = uuid.UUID(request.GET.get("retry_of", ""))
    except ValueError:
        return
    job = ads_selectors.job_get(workspace=request.workspace, job_id=job_id)
    if job is not None and job.kind == AdJob.Kind.AD:
        request.session[_retry_seed_key(product)] = selectors.job_retry_seed(job)


def _retry_seed_draft(request, product) -> dict | None:
    seed = request.session.pop(_retry_seed_key(product), None)
    if seed is None:
        return None
    request.session[_draft_key(product)] = draft = selectors.retry_draft(seed, product)
    return draft


@workspace_view(Membership.Role.EDITOR)
def product(request, product_id):
    product = _get_or_404(ads_selectors.product_list(workspace=request.workspace), pk=product_id)
    polling = request.headers.get("HX-Request") == "true"
    if product.status != Product.Status.READY:
        template = "dashboard/_product_pending.html" if polling else "dashboard/product_pending.html"
        return render(request, template, {
            "product": product, "failure": selectors.product_failure(product),
            "worker_gap": None if product.status == Product.Status.FAILED
            else ops_selectors.worker_gap(selectors.product_waiting_queues(product))})
    if polling:  # the pending page's poll: the product is ready now
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    data = selectors.product_review_data(product)
    draft = request.session.get(_draft_key(product)) or _retry_seed_draft(request, product)
    kits = ads_selectors.brand_kit_list(workspace=request.workspace)
    form = forms.ReviewForm(request.POST or None, image_urls=selectors.product_image_urls(product),
                            brand_kits=kits, initial=forms.review_initial(data, product.images, draft))
    if request.method == "POST" and form.is_valid():
        options = form.options()
        included = form.cleaned_data["images"]
        product_data = form.product_data(data)
        kit = form.cleaned_data["brand_kit"]
        try:
            # fitted to the pace of the voice that will read them, as the pipeline's own script stage does
            pace = selectors.script_pace(spec=_job_spec(options, product, kit),
                                         language=options.get("language") or product_data.get("language") or "en")
            scripts = selectors.script_drafts(
                product_data=product_data, image_urls=[i.get("url", "") for i in product.images],
                included_images=included, options=options, banned_words=getattr(kit, "banned_words", None) or (),
                words_per_second=pace)
        except PipelineError as exc:
            form.add_error(None, f"{_message(exc)} ({exc.code})")
        except pydantic.ValidationError as exc:
            form.add_error(None, "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()))
        else:
            request.session[_draft_key(product)] = {
                "product": product_data, "images": included, "options": options, "scripts": scripts,
                "brand_kit": str(kit.pk) if kit else None}
            return redirect(_ws_url(request, "product-scripts", product_id=product.pk))
    return render(request, "dashboard/product_review.html", {"product": product, "form": form, "data": data})


def _quote(request, options: dict, product, brand_kit, *, url: str | None = None) -> int | None:
    """The price of the job these options will submit: the same spec, the same plan."""
    try:
        spec = ads_services.job_spec_build(options=options, url=url, product=product, brand_kit=brand_kit)
        return billing_selectors.job_quote(organization=request.workspace.organization, spec=spec)
    except (BillingError, ApiError):
        return None


def _job_spec(options: dict, product, brand_kit):
    """The spec these options will submit; None where they make none (submitting says why)."""
    try:
        return ads_services.job_spec_build(options=options, url=None, product=product, brand_kit=brand_kit)
    except ApiError:
        return None


@workspace_view(Membership.Role.EDITOR)
def product_scripts(request, product_id):
    product = _get_or_404(ads_selectors.product_list(workspace=request.workspace), pk=product_id,
                          status=Product.Status.READY)
    draft = request.session.get(_draft_key(product))
    if not draft:
        return redirect(_ws_url(request, "product", product_id=product.pk))
    kits = ads_selectors.brand_kit_list(workspace=request.workspace)
    brand_kit = kits.filter(pk=draft["brand_kit"]).first() if draft.get("brand_kit") else None
    quote = _quote(request, draft["options"], product, brand_kit)
    balance = billing_selectors.account_balance(organization=request.workspace.organization)
    error = None
    if request.method == "POST":
        scripts = forms.scripts_from_post(draft["scripts"], request.POST)
        draft["scripts"] = scripts or draft["scripts"]
        request.session[_draft_key(product)] = draft
        if not scripts:
            error = "Every script needs some voice-over."
        else:
            options = {**draft["options"], "variants": len(scripts), "scripts": scripts}
            try:
                job = ads_services.job_submit(workspace=request.workspace, options=options, product=product,
                                              brand_kit=brand_kit, user=request.user)
            except (ApiError, BillingError) as exc:
                error = _message(exc)
            else:
                del request.session[_draft_key(product)]
                return redirect(_ws_url(request, "job", job_id=job.pk))
    storyboard = selectors.script_storyboard(scripts=draft["scripts"], image_urls=selectors.product_image_urls(product),
                                             spec=_job_spec(draft["options"], product, brand_kit))
    return render(request, "dashboard/product_scripts.html", {
        "product": product, "draft": draft, "storyboard": storyboard, "quote": quote, "balance": balance,
        "brand_kit": brand_kit, "error": error}, status=400 if error else 200)


# --------------------------------------------------------------------------- jobs


def _job(request, job_id) -> AdJob:
    job = ads_selectors.job_get(workspace=request.workspace, job_id=job_id)
    if job is None or job.kind != AdJob.Kind.AD:
        raise Http404("No such job.")
    return job


def _job_context(request, job: AdJob) -> dict:
    return {"job": job, "progress": ads_selectors.job_progress(job), "bars": selectors.job_stage_bars(job),
            "failure": selectors.job_failure(job),
            "worker_gap": None if job.is_terminal else ops_selectors.worker_gap(selectors.job_waiting_queues(job))}


@workspace_view()
def job_progress(request, job_id):
    job = _job(request, job_id)
    response = render(request, "dashboard/_job_progress.html", _job_context(request, job))
    if job.is_terminal and request.GET.get("live"):
        response["HX-Refresh"] = "true"  # the page shows results or the error panel in full
    return response


@workspace_view(Membership.Role.EDITOR)
@require_POST
def job_cancel(request, job_id):
    job = _job(request, job_id)
    try:
        ads_services.job_cancel(job=job)
        messages.info(request, "The job was cancelled; held credits went back to your balance.")
    except ApiError as exc:
        messages.error(request, _message(exc))
    return redirect(_ws_url(request, "job", job_id=job.pk))


def _resubmit_options(job: AdJob, *, scripts: list[dict], preview: bool) -> dict:
    """A new job's options: this job's formats and settings, these scripts, this quality."""
    options = {k: v for k, v in job.options.items() if k in ("aspects", "duration", "language", "tone", "platforms")}
    options.update({"variants": len(scripts), "scripts": scripts, "preview": preview})
    return options


def _resubmit(request, job: AdJob, *, scripts: list[dict], preview: bool) -> AdJob:
    options = _resubmit_options(job, scripts=scripts, preview=preview)
    return ads_services.job_submit(workspace=request.workspace, options=options, product=job.product,
                                   url=None if job.product else job.url, brand_kit=job.brand_kit, user=request.user)


@workspace_view(Membership.Role.EDITOR)
def variant_rerender(request, job_id, index: int):
    """Re-render one variant with an edited script (a new, one-variant job)."""
    job = _job(request, job_id)
    variant = job.variants.filter(index=index).first()
    if variant is None:
        raise Http404("No such variant.")
    error = None
    if request.method == "POST":
        scripts = forms.scripts_from_post([variant.script], request.POST)
        if scripts:
            try:
                new = _resubmit(request, job, scripts=scripts, preview=request.POST.get("preview") == "on")
            except (ApiError, BillingError) as exc:
                error = _message(exc)
            else:
                return redirect(_ws_url(request, "job", job_id=new.pk))
        else:
            error = "The script needs some voice-over."
    return render(request, "dashboard/variant_rerender.html", {"job": job, "variant": variant, "error": error,
                                                               "script": variant.script})


def _file_response(field, *, download: bool, filename: str | None = None, user_file: bool = False):
    """A stored file, streamed. A user's upload is always an attachment of a type we produced
    (never HTML or SVG), with nosniff and a sandboxing CSP: nothing in it can run on our origin."""
    if not field:
        raise Http404("No such file.")
    name = filename or field.name.rsplit("/", 1)[-1]
    if user_file:
        response = FileResponse(field.open("rb"), as_attachment=True, filename=name,
                                content_type=served_content_type(name))
        response["Content-Security-Policy"] = settings.USER_FILE_CSP
        response["X-Content-Type-Options"] = "nosniff"
        response["Cross-Origin-Resource-Policy"] = "same-origin"
        return response
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FileResponse(field.open("rb"), as_attachment=download, filename=name, content_type=content_type)


@workspace_view()
def product_image(request, product_id, index: int):
    """A product image as the scrape stored it (not the shop's address: no hotlinking, no mixed content)."""
    product = _get_or_404(ads_selectors.product_list(workspace=request.workspace), pk=product_id)
    path = selectors.product_image_file(product, index)
    if path is None:
        raise Http404("No such image.")
    response = FileResponse(open(path, "rb"), content_type=mimetypes.guess_type(path.name)[0] or "image/jpeg")
    response["Cache-Control"] = "private, max-age=86400"
    return response


@workspace_view()
def render_file(request, render_id, kind: str):
    item = _get_or_404(ads_selectors.render_list(workspace=request.workspace), pk=render_id)
    field = {"video": item.file, "thumbnail": item.thumbnail, "captions": item.captions}.get(kind)
    if not field:
        raise Http404("No such file.")
    # saved under the export's name (product, variant, aspect, platform), as in the job's zip
    name = ads_selectors.render_download_name(item, field.name.rsplit(".", 1)[-1])
    return _file_response(field, download=bool(request.GET.get("download")), filename=name)


@workspace_view()
def job_archive(request, job_id):
    job = _job(request, job_id)
    return _file_response(job.archive, download=True, filename=ads_selectors.job_archive_name(job))


# --------------------------------------------------------------------------- brand kits


def _brand_kit_form(request, instance=None):
    return forms.BrandKitForm(request.POST or None, request.FILES or None, instance=instance,
                              presenters=selectors.presenter_choices(), voices=selectors.voice_choices())


@workspace_view()
def brand_kits(request):
    presenters = selectors.presenter_choices()
    return render(request, "dashboard/brand_kits.html", {
        "kits": ads_selectors.brand_kit_list(workspace=request.workspace),
        "voice_groups": selectors.voice_groups(), "presenters": presenters,
        "presenter_names": dict(presenters), "voice_names": dict(selectors.voice_choices())})


@workspace_view(Membership.Role.EDITOR)
def brand_kit_edit(request, kit_id=None):
    kit = (_get_or_404(ads_selectors.brand_kit_list(workspace=request.workspace), pk=kit_id)
           if kit_id else None)
    form = _brand_kit_form(request, kit)
    if request.method == "POST" and form.is_valid():
        try:
            if kit is None:
                kit = ads_services.brand_kit_create(workspace=request.workspace, **form.service_fields())
            else:
                kit = ads_services.brand_kit_update(brand_kit=kit, **form.service_fields())
        except Exception as exc:  # model validation from the service
            from django.core.exceptions import ValidationError

            if not isinstance(exc, ValidationError):
                raise
            form.add_error(None, "; ".join(exc.messages))
        else:
            messages.success(request, f"Brand kit {kit.name} saved.")
            return redirect(_ws_url(request, "brand-kits"))
    return render(request, "dashboard/brand_kit_form.html", {"form": form, "kit": kit})


BRAND_FILES = ("logo", "presenter_image", "music", "font", "intro", "outro")


@workspace_view()
def brand_kit_file(request, kit_id, kind: str):
    """A brand kit's uploaded file, for previews in the page (scoped like everything else)."""
    kit = _get_or_404(ads_selectors.brand_kit_list(workspace=request.workspace), pk=kit_id)
    if kind not in BRAND_FILES:
        raise Http404("No such file.")
    return _file_response(getattr(kit, kind), download=True, user_file=True)


@workspace_view()
def voice_sample(request, voice_id: str):
    """A short spoken sample of a catalog voice (synthesised once, then cached)."""
    from pipelines.errors import PipelineError

    try:
        path = selectors.voice_sample_path(voice_id)
    except PipelineError as exc:  # a voice that cannot speak here says why; never a 500
        return HttpResponse(exc.message, status=503, content_type="text/plain; charset=utf-8")
    if path is None:
        raise Http404("No such voice.")
    return FileResponse(open(path, "rb"), content_type="audio/wav")


@workspace_view()
def presenter_preview(request, look: str):
    path = selectors.presenter_preview_path(look)
    if path is None:
        raise Http404("No such presenter.")
    return FileResponse(open(path, "rb"), content_type="image/png")


# --------------------------------------------------------------------------- billing


@workspace_view(billing_selectors.PAYER_ROLE)
def billing(request):
    org = request.workspace.organization
    ledger = Paginator(billing_selectors.ledger_entries_list(organization=org), 25).get_page(request.GET.get("page"))
    holds = [h for h in billing_selectors.holds_list(organization=org).order_by("-id")[:50] if h.remaining > 0]
    response = render(request, "dashboard/billing.html", {
        "balance": billing_selectors.account_balance(organization=org), "ledger": ledger,
        "holds": selectors.credit_rows(items=holds, user=request.user, organization=org),
        "ledger_rows": selectors.credit_rows(items=ledger.object_list, user=request.user, organization=org),
        "packs": billing_selectors.packs_list(), "plans": billing_selectors.plans_list(),
        "purchases": billing_selectors.purchases_list(organization=org)[:10],
        "payments_enabled": card_payments_enabled(),
        # the people who can act on a missing Stripe key; customers are never shown setting names
        "is_operator": request.user.is_staff or request.access.is_owner,
        "checkout": request.GET.get("checkout")})
    # the Buy forms end on Stripe's checkout: when the operator points Stripe elsewhere (a
    # stripe-mock, the tests' stand-in), the CSP's form-action must allow that origin too
    if settings.STRIPE_API_BASE:
        response._csp_update = {"form-action": [_origin(settings.STRIPE_API_BASE)]}
    return response


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@workspace_view(billing_selectors.PAYER_ROLE)
@require_POST
def billing_checkout(request):
    sku = request.POST.get("pack", "")
    try:
        if request.POST.get("kind") == "plan":
            session = billing_services.subscription_checkout_create(workspace=request.workspace, plan_sku=sku,
                                                                    user=request.user)
        else:
            session = billing_services.checkout_session_create(workspace=request.workspace, pack_sku=sku,
                                                               user=request.user)
    except BillingError as exc:
        messages.error(request, _message(exc))
        return redirect(_ws_url(request, "billing"))
    return redirect(session["checkout_url"])


@workspace_view(billing_selectors.PAYER_ROLE)
@require_POST
def billing_portal(request):
    try:
        url = billing_services.portal_session_create(
            workspace=request.workspace, return_url=request.build_absolute_uri(_ws_url(request, "billing")))
    except BillingError as exc:
        messages.error(request, _message(exc))
        return redirect(_ws_url(request, "billing"))
    return redirect(url)


# --------------------------------------------------------------------------- campaigns


def _campaign(request, campaign_id):
    from adgen.campaigns import selectors as campaign_selectors

    return _get_or_404(campaign_selectors.campaign_list(workspace=request.workspace), pk=campaign_id)


@workspace_view()
def campaigns(request):
    from adgen.campaigns import selectors as campaign_selectors

    return render(request, "dashboard/campaigns.html", {
        "campaigns": campaign_selectors.campaign_list(workspace=request.workspace).prefetch_related("runs")})


@workspace_view(Membership.Role.EDITOR)
def campaign_edit(request, campaign_id=None):
    """Create or edit: the campaigns app's serializer validates (its rules, one place), its service writes."""
    from adgen.campaigns import services as campaign_services
    from adgen.campaigns.serializers import CampaignSerializer

    campaign = _campaign(request, campaign_id) if campaign_id else None
    kits = ads_selectors.brand_kit_list(workspace=request.workspace)
    form = forms.CampaignForm(request.POST or None, request.FILES or None, brand_kits=kits,
                              initial=forms.campaign_initial(campaign) if campaign else None)
    if request.method == "POST" and form.is_valid():
        serializer = CampaignSerializer(instance=campaign, data=form.api_data(), partial=campaign is not None,
                                        context={"workspace": request.workspace, "request": request})
        if serializer.is_valid():
            try:
                if campaign is None:
                    campaign = campaign_services.campaign_create(workspace=request.workspace,
                                                                 **serializer.validated_data)
                else:
                    campaign = campaign_services.campaign_update(campaign=campaign, **serializer.validated_data)
            except ApiError as exc:
                form.add_error(None, _message(exc))
            else:
                messages.success(request, f"Campaign {campaign.name} saved.")
                return redirect(_ws_url(request, "campaign", campaign_id=campaign.pk))
        else:
            for field, errors in serializer.errors.items():
                text = "; ".join(str(e) for e in (errors if isinstance(errors, list) else [errors]))
                form.add_error(field if field in form.fields else None, text)
    return render(request, "dashboard/campaign_form.html", {"form": form, "campaign": campaign})


@workspace_view()
def campaign(request, campaign_id):
    from adgen.campaigns import selectors as campaign_selectors

    campaign = _campaign(request, campaign_id)
    runs = Paginator(campaign_selectors.run_list(campaign=campaign), 20).get_page(request.GET.get("page"))
    return render(request, "dashboard/campaign.html", {"campaign": campaign, "page": runs})


@workspace_view(Membership.Role.EDITOR)
@require_POST
def campaign_run_now(request, campaign_id):
    from adgen.campaigns import services as campaign_services

    campaign = _campaign(request, campaign_id)
    run = campaign_services.campaign_run_start(campaign=campaign, force=request.POST.get("force") == "on")
    if run is None:
        messages.error(request, "A run is already starting.")
        return redirect(_ws_url(request, "campaign", campaign_id=campaign.pk))
    return redirect(_ws_url(request, "campaign-run", campaign_id=campaign.pk, run_id=run.pk))


def _run(request, campaign, run_id):
    from adgen.campaigns import selectors as campaign_selectors

    return _get_or_404(campaign_selectors.run_list(campaign=campaign), pk=run_id)


@workspace_view()
def campaign_run(request, campaign_id, run_id):
    from adgen.campaigns import selectors as campaign_selectors

    campaign = _campaign(request, campaign_id)
    run = _run(request, campaign, run_id)
    context = {"campaign": campaign, "run": run, "items": campaign_selectors.item_list(run=run).prefetch_related("jobs")}
    template = "dashboard/_campaign_run.html" if request.headers.get("HX-Request") == "true" else \
        "dashboard/campaign_run.html"
    return render(request, template, context)


@workspace_view()
def campaign_run_archive(request, campaign_id, run_id):
    run = _run(request, _campaign(request, campaign_id), run_id)
    return _file_response(run.archive, download=True, filename=f"campaign-run-{run.pk}.zip")
