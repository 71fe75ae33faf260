"""`microwork db_worker`: django_tasks_db's command with microwork's worker (time limits,
heartbeats, recovery of dead workers' jobs, fair service of several queues).

    microwork db_worker                        # every queue, taken in turn
    microwork db_worker --queue-name uploads   # one queue: run one such process per queue
"""

from typing import Any

from django.conf import settings
from django_tasks_db.compat import task_backends
from django_tasks_db.management.commands.db_worker import Command as TasksCommand

from microwork.clock.worker import Worker


class Command(TasksCommand):
    help = (
        "Run background jobs. Without --queue-name it serves every queue in turn; in "
        "production run one process per queue (default, uploads, aggregation) so that no "
        "tenant's upload holds up payouts and the periodic jobs."
    )

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        # A reloader runs the worker outside the main thread, where no time limit can fire.
        parser.set_defaults(queue_name="*", reload=False)

    def handle(self, *args: Any, **options: Any) -> None:
        self.configure_logging(options["verbosity"])
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        backend = task_backends[options["backend_name"]]
        configured = [*settings.TASK_QUEUES]
        configured += sorted(q for q in backend.queues if q not in configured)
        worker = Worker(
            all_queues=configured,
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
        )
        worker.configure_signals()
        worker.run()
