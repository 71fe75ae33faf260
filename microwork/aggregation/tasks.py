"""Background jobs of aggregation (run by `microwork db_worker`), never inside a web request."""

from django.tasks import task

from microwork.aggregation import services


# Its own queue: a big project's re-estimate must never hold up payouts or the periodic jobs.
@task(queue_name="aggregation")
def aggregate_project(run_id: int) -> str:
    return services.aggregation_run_execute(run_id=run_id).status


def aggregate_project_recover(*, run_id: int, reason: str, retry: bool) -> None:
    """The recovery hook of `aggregate_project` (JOB_RECOVERY in microwork/clock/jobs.py): the
    run fails with the reason; the next request or upload starts a fresh one."""
    services.aggregation_run_abandon(run_id=run_id, reason=reason)
