from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "adgen.campaigns"
    label = "campaigns"

    def ready(self) -> None:
        # `adgen worker` imports only adgen.ads.actors after django.setup(); declaring the
        # campaign actors here puts them on the same broker in every process.
        from adgen.campaigns import actors  # noqa: F401
