from rest_framework.routers import SimpleRouter

from adgen.ads.views import AdJobViewSet, BrandKitViewSet, ProductViewSet, RenderViewSet, WebhookViewSet

WORKSPACE = r"workspaces/(?P<workspace_id>[0-9a-f-]{36})"

router = SimpleRouter()
router.register(rf"{WORKSPACE}/products", ProductViewSet, basename="product")
router.register(rf"{WORKSPACE}/ads", AdJobViewSet, basename="ad")
router.register(rf"{WORKSPACE}/renders", RenderViewSet, basename="render")
router.register(rf"{WORKSPACE}/brand-kits", BrandKitViewSet, basename="brand-kit")
router.register(rf"{WORKSPACE}/webhooks", WebhookViewSet, basename="webhook")

urlpatterns = router.urls
