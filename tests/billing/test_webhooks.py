"""Stripe Checkout end to end: the API creates a session on the (local) Stripe, the customer
pays, Stripe's signed webhooks arrive (replayed, reordered) and credits are granted once."""

from __future__ import annotations

import time

import pytest

from adgen.billing.models import CreditAccount, LedgerEntry, Purchase, StripeEvent, Subscription
from adgen.billing.selectors import account_balance, account_ledger_verify

from .stripe_server import event_payload, sign_payload, webhook_post

pytestmark = pytest.mark.django_db


def _checkout(api_client, created, pack="starter"):
    response = api_client(created).post(f"/api/v1/workspaces/{created.workspace.pk}/credits/checkout/",
                                        {"pack": pack}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def _available(created) -> int:
    return account_balance(organization=created.organization).available


def test_checkout_creates_a_stripe_session_for_the_organization(stripe_settings, tenant, api_client):
    created = tenant(0)
    body = _checkout(api_client, created, "growth")
    assert body["checkout_url"].startswith(stripe_settings.url)
    call = stripe_settings.requests[-1]
    assert call["path"] == "/v1/checkout/sessions"
    params = call["params"]
    assert params["mode"] == "payment"
    assert params["client_reference_id"] == str(created.organization.pk)
    assert params["metadata"]["pack"] == "growth"
    assert params["metadata"]["organization_id"] == str(created.organization.pk)
    assert params["line_items"][0]["price_data"]["unit_amount"] == "5000"
    assert call["headers"].get("idempotency-key")  # the SDK's own, so its retries are safe
    purchase = Purchase.objects.get(checkout_session_id=body["session_id"])
    assert (purchase.status, purchase.credits) == ("pending", 5500)
    assert _available(created) == 0  # nothing until Stripe says it is paid


def test_replayed_and_duplicate_checkout_events_grant_once(client, stripe_settings, tenant, api_client):
    created = tenant(0)
    session_id = _checkout(api_client, created)["session_id"]
    paid = stripe_settings.pay(session_id)
    completed = event_payload("checkout.session.completed", paid)
    for _ in range(10):  # the same event delivered ten times
        response = webhook_post(client, completed)
        assert response.status_code == 200, response.content
    # Stripe may also send async_payment_succeeded for the same session, as a different event
    assert webhook_post(client, event_payload("checkout.session.async_payment_succeeded", paid)).status_code == 200
    assert _available(created) == 1000
    assert LedgerEntry.objects.filter(account__organization=created.organization, kind="purchase").count() == 1
    assert StripeEvent.objects.count() == 2
    purchase = Purchase.objects.get(checkout_session_id=session_id)
    assert purchase.status == "paid" and purchase.payment_intent_id == paid["payment_intent"]
    assert CreditAccount.objects.get(organization=created.organization).stripe_customer_id == paid["customer"]
    assert account_ledger_verify(account=purchase.account)["ok"]


def test_async_payment_grants_only_when_it_succeeds_in_any_order(client, stripe_settings, tenant, api_client):
    created = tenant(0)
    session_id = _checkout(api_client, created)["session_id"]
    pending = stripe_settings.pay(session_id, async_method=True)
    settled = stripe_settings.settle_async(session_id)
    # the success arrives first, then the (unpaid) completion, then both again
    webhook_post(client, event_payload("checkout.session.async_payment_succeeded", settled, event_id="evt_a"))
    assert _available(created) == 1000
    webhook_post(client, event_payload("checkout.session.completed", pending, event_id="evt_b"))
    webhook_post(client, event_payload("checkout.session.async_payment_succeeded", settled, event_id="evt_a"))
    webhook_post(client, event_payload("checkout.session.completed", settled, event_id="evt_c"))
    assert _available(created) == 1000


def test_unpaid_async_completion_grants_nothing(client, stripe_settings, tenant, api_client):
    created = tenant(0)
    session_id = _checkout(api_client, created)["session_id"]
    pending = stripe_settings.pay(session_id, async_method=True)
    assert webhook_post(client, event_payload("checkout.session.completed", pending)).status_code == 200
    assert _available(created) == 0


@pytest.mark.parametrize("case", ["bad_signature", "wrong_secret", "stale", "missing", "garbled"])
def test_bad_signature_or_stale_timestamp_is_400_and_writes_nothing(client, stripe_settings, tenant, api_client,
                                                                     case):
    created = tenant(0)
    session_id = _checkout(api_client, created)["session_id"]
    payload = event_payload("checkout.session.completed", stripe_settings.pay(session_id))
    kwargs = {
        "bad_signature": {"signature": sign_payload(payload)[:-4] + "0000"},
        "wrong_secret": {"secret": "whsec_someone_else"},
        "stale": {"timestamp": int(time.time()) - 301},  # Stripe's default tolerance is 300 s
        "missing": {"signature": ""},
        "garbled": {"signature": "t=notanumber,v1=abc"},
    }[case]
    response = webhook_post(client, payload, **kwargs)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_signature"
    assert StripeEvent.objects.count() == 0
    assert _available(created) == 0
    assert Purchase.objects.get(checkout_session_id=session_id).status == "pending"


def test_a_body_changed_after_signing_is_refused(client, stripe_settings, tenant, api_client):
    created = tenant(0)
    session_id = _checkout(api_client, created)["session_id"]
    payload = event_payload("checkout.session.completed", stripe_settings.pay(session_id))
    header = sign_payload(payload)
    tampered = payload.replace(b'"amount_total": 1000', b'"amount_total": 1')
    assert tampered != payload
    assert webhook_post(client, tampered, signature=header).status_code == 400
    assert StripeEvent.objects.count() == 0


def test_a_session_naming_another_organization_grants_nothing(client, stripe_settings, tenant, api_client):
    """A forged reassignment: the session we created for A comes back naming B."""
    a, b = tenant(0), tenant(0)
    session_id = _checkout(api_client, a)["session_id"]
    paid = stripe_settings.pay(session_id)
    paid["client_reference_id"] = str(b.organization.pk)
    assert webhook_post(client, event_payload("checkout.session.completed", paid)).status_code == 200
    assert (_available(a), _available(b)) == (0, 0)


def test_refund_reverses_the_grant_and_dispute_freezes_when_spent(client, stripe_settings, tenant, api_client):
    from adgen.billing import services

    created = tenant(0)
    session_id = _checkout(api_client, created, "starter")["session_id"]
    webhook_post(client, event_payload("checkout.session.completed", stripe_settings.pay(session_id)))
    assert _available(created) == 1000
    # half refunded: half the credits go back, once, however often Stripe repeats it
    half = event_payload("charge.refunded", stripe_settings.charge(session_id, amount_refunded=500))
    for _ in range(3):
        webhook_post(client, half)
    assert _available(created) == 500
    # the customer spends most of the rest, then disputes the payment
    services.credits_hold(organization=created.organization, amount=450, reference="job:spent")
    services.credits_capture(reference="job:spent", amount=450, idempotency_key="render:1")
    webhook_post(client, event_payload("charge.dispute.created", stripe_settings.dispute(session_id)))
    account = CreditAccount.objects.get(organization=created.organization)
    assert (account.available, account.held, account.frozen) == (0, 0, True)  # never below zero: frozen
    purchase = Purchase.objects.get(checkout_session_id=session_id)
    assert (purchase.status, purchase.credits_reversed) == ("disputed", 1000)
    assert account_ledger_verify(account=account)["ok"]


def test_monthly_plan_grants_credits_per_paid_invoice(client, stripe_settings, tenant, api_client):
    created = tenant(0)
    response = api_client(created).post(f"/api/v1/workspaces/{created.workspace.pk}/credits/subscribe/",
                                        {"plan": "creator-monthly"}, format="json")
    assert response.status_code == 201, response.content
    session_id = response.json()["session_id"]
    params = stripe_settings.requests[-1]["params"]
    assert params["mode"] == "subscription"
    assert params["line_items"][0]["price_data"]["recurring"]["interval"] == "month"
    session = stripe_settings.pay(session_id)
    first, second = stripe_settings.invoice(session_id), stripe_settings.invoice(session_id)
    # the first invoice may arrive before checkout.session.completed
    webhook_post(client, event_payload("invoice.paid", first))
    webhook_post(client, event_payload("checkout.session.completed", session))
    webhook_post(client, event_payload("invoice.paid", first))
    assert _available(created) == 3000
    webhook_post(client, event_payload("invoice.paid", second))  # next month
    assert _available(created) == 6000
    assert Subscription.objects.get(stripe_subscription_id=session["subscription"]).plan_sku == "creator-monthly"


def test_customer_portal_link(stripe_settings, tenant, api_client):
    created = tenant(0)
    response = api_client(created).post(f"/api/v1/workspaces/{created.workspace.pk}/credits/portal/")
    assert response.status_code == 201, response.content
    assert response.json()["url"].startswith(stripe_settings.url + "/p/session/")
    customer_id = CreditAccount.objects.get(organization=created.organization).stripe_customer_id
    assert customer_id in stripe_settings.customers
    # the next checkout reuses that customer
    _checkout(api_client, created)
    assert stripe_settings.requests[-1]["params"]["customer"] == customer_id


def test_unknown_pack_and_unconfigured_stripe_are_clear_errors(settings, tenant, api_client, stripe_settings):
    created = tenant(0)
    client = api_client(created)
    url = f"/api/v1/workspaces/{created.workspace.pk}/credits/checkout/"
    response = client.post(url, {"pack": "nope"}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "unknown_pack")
    settings.STRIPE_SECRET_KEY = ""
    response = client.post(url, {"pack": "starter"}, format="json")
    assert (response.status_code, response.json()["code"]) == (503, "billing_not_configured")


def test_stripe_errors_become_payment_provider_errors(settings, tenant, api_client, stripe_settings):
    created = tenant(0)
    settings.STRIPE_SECRET_KEY = "sk_test_wrong"
    response = api_client(created).post(f"/api/v1/workspaces/{created.workspace.pk}/credits/checkout/",
                                        {"pack": "starter"}, format="json")
    assert (response.status_code, response.json()["code"]) == (502, "payment_provider_error")
    assert not Purchase.objects.exists()
