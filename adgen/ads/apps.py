from django.apps import AppConfig


class AdsConfig(AppConfig):
    name = "adgen.ads"
    label = "ads"
