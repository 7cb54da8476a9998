"""Support-staff views. Balances are never edited directly: a credit adjustment is "adding a
ledger entry" here, which goes through services.credits_adjust and records the acting user."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages

from . import services
from .errors import BillingError
from .models import CreditAccount, CreditHold, LedgerEntry, Purchase, StripeEvent, Subscription


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LedgerEntryInline(admin.TabularInline):
    model = LedgerEntry
    fields = ["created_at", "kind", "available_delta", "held_delta", "reference", "description", "actor"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    ordering = ["-created_at", "-id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(CreditAccount)
class CreditAccountAdmin(admin.ModelAdmin):
    list_display = ["organization", "available", "held", "frozen", "stripe_customer_id", "updated_at"]
    list_filter = ["frozen"]
    search_fields = ["organization__name", "stripe_customer_id"]
    readonly_fields = ["organization", "available", "held", "frozen", "frozen_reason", "stripe_customer_id",
                       "created_at", "updated_at", "ledger_check"]
    inlines = [LedgerEntryInline]
    actions = ["freeze", "unfreeze", "verify_ledger"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Ledger check")
    def ledger_check(self, obj):
        from .selectors import account_ledger_verify

        result = account_ledger_verify(account=obj)
        return "consistent" if result["ok"] else f"MISMATCH {result}"

    @admin.action(description="Freeze: no new holds")
    def freeze(self, request, queryset):
        for account in queryset.select_related("organization"):
            services.account_freeze(organization=account.organization, reason=f"frozen by support ({request.user})")
        self.message_user(request, f"Froze {queryset.count()} account(s).")

    @admin.action(description="Unfreeze")
    def unfreeze(self, request, queryset):
        for account in queryset.select_related("organization"):
            services.account_unfreeze(organization=account.organization)
        self.message_user(request, f"Unfroze {queryset.count()} account(s).")

    @admin.action(description="Verify balance against the ledger")
    def verify_ledger(self, request, queryset):
        from .selectors import account_ledger_verify

        bad = [str(a) for a in queryset if not account_ledger_verify(account=a)["ok"]]
        if bad:
            self.message_user(request, f"Mismatch: {', '.join(bad)}", level=messages.ERROR)
        else:
            self.message_user(request, "Every selected balance matches its ledger.")


class AdjustmentForm(forms.ModelForm):
    amount = forms.IntegerField(help_text="Credits to add (positive) or take away (negative).")
    reason = forms.CharField(max_length=500, help_text="Why: shown in the customer's ledger history.")

    class Meta:
        model = LedgerEntry
        fields = ["account"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("amount") == 0:
            raise forms.ValidationError("An adjustment cannot be zero.")
        return cleaned


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    """Append-only: entries are viewed, and support adds adjustments; nothing is edited or deleted."""

    list_display = ["created_at", "account", "kind", "available_delta", "held_delta", "reference", "actor"]
    list_filter = ["kind"]
    search_fields = ["reference", "idempotency_key", "account__organization__name", "description"]
    list_select_related = ["account__organization", "actor"]
    readonly_fields = ["account", "kind", "available_delta", "held_delta", "idempotency_key", "reference",
                       "description", "metadata", "actor", "created_at"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = AdjustmentForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_fields(self, request, obj=None):
        return ["account", "amount", "reason"] if obj is None else self.readonly_fields

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            entry = services.credits_adjust(organization=form.cleaned_data["account"].organization,
                                            amount=form.cleaned_data["amount"], actor=request.user,
                                            reason=form.cleaned_data["reason"])
        except BillingError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            raise
        obj.pk = obj.id = entry.pk
        obj.kind, obj.available_delta, obj.idempotency_key = entry.kind, entry.available_delta, entry.idempotency_key

    def save_related(self, request, form, formsets, change):
        pass  # no relations to save; the service wrote everything


@admin.register(CreditHold)
class CreditHoldAdmin(ReadOnlyAdmin):
    list_display = ["reference", "account", "amount", "captured", "released", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["reference", "account__organization__name"]
    actions = ["release"]

    @admin.action(description="Release what is left of the selected holds")
    def release(self, request, queryset):
        total = sum(services.credits_release(reference=h.reference, reason=f"released by support ({request.user})")
                    for h in queryset)
        self.message_user(request, f"Released {total} credits.")


@admin.register(Purchase)
class PurchaseAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "account", "pack_sku", "credits", "amount_total", "currency", "status",
                    "credits_reversed"]
    list_filter = ["status", "pack_sku"]
    search_fields = ["checkout_session_id", "payment_intent_id", "account__organization__name"]


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = ["stripe_subscription_id", "account", "plan_sku", "status", "created_at"]


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdmin):
    list_display = ["id", "type", "received_at", "processed_at", "livemode"]
    list_filter = ["type"]
    search_fields = ["id"]
