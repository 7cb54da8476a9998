import pytest
from django.core import mail

from adgen.ads.models import BrandKit
from tenants.errors import ApiError
from tenants.models import ApiKey, Membership, Organization
from tenants.selectors import api_key_authenticate, workspace_list_for_user, workspace_role
from tenants.services import (api_key_create, api_key_revoke, invitation_accept, invitation_create, secret_hash,
                              tenant_create, user_get_or_create, workspace_create)

pytestmark = pytest.mark.django_db


def test_tenant_create_makes_org_workspace_owner_and_key():
    created = tenant_create(name="Acme Agency", email="Boss@Acme.test", agency=True)
    assert created.organization.kind == Organization.Kind.AGENCY
    assert created.workspace.organization == created.organization
    assert Membership.objects.get(user=created.user, workspace=created.workspace).role == "owner"
    assert created.user.email == "boss@acme.test"
    assert created.raw_api_key.startswith("adg_")
    key = ApiKey.objects.for_workspace(created.workspace).get()
    assert key.hashed_key == secret_hash(created.raw_api_key) and created.raw_api_key not in key.hashed_key
    assert created.raw_api_key.startswith(key.prefix)


def test_api_key_is_revocable_and_shown_once():
    created = tenant_create(name="Shop", email="a@shop.test")
    key, raw = api_key_create(workspace=created.workspace, name="ci")
    assert api_key_authenticate(raw=raw) == key
    api_key_revoke(api_key=key)
    assert api_key_authenticate(raw=raw) is None
    assert api_key_authenticate(raw=raw + "x") is None
    assert not ApiKey.objects.dangerously_unscoped().filter(hashed_key=raw).exists()


def test_scoped_manager_is_fail_closed():
    a = tenant_create(name="A", email="a@a.test")
    b = tenant_create(name="B", email="b@b.test")
    BrandKit.objects.create(workspace=a.workspace, name="kit A")
    BrandKit.objects.create(workspace=b.workspace, name="kit B")
    assert BrandKit.objects.count() == 0  # no workspace, no rows
    assert list(BrandKit.objects.all()) == []
    assert [k.name for k in BrandKit.objects.for_workspace(a.workspace)] == ["kit A"]
    assert BrandKit.objects.dangerously_unscoped().count() == 2


def test_agency_user_belongs_to_many_workspaces():
    agency = tenant_create(name="Agency", email="am@agency.test", agency=True)
    second = workspace_create(organization=agency.organization, name="Client Two", owner=agency.user)
    other = tenant_create(name="Other", email="o@other.test")
    assert set(workspace_list_for_user(user=agency.user)) == {agency.workspace, second}
    assert workspace_role(workspace_id=second.pk, user=agency.user)[1] == "owner"
    assert workspace_role(workspace_id=other.workspace.pk, user=agency.user) is None


def test_invitation_link_joins_once():
    created = tenant_create(name="Brand", email="owner@brand.test")
    invitation, token = invitation_create(workspace=created.workspace, email="Editor@Brand.test", role="editor",
                                          invited_by=created.user)
    assert token in mail.outbox[-1].body and invitation.hashed_token == secret_hash(token)
    user = user_get_or_create(email="editor@brand.test", password="correct horse battery")
    membership = invitation_accept(token=token, user=user)
    assert membership.role == "editor" and membership.workspace == created.workspace
    with pytest.raises(ApiError) as exc:
        invitation_accept(token=token, user=user)
    assert exc.value.get_codes() == "invitation_invalid"
