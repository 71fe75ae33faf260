"""Reads about work that more than one page or endpoint needs."""

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlparse

from django.db.models import Count, F, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.templatetags.static import static

from microwork.accounts.models import User
from microwork.ledger.models import Account, Entry, Transaction
from microwork.lib.l10n import format_money
from microwork.projects.interfaces import get_interface
from microwork.projects.models import MediaFile, Project
from microwork.work import fairness, releases
from microwork.work.eligibility import eligibility_refusals
from microwork.work.models import (
    Assignment,
    OpeningSubscription,
    Release,
    Submission,
    WorkerFile,
    WorkRequest,
)

# Statuses that mean "this worker was given this task" (for caps and fair shares): skipped
# and returned tasks were handed back, expired ones never done.
GIVEN_STATUSES = (Assignment.Status.LEASED, Assignment.Status.SUBMITTED)


def worker_recent_starts(*, project: Project, worker: User, since: datetime) -> list[datetime]:
    starts = (
        Assignment.objects.filter(
            worker=worker, project=project, first_leased_at__gt=since, status__in=GIVEN_STATUSES
        )
        .order_by("first_leased_at")
        .values_list("first_leased_at", flat=True)
    )
    # first_leased_at__gt already drops the NULLs; the stubs cannot see that.
    return [at for at in starts if at is not None]


def worker_recent_starts_by_project(
    *, projects: list[int], worker: User, since: datetime
) -> dict[int, list[datetime]]:
    starts: dict[int, list[datetime]] = {}
    for project_id, at in (
        Assignment.objects.filter(
            worker=worker,
            project_id__in=projects,
            first_leased_at__gt=since,
            status__in=GIVEN_STATUSES,
        )
        .order_by("first_leased_at")
        .values_list("project_id", "first_leased_at")
    ):
        assert at is not None  # first_leased_at__gt drops the NULLs
        starts.setdefault(project_id, []).append(at)
    return starts


def hourly_cap_check(*, project, worker, now: datetime) -> str | None:
    """Eligibility check: the requester's per-worker hourly cap (Project.hourly_cap_per_worker)."""
    if not project.hourly_cap_per_worker:
        return None
    starts = worker_recent_starts(
        project=project, worker=worker, since=now - fairness.HOURLY_WINDOW
    )
    return fairness.cap_refusal(project, starts)


def _hourly_cap_many(*, projects, worker, now: datetime) -> dict[int, str | None]:
    """The same check for a page of projects, in one query."""
    capped = [p for p in projects if p.hourly_cap_per_worker]
    out: dict[int, str | None] = {p.pk: None for p in projects}
    if not capped:
        return out
    starts = worker_recent_starts_by_project(
        projects=[p.pk for p in capped], worker=worker, since=now - fairness.HOURLY_WINDOW
    )
    for project in capped:
        out[project.pk] = fairness.cap_refusal(project, starts.get(project.pk, []))
    return out


hourly_cap_check.many = _hourly_cap_many  # type: ignore[attr-defined]


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
    # The project's announced opening, while it is still ahead.
    opens_at: datetime | None
    waiting: bool
    # Asked to be told of the next release and not told yet.
    subscribed: bool = False
    # The next batch announced for later: (when, how many ordinary tasks).
    next_release: tuple[datetime, int] | None = None
    # The requester's fair-sharing choices in plain words.
    rules: tuple[str, ...] = ()
    # Why this worker may not work here (an eligibility check's words), and where to go
    # about it (the test to take, the decision to read) when the reason names a page.
    refusal: str = ""
    refusal_url: str = ""
    # Which check refused (its key in ELIGIBILITY_CHECKS): the page offers "read and agree"
    # for a consent not given yet.
    refusal_check: str = ""
    # The requester's record in one line (work.hooks.REQUESTER_RECORDS), set by the page.
    requester_record: str = ""

    @property
    def reward_display(self) -> str:
        return format_money(self.project.reward, self.project.currency)

    @property
    def next_release_at(self) -> datetime | None:
        return self.next_release[0] if self.next_release else None

    @property
    def has_work(self) -> bool:
        """Something to start now, or an announced opening of the project's tasks."""
        return self.tasks_available > 0

    @property
    def can_start(self) -> bool:
        return self.has_work and not self.refusal and self.opens_at is None


# The work page is a phone page: the newest live projects are plenty, and every eligibility
# check is asked about each of them.
OFFERS_MAX = 20
# Refusals end with the page that helps ("… first: /quality/tests/3/").
_TRAILING_PATH = re.compile(r"^(?P<text>.*?)[:.]?\s+(?P<url>/[\w./-]*)$", re.DOTALL)


