"""Background jobs of aggregation (run by `manage.py db_worker`), never inside a web request."""

from django.tasks import task

from microwork.aggregation import services


@task()
def aggregate_project(run_id: int) -> str:
    return services.aggregation_run_execute(run_id=run_id).status
