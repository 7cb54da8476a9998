from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "adgen.dashboard"
    label = "dashboard"
