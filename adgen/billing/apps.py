from django.apps import AppConfig
from django.db.models.signals import post_save


def _open_account_for_new_organization(sender, instance, created, raw=False, **kwargs):
    """Every new organization gets its credit account and the trial credits (settings.TRIAL_CREDITS)."""
    if created and not raw:
        from .services import billing_account_open

        billing_account_open(instance)


class BillingConfig(AppConfig):
    name = "adgen.billing"
    label = "billing"
    verbose_name = "Billing"

    def ready(self):
        post_save.connect(_open_account_for_new_organization, sender="tenants.Organization",
                          dispatch_uid="billing_open_account_for_new_organization")
