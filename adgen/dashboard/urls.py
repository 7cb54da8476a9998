from django.contrib.auth import views as auth_views
from django.urls import path

from adgen.dashboard import api_keys, favicon, views

app_name = "dashboard"
WS = "workspaces/<uuid:workspace_id>/"

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", favicon.favicon, name="favicon"),
    path("signup/", views.signup, name="signup"),
    path("signup/confirm/<str:uidb64>/<str:token>/", views.signup_confirm, name="signup-confirm"),
    path("login/", auth_views.LoginView.as_view(template_name="dashboard/login.html",
                                                redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="dashboard:login"), name="logout"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation"),
    path("workspaces/", views.overview, name="overview"),
    path("workspaces/new/", views.workspace_new, name="workspace-new"),
    path(WS, views.workspace, name="workspace"),
    path(WS + "members/", views.members, name="members"),
    path(WS + "api-keys/", api_keys.api_keys, name="api-keys"),
    path(WS + "api-keys/<uuid:key_id>/revoke/", api_keys.api_key_revoke, name="api-key-revoke"),
    path(WS + "create/", views.create, name="create"),
    path(WS + "products/<uuid:product_id>/", views.product, name="product"),
    path(WS + "products/<uuid:product_id>/scripts/", views.product_scripts, name="product-scripts"),
    path(WS + "jobs/<uuid:job_id>/", views.job, name="job"),
    path(WS + "jobs/<uuid:job_id>/progress/", views.job_progress, name="job-progress"),
    path(WS + "jobs/<uuid:job_id>/cancel/", views.job_cancel, name="job-cancel"),
    path(WS + "jobs/<uuid:job_id>/upgrade/", views.job_upgrade, name="job-upgrade"),
    path(WS + "jobs/<uuid:job_id>/variants/<int:index>/rerender/", views.variant_rerender, name="variant-rerender"),
    path(WS + "jobs/<uuid:job_id>/archive.zip", views.job_archive, name="job-archive"),
    path(WS + "renders/<uuid:render_id>/<str:kind>/", views.render_file, name="render-file"),
    path(WS + "brand-kits/", views.brand_kits, name="brand-kits"),
    path(WS + "brand-kits/new/", views.brand_kit_edit, name="brand-kit-new"),
    path(WS + "brand-kits/<uuid:kit_id>/", views.brand_kit_edit, name="brand-kit-edit"),
    path(WS + "brand-kits/<uuid:kit_id>/files/<str:kind>/", views.brand_kit_file, name="brand-kit-file"),
    path(WS + "voices/<str:voice_id>/sample.wav", views.voice_sample, name="voice-sample"),
    path(WS + "presenters/<str:look>/preview.png", views.presenter_preview, name="presenter-preview"),
    path(WS + "campaigns/", views.campaigns, name="campaigns"),
    path(WS + "campaigns/new/", views.campaign_edit, name="campaign-new"),
    path(WS + "campaigns/<uuid:campaign_id>/", views.campaign, name="campaign"),
    path(WS + "campaigns/<uuid:campaign_id>/edit/", views.campaign_edit, name="campaign-edit"),
    path(WS + "campaigns/<uuid:campaign_id>/run/", views.campaign_run_now, name="campaign-run-now"),
    path(WS + "campaigns/<uuid:campaign_id>/runs/<uuid:run_id>/", views.campaign_run, name="campaign-run"),
    path(WS + "campaigns/<uuid:campaign_id>/runs/<uuid:run_id>/archive.zip", views.campaign_run_archive,
         name="campaign-run-archive"),
    path(WS + "billing/", views.billing, name="billing"),
    path(WS + "billing/checkout/", views.billing_checkout, name="billing-checkout"),
    path(WS + "billing/portal/", views.billing_portal, name="billing-portal"),
]
