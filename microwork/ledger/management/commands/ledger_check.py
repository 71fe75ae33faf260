from django.core.management.base import BaseCommand, CommandError

from microwork.ledger.services.check import ledger_check_record


class Command(BaseCommand):
    help = (
        "Prove the books balance: per transaction, per currency, cached balances, payouts. The "
        "result is kept for the operators, as when the clock runs it."
    )

    def handle(self, *args, **options) -> None:
        run = ledger_check_record()
        self.stdout.write(
            f"{run.transactions} transactions, {run.entries} entries, {run.accounts} accounts"
        )
        for currency, total in run.totals.items():
            self.stdout.write(f"  {currency}: {total}")
        if not run.ok:
            for problem in run.problems:
                self.stderr.write(problem)
            raise CommandError(f"{run.problem_count} problem(s) found")
        self.stdout.write(self.style.SUCCESS("ledger OK"))
