import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from microwork.clock.jobs import PERIODIC_JOBS, Clock


class Command(BaseCommand):
    help = (
        "Enqueue the periodic jobs (auto-approval, appeal deadlines, payouts, pay-floor checks, "
        "lease tidying) when they fall due. Run beside `microwork db_worker`; --once suits cron."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="enqueue every job once and exit")
        parser.add_argument("--tick", type=float, default=5.0, help="seconds between checks")

    def handle(self, *args, **options):
        clock = Clock(last={})
        if options["once"]:
            names = clock.tick(timezone.now(), names=list(PERIODIC_JOBS))
            self.stdout.write("enqueued: " + ", ".join(names))
            return
        self.stdout.write(f"clock: {len(PERIODIC_JOBS)} periodic jobs")
        while True:
            for name in clock.tick(timezone.now()):
                self.stdout.write(f"{timezone.now():%Y-%m-%d %H:%M:%S} enqueued {name}")
            time.sleep(options["tick"])
