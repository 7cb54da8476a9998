from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "adgen.billing"
    label = "billing"
