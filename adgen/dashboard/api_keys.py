"""The API-keys page: a workspace's keys (name, role, created, last used), create one (its secret is
shown once, in the response to the POST that made it), revoke. Admins and owners only, as in the
API (`tenants.views.ApiKeyViewSet`, write_role admin); the writes are `tenants.services`'."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from adgen.dashboard import forms
from adgen.dashboard.views import _get_or_404, _ws_url, workspace_view
from adgen.security.throttles import ApiKeyCreateThrottle, throttled_or_none
from tenants import selectors as tenant_selectors
from tenants import services as tenant_services
from tenants.models import Membership


@never_cache  # the page that shows a new secret must not be kept by the browser or a proxy
@workspace_view(Membership.Role.ADMIN)
def api_keys(request):
    form = forms.ApiKeyForm(request.POST or None, role=request.access.role)
    created = raw = None
    status = 200
    if request.method == "POST" and form.is_valid():
        if throttled_or_none(request, ApiKeyCreateThrottle) is not None:
            form.add_error(None, "This workspace has made many keys in the last hour; try again later.")
            status = 429
        else:
            created, raw = tenant_services.api_key_create(
                workspace=request.workspace, name=form.cleaned_data["name"], created_by=request.user,
                role=form.cleaned_data["role"])
            form = forms.ApiKeyForm(role=request.access.role)
    keys = tenant_selectors.api_key_list(workspace=request.workspace).select_related("created_by")
    return render(request, "dashboard/api_keys.html", {
        "form": form, "keys": keys, "created": created, "raw_key": raw,
        "api_base": request.build_absolute_uri(f"/api/v1/workspaces/{request.workspace.pk}/"),
        "docs_url": request.build_absolute_uri("/api/v1/docs/"),
    }, status=status)


@require_POST
@workspace_view(Membership.Role.ADMIN)
def api_key_revoke(request, key_id):
    key = _get_or_404(tenant_selectors.api_key_list(workspace=request.workspace), pk=key_id)
    tenant_services.api_key_revoke(api_key=key)
    messages.success(request, f"Revoked the key “{key.name}” ({key.prefix}…). Requests with it now get 401.")
    return redirect(_ws_url(request, "api-keys"))
