"""New work reaching workers, and telling the people who asked to know.

A release is a project going live (or coming back from a pause) or a batch of tasks added to
a live project, at once or at the time the requester announced. The projects app reports
both through its hook registries (STATUS_CHANGED and BATCH_DONE in projects/hooks.py), where
the functions below are registered like the built-ins.

For a release's opening minute its tasks are held back from the fair-sharing layer: whoever
asks in that minute joins the waiting line, and the first round after it ranks them all
together (fewest tasks received first, ties by lot), so the order of clicks decides nothing.
The engine's plain claim (`assignment_claim`) holds back only what the requester announced
for later, which no path may hand out early.
"""

import contextlib
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, F, Max, Min, OuterRef, Q, QuerySet, Sum
from django.tasks.exceptions import InvalidTask
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from microwork.accounts.models import User
from microwork.inbox.models import Notification
from microwork.inbox.services import inbox_notify
from microwork.lib.errors import ApplicationError
from microwork.lib.registry import loaded
from microwork.projects.models import Batch, Project
from microwork.work import fairness
from microwork.work.models import OpeningSubscription, Release

# Which moment ends a hold: the engine holds a batch until it opens (the requester's promise),
# the fair-sharing layer until the first round after its opening minute.
HOLD_UNTIL_OPEN = "opens_at"
HOLD_UNTIL_FIRST_ROUND = "first_round_at"

OPENING = timedelta(seconds=fairness.OPENING_ROUND_SECONDS)
# The job that tells subscribers when an announced opening arrives. Named, not imported: its
# module (work/tasks.py) builds on this one.
NOTIFY_OPENING = "microwork.work.tasks.notify_opening"


def held_batches(*, project: Project, now: datetime, until: str) -> QuerySet:
    """Batch ids of `project` whose tasks nobody may be handed yet (a subquery)."""
    return Release.objects.filter(
        project=project,
        batch__isnull=False,
        created_at__lte=now,
        **{f"{until}__gt": now},
    ).values("batch_id")


def opening_round_at(*, project: Project, now: datetime) -> datetime | None:
    """While every task of the project is in its opening minute (its announced opening time,
    or it has just gone live), the moment of that minute's first round; otherwise None."""
    if project.opens_at is not None and project.opens_at <= now < project.opens_at + OPENING:
        return project.opens_at + OPENING
    return (
        Release.objects.filter(
            project=project,
            batch__isnull=True,
            created_at__lte=now,
            opens_at__lte=now,
            first_round_at__gt=now,
        )
        .order_by("-first_round_at")
        .values_list("first_round_at", flat=True)
        .first()
    )


def batch_round_at(*, project: Project, now: datetime) -> datetime | None:
    """The first round of the next batch now in its opening minute, if any."""
    return Release.objects.filter(
        project=project,
        batch__isnull=False,
        created_at__lte=now,
        opens_at__lte=now,
        first_round_at__gt=now,
    ).aggregate(at=Min("first_round_at"))["at"]


def first_round_at(*, project: Project, now: datetime) -> datetime | None:
    """When newly released work is first shared out (for the waiting page), if some is held."""
    if project.opens_at is not None and project.opens_at <= now < project.opens_at + OPENING:
        return project.opens_at + OPENING
    return Release.objects.filter(
        project=project, created_at__lte=now, opens_at__lte=now, first_round_at__gt=now
    ).aggregate(at=Min("first_round_at"))["at"]


def announced_releases(*, projects: list[int], now: datetime) -> dict[int, tuple[datetime, int]]:
    """Per project: the next announced batch opening and how many ordinary tasks it brings."""
    rows = (
        Release.objects.filter(
            project_id__in=projects, batch__isnull=False, created_at__lte=now, opens_at__gt=now
        )
        .values("project_id")
        .annotate(at=Min("opens_at"), rows=Sum("batch__rows_added"), gold=Sum("batch__gold_added"))
    )
    return {r["project_id"]: (r["at"], (r["rows"] or 0) - (r["gold"] or 0)) for r in rows}


def _release(
    *, project: Project, batch: Batch | None, reason: str, opens_at: datetime, now: datetime
) -> Release:
    return Release.objects.create(
        project=project,
        batch=batch,
        reason=reason,
        announced=opens_at > now,
        created_at=now,
        opens_at=opens_at,
        first_round_at=opens_at + OPENING,
    )


def _notify_at(project_id: int, at: datetime) -> None:
    def enqueue() -> None:
        # A backend without deferred runs refuses run_after: housekeeping tells them instead.
        with contextlib.suppress(InvalidTask):
            loaded(NOTIFY_OPENING).using(run_after=at).enqueue(project_id)

    transaction.on_commit(enqueue)


