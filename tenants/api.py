"""The API's tenancy in one place: API-key auth, the workspace-scoped base viewset, per-workspace
throttling, query-parameter filters, and JSON errors with a stable `code` and a human `message`."""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, mixins, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import exception_handler as drf_exception_handler

from adgen.security.queries import QueryParamFilter  # noqa: F401  (the API's one filter backend)
from tenants.models import ApiKey, Membership
from tenants.auth import ApiKeyAuthentication, ApiKeyUser  # noqa: F401  (re-exported)
from tenants.selectors import role_at_least, workspace_role


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "tenants.auth.ApiKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A workspace API key."}


class IsWorkspaceMember(BasePermission):
    """Reads need any role; writes need the view's `write_role` (editor unless said otherwise)."""

    def has_permission(self, request, view) -> bool:
        role = getattr(request, "workspace_role", None)
        if role is None:
            return False
        minimum = Membership.Role.VIEWER if request.method in SAFE_METHODS else getattr(view, "write_role", Membership.Role.EDITOR)
        if not role_at_least(role, minimum):
            raise exceptions.PermissionDenied(f"Your role ({role}) cannot do this; it needs {minimum} or above.",
                                              code="insufficient_role")
        return True


class WorkspaceRateThrottle(SimpleRateThrottle):
    """One budget per workspace, whoever calls (all its keys and members share it)."""

    scope = "workspace"

    def get_cache_key(self, request, view):
        workspace = getattr(request, "workspace", None)
        return None if workspace is None else self.cache_format % {"scope": self.scope, "ident": workspace.pk}


WORKSPACE_PARAMETER = OpenApiParameter("workspace_id", uuid.UUID, OpenApiParameter.PATH, description="Workspace id.")


class WorkspaceScopedViewSet(viewsets.GenericViewSet):
    """The one base class of every API view under /workspaces/{workspace_id}/.

    The workspace comes from the URL and the caller's membership (or API key) — never from the
    body — and every query goes through `Model.objects.for_workspace`. An object of another
    workspace is therefore simply not found (404), and so is a workspace the caller cannot see.
    """

    authentication_classes = [ApiKeyAuthentication, SessionAuthentication]
    permission_classes = [IsWorkspaceMember]
    throttle_classes = [WorkspaceRateThrottle]
    filter_backends = [QueryParamFilter]
    filter_fields: dict[str, str] = {}
    write_role = Membership.Role.EDITOR
    model = None  # a tenants.models.WorkspaceScopedModel subclass

    def initial(self, request, *args, **kwargs):
        self.format_kwarg = self.get_format_suffix(**kwargs)
        self.perform_authentication(request)
        request.workspace, request.workspace_role = None, None
        if request.user and request.user.is_authenticated:
            found = workspace_role(workspace_id=kwargs.get("workspace_id"), user=request.user,
                                   api_key=request.auth if isinstance(request.auth, ApiKey) else None)
            if found is None:
                raise exceptions.NotFound("No such workspace.", code="not_found")
            request.workspace, request.workspace_role = found
        neg = self.perform_content_negotiation(request)
        request.accepted_renderer, request.accepted_media_type = neg
        version, scheme = self.determine_version(request, *args, **kwargs)
        request.version, request.versioning_scheme = version, scheme
        self.check_permissions(request)
        self.check_throttles(request)
        self.check_parents(kwargs)

    def check_parents(self, kwargs) -> None:
        """Nested routes (`campaigns/{campaign_pk}/runs/`): each `<name>_pk` must name a row of
        this workspace through `model.<name>`, else 404 — even for an empty list."""
        for name, value in kwargs.items():
            if not name.endswith("_pk"):
                continue
            try:
                parent = self.model._meta.get_field(name[:-3]).related_model
            except Exception:  # an unknown parent cannot be checked: fail closed
                raise exceptions.NotFound("Not found.", code="not_found")
            try:
                found = parent.objects.for_workspace(self.request.workspace).filter(pk=value).exists()
            except (ValueError, DjangoValidationError):
                found = False
            if not found:
                raise exceptions.NotFound("Not found.", code="not_found")

    @property
    def workspace(self):
        return self.request.workspace

    def scoped(self, model):
        """Rows of `model` in this request's workspace (also used to validate ids in bodies)."""
        if getattr(self, "swagger_fake_view", False):
            return model.objects.none()
        return model.objects.for_workspace(self.request.workspace)

    def get_queryset(self):
        return self.scoped(self.model)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["workspace"] = getattr(self.request, "workspace", None)
        return context


class ListRetrieveMixin(mixins.ListModelMixin, mixins.RetrieveModelMixin):
    pass


def _flatten(detail, prefix: str = "") -> list[str]:
    if isinstance(detail, dict):
        return [m for k, v in detail.items() for m in _flatten(v, f"{prefix}{k}: " if k != "non_field_errors" else prefix)]
    if isinstance(detail, list):
        return [m for item in detail for m in _flatten(item, prefix)]
    return [f"{prefix}{detail}"]


def exception_handler(exc, context):
    """Every error body: {"code": stable_machine_code, "message": "human words", ["fields": {...}]}."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found.", code="not_found")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        body = {"code": "invalid", "message": "; ".join(_flatten(exc.detail)) or "Invalid input.",
                "fields": exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}}
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        code = codes if isinstance(codes, str) else exc.default_code
        if isinstance(exc, exceptions.NotFound):
            code = "not_found"
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        body = {"code": code, "message": str(detail)}
    return Response(body, status=response.status_code, headers={k: v for k, v in response.items()})