def _refusal(reason: str) -> tuple[str, str]:
    found = _TRAILING_PATH.match(reason)
    if found is None:
        return reason, ""
    # French puts a no-break space before the colon: strip it too, or "tâche ." is left.
    return found["text"].rstrip(" :\u00a0\u202f") + ".", found["url"]


# The longest search the work page takes: a project's name is at most 120 characters.
SEARCH_MAX_CHARS = 100


def projects_open_for_worker(
    *, worker: User, now: datetime, search: str = ""
) -> list[ProjectOffer]:
    """Live projects with work for this worker, each with the numbers a worker decides on,
    and the projects that have run out for them but where new work may come (they worked
    there, asked to be told, or a batch is announced): those are where "tell me when there
    is new work" is offered.

    `tasks_available` counts ordinary tasks that still need answers and are released or in
    their opening minute (control tasks are not counted, so the number gives nothing away).
    Every eligibility check is asked about the listed projects (through the registry, so the
    work app knows nothing of what quality requires): a refused project carries the reason
    in plain words, and the page lists it apart, without a Start button.

    `search` keeps the projects whose name, description or requester's name contains it."""
    announced_later = Release.objects.filter(
        batch__isnull=False, created_at__lte=now, opens_at__gt=now
    ).values("batch_id")
    live = Project.objects.filter(status=Project.Status.LIVE).select_related("organisation")
    search = search.strip()[:SEARCH_MAX_CHARS]
    if search:
        live = live.filter(
            Q(name__icontains=search)
            | Q(description__icontains=search)
            | Q(organisation__name__icontains=search)
        )
    projects = list(
        live.annotate(
            remaining=Count(
                "tasks",
                filter=Q(tasks__is_gold=False, tasks__done=False)
                & Q(tasks__answers_count__lt=F("overlap"))
                & ~Q(tasks__batch__in=announced_later),
            )
        ).order_by("-created_at")[:OFFERS_MAX]
    )
    ids = [p.pk for p in projects]
    waiting = set(
        WorkRequest.objects.filter(worker=worker, status=WorkRequest.Status.WAITING).values_list(
            "project_id", flat=True
        )
    )
    subscribed = set(
        OpeningSubscription.objects.filter(
            worker=worker, project__in=ids, notified_at__isnull=True
        ).values_list("project_id", flat=True)
    )
    # Tasks this worker already had do not count for them: they will never get them again.
    had: dict[int, tuple[int, int]] = {
        row["project_id"]: (row["open"], row["all"])
        for row in Assignment.objects.filter(worker=worker, project__in=ids)
        .values("project_id")
        .annotate(
            open=Count(
                "id",
                filter=Q(task__is_gold=False, task__done=False)
                & Q(task__answers_count__lt=F("project__overlap"))
                & ~Q(task__batch__in=announced_later),
            ),
            all=Count("id"),
        )
    }
    announced = releases.announced_releases(projects=ids, now=now)
    listed = []
    for project in projects:
        opened, ever = had.get(project.pk, (0, 0))
        available = max(0, project.remaining - opened)
        if available or ever or project.pk in subscribed or project.pk in announced:
            listed.append((project, available))
    refusals = eligibility_refusals(projects=[p for p, _n in listed], worker=worker, now=now)
    offers = []
    for project, available in listed:
        next_release = announced.get(project.pk)
        text, url = _refusal(refusals[project.pk][1]) if project.pk in refusals else ("", "")
        offers.append(
            ProjectOffer(
                project=project,
                tasks_available=available,
                hourly_rate=project.estimated_hourly_rate,
                opens_at=project.opens_at if project.opens_at and project.opens_at > now else None,
                waiting=project.pk in waiting,
                subscribed=project.pk in subscribed,
                next_release=next_release,
                rules=tuple(fairness.project_rules(project, now=now, next_release=next_release)),
                refusal=text,
                refusal_url=url,
                refusal_check=refusals[project.pk][0] if project.pk in refusals else "",
            )
        )
    return offers


def project_next_release(*, project: Project, now: datetime) -> datetime | None:
    """When the next batch announced for later opens, if one is."""
    found = releases.announced_releases(projects=[project.pk], now=now).get(project.pk)
    return found[0] if found else None


def submissions_for_worker(*, worker: User) -> QuerySet[Submission]:
    return (
        Submission.objects.filter(worker=worker)
        .select_related("project", "task")
        .order_by("-submitted_at")
    )


def history_row(submission: Submission) -> dict:
    """One line of a worker's history, the same for the page and the API."""
    project = submission.project
    interface = get_interface(project.interface)
    return {
        "assignment_id": submission.assignment_id,
        "project": project.name,
        "answer_label": interface.answer_label(submission.answer),
        # In words, as the kind reads it ("2 boxes: car, person"), not its stored JSON.
        "answer_text": interface.answer_text(
            project.config, submission.answer, submission.task.data
        ),
        "status": submission.status,
        "status_label": submission.get_status_display(),
        "submitted_at": submission.submitted_at,
        "reward": project.reward,
        "currency": project.currency,
        "reward_display": format_money(project.reward, project.currency),
        "active_ms": submission.active_ms,
    }


