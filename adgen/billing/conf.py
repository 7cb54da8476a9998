"""Billing configuration: credit packs, monthly plans and the price table.

Each comes from a Django setting when present (BILLING_CREDIT_PACKS, BILLING_PLANS,
BILLING_PRICES), else from the environment as JSON (ADGEN_BILLING_PACKS, ADGEN_BILLING_PLANS,
ADGEN_BILLING_PRICES), else from the defaults below. One credit is meant to be about one cent.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from django.conf import settings

DEFAULT_PACKS = [
    {"sku": "starter", "name": "Starter: 1,000 credits", "credits": 1000, "price_cents": 1000, "currency": "usd"},
    {"sku": "growth", "name": "Growth: 5,500 credits", "credits": 5500, "price_cents": 5000, "currency": "usd"},
    {"sku": "agency", "name": "Agency: 24,000 credits", "credits": 24000, "price_cents": 20000, "currency": "usd"},
]
DEFAULT_PLANS = [
    {"sku": "creator-monthly", "name": "Creator: 3,000 credits a month", "credits": 3000,
     "price_cents": 2900, "currency": "usd", "interval": "month"},
    {"sku": "agency-monthly", "name": "Agency: 20,000 credits a month", "credits": 20000,
     "price_cents": 14900, "currency": "usd", "interval": "month"},
]
# Credits per output second by price class (each engine's class is declared in pipelines.engines);
# preview renders are cheaper than finals.
# offline_render: every rendered second of every variant x aspect x platform (ffmpeg, offline voice/presenter);
# neural_presenter: every second of lip-synced presenter, made once per variant and reused per aspect;
# dit_broll: every second of DiT-generated b-roll, made once per variant.
DEFAULT_PRICES = {
    "offline_render": {"final": 1.0, "preview": 0.25},
    "neural_presenter": {"final": 4.0, "preview": 1.0},
    "dit_broll": {"final": 6.0, "preview": 1.5},
}


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    credits: int
    price_cents: int
    currency: str = "usd"
    stripe_price_id: str = ""  # optional: a Price created in the Stripe dashboard
    interval: str = ""  # "month" for plans, "" for one-off packs

    def as_dict(self) -> dict:
        return {"sku": self.sku, "name": self.name, "credits": self.credits,
                "price_cents": self.price_cents, "currency": self.currency,
                **({"interval": self.interval} if self.interval else {})}


def _configured(setting: str, env: str, default):
    value = getattr(settings, setting, None)
    if value is None and os.environ.get(env):
        value = json.loads(os.environ[env])
    return default if value is None else value


def credit_packs() -> dict[str, Product]:
    return {p["sku"]: Product(**p) for p in _configured("BILLING_CREDIT_PACKS", "ADGEN_BILLING_PACKS", DEFAULT_PACKS)}


def plans() -> dict[str, Product]:
    items = _configured("BILLING_PLANS", "ADGEN_BILLING_PLANS", DEFAULT_PLANS)
    return {p["sku"]: Product(**{"interval": "month", **p}) for p in items}


def prices() -> dict[str, dict[str, float]]:
    return _configured("BILLING_PRICES", "ADGEN_BILLING_PRICES", DEFAULT_PRICES)


def trial_credits() -> int:
    return int(getattr(settings, "TRIAL_CREDITS", 0))


def hold_ttl_hours() -> int:
    """Holds older than this are released by `holds_release_expired` (a job never runs this long)."""
    return int(getattr(settings, "BILLING_HOLD_TTL_HOURS", 48))
