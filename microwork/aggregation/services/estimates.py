"""A run's estimate of each worker's accuracy on a project, written once for every method:
categorical runs and consensus runs store the same rows."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from microwork.aggregation.models import AggregationRun, WorkerEstimate

WRITE_CHUNK = 1_000


def worker_estimates_write(
    *, run: AggregationRun, estimates: Iterable[tuple[int, float, int]]
) -> None:
    """(worker id, accuracy, answers counted) per worker; replaces the project's earlier
    estimate of each, in chunks so a large crowd never holds one long transaction."""
    now = timezone.now()
    rows = [
        WorkerEstimate(
            project_id=run.project_id,
            worker_id=int(worker),
            accuracy=float(accuracy),
            answers=int(answers),
            run=run,
            updated_at=now,
        )
        for worker, accuracy, answers in estimates
    ]
    for start in range(0, len(rows), WRITE_CHUNK):
        with transaction.atomic():
            WorkerEstimate.objects.bulk_create(
                rows[start : start + WRITE_CHUNK],
                update_conflicts=True,
                unique_fields=["project", "worker"],
                update_fields=["accuracy", "answers", "run", "updated_at"],
            )
