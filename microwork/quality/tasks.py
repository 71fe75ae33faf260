"""Background jobs: the periodic sweep never runs inside a web request."""

from django.tasks import task

from microwork.quality import services


@task()
def quality_sweep_task() -> dict[str, int]:
    return services.quality_sweep()
