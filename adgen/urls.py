from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

# Swagger UI's files are our own static files (drf-spectacular-sidecar, SWAGGER_UI_DIST="SIDECAR") and
# its start-up script is served from this same URL (?script, the "split" view): the page needs no
# network and the site-wide CSP (script-src 'self', no inline script) holds here too.
docs = SpectacularSwaggerSplitView.as_view(url_name="schema")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/v1/docs/", docs, name="swagger-ui"),
    path("api/v1/", include("tenants.urls")),
    path("api/v1/", include("adgen.ads.urls")),
    path("api/v1/", include("adgen.billing.urls")),
    path("api/v1/", include("adgen.campaigns.urls")),
    path("", include("adgen.ops.urls")),  # /healthz, /metrics
    path("", include("adgen.dashboard.urls")),
]

handler404 = "adgen.security.views.not_found"
handler500 = "adgen.security.views.server_error"
