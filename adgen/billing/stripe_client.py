"""The Stripe SDK, configured from settings: STRIPE_SECRET_KEY, and STRIPE_API_BASE to point it
at another host (tests run a local server speaking Stripe's wire format)."""

from __future__ import annotations

import logging
from typing import Callable, TypeVar

import stripe
from django.conf import settings

from .errors import BillingNotConfigured, PaymentProviderError

log = logging.getLogger(__name__)
T = TypeVar("T")


def card_payments_enabled() -> bool:
    """Whether anything can be bought: Stripe needs its secret key (the dashboard hides Buy without it)."""
    return bool(getattr(settings, "STRIPE_SECRET_KEY", ""))


def stripe_client() -> stripe.StripeClient:
    if not card_payments_enabled():
        raise BillingNotConfigured()
    api_key = settings.STRIPE_SECRET_KEY
    api_base = getattr(settings, "STRIPE_API_BASE", "")
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": api_base.rstrip("/")} if api_base else None,
        max_network_retries=2,  # the SDK adds an Idempotency-Key, so retried POSTs are safe
    )


def stripe_call(call: Callable[[], T]) -> T:
    """Run one SDK call; Stripe's errors become a PaymentProviderError with Stripe's message."""
    try:
        return call()
    except stripe.StripeError as exc:
        log.warning("stripe call failed: %s", exc)
        message = exc.user_message or "The payment provider refused the request."
        raise PaymentProviderError(message) from exc
