from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "microwork.demo"
    label = "demo"
    verbose_name = "Demo data"
