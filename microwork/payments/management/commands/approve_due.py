import os
import time

from django.core.management.base import BaseCommand

from microwork.payments.services import submissions_approve_due


class Command(BaseCommand):
    help = "Approve answers whose approval period has ended (one transaction each)."

    def handle(self, *args, **options) -> None:
        # Crash tests slow the loop so they can kill it between two approvals.
        pause = float(os.environ.get("MICROWORK_PAUSE_SECONDS", "0") or 0)

        def between(submission) -> None:
            if pause:
                self.stdout.write(f"approved {submission.pk}")
                self.stdout.flush()
                time.sleep(pause)

        n = submissions_approve_due(between=between)
        self.stdout.write(f"{n} answer(s) approved")
