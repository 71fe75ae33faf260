from django.core.management.base import BaseCommand

from microwork.quality.services.sweep import quality_sweep
from microwork.quality.tasks import quality_sweep_task


class Command(BaseCommand):
    help = (
        "End finished pauses and warnings, send unanswered appeals to operators (paying "
        "undefended rejections), retry unpaid tests and re-apply rules. Run it every few minutes."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--enqueue", action="store_true", help="Queue it for the task worker instead."
        )

    def handle(self, *args, **options) -> None:
        if options["enqueue"]:
            result = quality_sweep_task.enqueue()
            self.stdout.write(f"queued {result.id}")
            return
        for key, value in quality_sweep().items():
            self.stdout.write(f"{key}: {value}")
