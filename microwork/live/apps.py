from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "microwork.live"
    label = "live"
    verbose_name = "Live tasks"
