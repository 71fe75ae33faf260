from django.core.management.base import BaseCommand

from microwork.demo.seed import LOGINS, demo_exists, demo_load


class Command(BaseCommand):
    help = "Load the demo (a requester, workers, three projects with answers). Safe to rerun."

    def handle(self, *args, **options):
        if demo_exists():
            self.stdout.write("The demo is already loaded.")
        else:
            self.stdout.write("Loading the demo…")
            demo_load()
        self.stdout.write("\nDemo log-ins (all passwords are shown):")
        for login in LOGINS:
            self.stdout.write(f"  {login.role:32} {login.username:6} / {login.password}")
        self.stdout.write("")
