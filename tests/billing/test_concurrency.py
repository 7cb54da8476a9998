"""Real concurrent connections on PostgreSQL: the account row lock admits exactly what fits."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from adgen.billing import services
from adgen.billing.errors import InsufficientCredits
from adgen.billing.models import CreditAccount, CreditHold, LedgerEntry
from adgen.billing.selectors import account_ledger_verify

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks and real connections"),
]


def _run_concurrently(count: int, work) -> list:
    """Run work(i) in `count` threads (each with its own DB connection), released together."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def target(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - collected and asserted on
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_concurrent_holds_succeed_exactly_floor_balance_over_cost(tenant):
    balance, cost, k = 100, 15, 12
    org = tenant(balance).organization
    results = _run_concurrently(k, lambda i: services.credits_hold(organization=org, amount=cost, reference=f"job:{i}"))
    held = [r for r in results if isinstance(r, CreditHold)]
    refused = [r for r in results if isinstance(r, InsufficientCredits)]
    assert len(held) == balance // cost, results
    assert len(refused) == k - balance // cost, results
    account = CreditAccount.objects.get(organization=org)
    assert (account.available, account.held) == (balance % cost, cost * (balance // cost))
    assert account_ledger_verify(account=account)["ok"]


def test_concurrent_captures_of_one_render_capture_once(tenant):
    """Two workers deliver the same render at once (a killed worker's message was redelivered)."""
    org = tenant(100).organization
    services.credits_hold(organization=org, amount=60, reference="job:dup")
    results = _run_concurrently(6, lambda i: services.credits_capture(reference="job:dup", amount=20,
                                                                      idempotency_key="render:same"))
    assert results == [20] * 6
    assert CreditHold.objects.get(reference="job:dup").captured == 20
    assert LedgerEntry.objects.filter(kind="capture").count() == 1
    assert account_ledger_verify(account=CreditAccount.objects.get(organization=org))["ok"]


def test_concurrent_identical_holds_hold_once(tenant):
    org = tenant(100).organization
    results = _run_concurrently(6, lambda i: services.credits_hold(organization=org, amount=40, reference="job:same"))
    assert all(isinstance(r, CreditHold) for r in results), results
    assert CreditAccount.objects.get(organization=org).held == 40


def test_concurrent_capture_and_release_never_overspend(tenant):
    org = tenant(100).organization
    services.credits_hold(organization=org, amount=50, reference="job:race")

    def work(i):
        if i % 2:
            return services.credits_release(reference="job:race", reason="cancelled")
        return services.credits_capture(reference="job:race", amount=20, idempotency_key=f"render:{i}")

    _run_concurrently(8, work)
    hold = CreditHold.objects.get(reference="job:race")
    assert hold.remaining == 0 and hold.captured + hold.released == 50
    account = CreditAccount.objects.get(organization=org)
    assert (account.held, account.available) == (0, 50 + hold.released)
    assert account_ledger_verify(account=account)["ok"]


def test_concurrent_webhook_deliveries_grant_once(stripe_settings, tenant, api_client):
    from django.test import Client

    from adgen.billing.models import StripeEvent

    from .stripe_server import event_payload, webhook_post

    created = tenant(0)
    response = api_client(created).post(f"/api/v1/workspaces/{created.workspace.pk}/credits/checkout/",
                                        {"pack": "starter"}, format="json")
    session = stripe_settings.pay(response.json()["session_id"])
    payloads = [event_payload("checkout.session.completed", session, event_id="evt_same"),
                event_payload("checkout.session.async_payment_succeeded", session, event_id="evt_other")]
    results = _run_concurrently(8, lambda i: webhook_post(Client(), payloads[i % 2]).status_code)
    assert results == [200] * 8
    account = CreditAccount.objects.get(organization=created.organization)
    assert account.available == 1000
    assert LedgerEntry.objects.filter(account=account, kind="purchase").count() == 1
    assert StripeEvent.objects.count() == 2