def release_on_status(*, project: Project, old_status: str, actor: User | None) -> None:
    """STATUS_CHANGED hook: a project going live (first time or after a pause) releases every
    task it has. An announced opening time still ahead is its release instead: nothing is
    handed out before it, and its first minute is the opening round."""
    if project.status != Project.Status.LIVE:
        return
    now = timezone.now()
    if project.opens_at is not None and project.opens_at > now:
        _notify_at(project.pk, project.opens_at)
        return
    _release(project=project, batch=None, reason=Release.Reason.WENT_LIVE, opens_at=now, now=now)
    openings_notify(project=project, now=now)


def release_on_batch_added(*, batch: Batch) -> None:
    """BATCH_DONE hook: new tasks in a live project are a release now; a batch with an
    announced time is released then, whatever the project's status (if it is not live at
    that moment, nothing is handed out until it is)."""
    now = timezone.now()
    # Read afresh: the upload holds the project's row lock, but its instance may be older.
    project = Project.objects.get(pk=batch.project_id)
    if batch.opens_at is not None and batch.opens_at > now:
        _release(
            project=project,
            batch=batch,
            reason=Release.Reason.BATCH_ADDED,
            opens_at=batch.opens_at,
            now=now,
        )
        _notify_at(project.pk, batch.opens_at)
    elif project.status == Project.Status.LIVE:
        _release(
            project=project, batch=batch, reason=Release.Reason.BATCH_ADDED, opens_at=now, now=now
        )
        openings_notify(project=project, now=now)


# ---- "tell me when there is new work" --------------------------------------------------


@transaction.atomic
def opening_subscribe(
    *, worker: User, project: Project, now: datetime | None = None
) -> OpeningSubscription:
    """ "Tell me when there is new work here": honoured at the project's next release, when
    everyone who asked is told at the same moment (a line on their work page). Asking again
    after being told asks for the release after that."""
    now = now or timezone.now()
    if project.status not in (Project.Status.LIVE, Project.Status.PAUSED):
        raise ApplicationError(_("This project is not open for work."), code="project_closed")
    subscription, created = OpeningSubscription.objects.get_or_create(
        project=project, worker=worker, defaults={"created_at": now}
    )
    if not created and subscription.notified_at is not None:
        subscription.created_at = now
        subscription.notified_at = None
        subscription.save(update_fields=["created_at", "notified_at"])
    if project.opens_at is not None and project.opens_at > now:
        _notify_at(project.pk, project.opens_at)
    return subscription


def _last_release_at(project: Project, now: datetime) -> datetime | None:
    latest = Release.objects.filter(
        project=project, created_at__lte=now, opens_at__lte=now
    ).aggregate(at=Max("opens_at"))["at"]
    if project.opens_at is not None and project.opens_at <= now:
        latest = max(latest or project.opens_at, project.opens_at)
    return latest


@transaction.atomic
def openings_notify(*, project: Project, now: datetime | None = None) -> int:
    """Tell everyone who asked before the project's latest release that there is new work."""
    now = now or timezone.now()
    if project.status != Project.Status.LIVE or (
        project.opens_at is not None and project.opens_at > now
    ):
        return 0
    latest = _last_release_at(project, now)
    if latest is None:
        return 0
    due = list(
        OpeningSubscription.objects.select_for_update()
        .filter(project=project, notified_at__isnull=True, created_at__lte=latest)
        .values_list("pk", "worker_id")
    )
    inbox_notify(
        users=[worker_id for _pk, worker_id in due],
        kind="project_opened",
        params={"project_id": project.pk},
        now=now,
    )
    OpeningSubscription.objects.filter(pk__in=[pk for pk, _w in due]).update(notified_at=now)
    return len(due)


def inbox_lines(*, notifications: list[Notification]) -> list[tuple[str, str | None]]:
    """The words of "new work" inbox lines (microwork/inbox/kinds.py), with the projects'
    names as they are now."""
    ids = {n.params.get("project_id") for n in notifications} - {None}
    names = dict(Project.objects.filter(pk__in=ids).values_list("pk", "name"))
    home = reverse("work:home")
    return [
        (
            _("%(name)s has new work now.") % {"name": names.get(n.params.get("project_id"), "?")},
            home,
        )
        for n in notifications
    ]


def projects_with_news(*, now: datetime) -> QuerySet[Project]:
    """Live, open projects released since someone asked to be told (for housekeeping)."""
    released_since = Release.objects.filter(
        project_id=OuterRef("project_id"),
        created_at__lte=now,
        opens_at__lte=now,
        opens_at__gte=OuterRef("created_at"),
    )
    waiting = OpeningSubscription.objects.filter(notified_at__isnull=True).filter(
        Q(project__opens_at__lte=now, project__opens_at__gte=F("created_at"))
        | Exists(released_since)
    )
    return (
        Project.objects.filter(status=Project.Status.LIVE, pk__in=waiting.values("project_id"))
        .exclude(opens_at__gt=now)
        .order_by("pk")
    )
