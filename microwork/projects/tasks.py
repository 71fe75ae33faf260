"""Background jobs of the projects app (run by `microwork db_worker`)."""

from django.tasks import task

from microwork.projects.services import batch_runs


# Its own queue: one tenant's big file must never hold up payouts or the periodic jobs.
@task(queue_name="uploads")
def process_batch(batch_id: int) -> str:
    return batch_runs.batch_process(batch_id=batch_id).status


def process_batch_recover(*, batch_id: int, reason: str, retry: bool) -> None:
    """The recovery hook of `process_batch` (JOB_RECOVERY in microwork/clock/jobs.py)."""
    batch_runs.batch_recover(batch_id=batch_id, reason=reason, retry=retry)


@task()
def uploads_cleanup_task() -> int:
    return batch_runs.uploads_cleanup().files_removed