def worker_task_uses_media(*, user: User, media_file: MediaFile) -> bool:
    """Whether `user` holds, or has done, a task of the file's project whose data uses it (a
    hook of projects.hooks.MEDIA_VIEWERS). Task data keeps the file as its ref, a JSON string
    of plain ASCII, so it is found in the data's text, quotes included (no longer ref matches).
    A worker reviewing an answer to the project sees the task it answered, file included."""
    needle = json.dumps(media_file.ref)
    return (
        Assignment.objects.filter(
            Q(project_id=media_file.project_id) | Q(project__review_of_id=media_file.project_id),
            worker=user,
            status__in=GIVEN_STATUSES,
        )
        .annotate(data_text=Cast("task__data", TextField()))
        .filter(data_text__contains=needle)
        .exists()
    )


def worker_files_older_than(*, project: Project, before: datetime) -> QuerySet[WorkerFile]:
    """A project's files still held (complete, or arriving) that were sent before `before`:
    what the end of a retention period removes."""
    return (
        WorkerFile.objects.filter(project=project, created_at__lt=before)
        .exclude(status=WorkerFile.Status.DELETED)
        .order_by("created_at", "pk")
    )


def worker_files_of_project(*, project: Project) -> QuerySet[WorkerFile]:
    """A project's complete files that are part of an answer, oldest first, with their task
    and worker: the manifest and the archive the requester downloads."""
    return (
        WorkerFile.objects.filter(
            project=project, status=WorkerFile.Status.COMPLETE, submission__isnull=False
        )
        .select_related("assignment__task", "worker")
        .order_by("pk")
    )


def worker_files_by_ref(*, refs: list[str]) -> dict[str, WorkerFile]:
    """Complete files by ref, for pages that show answers (thumbnails, players)."""
    found = WorkerFile.objects.filter(ref__in=refs, status=WorkerFile.Status.COMPLETE)
    return {f.ref: f for f in found}


# A sitting ends after this long without a task page: the next one starts a new count.
SITTING_GAP = timedelta(minutes=30)


@dataclass(frozen=True)
class Sitting:
    answers: int
    # (amount, currency) booked as pending earnings for those answers, per currency.
    earned: tuple[tuple[Decimal, str], ...]

    @property
    def earned_display(self) -> str:
        return " + ".join(format_money(amount, currency) for amount, currency in self.earned)


def sitting_summary(*, worker: User, since: datetime) -> Sitting:
    """The answers the worker sent since `since` and what they earned (the rewards booked for
    them, pending approval)."""
    ids = list(
        Submission.objects.filter(worker=worker, submitted_at__gte=since).values_list(
            "pk", flat=True
        )
    )
    earned: dict[str, Decimal] = {}
    for amount, currency in Entry.objects.filter(
        transaction__kind=Transaction.Kind.EARNING,
        transaction__submission_id__in=ids,
        account__kind=Account.Kind.WORKER_PENDING,
    ).values_list("amount", "currency"):
        earned[currency] = earned.get(currency, Decimal(0)) + amount
    return Sitting(
        answers=len(ids), earned=tuple((amount, cur) for cur, amount in sorted(earned.items()))
    )


def project_example(project: Project) -> tuple[dict[str, Any], Any]:
    """(config, data) of the one task a project's preview shows: the kind's published example
    task under the project's own settings (its question, its labels) when it fits them, else
    the kind's example whole. Never a task of the project, so the preview shows no control,
    and tells nothing of which tasks are controls."""
    interface = get_interface(project.interface)
    example = interface.example or {}
    data = example.get("data") or {}
    try:
        interface.check_input(project.config, data)
    except Exception:
        # The project's tasks need other fields than the example has (a form of its own).
        return example.get("config") or project.config, _shipped_media(data)
    return project.config, _shipped_media(data)


# The kinds' published examples name media on example.org-style hosts, which is right for the
# API's documentation and never loads: the preview shows files shipped with the site instead.
EXAMPLE_MEDIA = {
    "image_url": "work/examples/street.jpg",
    "video_url": "work/examples/clip.webm",
    "audio_url": "work/examples/clip.ogg",
}


def _shipped_media(data: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(data)
    for field, shipped in EXAMPLE_MEDIA.items():
        value = out.get(field)
        if isinstance(value, str) and (urlparse(value).hostname or "").endswith(".example"):
            out[field] = static(shipped)
    return out
