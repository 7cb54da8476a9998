"""The ads API under /api/v1/workspaces/{workspace_id}/: thin views over services/selectors.
Scoping comes from tenants.api.WorkspaceScopedViewSet (404 outside the URL's workspace)."""

from __future__ import annotations

import json

from django.http import FileResponse, HttpResponseRedirect, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, renderers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from adgen.ads import selectors, services, webhooks
from adgen.ads.models import AdJob, BrandKit, Product, Render, Webhook
from adgen.ads.serializers import (AdCreateSerializer, AdJobSerializer, BrandKitSerializer, EventsQuerySerializer,
                                   ProductCreateSerializer, AdProductSerializer, RenderSerializer, WebhookSerializer)
from adgen.security.throttles import ScrapeThrottle
from tenants.api import WORKSPACE_PARAMETER, WorkspaceScopedViewSet
from tenants.models import Membership

UUID_RE = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
WS = [WORKSPACE_PARAMETER]


def _ws_schema(names=("list", "retrieve", "create", "update", "partial_update", "destroy"), **extra):
    return {name: extend_schema(parameters=WS, **extra.get(name, {})) for name in names}


class EventStreamRenderer(renderers.BaseRenderer):
    media_type = "text/event-stream"
    format = "sse"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return json.dumps(data).encode() if data is not None else b""


def _file_response(field, *, filename: str):
    """Local storage streams the file; object storage redirects to its (signed) URL."""
    try:
        field.path
    except NotImplementedError:
        return HttpResponseRedirect(field.url)
    return FileResponse(field.open("rb"), as_attachment=True, filename=filename)


@extend_schema_view(**_ws_schema(("list", "retrieve", "create", "destroy"), create={"request": ProductCreateSerializer, "responses": {202: AdProductSerializer},
                                         "summary": "Scrape a product page (202: the product fills in when done)"}))
class ProductViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                     mixins.DestroyModelMixin, WorkspaceScopedViewSet):
    model = Product
    serializer_class = AdProductSerializer
    lookup_value_regex = UUID_RE
    filter_fields = {"status": "status"}

    def get_throttles(self):  # scraping is free to the tenant but not to us: a budget per workspace
        return [*super().get_throttles(), *([ScrapeThrottle()] if self.action == "create" else [])]

    def create(self, request, *args, **kwargs):
        serializer = ProductCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        product = services.product_scrape_submit(workspace=request.workspace, url=serializer.validated_data["url"],
                                                 user=request.user)
        return Response(AdProductSerializer(product).data, status=status.HTTP_202_ACCEPTED)


@extend_schema_view(
    list=extend_schema(parameters=WS, summary="List ad jobs"),
    retrieve=extend_schema(parameters=WS, summary="An ad job: status, progress, per-stage progress, errors, outputs"),
    create=extend_schema(parameters=WS, request=AdCreateSerializer, responses={202: AdJobSerializer},
                         summary="Make ads from a URL or a scraped product (202: the job)"),
    cancel=extend_schema(parameters=WS, request=None, responses={200: AdJobSerializer}, summary="Cancel a job"),
    events=extend_schema(parameters=[*WS, EventsQuerySerializer], responses={(200, "text/event-stream"): OpenApiTypes.STR},
                         summary="Server-sent events: the job's status and progress until it finishes"),
    archive=extend_schema(parameters=WS, responses={(200, "application/zip"): OpenApiTypes.BINARY},
                          summary="Download the exported batch (zip)"),
)
class AdJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, WorkspaceScopedViewSet):
    model = AdJob
    serializer_class = AdJobSerializer
    lookup_value_regex = UUID_RE
    filter_fields = {"status": "status", "product": "product_id"}

    def get_queryset(self):
        return super().get_queryset().filter(kind=AdJob.Kind.AD)

    def create(self, request, *args, **kwargs):
        serializer = AdCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        options = dict(serializer.validated_data)
        url, product, brand_kit = options.pop("url", None), options.pop("product", None), options.pop("brand_kit", None)
        job = services.job_submit(workspace=request.workspace, options=options, url=url, product=product,
                                  brand_kit=brand_kit, user=request.user)
        return Response(AdJobSerializer(job, context=self.get_serializer_context()).data,
                        status=status.HTTP_202_ACCEPTED)

    @action(detail=True, methods=["post"])
    def cancel(self, request, *args, **kwargs):
        job = services.job_cancel(job=self.get_object())
        return Response(AdJobSerializer(job, context=self.get_serializer_context()).data)

    @action(detail=True, methods=["get"], renderer_classes=[renderers.JSONRenderer, EventStreamRenderer])
    def events(self, request, *args, **kwargs):
        job = self.get_object()
        base = request.build_absolute_uri("/")
        timeout_s = EventsQuerySerializer.timeout_from(request)

        from adgen.ads import events  # streamed as it happens: async under ASGI (issue 20)

        stream = events.job_events_async if events.is_asgi(request) else events.job_events
        response = StreamingHttpResponse(stream(job, base_url=base, timeout_s=timeout_s),
                                         content_type="text/event-stream")
        response["Cache-Control"] = "no-cache"
        response["X-Accel-Buffering"] = "no"
        return response

    @action(detail=True, methods=["get"])
    def archive(self, request, *args, **kwargs):
        job = self.get_object()
        if job.status != AdJob.Status.SUCCEEDED or not job.archive:
            return Response({"code": "not_found", "message": "This job has no exported batch yet."},
                            status=status.HTTP_404_NOT_FOUND)
        return _file_response(job.archive, filename=selectors.job_archive_name(job))


@extend_schema_view(
    list=extend_schema(parameters=WS, summary="Delivered renders (variant x aspect)"),
    retrieve=extend_schema(parameters=WS),
    download=extend_schema(parameters=WS, responses={(200, "video/mp4"): OpenApiTypes.BINARY},
                           summary="Download the MP4"),
)
class RenderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkspaceScopedViewSet):
    model = Render
    serializer_class = RenderSerializer
    lookup_value_regex = UUID_RE
    filter_fields = {"job": "job_id", "aspect": "aspect", "platform": "platform"}

    def get_queryset(self):
        return super().get_queryset().select_related("variant", "job__product")

    @action(detail=True, methods=["get"])
    def download(self, request, *args, **kwargs):
        render = self.get_object()
        return _file_response(render.file, filename=selectors.render_download_name(render))


@extend_schema_view(**_ws_schema())
class BrandKitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                      mixins.UpdateModelMixin, mixins.DestroyModelMixin, WorkspaceScopedViewSet):
    model = BrandKit
    serializer_class = BrandKitSerializer
    lookup_value_regex = UUID_RE
    filter_fields = {"name": "name"}

    def perform_create(self, serializer):
        serializer.instance = services.brand_kit_create(workspace=self.request.workspace, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.brand_kit_update(brand_kit=serializer.instance, **serializer.validated_data)


@extend_schema_view(**_ws_schema())
class WebhookViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                     mixins.UpdateModelMixin, mixins.DestroyModelMixin, WorkspaceScopedViewSet):
    model = Webhook
    serializer_class = WebhookSerializer
    lookup_value_regex = UUID_RE
    write_role = Membership.Role.ADMIN
    filter_fields = {"active": "active"}

    def perform_create(self, serializer):
        serializer.instance = webhooks.webhook_create(workspace=self.request.workspace, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = webhooks.webhook_update(webhook=serializer.instance, **serializer.validated_data)
