"""/healthz and /metrics: plain Django views, outside the API's auth and tenancy."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from adgen.ops import selectors


def _operator(request) -> bool:
    """Details (workers, queues, errors) for operators: a staff session or the ops token; with
    no token configured, everyone outside production."""
    token = settings.ADGEN_OPS_TOKEN
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if given and hmac.compare_digest(given, token):
            return True
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_staff:
        return True
    return not token and not getattr(settings, "PRODUCTION", False)


@never_cache
@require_GET
def healthz(request):
    healthy, report = selectors.health()
    if not _operator(request):
        report = {"status": report["status"]}
    return JsonResponse(report, status=200 if healthy else 503)


@never_cache
@require_GET
def metrics(request):
    """Prometheus text format: request, database and model metrics (django-prometheus)."""
    if settings.ADGEN_OPS_TOKEN and not _operator(request):
        return HttpResponse("metrics need the ops token\n", status=401, content_type="text/plain")
    from django_prometheus.exports import ExportToDjangoView

    return ExportToDjangoView(request)
