from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    """The money side of projects and submissions: escrow, earnings, approvals, the pay floor,
    dashboards. It joins projects/work to the ledger so the ledger imports neither."""

    name = "microwork.payments"
    label = "payments"
    verbose_name = "Payments"

    def ready(self) -> None:
        # The work app's own registry: every stored answer books its pending earning in the
        # same transaction.
        try:
            from microwork.work.hooks import SUBMISSION_HOOKS
        except ImportError:  # a checkout of the work app from before its hook registry
            return

        SUBMISSION_HOOKS.setdefault(
            "earning", "microwork.payments.services.submission_earning_record"
        )
