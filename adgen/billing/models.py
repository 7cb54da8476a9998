"""Credit accounts, the append-only ledger, holds, purchases, subscriptions and Stripe events.

One CreditAccount per organization caches `available` and `held`; every change to them is one
LedgerEntry (available_delta, held_delta) written in the same transaction while the account row
is locked, so `available == Σ available_delta` and `held == Σ held_delta` always hold
(`selectors.account_ledger_verify`). Ledger rows cannot be updated or deleted: the database
refuses it (a trigger on PostgreSQL, see migration 0002) and so does the ORM.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class CreditAccount(models.Model):
    organization = models.OneToOneField("tenants.Organization", on_delete=models.PROTECT,
                                        related_name="credit_account")
    available = models.BigIntegerField(default=0)
    held = models.BigIntegerField(default=0)
    frozen = models.BooleanField(default=False)
    frozen_reason = models.CharField(max_length=200, blank=True)
    stripe_customer_id = models.CharField(max_length=255, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(available__gte=0), name="credit_account_available_gte_0"),
            models.CheckConstraint(condition=Q(held__gte=0), name="credit_account_held_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.organization}: {self.available} available, {self.held} held"


class LedgerEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("the credit ledger is append-only")

    def delete(self):
        raise TypeError("the credit ledger is append-only")


class LedgerEntry(models.Model):
    class Kind(models.TextChoices):
        PURCHASE = "purchase", "Purchase"
        GRANT = "grant", "Grant"
        HOLD = "hold", "Hold"
        CAPTURE = "capture", "Capture"
        RELEASE = "release", "Release"
        REFUND = "refund", "Refund"
        EXPIRE = "expire", "Expire"
        ADJUSTMENT = "adjustment", "Adjustment"

    account = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    available_delta = models.BigIntegerField()
    held_delta = models.BigIntegerField(default=0)
    idempotency_key = models.CharField(max_length=255)
    reference = models.CharField(max_length=255, blank=True, db_index=True)
    description = models.CharField(max_length=500, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "ledger entries"
        constraints = [
            models.UniqueConstraint(fields=["account", "idempotency_key"], name="ledger_idempotency_key_unique"),
        ]

    @property
    def amount(self) -> int:
        """Change to the account's total (available + held)."""
        return self.available_delta + self.held_delta

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise TypeError("the credit ledger is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("the credit ledger is append-only")

    def __str__(self) -> str:
        return f"{self.kind} {self.amount:+d} ({self.idempotency_key})"


class CreditHold(models.Model):
    """Credits set aside for one job (reference) until renders capture them or the job ends."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        SETTLED = "settled", "Settled"  # nothing left: captured and/or released

    account = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="holds")
    reference = models.CharField(max_length=255, unique=True)
    amount = models.BigIntegerField()
    captured = models.BigIntegerField(default=0)
    released = models.BigIntegerField(default=0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="credit_hold_amount_gt_0"),
            models.CheckConstraint(condition=Q(captured__gte=0) & Q(released__gte=0)
                                   & Q(amount__gte=F("captured") + F("released")),
                                   name="credit_hold_never_over_captured"),
        ]

    @property
    def remaining(self) -> int:
        return self.amount - self.captured - self.released

    def __str__(self) -> str:
        return f"hold {self.reference}: {self.captured}/{self.amount} captured, {self.released} released"


class Purchase(models.Model):
    """A credit pack bought through Stripe Checkout (one Checkout Session)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending payment"
        PAID = "paid", "Paid"
        REFUNDED = "refunded", "Refunded"
        DISPUTED = "disputed", "Disputed"

    account = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="purchases")
    checkout_session_id = models.CharField(max_length=255, unique=True)
    pack_sku = models.CharField(max_length=64)
    credits = models.BigIntegerField()
    amount_total = models.BigIntegerField(default=0)  # minor units (cents)
    currency = models.CharField(max_length=8, default="usd")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    payment_intent_id = models.CharField(max_length=255, blank=True, db_index=True)
    credits_reversed = models.BigIntegerField(default=0)
    workspace = models.ForeignKey("tenants.Workspace", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    fulfilled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.pack_sku} ({self.credits} credits, {self.status})"


class Subscription(models.Model):
    """A monthly plan: each paid invoice grants the plan's credits once."""

    account = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="subscriptions")
    stripe_subscription_id = models.CharField(max_length=255, unique=True)
    plan_sku = models.CharField(max_length=64)
    status = models.CharField(max_length=32, default="active")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.plan_sku} ({self.status})"


class StripeEvent(models.Model):
    """Every verified webhook event, stored once by its Stripe id."""

    id = models.CharField(primary_key=True, max_length=255)
    type = models.CharField(max_length=100, db_index=True)
    payload = models.JSONField()
    livemode = models.BooleanField(default=False)
    received_at = models.DateTimeField(default=timezone.now, editable=False)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.id} {self.type}"
