"""Background jobs of aggregation (run by `microwork db_worker`), never inside a web request.

Queued by services/run_requests.py; the job's body is in services/runs.py, which never
imports this module back."""

from django.tasks import task

from microwork.aggregation.services import runs


# Its own queue: a big project's re-estimate must never hold up payouts or the periodic jobs.
@task(queue_name="aggregation")
def aggregate_project(run_id: int) -> str:
    return runs.aggregation_run_execute(run_id=run_id).status


def aggregate_project_recover(*, run_id: int, reason: str, retry: bool) -> None:
    """The recovery hook of `aggregate_project` (JOB_RECOVERY in microwork/clock/jobs.py): the
    run fails with the reason; the next request or upload starts a fresh one."""
    runs.aggregation_run_abandon(run_id=run_id, reason=reason)
