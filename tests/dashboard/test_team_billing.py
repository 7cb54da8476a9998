"""The Team page (members, pending invitations, role changes, removal), the invitation page, who
sees Billing and its Buy buttons, and the ledger's links to jobs. Django's test client on real
PostgreSQL; the data is made through the services."""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client

from adgen.ads import services as ads_services
from adgen.ads.billing_hooks import job_reference
from adgen.billing import services as billing_services
from tenants.models import Invitation, Membership
from tenants.services import invitation_create, membership_set, user_get_or_create

pytestmark = pytest.mark.django_db


def _member(created, role: str, email: str | None = None) -> Client:
    user = user_get_or_create(email=email or f"{role}-{uuid.uuid4().hex[:6]}@example.com", password="pw pw pw pw 1")
    membership_set(user=user, workspace=created.workspace, role=role)
    client = Client()
    client.force_login(user)
    client.membership = Membership.objects.get(user=user, workspace=created.workspace)
    return client


def test_team_page_lists_invitations_changes_roles_and_removes(make_user):
    owner = make_user()
    editor = _member(owner, "editor", "ed@example.com")
    invitation_create(workspace=owner.workspace, email="pending@example.com", role="viewer", invited_by=owner.user)
    page = owner.client.get(f"{owner.base}/members/").content.decode()
    assert "pending@example.com" in page and f"{owner.user.email}</dd>" in page  # invited by
    assert "Expires" in page and "ed@example.com" in page
    # the only owner is offered no Leave button, and told why (the services' rule, one place)
    assert ">Leave<" not in page and "A workspace needs an owner" in page

    response = owner.client.post(f"{owner.base}/members/{editor.membership.pk}/role/", {"role": "admin"})
    assert response.status_code == 302
    assert Membership.objects.get(pk=editor.membership.pk).role == "admin"
    # the last owner cannot demote themselves: the page says why and nothing changes
    me = Membership.objects.get(user=owner.user, workspace=owner.workspace)
    response = owner.client.post(f"{owner.base}/members/{me.pk}/role/", {"role": "editor"}, follow=True)
    assert "needs an owner" in response.content.decode() and Membership.objects.get(pk=me.pk).role == "owner"
    # an admin cannot make an owner (escalation), nor is "owner" offered to them
    admin_page = editor.get(f"{owner.base}/members/").content.decode()
    assert '<option value="owner"' not in admin_page
    editor.post(f"{owner.base}/members/{editor.membership.pk}/role/", {"role": "owner"})
    assert Membership.objects.get(pk=editor.membership.pk).role == "admin"

    invitation = Invitation.objects.for_workspace(owner.workspace).get()
    assert owner.client.post(f"{owner.base}/invitations/{invitation.pk}/revoke/").status_code == 302
    assert not Invitation.objects.for_workspace(owner.workspace).exists()

    assert owner.client.post(f"{owner.base}/members/{editor.membership.pk}/remove/").status_code == 302
    assert not Membership.objects.filter(pk=editor.membership.pk).exists()
    assert editor.get(f"{owner.base}/members/").status_code == 404


def test_team_writes_are_scoped_and_admin_only(make_user):
    owner, stranger = make_user(), make_user()
    viewer = _member(owner, "viewer")
    target = viewer.membership
    # another workspace's membership id through my workspace's URL: 404
    assert stranger.client.post(f"{stranger.base}/members/{target.pk}/remove/").status_code == 404
    assert stranger.client.post(f"{owner.base}/members/{target.pk}/remove/").status_code == 404
    assert viewer.post(f"{owner.base}/members/{target.pk}/role/", {"role": "admin"}).status_code == 404
    assert Membership.objects.get(pk=target.pk).role == "viewer"


