from django.core.management.base import BaseCommand

from microwork.work.tasks import housekeeping


class Command(BaseCommand):
    help = (
        "Queue the worker loop's housekeeping (close old leases, tell subscribers of opened "
        "projects, run sharing rounds). Run it every minute from cron or a timer."
    )

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="run here instead of queueing")

    def handle(self, *args, now=False, **options):
        if now:
            self.stdout.write(str(housekeeping.call()))
        else:
            housekeeping.enqueue()
            self.stdout.write("queued")
