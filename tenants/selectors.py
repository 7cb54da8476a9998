"""Reads for tenants: who may see which workspace, with what role."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from tenants.models import ApiKey, Invitation, Membership, Workspace

ROLE_RANK = {Membership.Role.VIEWER: 0, Membership.Role.EDITOR: 1, Membership.Role.ADMIN: 2, Membership.Role.OWNER: 3}


def role_at_least(role: str | None, minimum: str) -> bool:
    return role is not None and ROLE_RANK.get(role, -1) >= ROLE_RANK[minimum]


def roles_up_to(role: str | None) -> list[tuple[str, str]]:
    """The role choices someone with `role` may hand out (never above their own)."""
    return [c for c in Membership.Role.choices if role_at_least(role, c[0])]


def workspace_list_for_user(*, user) -> QuerySet[Workspace]:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "pk", None):
        return Workspace.objects.none()
    return Workspace.objects.filter(memberships__user=user).select_related("organization").distinct()


def workspace_role(*, workspace_id, user=None, api_key: ApiKey | None = None) -> tuple[Workspace, str] | None:
    """The workspace and the caller's role in it, or None when the caller has no access."""
    if api_key is not None:
        if str(api_key.workspace_id) != str(workspace_id) or api_key.revoked_at is not None:
            return None
        return api_key.workspace, api_key.role
    if user is None or not user.is_authenticated or not getattr(user, "pk", None):
        return None
    membership = (Membership.objects.select_related("workspace", "workspace__organization")
                  .filter(workspace_id=workspace_id, user=user).first())
    return (membership.workspace, membership.role) if membership else None


def api_key_authenticate(*, raw: str) -> ApiKey | None:
    from tenants.services import secret_hash

    return (ApiKey.objects.dangerously_unscoped().select_related("workspace", "workspace__organization")
            .filter(hashed_key=secret_hash(raw), revoked_at__isnull=True).first())


def api_key_list(*, workspace: Workspace) -> QuerySet[ApiKey]:
    return ApiKey.objects.for_workspace(workspace)


def invitation_is_open(invitation) -> bool:
    return invitation.accepted_at is None and invitation.expires_at > timezone.now()


def invitation_pending_list(*, workspace: Workspace) -> QuerySet[Invitation]:
    """Invitations not yet accepted and not expired, newest first, with who sent them."""
    return (Invitation.objects.for_workspace(workspace).filter(accepted_at__isnull=True, expires_at__gt=timezone.now())
            .select_related("invited_by").order_by("-created"))


def invitation_for_token(*, token: str) -> Invitation | None:
    """The open invitation a link stands for (with its workspace, organization and inviter), else None."""
    from tenants.services import secret_hash

    invitation = (Invitation.objects.dangerously_unscoped()
                  .select_related("workspace", "workspace__organization", "invited_by")
                  .filter(hashed_token=secret_hash(token)).first())
    return invitation if invitation is not None and invitation_is_open(invitation) else None


def membership_list(*, workspace: Workspace) -> QuerySet[Membership]:
    return Membership.objects.filter(workspace=workspace).select_related("user").order_by("created", "pk")


@dataclass(frozen=True)
class TeamRefusal:
    code: str
    message: str
    status: int


NOT_A_MANAGER = TeamRefusal("permission_denied", "Only admins and owners manage the team.", 403)


def team_change_refusal(*, memberships, actor_id, target: Membership, new_role: str | None) -> TeamRefusal | None:
    """Why `actor_id` may not give `target` the role `new_role` (None: remove them), or None when they may.

    The team rules, in one place (the services enforce them under a lock; the Team page hides what
    they refuse): only admins and owners manage; nobody touches or grants a role above their own;
    a workspace keeps an owner, and someone who can manage it."""
    actor = next((m for m in memberships if m.user_id == actor_id), None)
    if actor is None or not role_at_least(actor.role, Membership.Role.ADMIN):
        return NOT_A_MANAGER
    if not role_at_least(actor.role, target.role):
        return TeamRefusal("permission_denied",
                           f"Only an owner can change or remove an {target.get_role_display().lower()}.", 403)
    if new_role is not None and not role_at_least(actor.role, new_role):
        return TeamRefusal("role_escalation", "You cannot give a role above your own.", 403)
    roles_after = [m.role for m in memberships if m.pk != target.pk] + ([new_role] if new_role else [])
    if target.role == Membership.Role.OWNER and Membership.Role.OWNER not in roles_after:
        return TeamRefusal("last_owner", "A workspace needs an owner: make someone else owner first.", 409)
    if role_at_least(target.role, Membership.Role.ADMIN) and \
            not any(role_at_least(r, Membership.Role.ADMIN) for r in roles_after):
        return TeamRefusal("last_admin", "A workspace needs an admin or owner: promote someone else first.", 409)
    return None
