from rest_framework.routers import SimpleRouter

from adgen.campaigns.views import CampaignRunViewSet, CampaignViewSet

WORKSPACE = r"workspaces/(?P<workspace_id>[0-9a-f-]{36})"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

router = SimpleRouter()
router.register(rf"{WORKSPACE}/campaigns", CampaignViewSet, basename="campaign")
router.register(rf"{WORKSPACE}/campaigns/(?P<campaign_pk>{UUID})/runs", CampaignRunViewSet, basename="campaign-run")

urlpatterns = router.urls
