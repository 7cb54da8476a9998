"""Request-level refusals that hold for every view, API and dashboard alike."""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse


class RefuseNulMiddleware:
    """A NUL character in the path or the query string is a 400: PostgreSQL cannot store or
    compare one, so letting it reach a query would be a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any("\x00" in key or any("\x00" in v for v in request.GET.getlist(key))
                                         for key in request.GET):
            message = "NUL characters are not accepted in the URL."
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "nul_character", "message": message}, status=400)
            return HttpResponseBadRequest(message)
        return self.get_response(request)


class RequestSizeMiddleware:
    """A body larger than ADGEN_MAX_REQUEST_BYTES is a 413 before a byte of it is read (the
    per-field upload limits in adgen.security.uploads are checked after)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.ADGEN_MAX_REQUEST_BYTES:
            limit_mb = settings.ADGEN_MAX_REQUEST_BYTES // (1024 * 1024)
            message = f"The request is larger than {limit_mb} MB."
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "too_large", "message": message}, status=413)
            return HttpResponse(message, status=413, content_type="text/plain")
        return self.get_response(request)
