"""Reads about work that more than one page or endpoint needs."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet

from microwork.accounts.models import User
from microwork.lib.money import format_money
from microwork.projects.interfaces import get_interface
from microwork.projects.models import Project
from microwork.work.models import Assignment, Notification, Submission, WorkRequest

# Statuses that mean "this worker was given this task" (for caps and fair shares): skipped
# and returned tasks were handed back, expired ones never done.
GIVEN_STATUSES = (Assignment.Status.LEASED, Assignment.Status.SUBMITTED)


def worker_recent_starts(*, project: Project, worker: User, since: datetime) -> list[datetime]:
    return list(
        Assignment.objects.filter(
            worker=worker, project=project, first_leased_at__gt=since, status__in=GIVEN_STATUSES
        )
        .order_by("first_leased_at")
        .values_list("first_leased_at", flat=True)
    )


def received_counts(*, project: Project, workers: list[int], since: datetime) -> dict[int, int]:
    """Tasks each worker was given in this project since `since` (for fair sharing)."""
    rows = (
        Assignment.objects.filter(
            project=project,
            worker_id__in=workers,
            first_leased_at__gte=since,
            status__in=GIVEN_STATUSES,
        )
        .values("worker_id")
        .annotate(n=Count("id"))
    )
    counts = dict.fromkeys(workers, 0)
    counts.update({row["worker_id"]: row["n"] for row in rows})
    return counts


def assignments_open_for_worker(*, worker: User, now: datetime) -> QuerySet[Assignment]:
    """Leases the worker can still finish, on any device ("continue where you left off")."""
    return (
        Assignment.objects.filter(
            worker=worker, status=Assignment.Status.LEASED, expires_at__gt=now
        )
        .select_related("project")
        .order_by("expires_at")
    )


@dataclass(frozen=True)
class ProjectOffer:
    project: Project
    tasks_available: int
    hourly_rate: Decimal
    opens_at: datetime | None
    waiting: bool

    @property
    def reward_display(self) -> str:
        return format_money(self.project.reward, self.project.currency)


def projects_open_for_worker(*, worker: User, now: datetime) -> list[ProjectOffer]:
    """Live projects with work left, each with the numbers a worker decides on.

    `tasks_available` counts ordinary tasks that still need answers (control tasks are not
    counted, so the number gives nothing away). Eligibility is checked at claim time, where the
    refusal can be explained, not here."""
    projects = list(
        Project.objects.filter(status=Project.Status.LIVE)
        .annotate(
            remaining=Count(
                "tasks",
                filter=Q(tasks__is_gold=False, tasks__done=False)
                & Q(tasks__answers_count__lt=F("overlap")),
            )
        )
        .order_by("-created_at")
    )
    waiting = set(
        WorkRequest.objects.filter(worker=worker, status=WorkRequest.Status.WAITING).values_list(
            "project_id", flat=True
        )
    )
    # Tasks this worker already had do not count for them: they will never get them again.
    had = dict(
        Assignment.objects.filter(
            worker=worker,
            project__in=[p.pk for p in projects],
            task__is_gold=False,
            task__done=False,
            task__answers_count__lt=F("project__overlap"),
        )
        .values("project_id")
        .annotate(n=Count("id"))
        .values_list("project_id", "n")
    )
    offers = [
        ProjectOffer(
            project=project,
            tasks_available=max(0, project.remaining - had.get(project.pk, 0)),  # type: ignore[attr-defined]
            hourly_rate=project.estimated_hourly_rate,
            opens_at=project.opens_at if project.opens_at and project.opens_at > now else None,
            waiting=project.pk in waiting,
        )
        for project in projects
    ]
    return [o for o in offers if o.tasks_available > 0]


def submissions_for_worker(*, worker: User) -> QuerySet[Submission]:
    return (
        Submission.objects.filter(worker=worker).select_related("project").order_by("-submitted_at")
    )


def notifications_unread(*, worker: User) -> QuerySet[Notification]:
    return (
        Notification.objects.filter(worker=worker, read_at__isnull=True)
        .select_related("project")
        .order_by("-created_at")
    )


def history_row(submission: Submission) -> dict:
    """One line of a worker's history, the same for the page and the API."""
    project = submission.project
    return {
        "assignment_id": submission.assignment_id,
        "project": project.name,
        "answer_label": get_interface(project.interface).answer_label(submission.answer),
        "status": submission.status,
        "status_label": submission.get_status_display(),
        "submitted_at": submission.submitted_at,
        "reward": project.reward,
        "currency": project.currency,
        "reward_display": format_money(project.reward, project.currency),
        "active_ms": submission.active_ms,
    }
