from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.response import Response

from adgen.security.throttles import ApiKeyCreateThrottle
from tenants.api import WORKSPACE_PARAMETER, WorkspaceScopedViewSet
from tenants.models import ApiKey, Membership
from tenants.selectors import role_at_least
from tenants.serializers import ApiKeyCreatedSerializer, ApiKeySerializer
from tenants.errors import ApiError
from tenants.services import api_key_create, api_key_revoke


@extend_schema_view(
    list=extend_schema(parameters=[WORKSPACE_PARAMETER], summary="List the workspace's API keys (prefixes only)"),
    retrieve=extend_schema(parameters=[WORKSPACE_PARAMETER]),
    create=extend_schema(parameters=[WORKSPACE_PARAMETER], responses={201: ApiKeyCreatedSerializer},
                         summary="Create an API key; the secret is in this response only"),
    destroy=extend_schema(parameters=[WORKSPACE_PARAMETER], responses={200: ApiKeySerializer},
                          summary="Revoke an API key (200: the key, with revoked_at set)"),
)
class ApiKeyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                    mixins.DestroyModelMixin, WorkspaceScopedViewSet):
    model = ApiKey
    serializer_class = ApiKeySerializer
    write_role = Membership.Role.ADMIN
    filter_fields = {"name": "name"}

    def get_throttles(self):  # keys are minted per workspace at a bounded rate
        return [*super().get_throttles(), *([ApiKeyCreateThrottle()] if self.action == "create" else [])]

    def create(self, request, *args, **kwargs):
        serializer = ApiKeySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        role = serializer.validated_data.get("role", Membership.Role.ADMIN)
        if not role_at_least(request.workspace_role, role):
            raise ApiError("You cannot create a key with more rights than your own.", code="insufficient_role",
                           status_code=status.HTTP_403_FORBIDDEN)
        key, raw = api_key_create(workspace=request.workspace, name=serializer.validated_data.get("name", "default"),
                                  created_by=request.user, role=role)
        data = ApiKeySerializer(key).data
        data["key"] = raw
        return Response(data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        key = api_key_revoke(api_key=self.get_object())
        return Response(ApiKeySerializer(key).data, status=status.HTTP_200_OK)
