"""The end of the retention period: a worker's personal data of a project is erased once the
project's declared number of days has passed since their last task in it (the words they
agreed to say so). A periodic job (clock/jobs.py `personal_data_retention`); idempotent: a
deletion records the last activity it covers, and the same data is never erased twice."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from microwork.accounts.models import User
from microwork.privacy.models import Deletion
from microwork.privacy.services.deletion import deletion_run
from microwork.projects.models import Project
from microwork.work.models import Assignment


def _last_activity(project: Project) -> dict[int, datetime]:
    """Each worker's latest moment in the project: a lease taken or ended."""
    last: dict[int, datetime] = {}
    for worker_id, leased, ended in (
        Assignment.objects.filter(project=project)
        .values("worker_id")
        .annotate(leased=Max("leased_at"), ended=Max("ended_at"))
        .values_list("worker_id", "leased", "ended")
    ):
        last[worker_id] = max(at for at in (leased, ended) if at is not None)
    return last


def _covered(project: Project) -> dict[int, datetime]:
    covered: dict[int, datetime] = {}
    for worker_id, until in (
        Deletion.objects.filter(project=project, covers_until__isnull=False)
        .values("worker_id")
        .annotate(until=Max("covers_until"))
        .values_list("worker_id", "until")
    ):
        covered[worker_id] = until
    return covered


def retention_sweep(*, now: datetime | None = None) -> list[Deletion]:
    """Erase what has outlived its project's retention period; one transaction per worker and
    project, so a failing eraser leaves the others done and is tried again next time."""
    now = now or timezone.now()
    made: list[Deletion] = []
    projects = Project.objects.filter(personal_data_retention_days__isnull=False).exclude(
        personal_data=[]
    )
    for project in projects.order_by("id"):
        assert project.personal_data_retention_days is not None  # filtered above
        cutoff = now - timedelta(days=project.personal_data_retention_days)
        covered = _covered(project)
        due = [
            (worker_id, last)
            for worker_id, last in sorted(_last_activity(project).items())
            if last <= cutoff and (worker_id not in covered or covered[worker_id] < last)
        ]
        for worker_id, last in due:
            with transaction.atomic():
                made.append(
                    deletion_run(
                        project=project,
                        worker=User.objects.get(pk=worker_id),
                        reason=Deletion.Reason.RETENTION,
                        now=now,
                        covers_until=last,
                        notify=False,
                    )
                )
    return made
