from django.core.management.base import BaseCommand, CommandError

from microwork.aggregation.cli import CliError, categorical_methods, run_aggregate


class Command(BaseCommand):
    help = (
        "Aggregate crowd answers from a CSV with columns worker,task,label and write "
        "task,label,confidence to standard output."
    )

    def add_arguments(self, parser):
        parser.add_argument("method", help=f"one of: {', '.join(categorical_methods())}")
        parser.add_argument("labels", help="CSV of answers (worker,task,label)")
        parser.add_argument("--gold", help="CSV of known answers (task,label)")

    def handle(self, *args, **options):
        try:
            run_aggregate(options["method"], options["labels"], options["gold"], out=self.stdout)
        except CliError as error:
            raise CommandError(str(error)) from None
