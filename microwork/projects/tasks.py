"""Background jobs of the projects app (run by `manage.py db_worker`)."""

from django.tasks import task

from microwork.projects import services


@task()
def process_batch(batch_id: int) -> str:
    return services.batch_process(batch_id=batch_id).status
