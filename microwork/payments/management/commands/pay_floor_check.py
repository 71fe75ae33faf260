from django.core.management.base import BaseCommand

from microwork.payments.services import pay_floor_check_all


class Command(BaseCommand):
    help = "Pause live projects whose measured pay is under the floor and top their workers up."

    def handle(self, *args, **options) -> None:
        n = pay_floor_check_all()
        self.stdout.write(f"{n} project(s) paused")
