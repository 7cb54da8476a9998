"""Writes for tenants: organizations, workspaces, members, API keys, invitations."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from tenants.errors import ApiError
from tenants.models import ApiKey, Invitation, Membership, Organization, Workspace
from tenants.selectors import NOT_A_MANAGER, role_at_least, team_change_refusal

API_KEY_PREFIX = "adg_"
INVITATION_TTL = timedelta(days=7)


def secret_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def organization_create(*, name: str, kind: str = Organization.Kind.BRAND) -> Organization:
    if kind not in Organization.Kind.values:
        raise ApiError(f"Unknown organization kind {kind!r}.", code="invalid_kind")
    return Organization.objects.create(name=name, kind=kind)


def workspace_create(*, organization: Organization, name: str, owner=None) -> Workspace:
    base = slugify(name)[:70] or "workspace"
    slug, n = base, 1
    while Workspace.objects.filter(organization=organization, slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    workspace = Workspace.objects.create(organization=organization, name=name, slug=slug)
    if owner is not None:
        membership_set(user=owner, workspace=workspace, role=Membership.Role.OWNER)
    return workspace


def membership_set(*, user, workspace: Workspace, role: str) -> Membership:
    if role not in Membership.Role.values:
        raise ApiError(f"Unknown role {role!r}.", code="invalid_role")
    membership, _ = Membership.objects.update_or_create(user=user, workspace=workspace, defaults={"role": role})
    return membership


def user_get_or_create(*, email: str, password: str | None = None):
    User = get_user_model()
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(username=email, email=email, password=password)
    elif password and not user.has_usable_password():  # e.g. an owner the CLI made with no password
        user.set_password(password)
        user.save(update_fields=["password"])
    return user


def api_key_create(*, workspace: Workspace, name: str = "default", created_by=None,
                   role: str = Membership.Role.ADMIN) -> tuple[ApiKey, str]:
    """A new key: the raw secret is returned once and only its hash is stored."""
    raw = API_KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey.objects.create(workspace=workspace, name=name, prefix=raw[:12], hashed_key=secret_hash(raw),
                                created_by=created_by if getattr(created_by, "pk", None) else None, role=role)
    return key, raw


def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    return api_key


def api_key_touch(*, api_key: ApiKey) -> None:
    """Record use, at most once a minute per key (a write per request would be wasteful)."""
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at > timedelta(minutes=1):
        ApiKey.objects.dangerously_unscoped().filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now


@dataclass
class TenantCreated:
    organization: Organization
    workspace: Workspace
    user: object
    api_key: ApiKey
    raw_api_key: str


@transaction.atomic
def tenant_create(*, name: str, email: str, agency: bool = False, password: str | None = None) -> TenantCreated:
    """An organization with its first workspace, an owner user and an API key (CLI and sign-up)."""
    organization = organization_create(name=name, kind=Organization.Kind.AGENCY if agency else Organization.Kind.BRAND)
    user = user_get_or_create(email=email, password=password)
    workspace = workspace_create(organization=organization, name=name, owner=user)
    key, raw = api_key_create(workspace=workspace, name="cli", created_by=user)
    return TenantCreated(organization, workspace, user, key, raw)


def invitation_create(*, workspace: Workspace, email: str, role: str = Membership.Role.EDITOR,
                      invited_by=None) -> tuple[Invitation, str]:
    if role not in Membership.Role.values or role == Membership.Role.OWNER:
        raise ApiError(f"Cannot invite with role {role!r}.", code="invalid_role")
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        workspace=workspace, email=email.lower(), role=role, hashed_token=secret_hash(token),
        invited_by=invited_by, expires_at=timezone.now() + INVITATION_TTL)
    link = f"{settings.SITE_URL.rstrip('/')}/invitations/{token}/"
    inviter = getattr(invited_by, "email", "") or "Someone"
    organization = workspace.organization.name
    where = workspace.name if organization == workspace.name else f"{workspace.name} ({organization})"
    send_mail(f"{inviter} invited you to {workspace.name} on adgen",
              f"{inviter} invited you to join the workspace {where} on adgen as {invitation.get_role_display().lower()}.\n\n"
              f"Accept: {link}\nThis link expires in {INVITATION_TTL.days} days. If you did not expect it, ignore this mail.",
              settings.DEFAULT_FROM_EMAIL, [invitation.email])
    return invitation, token


@transaction.atomic
def invitation_accept(*, token: str, user) -> Membership:
    invitation = (Invitation.objects.dangerously_unscoped()
                  .filter(hashed_token=secret_hash(token)).first())
    if invitation is None or invitation.accepted_at or invitation.expires_at < timezone.now():
        raise ApiError("This invitation link is invalid or has expired.", code="invitation_invalid", status_code=404)
    invitation = Invitation.objects.dangerously_unscoped().select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:
        raise ApiError("This invitation was already used.", code="invitation_invalid", status_code=404)
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    current = Membership.objects.filter(user=user, workspace_id=invitation.workspace_id).first()
    if current is not None and role_at_least(current.role, invitation.role):
        return current  # an invitation never lowers a member's role (nor strips the last owner)
    return membership_set(user=user, workspace=invitation.workspace, role=invitation.role)


def invitation_revoke(*, invitation: Invitation, by) -> None:
    """Withdraw a pending invitation: its link stops working. Admins and owners only."""
    _manager_role_or_403(workspace_id=invitation.workspace_id, user=by)
    with transaction.atomic():
        locked = Invitation.objects.for_workspace(invitation.workspace_id).select_for_update() \
            .filter(pk=invitation.pk).first()
        if locked is None:
            return  # already revoked
        if locked.accepted_at is not None:
            raise ApiError("This invitation was already accepted; remove the member instead.",
                           code="invitation_accepted", status_code=409)
        locked.delete()  # the hashed token goes with it, so the emailed link finds nothing


# --------------------------------------------------------------------------- team management
# The rules are `tenants.selectors.team_change_refusal`'s. Each write checks cheaply, then locks
# the workspace's memberships (always in the same order) and checks again under the lock before
# it changes anything, so two owners demoting each other cannot both win.


def _manager_role_or_403(*, workspace_id, user) -> str:
    membership = Membership.objects.filter(workspace_id=workspace_id, user=user).first() if user else None
    if membership is None or not role_at_least(membership.role, Membership.Role.ADMIN):
        raise ApiError(NOT_A_MANAGER.message, code=NOT_A_MANAGER.code, status_code=NOT_A_MANAGER.status)
    return membership.role


def _team_change_check(*, memberships: list[Membership], actor, target: Membership, new_role: str | None) -> None:
    """Raise ApiError unless `actor` may give `target` the role `new_role` (None: remove them)."""
    refusal = team_change_refusal(memberships=memberships, actor_id=getattr(actor, "pk", None), target=target,
                                  new_role=new_role)
    if refusal is not None:
        raise ApiError(refusal.message, code=refusal.code, status_code=refusal.status)


def _team_locked(workspace_id) -> list[Membership]:
    return list(Membership.objects.select_for_update().filter(workspace_id=workspace_id).order_by("pk"))


def membership_role_change(*, membership: Membership, role: str, by) -> Membership:
    """Give a member another role, within the team rules above."""
    if role not in Membership.Role.values:
        raise ApiError(f"Unknown role {role!r}.", code="invalid_role")
    memberships = list(Membership.objects.filter(workspace_id=membership.workspace_id))
    _team_change_check(memberships=memberships, actor=by, target=membership, new_role=role)  # check
    with transaction.atomic():
        memberships = _team_locked(membership.workspace_id)  # lock
        target = next((m for m in memberships if m.pk == membership.pk), None)
        if target is None:
            raise ApiError("This person is no longer a member.", code="not_found", status_code=404)
        _team_change_check(memberships=memberships, actor=by, target=target, new_role=role)  # re-check
        if target.role != role:  # change
            target.role = role
            target.save(update_fields=["role"])
    return target


def membership_remove(*, membership: Membership, by) -> None:
    """Take a member out of the workspace (an admin may remove themselves), within the team rules above."""
    memberships = list(Membership.objects.filter(workspace_id=membership.workspace_id))
    _team_change_check(memberships=memberships, actor=by, target=membership, new_role=None)  # check
    with transaction.atomic():
        memberships = _team_locked(membership.workspace_id)  # lock
        target = next((m for m in memberships if m.pk == membership.pk), None)
        if target is None:
            return  # already gone
        _team_change_check(memberships=memberships, actor=by, target=target, new_role=None)  # re-check
        target.delete()  # change


# --------------------------------------------------------------------------- sign-up
# Sign-up answers the same whether or not the email has an account: the account is confirmed
# from a link sent to that address, and an address that already has one is told so by email.


def signup_request(*, email: str, password: str, organization: str, agency: bool = False,
                   confirm_base: str) -> None:
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    User = get_user_model()
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is not None and user.is_active:
        send_mail("Your adgen account",
                  f"Someone (maybe you) tried to sign up for adgen with this address. It already has an "
                  f"account: log in at {settings.SITE_URL.rstrip('/')}/login/ . If it was not you, ignore this.",
                  settings.DEFAULT_FROM_EMAIL, [email])
        return
    with transaction.atomic():
        if user is None:
            user = tenant_create(name=organization, email=email, agency=agency, password=password).user
        else:  # never confirmed: the latest sign-up's password; only the inbox's owner can confirm it
            user.set_password(password)
        user.is_active = False
        user.save(update_fields=["is_active", "password"])
    link = f"{confirm_base.rstrip('/')}/{urlsafe_base64_encode(force_bytes(user.pk))}/" \
           f"{default_token_generator.make_token(user)}/"
    send_mail("Confirm your adgen account", f"Confirm your email to start making ads: {link}\n"
              "If you did not sign up, ignore this mail.", settings.DEFAULT_FROM_EMAIL, [email])


def signup_confirm(*, uidb64: str, token: str, check_only: bool = False):
    """The user the link confirms (activated unless check_only), or None for a bad or used link."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.http import urlsafe_base64_decode

    User = get_user_model()
    try:
        user = User.objects.filter(pk=int(urlsafe_base64_decode(uidb64).decode())).first()
    except (ValueError, TypeError, UnicodeDecodeError, OverflowError):
        user = None
    if user is None or user.is_active or not default_token_generator.check_token(user, token):
        return None
    if not check_only:
        user.is_active = True
        user.save(update_fields=["is_active"])
    return user
