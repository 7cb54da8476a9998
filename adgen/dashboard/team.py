"""The Team page: members (change a role, remove), pending invitations (revoke), invite someone.
Admins and owners only; the rules (no role above your own, a workspace keeps its owner and an
admin) are `tenants.services`' and are enforced there, so the page only shows what they allow."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from adgen.dashboard import forms
from adgen.dashboard.views import _get_or_404, _message, _ws_url, workspace_view
from tenants import selectors as tenant_selectors
from tenants import services as tenant_services
from tenants.errors import ApiError
from tenants.models import Membership


@workspace_view(Membership.Role.ADMIN)
def members(request):
    form = forms.InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tenant_services.invitation_create(workspace=request.workspace, email=form.cleaned_data["email"],
                                              role=form.cleaned_data["role"], invited_by=request.user)
        except ApiError as exc:
            form.add_error(None, _message(exc))
        else:
            messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
            return redirect(_ws_url(request, "members"))
    role = request.access.role
    memberships = list(tenant_selectors.membership_list(workspace=request.workspace))

    def refusal(target, new_role):
        return tenant_selectors.team_change_refusal(memberships=memberships, actor_id=request.user.pk,
                                                    target=target, new_role=new_role)

    rows = []
    for m in memberships:
        cannot_remove = refusal(m, None)
        rows.append({"membership": m, "is_me": m.user_id == request.user.pk,
                     "manageable": tenant_selectors.role_at_least(role, m.role),
                     "removable": cannot_remove is None, "why_not": cannot_remove.message if cannot_remove else ""})
    return render(request, "dashboard/members.html", {
        "form": form, "rows": rows, "role_choices": tenant_selectors.roles_up_to(role),
        "invitations": tenant_selectors.invitation_pending_list(workspace=request.workspace)},
        status=400 if form.errors else 200)


def _membership(request, membership_id) -> Membership:
    return _get_or_404(tenant_selectors.membership_list(workspace=request.workspace), pk=membership_id)


def _after_own_change(request):
    """Where to go once your own role or membership changed: the page you were on may be closed to you now."""
    membership = tenant_selectors.membership_list(workspace=request.workspace).filter(user=request.user).first()
    if membership is None:
        return redirect("dashboard:home")
    if not tenant_selectors.role_at_least(membership.role, Membership.Role.ADMIN):
        return redirect(_ws_url(request, "workspace"))
    return redirect(_ws_url(request, "members"))


@require_POST
@workspace_view(Membership.Role.ADMIN)
def member_role(request, membership_id: int):
    membership = _membership(request, membership_id)
    try:
        changed = tenant_services.membership_role_change(membership=membership, role=request.POST.get("role", ""),
                                                         by=request.user)
    except ApiError as exc:
        messages.error(request, _message(exc))
        return redirect(_ws_url(request, "members"))
    messages.success(request, f"{changed.user.email} is now {changed.get_role_display().lower()}.")
    return _after_own_change(request)


@require_POST
@workspace_view(Membership.Role.ADMIN)
def member_remove(request, membership_id: int):
    membership = _membership(request, membership_id)
    try:
        tenant_services.membership_remove(membership=membership, by=request.user)
    except ApiError as exc:
        messages.error(request, _message(exc))
        return redirect(_ws_url(request, "members"))
    messages.success(request, f"{membership.user.email} was removed from {request.workspace.name}.")
    return _after_own_change(request)


@require_POST
@workspace_view(Membership.Role.ADMIN)
def invitation_revoke(request, invitation_id):
    invitation = _get_or_404(tenant_selectors.invitation_pending_list(workspace=request.workspace), pk=invitation_id)
    try:
        tenant_services.invitation_revoke(invitation=invitation, by=request.user)
    except ApiError as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, f"The invitation to {invitation.email} was revoked; its link no longer works.")
    return redirect(_ws_url(request, "members"))
