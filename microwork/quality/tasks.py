"""Background jobs: the periodic sweep never runs inside a web request. The submit path's
approval task lives beside the code that enqueues it (services/approval.py)."""

from django.tasks import task

from microwork.quality.services.sweep import quality_sweep


@task()
def quality_sweep_task() -> dict[str, int]:
    return quality_sweep()
