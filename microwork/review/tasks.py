"""Background jobs of review (run by `microwork db_worker`); the body is in approvals.py,
which enqueues this job by its path and never imports this module."""

from django.tasks import task

from microwork.review import approvals


@task()
def approve_all_task(project_id: int, actor_id: int) -> int:
    return approvals.approve_all_run(project_id=project_id, actor_id=actor_id)


def approve_all_task_recover(*, project_id: int, actor_id: int, reason: str, retry: bool) -> None:
    """The recovery hook of `approve_all_task` (JOB_RECOVERY in microwork/clock/jobs.py)."""
    approvals.approve_all_recover(
        project_id=project_id, actor_id=actor_id, reason=reason, retry=retry
    )
