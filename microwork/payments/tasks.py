"""Background jobs of the money side; a scheduler (cron, systemd timer) enqueues the periodic
ones, e.g. `microwork approve_due` every few minutes. The services queue the floor check of one
project by its path (services/floor.py `PAY_FLOOR_CHECK`) and never import this module."""

from django.tasks import task

from microwork.payments.services import earnings, floor
from microwork.projects.models import Project


@task()
def pay_floor_check_task(project_id: int) -> bool:
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return False
    return floor.project_pay_floor_enforce(project=project) is not None


@task()
def approve_due_task() -> int:
    return earnings.submissions_approve_due()


@task()
def pay_floor_check_all_task() -> int:
    return floor.pay_floor_check_all()
