from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/v1/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/v1/", include("tenants.urls")),
    path("api/v1/", include("adgen.ads.urls")),
    path("api/v1/", include("adgen.billing.urls")),
    path("api/v1/", include("adgen.campaigns.urls")),
    path("", include("adgen.dashboard.urls")),
]
