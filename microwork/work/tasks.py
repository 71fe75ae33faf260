"""Background work of the worker loop (django.tasks), never run inside a web request."""

from django.tasks import task

from microwork.projects.models import Project
from microwork.work import releases
from microwork.work.services.file_deletion import worker_files_sweep
from microwork.work.services.housekeeping import work_housekeeping


@task
def notify_opening(project_id: int) -> int:
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return 0
    return releases.openings_notify(project=project)


@task
def housekeeping() -> dict[str, int]:
    return work_housekeeping()


@task
def worker_files_sweep_task() -> dict[str, int]:
    return worker_files_sweep()
