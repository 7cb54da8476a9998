from django.contrib import admin
from django.urls import include, path
from csp.decorators import csp_update
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

# Swagger UI comes from its CDN and its start-up script from our own URL (no inline script)
SWAGGER_CDN = "https://cdn.jsdelivr.net"
docs = csp_update({"script-src": [SWAGGER_CDN], "style-src": [SWAGGER_CDN], "img-src": [SWAGGER_CDN]})(
    SpectacularSwaggerSplitView.as_view(url_name="schema"))

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
