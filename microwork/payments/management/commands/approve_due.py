from django.core.management.base import BaseCommand

from microwork.payments.services.earnings import submissions_approve_due


class Command(BaseCommand):
    help = "Approve answers whose approval period has ended (one transaction each)."

    def handle(self, *args, **options) -> None:
        n = submissions_approve_due()
        self.stdout.write(f"{n} answer(s) approved")
