from django.core.management.base import BaseCommand, CommandError

from microwork.aggregation.cli import CliError, add_arguments, run_aggregate


class Command(BaseCommand):
    help = (
        "Aggregate crowd answers from a CSV with columns worker,task,label and write "
        "task,label,confidence (median: task,median,mad,iqr,answers) to standard output."
    )

    def add_arguments(self, parser):
        add_arguments(parser)

    def handle(self, *args, **options):
        try:
            run_aggregate(
                options["method"],
                options["labels"],
                options["gold"],
                out=self.stdout,
                classes=options["classes"],
            )
        except CliError as error:
            raise CommandError(str(error)) from None
