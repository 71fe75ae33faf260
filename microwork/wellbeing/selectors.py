"""Reads about a worker's exposure to disturbing content: their choices, what they have seen
today, and the stretch they are in."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from microwork.accounts.models import User
from microwork.projects.models import Project
from microwork.wellbeing.models import WorkerWellbeing
from microwork.work.hooks import TaskNotice
from microwork.work.models import Assignment

# How far back a stretch is looked for: far longer than any threshold.
STRETCH_LOOKBACK = timedelta(hours=12)
STRETCH_ROWS = 1000


@dataclass(frozen=True)
class Choices:
    categories: tuple[str, ...]
    daily_cap: int  # in force: the worker's own limit, never above the platform's
    own_cap: int | None  # what the worker set (None: the platform's)


def choices_for(*, worker: User) -> Choices:
    row = WorkerWellbeing.objects.filter(worker=worker).first()
    platform = settings.WELLBEING_DAILY_CAP
    if row is None:
        return Choices(categories=(), daily_cap=platform, own_cap=None)
    cap = min(row.daily_cap or platform, platform)
    return Choices(categories=tuple(row.categories), daily_cap=cap, own_cap=row.daily_cap)


def day_start(now: datetime) -> datetime:
    return datetime.combine(now.date(), time.min, tzinfo=now.tzinfo)


def _disturbing_ids(project_ids: Iterable[int]) -> set[int]:
    # Filtered here rather than in SQL: "a non-empty JSON list" reads differently on SQLite
    # and PostgreSQL, and a worker touches few projects a day.
    return {
        pk
        for pk, declared in Project.objects.filter(pk__in=set(project_ids)).values_list(
            "pk", "disturbing_content"
        )
        if declared
    }


def exposure_today(*, worker: User, now: datetime) -> int:
    """Disturbing items handed to the worker since midnight UTC, whatever became of them: an
    item skipped or given back was still put in front of them."""
    counts = dict(
        Assignment.objects.filter(worker=worker, first_leased_at__gte=day_start(now))
        .values_list("project_id")
        .annotate(n=Count("id"))
        .values_list("project_id", "n")
    )
    disturbing = _disturbing_ids(counts)
    return sum(n for pk, n in counts.items() if pk in disturbing)


@dataclass(frozen=True)
class Stretch:
    started_at: datetime | None
    items: int

    def minutes(self, now: datetime) -> int:
        if self.started_at is None:
            return 0
        return int((now - self.started_at).total_seconds() // 60)


def stretch_for(*, worker: User, now: datetime) -> Stretch:
    """The run of disturbing items the worker is in: items one after another with no pause
    of WELLBEING_PAUSE_MINUTES between the end of one and the start of the next (or now)."""
    pause = timedelta(minutes=settings.WELLBEING_PAUSE_MINUTES)
    rows = list(
        Assignment.objects.filter(
            worker=worker, first_leased_at__gte=now - STRETCH_LOOKBACK, first_leased_at__lte=now
        )
        .order_by("-first_leased_at", "-id")
        .values_list("project_id", "first_leased_at", "ended_at", "expires_at")[:STRETCH_ROWS]
    )
    disturbing = _disturbing_ids(row[0] for row in rows)
    started: datetime | None = None
    items = 0
    boundary = now
    for project_id, start, ended, expires in rows:
        if project_id not in disturbing or start is None:
            continue
        end = ended or min(now, expires)
        if boundary - end >= pause:
            break
        started, items, boundary = start, items + 1, min(boundary, start)
    return Stretch(started_at=started, items=items)


def break_due(stretch: Stretch, now: datetime) -> bool:
    return (
        stretch.minutes(now) >= settings.WELLBEING_BREAK_AFTER_MINUTES
        or stretch.items >= settings.WELLBEING_BREAK_AFTER_ITEMS
    )


def break_notice(*, assignment: Assignment, worker: User, now: datetime) -> TaskNotice | None:
    """The task page's notice (work.hooks.TASK_NOTICES): after a long stretch of disturbing
    items, a suggestion to stop for a few minutes. The worker may carry on."""
    if not assignment.project.is_disturbing:
        return None
    stretch = stretch_for(worker=worker, now=now)
    if not break_due(stretch, now):
        return None
    minutes = stretch.minutes(now)
    text = ngettext(
        "You have been looking at disturbing content for %(minutes)d minute (%(items)d items) "
        "without a pause.",
        "You have been looking at disturbing content for %(minutes)d minutes (%(items)d items) "
        "without a pause.",
        minutes,
    ) % {"minutes": minutes, "items": stretch.items}
    text += " " + _(
        "Take a break of at least %(pause)d minutes: look away, stand up, breathe. You can "
        "also carry on."
    ) % {"pause": settings.WELLBEING_PAUSE_MINUTES}
    return TaskNotice(
        text=text,
        action_url=reverse("wellbeing:take_break", args=[assignment.pk]),
        action_label=_("Take a break"),
    )


def missing_categories(project: Project, chosen: Sequence[str]) -> list[str]:
    return [key for key in project.disturbing_content or () if key not in chosen]
