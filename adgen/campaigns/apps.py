from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "adgen.campaigns"
    label = "campaigns"
