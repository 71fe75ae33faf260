from django.core.management.base import BaseCommand, CommandError

from microwork.ledger.services import ledger_check


class Command(BaseCommand):
    help = "Prove the books balance: per transaction, per currency, cached balances, payouts."

    def handle(self, *args, **options) -> None:
        report = ledger_check()
        self.stdout.write(
            f"{report.transactions} transactions, {report.entries} entries, "
            f"{report.accounts} accounts"
        )
        for currency, total in sorted(report.totals.items()):
            self.stdout.write(f"  {currency}: {total}")
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(report.problems)} problem(s) found")
        self.stdout.write(self.style.SUCCESS("ledger OK"))
