"""The campaigns API under /api/v1/workspaces/{workspace_id}/campaigns/ (scoped by the SaaS
core's WorkspaceScopedViewSet: another workspace's campaign or run answers 404)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from adgen.ads.views import UUID_RE, _file_response
from adgen.campaigns import services
from adgen.campaigns.models import Campaign, CampaignRun
from adgen.campaigns.serializers import (CampaignRunDetailSerializer, CampaignRunSerializer, CampaignSerializer,
                                         RunNowSerializer)
from tenants.api import WORKSPACE_PARAMETER, WorkspaceScopedViewSet

WS = [WORKSPACE_PARAMETER]
CAMPAIGN = OpenApiParameter("campaign_pk", str, OpenApiParameter.PATH, description="Campaign id.")


@extend_schema_view(
    list=extend_schema(parameters=WS, summary="List campaigns"),
    retrieve=extend_schema(parameters=WS),
    create=extend_schema(parameters=WS, summary="Create a campaign (source, matrix, budget, schedule, delivery)"),
    update=extend_schema(parameters=WS),
    partial_update=extend_schema(parameters=WS),
    destroy=extend_schema(parameters=WS),
    run=extend_schema(parameters=WS, request=RunNowSerializer, responses={202: CampaignRunSerializer},
                      summary="Run now"),
)
class CampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                      mixins.UpdateModelMixin, mixins.DestroyModelMixin, WorkspaceScopedViewSet):
    model = Campaign
    serializer_class = CampaignSerializer
    lookup_value_regex = UUID_RE
    filter_fields = {"enabled": "enabled", "source_kind": "source_kind"}

    def perform_create(self, serializer):
        serializer.instance = services.campaign_create(workspace=self.request.workspace, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.campaign_update(campaign=serializer.instance, **serializer.validated_data)

    @action(detail=True, methods=["post"])
    def run(self, request, *args, **kwargs):
        campaign = self.get_object()
        body = RunNowSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        run = services.campaign_run_start(campaign=campaign, trigger=CampaignRun.Trigger.MANUAL,
                                          force=body.validated_data["force"])
        return Response(CampaignRunSerializer(run, context=self.get_serializer_context()).data,
                        status=status.HTTP_202_ACCEPTED)


@extend_schema_view(
    list=extend_schema(parameters=[*WS, CAMPAIGN], summary="A campaign's runs"),
    retrieve=extend_schema(parameters=[*WS, CAMPAIGN], responses=CampaignRunDetailSerializer,
                           summary="A run with per-product status and export links"),
    archive=extend_schema(parameters=[*WS, CAMPAIGN], responses={(200, "application/zip"): OpenApiTypes.BINARY},
                          summary="Download the run's zip (videos + manifest.json)"),
)
class CampaignRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkspaceScopedViewSet):
    model = CampaignRun
    serializer_class = CampaignRunSerializer
    lookup_value_regex = UUID_RE
    filter_fields = {"status": "status", "trigger": "trigger"}

    def get_queryset(self):
        return super().get_queryset().filter(campaign_id=self.kwargs.get("campaign_pk")).select_related("campaign")

    def get_serializer_class(self):
        return CampaignRunDetailSerializer if self.action == "retrieve" else CampaignRunSerializer

    @action(detail=True, methods=["get"])
    def archive(self, request, *args, **kwargs):
        run = self.get_object()
        if not run.archive:
            return Response({"code": "not_found", "message": "This run has no delivered zip yet."},
                            status=status.HTTP_404_NOT_FOUND)
        return _file_response(run.archive, filename=f"adgen-campaign-{run.campaign_id}-{run.pk}.zip")
