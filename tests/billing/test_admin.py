"""Support staff: balances and ledgers are visible; adjustments go through the service with the actor."""

from __future__ import annotations

import pytest

from adgen.billing.models import CreditAccount, LedgerEntry
from adgen.billing.selectors import account_ledger_verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, django_user_model):
    staff = django_user_model.objects.create_superuser(username="support", email="support@example.com")
    client.force_login(staff)
    client.staff = staff
    return client


def test_adjustment_in_admin_is_a_ledger_entry_with_the_acting_user(staff_client, tenant):
    created = tenant(10)
    account = CreditAccount.objects.get(organization=created.organization)
    response = staff_client.post("/admin/billing/ledgerentry/add/",
                                 {"account": account.pk, "amount": "-4", "reason": "double charge fix"})
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = LedgerEntry.objects.filter(account=account, kind="adjustment").get()
    assert (entry.available_delta, entry.actor, entry.description) == (-4, staff_client.staff, "double charge fix")
    account.refresh_from_db()
    assert account.available == 6 and account_ledger_verify(account=account)["ok"]


def test_admin_pages_render_and_entries_are_read_only(staff_client, tenant):
    created = tenant(10)
    account = CreditAccount.objects.get(organization=created.organization)
    entry = LedgerEntry.objects.filter(account=account).get()
    for url in ["/admin/billing/creditaccount/", f"/admin/billing/creditaccount/{account.pk}/change/",
                "/admin/billing/ledgerentry/", f"/admin/billing/ledgerentry/{entry.pk}/change/",
                "/admin/billing/credithold/", "/admin/billing/purchase/", "/admin/billing/stripeevent/",
                "/admin/billing/ledgerentry/add/"]:
        assert staff_client.get(url).status_code == 200, url
    assert staff_client.post(f"/admin/billing/ledgerentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert "consistent" in staff_client.get(f"/admin/billing/creditaccount/{account.pk}/change/").content.decode()
