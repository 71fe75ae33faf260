from datetime import timedelta

from django.core.management.base import BaseCommand

from microwork.ledger.services.payouts import payouts_process_due


class Command(BaseCommand):
    help = "Send requested payouts and re-drive ones a crashed process left half-done."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--limit", type=int, default=500)
        parser.add_argument(
            "--stale-after",
            type=int,
            default=None,
            help="Seconds after which a payout left in 'processing' is re-driven (default "
            "600). Use 0 right after a known crash of the previous run.",
        )

    def handle(self, *args, limit: int, stale_after: int | None, **options) -> None:
        n = payouts_process_due(
            limit=limit,
            stale_after=None if stale_after is None else timedelta(seconds=stale_after),
        )
        self.stdout.write(f"{n} payout(s) handled")
