"""Billing errors: each has a stable `code`, a human `message` and an HTTP status.

They subclass DRF's APIException (detail = message, code = code), so the API's exception handler
(tenants.api.exception_handler) answers `{"code": ..., "message": ...}` with the right status.
"""

from __future__ import annotations

from rest_framework.exceptions import APIException


class BillingError(APIException):
    status_code = 400
    default_code = "billing_error"
    default_message = "The billing request could not be completed."

    def __init__(self, message: str | None = None, *, code: str | None = None):
        self.code = code or self.default_code
        self.message = message or self.default_message
        super().__init__(detail=self.message, code=self.code)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class InsufficientCredits(BillingError):
    status_code = 402
    default_code = "insufficient_credits"
    default_message = "Not enough credits to cover this job. Buy a credit pack or choose fewer outputs."


class AccountFrozen(BillingError):
    status_code = 402
    default_code = "account_frozen"
    default_message = "This organization's credit account is frozen after a refund or dispute; contact support."


class InvalidAmount(BillingError):
    default_code = "invalid_amount"
    default_message = "Credit amounts must be positive whole numbers."


class InvalidJobSpec(BillingError):
    default_code = "invalid_spec"
    default_message = "The job options cannot be priced."


class HoldNotFound(BillingError):
    status_code = 404
    default_code = "hold_not_found"
    default_message = "No credit hold exists with this reference."


class HoldReferenceConflict(BillingError):
    status_code = 409
    default_code = "hold_reference_conflict"
    default_message = "This hold reference already belongs to another organization or amount."


class UnknownPack(BillingError):
    default_code = "unknown_pack"
    default_message = "No credit pack or plan with this sku is on sale."


class BillingNotConfigured(BillingError):
    status_code = 503
    default_code = "billing_not_configured"
    # customers read this: it names no setting (the operator's dashboard notice and the README do)
    default_message = "Card payments are not available on this server yet; ask its operator."


class PaymentProviderError(BillingError):
    status_code = 502
    default_code = "payment_provider_error"
    default_message = "The payment provider could not be reached; try again in a moment."
