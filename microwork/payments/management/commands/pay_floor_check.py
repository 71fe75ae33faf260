from django.core.management.base import BaseCommand

from microwork.payments.services.floor import pay_floor_check_all


class Command(BaseCommand):
    help = (
        "Hold projects to the pay floor on their measured time: pause live ones under it, and "
        "top up the workers of any project under it, live or recently active."
    )

    def handle(self, *args, **options) -> None:
        n = pay_floor_check_all()
        self.stdout.write(f"{n} project(s) under the floor paused or topped up")
