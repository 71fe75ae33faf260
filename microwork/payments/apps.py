from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    """The money side of projects and submissions: escrow, earnings, approvals, the pay floor,
    dashboards. It joins projects/work to the ledger so the ledger imports neither."""

    name = "microwork.payments"
    label = "payments"
    verbose_name = "Payments"