def test_invitation_page_names_workspace_organization_and_inviter(make_user):
    owner = make_user()
    _, token = invitation_create(workspace=owner.workspace, email="new@example.com", role="editor",
                                 invited_by=owner.user)
    page = Client().get(f"/invitations/{token}/")
    html = page.content.decode()
    assert page.status_code == 200 and owner.workspace.name in html and owner.user.email in html
    assert "as <strong>editor</strong>" in html
    assert Client().get("/invitations/not-a-token/").status_code == 404


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_roles_that_may_not_pay_see_no_billing(make_user, settings, role):
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    owner = make_user()
    client = _member(owner, role)
    assert client.get(f"{owner.base}/billing/").status_code == 404
    for page in ("billing/checkout/", "billing/portal/"):
        assert client.post(f"{owner.base}/{page}", {"pack": "starter"}).status_code == 404
    home = client.get(f"{owner.base}/").content.decode()
    assert f'href="{owner.base}/billing/"' not in home
    assert f'href="{owner.base}/billing/"' in owner.client.get(f"{owner.base}/").content.decode()


def test_buy_is_hidden_without_stripe_and_only_operators_read_the_setting(make_user, settings):
    owner = make_user()
    admin = _member(owner, "admin")
    settings.STRIPE_SECRET_KEY = ""
    owner_page = owner.client.get(f"{owner.base}/billing/").content.decode()
    assert "billing/checkout/" not in owner_page and "Buy for" not in owner_page
    assert "Card payments are off" in owner_page and "STRIPE_SECRET_KEY" in owner_page
    admin_page = admin.get(f"{owner.base}/billing/").content.decode()
    assert "Buy for" not in admin_page and "STRIPE_" not in admin_page and "not available here" in admin_page
    # a Buy posted anyway is refused in words a customer can read
    response = admin.post(f"{owner.base}/billing/checkout/", {"pack": "starter"}, follow=True)
    assert "STRIPE_" not in response.content.decode() and "not available" in response.content.decode()

    settings.STRIPE_SECRET_KEY = "sk_test_x"
    page = admin.get(f"{owner.base}/billing/").content.decode()
    assert "Buy for" in page and "Card payments are off" not in page


def test_ledger_rows_link_to_their_jobs(make_user, settings):
    settings.STRIPE_SECRET_KEY = ""
    owner = make_user(credits=10_000)
    job = ads_services.job_submit(workspace=owner.workspace, url="https://shop.example.com/mug",
                                  options={"url": "https://shop.example.com/mug", "variants": 1,
                                           "aspects": ["9:16"], "duration": 8, "preview": True})
    from adgen.campaigns.models import CampaignRun, CampaignRunItem
    from adgen.campaigns.services import campaign_create

    campaign = campaign_create(workspace=owner.workspace, name="Spring", source_kind="urls",
                               source_urls=["https://shop.example.com/mug"])
    run = CampaignRun.objects.create(workspace=owner.workspace, campaign=campaign)
    item = CampaignRunItem.objects.create(workspace=owner.workspace, run=run, position=0,
                                          url="https://shop.example.com/mug")
    item.jobs.add(job)
    gone = uuid.uuid4()  # a job that no longer exists: described, not linked
    billing_services.credits_hold(organization=owner.organization, amount=5, reference=f"job:{gone}")
    html = owner.client.get(f"{owner.base}/billing/").content.decode()
    assert f'href="{owner.base}/jobs/{job.pk}/"' in html
    assert "Ads for https://shop.example.com/mug" in html
    assert f"Ad job {str(gone)[:8]} (deleted" in html
    assert f'href="{owner.base}/campaigns/{campaign.pk}/runs/{run.pk}/"' in html and "campaign “Spring”" in html
    # the job's organization-mate who is not in its workspace reads the ledger without the links
    other = make_user()
    from tenants.services import workspace_create

    elsewhere = workspace_create(organization=owner.organization, name="Other shop", owner=other.user)
    other_html = other.client.get(f"/workspaces/{elsewhere.pk}/billing/").content.decode()
    assert f"/jobs/{job.pk}/" not in other_html and f"Ad job {str(job.pk)[:8]} (deleted" in other_html
    assert job_reference(job) not in html  # no raw references
    ledger = html[html.index('id="ledger"'):]
    assert re.search(r'<td data-label="Details"', ledger)  # rows stack into labelled cells on a phone
