"""Background jobs of the money side; a scheduler (cron, systemd timer) enqueues the periodic
ones, e.g. `microwork approve_due` every few minutes."""

from django.tasks import task

from microwork.payments import services
from microwork.projects.models import Project


@task()
def pay_floor_check_task(project_id: int) -> bool:
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return False
    return services.project_pay_floor_enforce(project=project) is not None


@task()
def approve_due_task() -> int:
    return services.submissions_approve_due()


@task()
def pay_floor_check_all_task() -> int:
    return services.pay_floor_check_all()
