"""/favicon.ico: browsers and crawlers ask for it at the root whatever the page's <link rel="icon">
says; it answers with a redirect to the dashboard's one icon (a static file)."""

from __future__ import annotations

from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static

FAVICON = "dashboard/favicon.svg"  # base.html links it too ({% favicon_url %})


def favicon(request):
    return HttpResponsePermanentRedirect(static(FAVICON))
