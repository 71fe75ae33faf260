"""`microwork api_token USERNAME [--name NAME]`: a fresh API token for scripts and operators.

A member of exactly one organisation gets a token of that organisation, like the one the
Account page makes for requesters, so it works on the requester endpoints; a worker (no
organisation) gets a personal token. The key is printed once and never stored."""

from django.core.management.base import BaseCommand, CommandError

from microwork.accounts import services
from microwork.accounts.models import User
from microwork.accounts.selectors import organisations_for_user
from microwork.lib.errors import ApplicationError


class Command(BaseCommand):
    help = "Print a fresh API token for a user (of their organisation if they have exactly one)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="What the token is for.")

    def handle(self, *args, **options):
        try:
            user = User.objects.get(username=options["username"], is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"No active user named {options['username']!r}.") from None
        organisations = list(organisations_for_user(user=user)[:2])
        if len(organisations) > 1:
            raise CommandError(
                f"{user.username} belongs to several organisations; make the token on the "
                "Account page, choosing one."
            )
        organisation = organisations[0] if organisations else None
        try:
            token, key = services.api_token_create(
                user=user, name=options["name"], organisation=organisation
            )
        except ApplicationError as exc:
            raise CommandError(f"{exc.field}: {exc.message}") from None
        if options["verbosity"] > 1:
            scope = organisation.name if organisation else "personal"
            self.stderr.write(f"Token {token.prefix}… ({token.name}, {scope})")
        self.stdout.write(key)
