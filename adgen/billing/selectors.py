"""Billing reads: balances, ledger history, purchases, the price table and quotes."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import QuerySet, Sum

from pipelines.errors import PipelineError
from tenants.models import Membership
from pipelines.jobs import JobSpec, job_spec_build, plan_billing

from . import conf
from .errors import InvalidJobSpec
from .models import CreditAccount, CreditHold, LedgerEntry, Purchase

# Who may buy credits, open the Stripe portal and (in the dashboard) see the Billing page: the one
# rule for the API's write role, the dashboard's nav and its billing views.
PAYER_ROLE = Membership.Role.ADMIN


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


def _job_spec(spec: JobSpec | dict) -> JobSpec:
    """A JobSpec from the API's job options (a quote needs no product yet)."""
    if isinstance(spec, JobSpec):
        return spec
    if not isinstance(spec, dict):
        raise InvalidJobSpec("The job options must be an object.")
    try:
        return job_spec_build(spec, require_source=False)
    except PipelineError as exc:
        raise InvalidJobSpec(exc.message) from None


def job_quote_lines(*, spec: JobSpec | dict) -> list[dict]:
    """The priced lines of a job's plan: [{"engine_class", "tier", "seconds", "credits_per_second", "credits"}].

    Priced from `pipelines.jobs.plan_billing`: every render node the plan makes (variants x aspects
    x platforms) and every neural node, each by its engine's price class in the registry."""
    job = _job_spec(spec)
    tier = "preview" if job.preview else "final"
    table = conf.prices()
    lines: dict[str, dict] = {}
    for work in plan_billing(job):
        rate = float(table[work.price][tier])
        line = lines.setdefault(work.price, {"engine_class": work.price, "tier": tier, "seconds": 0,
                                             "credits_per_second": rate, "credits": 0})
        line["seconds"] += math.ceil(work.seconds)
    for line in lines.values():
        line["credits"] = math.ceil(line["seconds"] * line["credits_per_second"])
    return list(lines.values())


def job_quote(*, organization, spec: JobSpec | dict) -> int:
    """Credits a job with these options costs (what `credits_hold` will set aside); at least 1.

    organization is part of the signature so per-organization price lists can come later.
    """
    return max(1, sum(line["credits"] for line in job_quote_lines(spec=spec)))
