"""Thin API views over billing's services and selectors.

Workspace views subclass tenants.api.WorkspaceScopedViewSet: the workspace (and so the
organization whose credits are read or spent) comes only from the URL plus the caller's
membership or API key; anything else answers 404.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, views
from rest_framework.response import Response

from tenants.api import WORKSPACE_PARAMETER, WorkspaceScopedViewSet
from tenants.models import Membership

from . import selectors, services
from .errors import BillingError
from .serializers import (
    BalanceSerializer,
    CheckoutRequestSerializer,
    CheckoutResponseSerializer,
    LedgerEntrySerializer,
    PacksSerializer,
    PortalResponseSerializer,
    PurchaseSerializer,
    QuoteRequestSerializer,
    QuoteResponseSerializer,
    SubscribeRequestSerializer,
)


class PacksView(views.APIView):
    """Credit packs and monthly plans on sale (public: shown on pricing pages)."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=PacksSerializer)
    def get(self, request):
        return Response({"packs": selectors.packs_list(), "plans": selectors.plans_list()})


def _user(request):
    user = request.user
    return user if getattr(user, "pk", None) else None


@extend_schema(parameters=[WORKSPACE_PARAMETER])
class CreditsViewSet(WorkspaceScopedViewSet):
    """The workspace's organization's credits: balance, ledger, purchases, buying more."""

    serializer_class = LedgerEntrySerializer

    @property
    def write_role(self):  # buying and portal access: billing's payer role; reading for any member
        return selectors.PAYER_ROLE

    @property
    def organization(self):
        return self.request.workspace.organization

    @extend_schema(responses=BalanceSerializer)
    def balance(self, request, workspace_id):
        balance = selectors.account_balance(organization=self.organization)
        return Response({"organization_id": str(self.organization.pk), "available": balance.available,
                         "held": balance.held, "frozen": balance.frozen})

    @extend_schema(responses=LedgerEntrySerializer(many=True))
    def ledger(self, request, workspace_id):
        page = self.paginate_queryset(selectors.ledger_entries_list(organization=self.organization))
        return self.get_paginated_response(LedgerEntrySerializer(page, many=True).data)

    @extend_schema(responses=PurchaseSerializer(many=True))
    def purchases(self, request, workspace_id):
        page = self.paginate_queryset(selectors.purchases_list(organization=self.organization))
        return self.get_paginated_response(PurchaseSerializer(page, many=True).data)

    @extend_schema(request=CheckoutRequestSerializer, responses={201: CheckoutResponseSerializer})
    def checkout(self, request, workspace_id):
        body = CheckoutRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = services.checkout_session_create(workspace=request.workspace, pack_sku=body.validated_data["pack"],
                                                  user=_user(request))
        return Response(result, status=201)

    @extend_schema(request=SubscribeRequestSerializer, responses={201: CheckoutResponseSerializer})
    def subscribe(self, request, workspace_id):
        body = SubscribeRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = services.subscription_checkout_create(workspace=request.workspace,
                                                       plan_sku=body.validated_data["plan"], user=_user(request))
        return Response(result, status=201)

    @extend_schema(request=None, responses={201: PortalResponseSerializer})
    def portal(self, request, workspace_id):
        return Response({"url": services.portal_session_create(workspace=request.workspace)}, status=201)


@extend_schema(parameters=[WORKSPACE_PARAMETER])
class QuoteViewSet(WorkspaceScopedViewSet):
    """What a job with these options would cost, before submitting it."""

    serializer_class = QuoteRequestSerializer
    write_role = Membership.Role.VIEWER  # a quote changes nothing

    @extend_schema(request=QuoteRequestSerializer, responses=QuoteResponseSerializer)
    def quote(self, request, workspace_id):
        if not isinstance(request.data, dict):
            raise BillingError("The job options must be a JSON object.", code="invalid_spec")
        organization = request.workspace.organization
        spec = dict(request.data)
        lines = selectors.job_quote_lines(spec=spec)
        credits = selectors.job_quote(organization=organization, spec=spec)
        available = selectors.account_balance(organization=organization).available
        return Response({"credits": credits, "available": available, "sufficient": available >= credits,
                         "lines": lines})


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Stripe's events: verified by signature and timestamp, stored by id, processed once."""
    try:
        event, processed = services.stripe_event_receive(payload=request.body,
                                                         signature=request.headers.get("Stripe-Signature"))
    except BillingError as exc:
        return JsonResponse({"code": exc.code, "message": exc.message}, status=exc.status_code)
    return JsonResponse({"id": event.id, "status": "processed" if processed else "duplicate"})
