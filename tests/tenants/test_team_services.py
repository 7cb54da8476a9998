"""Team management rules in tenants.services: only admins/owners manage, nobody grants or touches a
role above their own, a workspace keeps an owner and an admin, invitations can be revoked, and an
invitation never lowers a member's role. Real PostgreSQL; the last test races two real connections."""

from __future__ import annotations

import threading

import pytest
from django.core import mail
from django.db import connection, connections

from tenants.errors import ApiError
from tenants.models import Invitation, Membership
from tenants.selectors import invitation_for_token, invitation_pending_list, membership_list
from tenants.services import (invitation_accept, invitation_create, invitation_revoke, membership_remove,
                              membership_role_change, membership_set, tenant_create, user_get_or_create,
                              workspace_create)


def _team(*roles: str):
    """A workspace whose owner made it, plus one member per role given: (owner membership, [members])."""
    created = tenant_create(name="Acme", email="owner@acme.test")
    owner = Membership.objects.get(user=created.user, workspace=created.workspace)
    members = [membership_set(user=user_get_or_create(email=f"{role}{i}@acme.test"), workspace=created.workspace,
                              role=role) for i, role in enumerate(roles)]
    return owner, members


def _code(exc_info) -> str:
    return exc_info.value.get_codes()


@pytest.mark.django_db
def test_admin_changes_roles_up_to_their_own():
    owner, (admin, editor) = _team("admin", "editor")
    assert membership_role_change(membership=editor, role="admin", by=admin.user).role == "admin"
    assert membership_role_change(membership=editor, role="viewer", by=admin.user).role == "viewer"
    with pytest.raises(ApiError) as exc:  # no escalation above your own role
        membership_role_change(membership=editor, role="owner", by=admin.user)
    assert _code(exc) == "role_escalation" and exc.value.status_code == 403
    with pytest.raises(ApiError) as exc:  # an admin cannot touch an owner
        membership_role_change(membership=owner, role="viewer", by=admin.user)
    assert _code(exc) == "permission_denied"
    assert membership_role_change(membership=editor, role="owner", by=owner.user).role == "owner"


@pytest.mark.django_db
def test_only_admins_and_owners_manage():
    owner, (editor, viewer) = _team("editor", "viewer")
    for actor in (editor, viewer):
        with pytest.raises(ApiError) as exc:
            membership_role_change(membership=viewer, role="editor", by=actor.user)
        assert exc.value.status_code == 403
        with pytest.raises(ApiError):
            membership_remove(membership=viewer, by=actor.user)
    stranger = tenant_create(name="Other", email="boss@other.test").user  # owner elsewhere, nobody here
    with pytest.raises(ApiError):
        membership_remove(membership=viewer, by=stranger)
    assert Membership.objects.filter(pk=viewer.pk).exists()


@pytest.mark.django_db
def test_last_owner_is_never_demoted_or_removed():
    owner, (admin,) = _team("admin")
    with pytest.raises(ApiError) as exc:
        membership_role_change(membership=owner, role="admin", by=owner.user)
    assert _code(exc) == "last_owner" and exc.value.status_code == 409
    with pytest.raises(ApiError) as exc:
        membership_remove(membership=owner, by=owner.user)
    assert _code(exc) == "last_owner"
    # with a second owner, the first may step down
    membership_role_change(membership=admin, role="owner", by=owner.user)
    assert membership_role_change(membership=owner, role="editor", by=owner.user).role == "editor"


@pytest.mark.django_db
def test_last_admin_of_a_workspace_without_owner_stays():
    created = tenant_create(name="Agency", email="am@agency.test", agency=True)
    workspace = workspace_create(organization=created.organization, name="Client")  # no owner
    admin = membership_set(user=created.user, workspace=workspace, role="admin")
    editor = membership_set(user=user_get_or_create(email="ed@agency.test"), workspace=workspace, role="editor")
    with pytest.raises(ApiError) as exc:
        membership_role_change(membership=admin, role="editor", by=admin.user)
    assert _code(exc) == "last_admin"
    with pytest.raises(ApiError):
        membership_remove(membership=admin, by=admin.user)
    membership_remove(membership=editor, by=admin.user)
    assert [m.role for m in membership_list(workspace=workspace)] == ["admin"]


@pytest.mark.django_db
def test_remove_a_member():
    owner, (admin, editor) = _team("admin", "editor")
    membership_remove(membership=editor, by=admin.user)
    membership_remove(membership=admin, by=admin.user)  # an admin may leave while an owner remains
    assert list(membership_list(workspace=owner.workspace)) == [owner]


@pytest.mark.django_db
def test_invitation_names_workspace_and_inviter_and_can_be_revoked():
    owner, (editor,) = _team("editor")
    workspace = owner.workspace
    workspace.name = "Spring shoes"
    workspace.save()
    invitation, token = invitation_create(workspace=workspace, email="New@Acme.test", role="editor",
                                          invited_by=owner.user)
    message = mail.outbox[-1]
    assert "owner@acme.test" in message.subject and "Spring shoes" in message.subject
    assert "Spring shoes (Acme)" in message.body and "as editor" in message.body and token in message.body
    found = invitation_for_token(token=token)
    assert found == invitation and found.invited_by == owner.user and found.workspace.organization.name == "Acme"
    assert list(invitation_pending_list(workspace=workspace)) == [invitation]

    with pytest.raises(ApiError):
        invitation_revoke(invitation=invitation, by=editor.user)
    invitation_revoke(invitation=invitation, by=owner.user)
    invitation_revoke(invitation=invitation, by=owner.user)  # twice is fine
    assert invitation_for_token(token=token) is None
    assert not Invitation.objects.for_workspace(workspace).exists()
    with pytest.raises(ApiError) as exc:
        invitation_accept(token=token, user=user_get_or_create(email="new@acme.test"))
    assert _code(exc) == "invitation_invalid"


@pytest.mark.django_db
def test_accepting_an_invitation_never_lowers_a_role():
    owner, _ = _team()
    _, token = invitation_create(workspace=owner.workspace, email=owner.user.email, role="viewer",
                                 invited_by=owner.user)
    assert invitation_accept(token=token, user=owner.user).role == "owner"
    assert Membership.objects.get(pk=owner.pk).role == "owner"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks and real connections")
def test_two_owners_demoting_each_other_at_once_leave_one_owner():
    """Both pass the unlocked check; the lock makes the second re-check see the first's change."""
    owner, (second,) = _team("owner")
    barrier = threading.Barrier(2)
    results: list = [None, None]

    def demote(i, target, actor):
        try:
            barrier.wait()
            results[i] = membership_role_change(membership=target, role="editor", by=actor)
        except Exception as exc:  # noqa: BLE001 - asserted on below
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=demote, args=(0, second, owner.user)),
               threading.Thread(target=demote, args=(1, owner, second.user))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    refused = [r for r in results if isinstance(r, ApiError)]
    assert len(refused) == 1, results
    assert refused[0].get_codes() in ("last_owner", "permission_denied")
    assert Membership.objects.filter(workspace=owner.workspace, role="owner").count() == 1
