"""The storyboard's live length estimate: the script writer's own figure
(pipelines.script.locale.lines_seconds) for the voice-over lines as the user types them, so the
browser never carries a copy of how speech is counted."""

from __future__ import annotations

from django.http import HttpResponseBadRequest, JsonResponse

from adgen.dashboard.views import workspace_view
from pipelines.script.locale import lines_seconds

MAX_LINES = 40
MAX_CHARACTERS = 8000
PACE_RANGE = (0.5, 12.0)  # speech units per second: far outside any voice's pace is a made-up request


@workspace_view()
def script_estimate(request):
    """GET ?language=en&pace=3.42&line=...&line=... → {"seconds": 18.4}"""
    lines = request.GET.getlist("line")
    language = request.GET.get("language", "en")[:16]
    try:
        pace = float(request.GET.get("pace", ""))
    except ValueError:
        return HttpResponseBadRequest("pace must be a number")
    if not PACE_RANGE[0] <= pace <= PACE_RANGE[1]:
        return HttpResponseBadRequest("pace is out of range")
    if len(lines) > MAX_LINES or sum(map(len, lines)) > MAX_CHARACTERS:
        return HttpResponseBadRequest("too much text to estimate")
    return JsonResponse({"seconds": round(lines_seconds(lines, language, pace), 2)})
