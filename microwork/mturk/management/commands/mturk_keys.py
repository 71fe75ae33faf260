"""`microwork mturk_keys USERNAME`: a new access key pair for a requester, printed as the
two lines an environment file or a shell takes."""

from django.core.management.base import BaseCommand, CommandError

from microwork.accounts.models import User
from microwork.lib.errors import ApplicationError
from microwork.mturk.services.keys import access_key_create


class Command(BaseCommand):
    help = "Make a Mechanical Turk access key pair for a requester and print it."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user {options['username']!r}.")
        try:
            key, secret = access_key_create(user=user)
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"AWS_ACCESS_KEY_ID={key.access_key_id}")
        self.stdout.write(f"AWS_SECRET_ACCESS_KEY={secret}")
