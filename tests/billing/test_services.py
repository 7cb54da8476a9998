"""Ledger, holds, captures, releases, grants and quotes (adgen.billing.services / selectors)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from adgen.billing import services
from adgen.billing.errors import (
    AccountFrozen,
    HoldReferenceConflict,
    InsufficientCredits,
    InvalidAmount,
    InvalidJobSpec,
)
from adgen.billing.models import CreditAccount, CreditHold, LedgerEntry
from adgen.billing.selectors import account_balance, account_ledger_verify, job_quote, job_quote_lines

pytestmark = pytest.mark.django_db


def _account(org) -> CreditAccount:
    return CreditAccount.objects.get(organization=org)


def _assert_consistent(org):
    result = account_ledger_verify(account=_account(org))
    assert result["ok"], result
    return result


def test_new_organization_gets_trial_credits_once(tenant, settings):
    created = tenant(150)
    assert account_balance(organization=created.organization).available == 150
    services.billing_account_open(created.organization)  # called again: no second grant
    assert account_balance(organization=created.organization).available == 150
    assert LedgerEntry.objects.filter(account__organization=created.organization, kind="grant").count() == 1
    _assert_consistent(created.organization)


def test_hold_capture_release_keeps_the_ledger_sum(tenant):
    org = tenant(100).organization
    hold = services.credits_hold(organization=org, amount=60, reference="job:1")
    assert (hold.amount, hold.remaining) == (60, 60)
    assert account_balance(organization=org) == account_balance(organization=org).__class__(40, 60, False)
    assert services.credits_capture(reference="job:1", amount=25, idempotency_key="render:a") == 25
    assert services.credits_release(reference="job:1") == 35
    balance = account_balance(organization=org)
    assert (balance.available, balance.held) == (75, 0)
    result = _assert_consistent(org)
    assert result["ledger_total"] == 75  # available + held == the ledger's sum
    assert list(LedgerEntry.objects.filter(account__organization=org).order_by("id").values_list("kind", flat=True)) \
        == ["grant", "hold", "capture", "release"]


def test_hold_is_idempotent_on_reference(tenant):
    org = tenant(100).organization
    first = services.credits_hold(organization=org, amount=30, reference="job:x")
    again = services.credits_hold(organization=org, amount=30, reference="job:x")
    assert first.pk == again.pk
    assert account_balance(organization=org).held == 30
    with pytest.raises(HoldReferenceConflict):
        services.credits_hold(organization=org, amount=31, reference="job:x")


def test_insufficient_credits_is_a_clear_error_and_changes_nothing(tenant):
    org = tenant(10).organization
    with pytest.raises(InsufficientCredits) as info:
        services.credits_hold(organization=org, amount=11, reference="job:big")
    assert info.value.code == "insufficient_credits"
    assert "11" in info.value.message and "10" in info.value.message
    assert not CreditHold.objects.filter(reference="job:big").exists()
    assert account_balance(organization=org).available == 10
    _assert_consistent(org)


@pytest.mark.parametrize("amount", [0, -5, 2.5, True, "10"])
def test_amounts_must_be_positive_integers(tenant, amount):
    org = tenant(10).organization
    with pytest.raises(InvalidAmount):
        services.credits_hold(organization=org, amount=amount, reference="job:bad")


def test_failed_or_cancelled_job_returns_every_held_credit(tenant):
    org = tenant(500).organization
    services.credits_hold(organization=org, amount=300, reference="job:failing")
    # one of three renders was delivered before the job failed
    services.credits_capture(reference="job:failing", amount=100, idempotency_key="render:1")
    assert services.credits_release(reference="job:failing", reason="failed") == 200
    assert services.credits_release(reference="job:failing", reason="failed") == 0  # idempotent
    services.credits_hold(organization=org, amount=150, reference="job:cancelled")
    assert services.credits_release(reference="job:cancelled", reason="cancelled") == 150
    balance = account_balance(organization=org)
    assert (balance.available, balance.held) == (400, 0)  # only the delivered render was paid for
    _assert_consistent(org)


def test_capture_twice_with_the_same_key_captures_once(tenant):
    org = tenant(100).organization
    services.credits_hold(organization=org, amount=90, reference="job:r")
    assert services.credits_capture(reference="job:r", amount=30, idempotency_key="render:1") == 30
    # a killed worker's retry delivers the same render again
    assert services.credits_capture(reference="job:r", amount=30, idempotency_key="render:1") == 30
    assert CreditHold.objects.get(reference="job:r").captured == 30
    assert account_balance(organization=org).held == 60
    _assert_consistent(org)


def test_capture_never_exceeds_the_hold(tenant):
    org = tenant(100).organization
    services.credits_hold(organization=org, amount=50, reference="job:c")
    assert services.credits_capture(reference="job:c", amount=40, idempotency_key="r1") == 40
    assert services.credits_capture(reference="job:c", amount=40, idempotency_key="r2") == 10
    assert services.credits_capture(reference="job:c", amount=40, idempotency_key="r3") == 0
    hold = CreditHold.objects.get(reference="job:c")
    assert (hold.captured, hold.status) == (50, "settled")
    assert services.credits_release(reference="job:c") == 0
    balance = account_balance(organization=org)
    assert (balance.available, balance.held) == (50, 0)
    _assert_consistent(org)


def test_hold_expiry_releases_forgotten_holds(tenant):
    from datetime import timedelta

    org = tenant(100).organization
    services.credits_hold(organization=org, amount=40, reference="job:lost")
    assert services.holds_release_expired(older_than=timedelta(hours=1)) == 0
    assert services.holds_release_expired(older_than=timedelta(0)) == 40
    assert account_balance(organization=org).available == 100


def test_a_workspace_cannot_spend_another_organizations_credits(tenant):
    rich, poor = tenant(1000), tenant(5)
    services.credits_hold(organization=rich.organization, amount=100, reference="job:rich")
    # the poor org cannot take over the rich org's hold by naming its reference
    with pytest.raises(HoldReferenceConflict):
        services.credits_hold(organization=poor.organization, amount=100, reference="job:rich")
    # and its own job is judged against its own balance only
    with pytest.raises(InsufficientCredits):
        services.credits_hold(organization=poor.organization, amount=100, reference="job:poor")
    assert account_balance(organization=rich.organization).available == 900
    assert account_balance(organization=poor.organization).available == 5


def test_grants_are_idempotent(tenant):
    org = tenant(0).organization
    services.credits_grant(organization=org, amount=500, kind="grant", idempotency_key="promo:1")
    services.credits_grant(organization=org, amount=500, kind="grant", idempotency_key="promo:1")
    assert account_balance(organization=org).available == 500


def test_reversal_never_goes_below_zero_and_freezes_instead(tenant):
    org = tenant(0).organization
    services.credits_grant(organization=org, amount=100, kind="purchase", idempotency_key="p1")
    services.credits_hold(organization=org, amount=70, reference="job:spent")
    taken, shortfall = services.credits_reverse(account_id=_account(org).pk, amount=100, kind="refund",
                                                idempotency_key="refund:1")
    assert (taken, shortfall) == (30, 70)
    account = _account(org)
    assert (account.available, account.held, account.frozen) == (0, 70, True)
    with pytest.raises(AccountFrozen):
        services.credits_hold(organization=org, amount=1, reference="job:after")
    _assert_consistent(org)


def test_support_adjustment_records_the_acting_user(tenant, django_user_model):
    created = tenant(10)
    staff = django_user_model.objects.create_user(username="support", is_staff=True)
    entry = services.credits_adjust(organization=created.organization, amount=25, actor=staff, reason="goodwill")
    assert (entry.kind, entry.amount, entry.actor, entry.description) == ("adjustment", 25, staff, "goodwill")
    with pytest.raises(InsufficientCredits):
        services.credits_adjust(organization=created.organization, amount=-100, actor=staff, reason="oops")
    assert account_balance(organization=created.organization).available == 35


def test_ledger_rows_cannot_be_changed_through_the_orm(tenant):
    org = tenant(10).organization
    entry = LedgerEntry.objects.filter(account__organization=org).first()
    entry.available_delta = 1_000_000
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        LedgerEntry.objects.filter(pk=entry.pk).update(available_delta=5)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's")
def test_database_refuses_ledger_updates_and_deletes(tenant):
    from django.db import DatabaseError

    org = tenant(10).organization
    entry = LedgerEntry.objects.filter(account__organization=org).first()
    for sql in ("UPDATE billing_ledgerentry SET available_delta = 999 WHERE id = %s",
                "DELETE FROM billing_ledgerentry WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, [entry.pk])
    assert LedgerEntry.objects.get(pk=entry.pk).available_delta == 10


def test_balance_constraints_are_in_the_database(tenant):
    org = tenant(10).organization
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditAccount.objects.filter(organization=org).update(available=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditAccount.objects.filter(organization=org).update(held=-1)


# --------------------------------------------------------------------------- quotes


def test_quote_prices_by_engine_class_and_preview_is_cheaper(tenant):
    org = tenant(0).organization
    spec = {"variants": 3, "aspects": ["9:16", "1:1"], "duration": 20, "preview": False,
            "engines": {"avatar": "puppet", "broll": "motion"}}
    assert job_quote(organization=org, spec=spec) == 3 * 2 * 20  # offline render: 1 credit/s
    neural = {**spec, "engines": {"avatar": "lipsync", "broll": "dit"}}
    lines = {line["engine_class"]: line for line in job_quote_lines(spec=neural)}
    assert set(lines) == {"offline_render", "neural_presenter", "dit_broll"}
    assert lines["neural_presenter"]["seconds"] == 3 * 20  # made once per variant, reused per aspect
    assert job_quote(organization=org, spec=neural) == 120 + 60 * 4 + 60 * 6
    assert job_quote(organization=org, spec={**neural, "preview": True}) < job_quote(organization=org, spec=neural)


def test_quote_uses_the_configured_price_table(tenant, settings):
    settings.BILLING_PRICES = {"offline_render": {"final": 2, "preview": 1},
                               "neural_presenter": {"final": 10, "preview": 5},
                               "dit_broll": {"final": 10, "preview": 5}}
    org = tenant(0).organization
    assert job_quote(organization=org, spec={"variants": 1, "aspects": ["9:16"], "duration": 15}) == 30


@pytest.mark.parametrize("spec", [{"variants": 0}, {"duration": "long"}, {"aspects": ["3:2"]}, {"engines": "dit"},
                                  {"variants": 1000}])
def test_quote_rejects_bad_options(tenant, spec):
    with pytest.raises(InvalidJobSpec) as info:
        job_quote(organization=tenant(0).organization, spec=spec)
    assert info.value.code == "invalid_spec"


def test_releasing_a_reference_without_a_hold_is_a_no_op(tenant):
    assert services.credits_release(reference="job:never-held") == 0


def test_expired_holds_command(tenant):
    from io import StringIO

    from django.core.management import call_command

    org = tenant(100).organization
    services.credits_hold(organization=org, amount=30, reference="job:stuck")
    out = StringIO()
    call_command("billing_release_expired_holds", "--older-than-hours", "0", stdout=out)
    assert "released 30 credits" in out.getvalue()
    assert account_balance(organization=org).available == 100
