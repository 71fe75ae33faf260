from django.apps import AppConfig


class ClockConfig(AppConfig):
    name = "microwork.clock"
    label = "clock"
    verbose_name = "Periodic jobs"
