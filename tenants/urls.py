from rest_framework.routers import SimpleRouter

from tenants.views import ApiKeyViewSet

router = SimpleRouter()
router.register(r"workspaces/(?P<workspace_id>[0-9a-f-]{36})/api-keys", ApiKeyViewSet, basename="api-key")

urlpatterns = router.urls
