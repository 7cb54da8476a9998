"""Billing writes: accounts, holds/captures/releases, grants, Stripe checkout and fulfilment.

Lock discipline: check what can be checked without a lock, then lock exactly one row — the
organization's CreditAccount (`select_for_update`) — then re-read and change. Holds, purchases
and subscriptions of an account are only ever changed while their account row is locked, so
there is a single lock per operation and no lock-order cycles. Every balance change is one
ledger row whose idempotency key is unique per account: a retried call finds its row and
returns the first call's result instead of changing anything twice.

Public API used by the SaaS core (adgen.ads.billing_hooks): `job_quote`, `credits_hold`,
`credits_capture`, `credits_release`, `credits_grant`, `billing_account_open`.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import timedelta

import stripe
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from . import conf
from .errors import (
    AccountFrozen,
    BillingError,
    HoldNotFound,
    HoldReferenceConflict,
    InsufficientCredits,
    InvalidAmount,
    UnknownPack,
)
from .models import CreditAccount, CreditHold, LedgerEntry, Purchase, StripeEvent, Subscription
from .selectors import job_quote, job_quote_lines  # noqa: F401  (re-exported: the public quote API)
from .stripe_client import stripe_call, stripe_client

log = logging.getLogger(__name__)

Kind = LedgerEntry.Kind


class WebhookSignatureInvalid(BillingError):
    default_code = "invalid_signature"
    default_message = "The Stripe-Signature header is missing, wrong or too old."


# --------------------------------------------------------------------------- accounts & ledger


def _positive_int(amount, *, allow_zero: bool = False) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0 or (amount == 0 and not allow_zero):
        raise InvalidAmount(f"Credit amounts must be positive whole numbers, got {amount!r}.")
    return amount


def _account_get_or_create(organization) -> CreditAccount:
    account, _ = CreditAccount.objects.get_or_create(organization=organization)
    return account


def _account_lock(*, organization=None, account_id=None) -> CreditAccount:
    """The one lock a spending operation takes. Call inside transaction.atomic()."""
    if account_id is None:
        account_id = _account_get_or_create(organization).pk
    return CreditAccount.objects.select_for_update().get(pk=account_id)


def _ledger_append(account: CreditAccount, *, kind: str, key: str, available_delta: int = 0,
                   held_delta: int = 0, reference: str = "", description: str = "", actor=None,
                   metadata: dict | None = None) -> tuple[LedgerEntry, bool]:
    """Apply one change to the locked account and record it; (entry, created)."""
    existing = LedgerEntry.objects.filter(account=account, idempotency_key=key).first()
    if existing is not None:
        return existing, False
    account.available += available_delta
    account.held += held_delta
    account.save(update_fields=["available", "held", "updated_at"])
    entry = LedgerEntry.objects.create(
        account=account, kind=kind, idempotency_key=key, available_delta=available_delta,
        held_delta=held_delta, reference=reference, description=description[:500], actor=actor,
        metadata=metadata or {},
    )
    return entry, True


def billing_account_open(organization) -> CreditAccount:
    """Create the organization's credit account and grant the trial credits, once.

    Called from a post_save signal on tenants.Organization (see apps.py); safe to call again.
    """
    with transaction.atomic():
        account = _account_lock(organization=organization)
        trial = conf.trial_credits()
        if trial > 0:
            _ledger_append(account, kind=Kind.GRANT, key="trial", available_delta=trial,
                           description="Trial credits for a new organization")
    return account


def credits_grant(*, organization, amount: int, kind: str = Kind.GRANT, idempotency_key: str,
                  description: str = "", reference: str = "", actor=None, metadata: dict | None = None) -> LedgerEntry:
    """Add credits (purchase, grant, positive adjustment). Idempotent on `idempotency_key`."""
    _positive_int(amount)
    if kind not in (Kind.GRANT, Kind.PURCHASE, Kind.ADJUSTMENT):
        raise BillingError(f"Credits cannot be granted as {kind!r}.", code="invalid_kind")
    with transaction.atomic():
        account = _account_lock(organization=organization)
        entry, _ = _ledger_append(account, kind=kind, key=idempotency_key, available_delta=amount,
                                  reference=reference, description=description, actor=actor, metadata=metadata)
    return entry


def credits_adjust(*, organization, amount: int, actor, reason: str, idempotency_key: str | None = None) -> LedgerEntry:
    """A support adjustment (either sign), recorded with the acting staff user.

    A debit may not take the balance below zero: it raises InsufficientCredits instead.
    """
    if isinstance(amount, bool) or not isinstance(amount, int) or amount == 0:
        raise InvalidAmount("An adjustment must be a non-zero whole number of credits.")
    if not reason.strip():
        raise BillingError("Say why the credits are adjusted.", code="reason_required")
    key = idempotency_key or f"adjustment:{uuid.uuid4()}"
    with transaction.atomic():
        account = _account_lock(organization=organization)
        if amount < 0 and account.available < -amount and not LedgerEntry.objects.filter(
                account=account, idempotency_key=key).exists():
            raise InsufficientCredits(f"Cannot debit {-amount} credits: only {account.available} are available.")
        entry, _ = _ledger_append(account, kind=Kind.ADJUSTMENT, key=key, available_delta=amount,
                                  description=reason, actor=actor)
    return entry


def account_freeze(*, organization, reason: str) -> CreditAccount:
    with transaction.atomic():
        account = _account_lock(organization=organization)
        account.frozen, account.frozen_reason = True, reason[:200]
        account.save(update_fields=["frozen", "frozen_reason", "updated_at"])
    return account


def account_unfreeze(*, organization) -> CreditAccount:
    with transaction.atomic():
        account = _account_lock(organization=organization)
        account.frozen, account.frozen_reason = False, ""
        account.save(update_fields=["frozen", "frozen_reason", "updated_at"])
    return account


def credits_reverse(*, account_id: int, amount: int, kind: str, idempotency_key: str, reference: str = "",
                    description: str = "") -> tuple[int, int]:
    """Take back up to `amount` available credits (refund, dispute, expiry); (taken, shortfall).

    The balance never goes below zero: whatever cannot be taken freezes the account instead, so
    it can spend nothing until support settles it. Held credits of running jobs are not touched.
    """
    _positive_int(amount, allow_zero=True)
    with transaction.atomic():
        account = _account_lock(account_id=account_id)
        existing = LedgerEntry.objects.filter(account=account, idempotency_key=idempotency_key).first()
        if existing is not None:
            return -existing.available_delta, int(existing.metadata.get("shortfall", 0))
        taken = min(amount, account.available)
        shortfall = amount - taken
        _ledger_append(account, kind=kind, key=idempotency_key, available_delta=-taken, reference=reference,
                       description=description, metadata={"requested": amount, "shortfall": shortfall})
        if shortfall:
            account.frozen = True
            account.frozen_reason = f"{shortfall} credits of {reference or kind} could not be reversed"[:200]
            account.save(update_fields=["frozen", "frozen_reason", "updated_at"])
    return taken, shortfall


# --------------------------------------------------------------------------- holds


def credits_hold(*, organization, amount: int, reference: str, description: str = "") -> CreditHold:
    """Set `amount` credits aside for the work named by `reference` (e.g. "job:<id>").

    Raises InsufficientCredits when the available balance cannot cover it and AccountFrozen for
    a frozen account. Idempotent on `reference`: a retried submit gets the same hold back.
    """
    _positive_int(amount)
    if not reference:
        raise BillingError("A hold needs a reference.", code="reference_required")
    existing = CreditHold.objects.filter(reference=reference).first()  # check (no lock)
    if existing is None:
        with transaction.atomic():
            account = _account_lock(organization=organization)  # lock
            existing = CreditHold.objects.filter(reference=reference).first()  # re-check under the lock
            if existing is None:  # change
                if account.frozen:
                    raise AccountFrozen()
                if account.available < amount:
                    raise InsufficientCredits(
                        f"This job costs {amount} credits but only {account.available} are available"
                        f" ({account.held} are held by running jobs). Buy a credit pack or choose fewer outputs.")
                hold = CreditHold.objects.create(account=account, reference=reference, amount=amount)
                _ledger_append(account, kind=Kind.HOLD, key=f"hold:{reference}", available_delta=-amount,
                               held_delta=amount, reference=reference, description=description)
                return hold
    if existing.account.organization_id != organization.pk or existing.amount != amount:
        raise HoldReferenceConflict(f"The hold {reference!r} already exists with other terms.")
    return existing


def credits_capture(*, reference: str, amount: int, idempotency_key: str) -> int:
    """Spend up to `amount` of the hold for delivered work; returns the credits captured.

    Never captures more than is left of the hold. Idempotent on `idempotency_key` (e.g. the
    render id): a retried or re-delivered stage gets the first capture's figure back.
    """
    _positive_int(amount)
    hold = CreditHold.objects.filter(reference=reference).first()
    if hold is None:
        raise HoldNotFound(f"No credit hold exists for {reference!r}.")
    key = f"capture:{reference}:{idempotency_key}"
    with transaction.atomic():
        account = _account_lock(account_id=hold.account_id)
        done = LedgerEntry.objects.filter(account=account, idempotency_key=key).first()
        if done is not None:
            return -done.held_delta
        hold.refresh_from_db()
        take = min(amount, hold.remaining)
        if take <= 0:
            return 0
        hold.captured += take
        if hold.remaining == 0:
            hold.status = CreditHold.Status.SETTLED
        hold.save(update_fields=["captured", "status", "updated_at"])
        _ledger_append(account, kind=Kind.CAPTURE, key=key, held_delta=-take, reference=reference,
                       metadata={"requested": amount})
    return take


def credits_release(*, reference: str, reason: str = "released") -> int:
    """Return what is left of the hold to the available balance; returns the credits released.

    Used on failure, cancellation and expiry. Idempotent: a second call releases nothing, and so
    does a reference that never got a hold (a job refused before holding, or made without billing).
    """
    hold = CreditHold.objects.filter(reference=reference).first()
    if hold is None:
        log.info("release of %r: no hold exists, nothing to return", reference)
        return 0
    with transaction.atomic():
        account = _account_lock(account_id=hold.account_id)
        hold.refresh_from_db()
        left = hold.remaining
        if left > 0:
            _ledger_append(account, kind=Kind.RELEASE, key=f"release:{reference}", available_delta=left,
                           held_delta=-left, reference=reference, description=reason, metadata={"reason": reason})
            hold.released += left
        if hold.status != CreditHold.Status.SETTLED:
            hold.status = CreditHold.Status.SETTLED
        hold.save(update_fields=["released", "status", "updated_at"])
    return left


def holds_release_expired(*, older_than: timedelta | None = None) -> int:
    """Release every open hold older than the hold TTL (a job that died without telling us)."""
    cutoff = timezone.now() - (older_than if older_than is not None else timedelta(hours=conf.hold_ttl_hours()))
    released = 0
    for reference in CreditHold.objects.filter(status=CreditHold.Status.OPEN, created_at__lt=cutoff) \
            .values_list("reference", flat=True):
        released += credits_release(reference=reference, reason="expired")
    return released


# --------------------------------------------------------------------------- Stripe: selling


def _redirect_urls(workspace) -> tuple[str, str]:
    site = settings.SITE_URL.rstrip("/")
    success = getattr(settings, "BILLING_SUCCESS_URL", "") or \
        f"{site}/workspaces/{workspace.pk}/billing/?checkout=success&session_id={{CHECKOUT_SESSION_ID}}"
    cancel = getattr(settings, "BILLING_CANCEL_URL", "") or f"{site}/workspaces/{workspace.pk}/billing/?checkout=cancelled"
    return success, cancel


def _line_item(product: conf.Product, *, recurring: bool) -> dict:
    if product.stripe_price_id:
        return {"price": product.stripe_price_id, "quantity": 1}
    price_data = {"currency": product.currency, "unit_amount": product.price_cents,
                  "product_data": {"name": product.name}}
    if recurring:
        price_data["recurring"] = {"interval": product.interval or "month"}
    return {"price_data": price_data, "quantity": 1}


def checkout_session_create(*, workspace, pack_sku: str, user=None) -> dict:
    """Start buying a credit pack: a Stripe Checkout Session (mode=payment) for the workspace's
    organization; returns {"checkout_url", "session_id"}. Credits arrive with the webhook."""
    pack = conf.credit_packs().get(pack_sku)
    if pack is None:
        raise UnknownPack(f"No credit pack {pack_sku!r}; see GET /api/v1/billing/packs/.")
    organization = workspace.organization
    account = _account_get_or_create(organization)
    success_url, cancel_url = _redirect_urls(workspace)
    metadata = {"pack": pack.sku, "credits": str(pack.credits), "organization_id": str(organization.pk),
                "workspace_id": str(workspace.pk)}
    params = {
        "mode": "payment",
        "client_reference_id": str(organization.pk),
        "line_items": [_line_item(pack, recurring=False)],
        "metadata": metadata,
        "payment_intent_data": {"metadata": metadata},
        "success_url": success_url,
        "cancel_url": cancel_url,
    }
    if account.stripe_customer_id:
        params["customer"] = account.stripe_customer_id
    else:
        params["customer_creation"] = "always"
    if user is not None and getattr(user, "email", "") and not account.stripe_customer_id:
        params["customer_email"] = user.email
    session = stripe_call(lambda: stripe_client().v1.checkout.sessions.create(params=params))
    Purchase.objects.create(
        account=account, checkout_session_id=session.id, pack_sku=pack.sku, credits=pack.credits,
        amount_total=pack.price_cents, currency=pack.currency, workspace=workspace,
        created_by=user if getattr(user, "pk", None) else None,
    )
    return {"checkout_url": session.url, "session_id": session.id}


def subscription_checkout_create(*, workspace, plan_sku: str, user=None) -> dict:
    """Start a monthly plan: Checkout in subscription mode; each paid invoice grants credits."""
    plan = conf.plans().get(plan_sku)
    if plan is None:
        raise UnknownPack(f"No plan {plan_sku!r}; see GET /api/v1/billing/packs/.")
    organization = workspace.organization
    account = _account_get_or_create(organization)
    success_url, cancel_url = _redirect_urls(workspace)
    metadata = {"plan": plan.sku, "organization_id": str(organization.pk), "workspace_id": str(workspace.pk)}
    params = {
        "mode": "subscription",
        "client_reference_id": str(organization.pk),
        "line_items": [_line_item(plan, recurring=True)],
        "metadata": metadata,
        "subscription_data": {"metadata": metadata},
        "success_url": success_url,
        "cancel_url": cancel_url,
    }
    if account.stripe_customer_id:
        params["customer"] = account.stripe_customer_id
    session = stripe_call(lambda: stripe_client().v1.checkout.sessions.create(params=params))
    return {"checkout_url": session.url, "session_id": session.id}


def portal_session_create(*, workspace, return_url: str | None = None) -> str:
    """A Stripe customer-portal link (invoices, payment methods, plan changes)."""
    organization = workspace.organization
    account = _account_get_or_create(organization)
    client = stripe_client()
    if not account.stripe_customer_id:
        customer = stripe_call(lambda: client.v1.customers.create(params={
            "name": organization.name, "metadata": {"organization_id": str(organization.pk)}}))
        CreditAccount.objects.filter(pk=account.pk, stripe_customer_id="").update(stripe_customer_id=customer.id)
        account.refresh_from_db()
    site = settings.SITE_URL.rstrip("/")
    session = stripe_call(lambda: client.v1.billing_portal.sessions.create(params={
        "customer": account.stripe_customer_id,
        "return_url": return_url or f"{site}/workspaces/{workspace.pk}/billing/"}))
    return session.url


# --------------------------------------------------------------------------- Stripe: webhooks


def stripe_event_receive(*, payload: bytes, signature: str | None) -> tuple[StripeEvent, bool]:
    """Verify (signature + timestamp, exactly as Stripe's SDK does), store once by id, process.

    Returns (event, processed_now). A replayed event is answered without doing anything. A
    handler error rolls the whole event back (nothing stored) so Stripe's retry runs it again.
    """
    secret = getattr(settings, "STRIPE_WEBHOOK_SECRET", "")
    if not secret:
        raise WebhookSignatureInvalid("No webhook secret is configured (STRIPE_WEBHOOK_SECRET).")
    tolerance = int(getattr(settings, "STRIPE_WEBHOOK_TOLERANCE", stripe.Webhook.DEFAULT_TOLERANCE))
    try:
        stripe.Webhook.construct_event(payload, signature, secret, tolerance)
        data = json.loads(payload)
        event_id, event_type, obj = data["id"], data["type"], data["data"]["object"]
    except stripe.SignatureVerificationError as exc:
        raise WebhookSignatureInvalid(str(exc.user_message or exc)) from None
    except (ValueError, KeyError, TypeError):
        raise BillingError("The webhook body is not a Stripe event.", code="invalid_payload") from None

    with transaction.atomic():
        event, _ = StripeEvent.objects.get_or_create(
            id=event_id, defaults={"type": event_type, "payload": data, "livemode": bool(data.get("livemode"))})
        event = StripeEvent.objects.select_for_update().get(pk=event.pk)
        if event.processed_at is not None:
            return event, False
        handler = _EVENT_HANDLERS.get(event_type)
        if handler is not None:
            handler(obj)
        event.processed_at = timezone.now()
        event.save(update_fields=["processed_at"])
    return event, True


def _organization_account(organization_id) -> CreditAccount | None:
    if not organization_id:
        return None
    from tenants.models import Organization

    try:
        organization = Organization.objects.filter(pk=organization_id).first()
    except (ValueError, TypeError, ValidationError):  # a malformed id from a session not made by us
        return None
    return _account_get_or_create(organization) if organization else None


def purchase_fulfil(*, session: dict) -> LedgerEntry | None:
    """Grant a paid Checkout Session's credits exactly once (ledger key checkout:<session id>)."""
    if session.get("mode") != "payment":
        return None
    if session.get("payment_status") not in ("paid", "no_payment_required"):
        return None  # an async method still pending: async_payment_succeeded will follow
    session_id = session["id"]
    purchase = Purchase.objects.filter(checkout_session_id=session_id).select_related("account").first()
    account = purchase.account if purchase else _organization_account(session.get("client_reference_id"))
    if account is None:
        log.warning("checkout session %s names no organization of ours", session_id)
        return None
    if str(account.organization_id) != str(session.get("client_reference_id")):
        log.warning("checkout session %s: client_reference_id does not match its purchase", session_id)
        return None
    if purchase is None:  # a session made outside this server (e.g. a payment link) with our metadata
        pack = conf.credit_packs().get((session.get("metadata") or {}).get("pack", ""))
        if pack is None:
            log.warning("checkout session %s names no known pack", session_id)
            return None
        purchase, _ = Purchase.objects.get_or_create(
            checkout_session_id=session_id,
            defaults={"account": account, "pack_sku": pack.sku, "credits": pack.credits,
                      "amount_total": session.get("amount_total") or pack.price_cents,
                      "currency": session.get("currency") or pack.currency})
    with transaction.atomic():
        account = _account_lock(account_id=account.pk)
        purchase = Purchase.objects.get(pk=purchase.pk)
        entry, created = _ledger_append(
            account, kind=Kind.PURCHASE, key=f"checkout:{session_id}", available_delta=purchase.credits,
            reference=session_id, description=f"Credit pack {purchase.pack_sku}",
            metadata={"pack": purchase.pack_sku, "payment_intent": session.get("payment_intent") or ""})
        if created:
            purchase.status = Purchase.Status.PAID
            purchase.fulfilled_at = timezone.now()
            purchase.payment_intent_id = session.get("payment_intent") or ""
            if session.get("amount_total") is not None:
                purchase.amount_total = session["amount_total"]
            purchase.save(update_fields=["status", "fulfilled_at", "payment_intent_id", "amount_total"])
            if session.get("customer") and not account.stripe_customer_id:
                account.stripe_customer_id = session["customer"]
                account.save(update_fields=["stripe_customer_id", "updated_at"])
    return entry


def _checkout_session_completed(session: dict) -> None:
    if session.get("mode") == "subscription":
        subscription_record(session=session)
    else:
        purchase_fulfil(session=session)


def subscription_record(*, session: dict) -> Subscription | None:
    metadata = session.get("metadata") or {}
    account = _organization_account(session.get("client_reference_id"))
    if account is None or not session.get("subscription"):
        return None
    subscription, _ = Subscription.objects.get_or_create(
        stripe_subscription_id=session["subscription"],
        defaults={"account": account, "plan_sku": metadata.get("plan", "")})
    if session.get("customer") and not account.stripe_customer_id:
        CreditAccount.objects.filter(pk=account.pk, stripe_customer_id="").update(stripe_customer_id=session["customer"])
    return subscription


def _invoice_subscription(invoice: dict) -> tuple[str, dict]:
    """(subscription id, subscription metadata) across API versions (parent.subscription_details is newer)."""
    details = ((invoice.get("parent") or {}).get("subscription_details") or {})
    subscription_id = details.get("subscription") or invoice.get("subscription") or ""
    if isinstance(subscription_id, dict):
        subscription_id = subscription_id.get("id", "")
    metadata = details.get("metadata") or invoice.get("subscription_details", {}).get("metadata") or {}
    return subscription_id, metadata


def subscription_invoice_grant(*, invoice: dict) -> LedgerEntry | None:
    """A paid plan invoice grants the plan's monthly credits once (ledger key invoice:<id>)."""
    subscription_id, metadata = _invoice_subscription(invoice)
    if not subscription_id:
        return None
    subscription = Subscription.objects.filter(stripe_subscription_id=subscription_id).select_related("account").first()
    account = subscription.account if subscription else _organization_account(metadata.get("organization_id"))
    if account is None and invoice.get("customer"):
        account = CreditAccount.objects.filter(stripe_customer_id=invoice["customer"]).first()
    plan = conf.plans().get(subscription.plan_sku if subscription else metadata.get("plan", ""))
    if account is None or plan is None:
        log.warning("invoice %s: no organization or plan for subscription %s", invoice.get("id"), subscription_id)
        return None
    if subscription is None:
        Subscription.objects.get_or_create(stripe_subscription_id=subscription_id,
                                           defaults={"account": account, "plan_sku": plan.sku})
    with transaction.atomic():
        account = _account_lock(account_id=account.pk)
        entry, _ = _ledger_append(account, kind=Kind.GRANT, key=f"invoice:{invoice['id']}",
                                  available_delta=plan.credits, reference=subscription_id,
                                  description=f"Monthly credits: {plan.name}", metadata={"plan": plan.sku})
    return entry


def _subscription_changed(obj: dict) -> None:
    Subscription.objects.filter(stripe_subscription_id=obj.get("id", "")).update(status=obj.get("status", ""))


def _purchase_for_payment_intent(payment_intent) -> Purchase | None:
    if isinstance(payment_intent, dict):
        payment_intent = payment_intent.get("id")
    if not payment_intent:
        return None
    return Purchase.objects.filter(payment_intent_id=payment_intent).first()


def purchase_reverse_refund(*, charge: dict) -> tuple[int, int] | None:
    """A (partial) refund takes back the matching share of the pack's credits."""
    purchase = _purchase_for_payment_intent(charge.get("payment_intent"))
    if purchase is None or not charge.get("amount"):
        return None
    refunded, paid = int(charge.get("amount_refunded") or 0), int(charge["amount"])
    due = purchase.credits if refunded >= paid else purchase.credits * refunded // paid
    return _purchase_reverse(purchase, due=due, kind=Kind.REFUND, status=Purchase.Status.REFUNDED,
                             key=f"refund:{charge['id']}:{refunded}", reason="Refund")


def purchase_reverse_dispute(*, dispute: dict) -> tuple[int, int] | None:
    """A dispute takes back every credit of the pack not already reversed."""
    purchase = _purchase_for_payment_intent(dispute.get("payment_intent"))
    if purchase is None:
        return None
    return _purchase_reverse(purchase, due=purchase.credits, kind=Kind.REFUND, status=Purchase.Status.DISPUTED,
                             key=f"dispute:{dispute['id']}", reason="Dispute")


def _purchase_reverse(purchase: Purchase, *, due: int, kind: str, status: str, key: str, reason: str):
    with transaction.atomic():
        _account_lock(account_id=purchase.account_id)
        purchase = Purchase.objects.get(pk=purchase.pk)
        owed = max(0, due - purchase.credits_reversed)
        if owed == 0:
            return 0, 0
        result = credits_reverse(account_id=purchase.account_id, amount=owed, kind=kind, idempotency_key=key,
                                 reference=purchase.checkout_session_id,
                                 description=f"{reason} of credit pack {purchase.pack_sku}")
        purchase.credits_reversed += owed
        purchase.status = status
        purchase.save(update_fields=["credits_reversed", "status"])
    return result


_EVENT_HANDLERS = {
    "checkout.session.completed": _checkout_session_completed,
    "checkout.session.async_payment_succeeded": lambda s: purchase_fulfil(session=s),
    "invoice.paid": lambda i: subscription_invoice_grant(invoice=i),
    "customer.subscription.updated": _subscription_changed,
    "customer.subscription.deleted": _subscription_changed,
    "charge.refunded": lambda c: purchase_reverse_refund(charge=c),
    "charge.dispute.created": lambda d: purchase_reverse_dispute(dispute=d),
}
