"""Request-level refusals that hold for every view, API and dashboard alike."""

from __future__ import annotations

from django.http import HttpResponseBadRequest, JsonResponse


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
