from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "microwork.ledger"
    label = "ledger"
    verbose_name = "Money"
