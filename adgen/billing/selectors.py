"""Billing reads: balances, ledger history, purchases, the price table and quotes."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import QuerySet, Sum

from . import conf
from .errors import InvalidJobSpec
from .models import CreditAccount, CreditHold, LedgerEntry, Purchase

ASPECTS = {"9:16", "1:1", "4:5", "16:9"}
MAX_VARIANTS = 20
MAX_DURATION_S = 300


@dataclass(frozen=True)
class Balance:
    available: int
    held: int
    frozen: bool = False


def account_balance(*, organization) -> Balance:
    account = CreditAccount.objects.filter(organization=organization).first()
    if account is None:
        return Balance(available=0, held=0)
    return Balance(available=account.available, held=account.held, frozen=account.frozen)


def ledger_entries_list(*, organization) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(account__organization=organization).order_by("-created_at", "-id")


def purchases_list(*, organization) -> QuerySet[Purchase]:
    return Purchase.objects.filter(account__organization=organization).order_by("-created_at")


def holds_list(*, organization) -> QuerySet[CreditHold]:
    return CreditHold.objects.filter(account__organization=organization)


def account_ledger_verify(*, account: CreditAccount) -> dict:
    """Check the cached balance against the ledger: available == Σ available_delta, held == Σ held_delta
    (so available + held == the ledger's sum), and each open hold's remainder adds up to `held`."""
    account.refresh_from_db()
    sums = account.entries.aggregate(available=Sum("available_delta"), held=Sum("held_delta"))
    ledger_available, ledger_held = sums["available"] or 0, sums["held"] or 0
    holds_remaining = sum(h.remaining for h in account.holds.all())
    ok = (account.available == ledger_available and account.held == ledger_held
          and holds_remaining == account.held and account.available >= 0 and account.held >= 0)
    return {"ok": ok, "available": account.available, "held": account.held,
            "ledger_available": ledger_available, "ledger_held": ledger_held,
            "ledger_total": ledger_available + ledger_held, "holds_remaining": holds_remaining}


def packs_list() -> list[dict]:
    return [p.as_dict() for p in conf.credit_packs().values()]


def plans_list() -> list[dict]:
    return [p.as_dict() for p in conf.plans().values()]


# --------------------------------------------------------------------------- quotes


def _spec_int(spec: dict, name: str, default: int, low: int, high: int) -> int:
    value = spec.get(name, default)
    if value is None:
        value = default
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidJobSpec(f"`{name}` must be a number, got {value!r}.") from None
    if isinstance(value, bool) or not math.isfinite(number) or not low <= number <= high:
        raise InvalidJobSpec(f"`{name}` must be between {low} and {high}, got {value!r}.")
    return math.ceil(number)


def job_quote_lines(*, spec: dict) -> list[dict]:
    """The priced lines of a job: [{"engine_class", "seconds", "credits_per_second", "credits"}]."""
    if not isinstance(spec, dict):
        raise InvalidJobSpec("The job options must be an object.")
    variants = _spec_int(spec, "variants", 1, 1, MAX_VARIANTS)
    duration = _spec_int(spec, "duration", 30, 1, MAX_DURATION_S)
    aspects = spec.get("aspects") or ["9:16"]
    if isinstance(aspects, str):
        aspects = [aspects]
    if not isinstance(aspects, (list, tuple)) or any(a not in ASPECTS for a in aspects):
        raise InvalidJobSpec(f"`aspects` must be a list drawn from {sorted(ASPECTS)}, got {aspects!r}.")
    engines = spec.get("engines") or {}
    if not isinstance(engines, dict):
        raise InvalidJobSpec("`engines` must be an object such as {\"avatar\": \"puppet\", \"broll\": \"motion\"}.")
    tier = "preview" if spec.get("preview") else "final"
    table = conf.prices()

    def line(engine_class: str, seconds: int) -> dict:
        rate = float(table[engine_class][tier])
        return {"engine_class": engine_class, "tier": tier, "seconds": seconds, "credits_per_second": rate,
                "credits": math.ceil(seconds * rate)}

    lines = [line("offline_render", variants * len(set(aspects)) * duration)]
    if engines.get("avatar") in conf.NEURAL_AVATAR_ENGINES:
        lines.append(line("neural_presenter", variants * duration))
    if engines.get("broll") in conf.DIT_BROLL_ENGINES:
        lines.append(line("dit_broll", variants * duration))
    return lines


def job_quote(*, organization, spec: dict) -> int:
    """Credits a job with these options costs (what `credits_hold` will set aside); at least 1.

    organization is part of the signature so per-organization price lists can come later.
    """
    return max(1, sum(line["credits"] for line in job_quote_lines(spec=spec)))
