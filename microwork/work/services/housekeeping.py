"""The periodic tidying of the worker loop (the `housekeeping` background task)."""

from datetime import datetime

from django.utils import timezone

from microwork.projects.models import Project
from microwork.work import releases
from microwork.work.models import WorkRequest
from microwork.work.releases import openings_notify
from microwork.work.services.giving_back import assignments_expire
from microwork.work.services.sharing import work_rounds_allocate


def work_housekeeping(*, now: datetime | None = None) -> dict[str, int]:
    """What the periodic background task does: close old leases, tell subscribers of projects
    with new work, run rounds nobody's page has triggered."""
    now = now or timezone.now()
    expired = assignments_expire(now=now)
    told = 0
    for project in releases.projects_with_news(now=now):
        told += openings_notify(project=project, now=now)
    rounds = 0
    waiting_projects = Project.objects.filter(
        pk__in=WorkRequest.objects.filter(status=WorkRequest.Status.WAITING).values("project_id")
    )
    for project in waiting_projects:
        rounds += work_rounds_allocate(project=project, now=now) is not None
    return {"expired": expired, "notified": told, "rounds": rounds}
