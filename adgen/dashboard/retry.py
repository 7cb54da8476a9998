"""A failed (or cancelled) job or product page is not a dead end: Retry, Edit and retry, and for a
link that could not be read, Try the link again (a different link goes through the create page)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from adgen.ads import selectors as ads_selectors
from adgen.ads import services as ads_services
from adgen.ads.models import AdJob, Product
from adgen.billing.errors import BillingError
from adgen.dashboard import selectors
from adgen.dashboard.views import _draft_key, _get_or_404, _job, _message, _ws_url, workspace_view
from adgen.security.throttles import ScrapeThrottle, throttled_or_none
from tenants.errors import ApiError
from tenants.models import Membership

def _ended_job(request, job_id) -> AdJob:
    job = _job(request, job_id)
    if job.status not in AdJob.RETRYABLE:
        raise Http404("Only a failed or cancelled job can be retried.")
    return job


@workspace_view(Membership.Role.EDITOR)
@require_POST
def job_retry(request, job_id):
    """The same options again: a new job with a new hold."""
    job = _ended_job(request, job_id)
    try:
        new = ads_services.job_retry(job=job, user=request.user)
    except (ApiError, BillingError) as exc:
        messages.error(request, _message(exc))
        return redirect(_ws_url(request, "job", job_id=job.pk))
    messages.info(request, "Started again as a new job.")
    return redirect(_ws_url(request, "job", job_id=new.pk))


@workspace_view(Membership.Role.EDITOR)
@require_POST
def job_edit_retry(request, job_id):
    """Back to the scripts page with the job's options and scripts filled in (the review page when
    it had no scripts yet); a job submitted by link goes to the create page with that link."""
    job = _ended_job(request, job_id)
    draft = selectors.job_retry_draft(job)
    if draft is None:
        return redirect(_ws_url(request, "create") + "?" + urlencode({"url": job.url, "retry_of": job.pk}))
    request.session[_draft_key(job.product)] = draft
    if draft["scripts"]:
        return redirect(_ws_url(request, "product-scripts", product_id=job.product.pk))
    return redirect(_ws_url(request, "product", product_id=job.product.pk))


@workspace_view(Membership.Role.EDITOR)
@require_POST
def product_retry(request, product_id):
    """Read the same link again (a new product; the failed one stays in the list)."""
    product = _get_or_404(ads_selectors.product_list(workspace=request.workspace), pk=product_id,
                          status=Product.Status.FAILED)
    if throttled_or_none(request, ScrapeThrottle) is not None:
        messages.error(request, "This workspace has read many pages in the last hour; try again later.")
        return redirect(_ws_url(request, "product", product_id=product.pk))
    new = ads_services.product_scrape_submit(workspace=request.workspace, url=product.url, user=request.user)
    return redirect(_ws_url(request, "product", product_id=new.pk))
