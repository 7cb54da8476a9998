from django.urls import path

from .views import CreditsViewSet, PacksView, QuoteViewSet, stripe_webhook

workspace = "workspaces/<uuid:workspace_id>/"

urlpatterns = [
    path("billing/packs/", PacksView.as_view(), name="billing-packs"),
    path("billing/stripe/webhook/", stripe_webhook, name="billing-stripe-webhook"),
    path(f"{workspace}credits/", CreditsViewSet.as_view({"get": "balance"}), name="credits-balance"),
    path(f"{workspace}credits/ledger/", CreditsViewSet.as_view({"get": "ledger"}), name="credits-ledger"),
    path(f"{workspace}credits/purchases/", CreditsViewSet.as_view({"get": "purchases"}), name="credits-purchases"),
    path(f"{workspace}credits/checkout/", CreditsViewSet.as_view({"post": "checkout"}), name="credits-checkout"),
    path(f"{workspace}credits/subscribe/", CreditsViewSet.as_view({"post": "subscribe"}), name="credits-subscribe"),
    path(f"{workspace}credits/portal/", CreditsViewSet.as_view({"post": "portal"}), name="credits-portal"),
    # Under the ads/ prefix the SaaS core owns; adgen/urls.py includes ads before billing, so the
    # ads router must not claim "ads/quote/" as an ad id (its ids are UUIDs, so it does not).
    path(f"{workspace}ads/quote/", QuoteViewSet.as_view({"post": "quote"}), name="ads-quote"),
]
