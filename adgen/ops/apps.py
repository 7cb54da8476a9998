from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "adgen.ops"
    label = "ops"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from adgen.ops import selectors
        from pipelines.store import register_reference_source

        # the artifact cache never evicts what an unfinished job still needs
        register_reference_source(selectors.active_artifact_keys)
