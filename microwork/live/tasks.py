"""Background work of live tasks (django.tasks), never run inside a web request."""

from django.tasks import task

from microwork.live.services.dispatch import live_sweep
from microwork.live.services.standby import standby_sweep


@task
def live_sweep_task() -> dict[str, int]:
    return {"live_tasks": live_sweep(), "standby": standby_sweep()}
