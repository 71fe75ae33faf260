"""Claiming: a lease on one task of a project for one worker, the engine under every way of
asking for work, and the helpers the other writes of the worker loop share (the event log,
the owner check, the project's open check)."""

import random
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from microwork.accounts.models import User, WorkerProfile
from microwork.lib.errors import ApplicationError, Forbidden
from microwork.lib.l10n import datetime_text
from microwork.projects.models import Project, Task
from microwork.work import scheduler
from microwork.work.eligibility import eligibility_refusal
from microwork.work.models import Assignment, AssignmentEvent
from microwork.work.releases import HOLD_UNTIL_OPEN

# For this long after a lease runs out the worker gets the same task back (with their draft)
# if its slot is still free; after that the sweeper closes it.
RELEASE_GRACE = timedelta(minutes=15)
# The draw of control tasks and of rounds' lots; tests replace it for a repeatable draw.
default_rng = random.SystemRandom()

Status = Assignment.Status


def record_event(assignment: Assignment, old: str, new: str, reason: str, at: datetime) -> None:
    AssignmentEvent.objects.create(
        assignment=assignment, old_status=old, new_status=new, reason=reason, at=at
    )


def check_project_open(status: str, opens_at: datetime | None, now: datetime) -> None:
    if status != Project.Status.LIVE:
        messages: dict[str, str] = {
            Project.Status.PAUSED: _("The requester has paused this project. Try again later."),
            Project.Status.COMPLETED: _("This project is finished: every task has its answers."),
        }
        raise ApplicationError(
            messages.get(status, _("This project is not open for work.")),
            code=f"project_{status}",
        )
    if opens_at and opens_at > now:
        raise ApplicationError(
            _(
                "This project opens at %(time)s UTC. Ask to be told and you will be in its first round."
            )
            % {"time": datetime_text(opens_at)},
            code="project_not_open",
        )


def _lock_worker(worker: User, project: Project) -> tuple[str, datetime | None]:
    """Lock the worker's profile row and read the project's status and opening time in the
    same statement.

    The lock serialises one worker's own claims (a double tap, two devices) so they cannot
    take two leases past max_open_per_worker; other workers are not held up. The status is
    read here, not taken from the caller's instance (which a round may have loaded seconds
    ago): a pause committed before this statement refuses the claim, and a claim that read
    "live" just before a pause is a lease taken before it (answers to it are accepted)."""
    current = Project.objects.filter(pk=project.pk)
    row = (
        WorkerProfile.objects.select_for_update()
        .filter(user_id=worker.pk)
        .annotate(
            project_status=Subquery(current.values("status")[:1]),
            project_opens_at=Subquery(current.values("opens_at")[:1]),
        )
        .values_list("project_status", "project_opens_at")
        .first()
    )
    if row is None:
        raise Forbidden(_("Only workers can take tasks."), code="not_a_worker")
    return row


def check_owner(assignment: Assignment, worker: User) -> None:
    if assignment.worker_id != worker.pk:
        raise Forbidden(_("This task was given to someone else."), code="not_your_assignment")


def _lease(*, project: Project, task: Task, worker: User, now: datetime) -> Assignment:
    assignment = Assignment.objects.create(
        project=project,
        task=task,
        worker=worker,
        status=Status.LEASED,
        first_leased_at=now,
        leased_at=now,
        expires_at=now + timedelta(seconds=project.time_limit_seconds),
    )
    assignment.task = task
    record_event(assignment, "", Status.LEASED, "claimed", now)
    return assignment


def _relet(*, lapsed: Assignment, project: Project, now: datetime) -> Assignment | None:
    """The worker's own lease ran out a moment ago: theirs again if its slot is still free."""
    list(Task.objects.select_for_update().filter(pk=lapsed.task_id).values_list("pk"))
    if scheduler.has_free_slot(
        task_id=lapsed.task_id, overlap=project.overlap, now=now, exclude_assignment=lapsed.pk
    ):
        lapsed.leased_at = now
        lapsed.expires_at = now + timedelta(seconds=project.time_limit_seconds)
        lapsed.save(update_fields=["leased_at", "expires_at"])
        record_event(lapsed, Status.LEASED, Status.LEASED, "re_leased", now)
        return lapsed
    lapsed.status = Status.EXPIRED
    lapsed.ended_at = now
    lapsed.save(update_fields=["status", "ended_at"])
    record_event(lapsed, Status.LEASED, Status.EXPIRED, "slot_taken", now)
    return None


def assignment_claim(
    *,
    worker: User,
    project: Project,
    now: datetime | None = None,
    rng: random.Random | None = None,
) -> Assignment | None:
    """Lease a task of `project` to `worker`, or None when no task is free for them now.

    Returns the worker's open lease instead of a new one when they already hold
    max_open_per_worker (resume). This is the engine: it never hands out a task announced for
    later, but it knows nothing of waiting lines or opening rounds. Pages and the API go
    through `work_request_create`, which adds fair sharing."""
    return claim_with_hold(worker=worker, project=project, now=now, rng=rng, hold=HOLD_UNTIL_OPEN)


@transaction.atomic
def claim_with_hold(
    *,
    worker: User,
    project: Project,
    now: datetime | None,
    rng: random.Random | None,
    hold: str,
) -> Assignment | None:
    now = now or timezone.now()
    rng = rng or default_rng
    check_project_open(*_lock_worker(worker, project), now)
    mine = list(
        Assignment.objects.filter(
            worker=worker,
            project=project,
            status=Status.LEASED,
            expires_at__gt=now - RELEASE_GRACE,
        )
        .select_related("task")
        .order_by("expires_at")
    )
    holding = [a for a in mine if a.expires_at > now]
    if len(holding) >= max(1, project.max_open_per_worker):
        return holding[0]
    refusal = eligibility_refusal(project=project, worker=worker, now=now)
    if refusal is not None:
        check, reason = refusal
        raise ApplicationError(reason, code="not_eligible", details={"check": check})
    for lapsed in (a for a in mine if a.expires_at <= now):
        relet = _relet(lapsed=lapsed, project=project, now=now)
        if relet is not None:
            return relet
    task = None
    if project.gold_rate > 0 and Decimal(repr(rng.random())) < project.gold_rate:
        task = scheduler.pick_gold_task(
            project=project, worker_id=worker.pk, rng=rng, now=now, hold=hold
        )
    if task is None:
        task = scheduler.lock_ordinary_task(
            project=project, worker_id=worker.pk, now=now, hold=hold
        )
    if task is None:
        return None
    return _lease(project=project, task=task, worker=worker, now=now)


@transaction.atomic
def assignment_grant(
    *, project: Project, task: Task, worker: User, expires_at: datetime, now: datetime
) -> Assignment:
    """A lease on one chosen task for one chosen worker, granted by a layer above that did
    its own choosing and eligibility checks (a live task's accepted offer): no scheduler, no
    rounds, but the same row, event log and free-slot check as every other lease."""
    check_project_open(*_lock_worker(worker, project), now)
    list(Task.objects.select_for_update().filter(pk=task.pk).values_list("pk"))
    if not scheduler.has_free_slot(task_id=task.pk, overlap=project.overlap, now=now):
        raise ApplicationError(
            _("This task already has all the answers it needs."), code="task_full"
        )
    assignment = Assignment.objects.create(
        project=project,
        task=task,
        worker=worker,
        status=Status.LEASED,
        first_leased_at=now,
        leased_at=now,
        expires_at=expires_at,
    )
    assignment.task = task
    record_event(assignment, "", Status.LEASED, "granted", now)
    return assignment


@transaction.atomic
def assignment_withdraw(*, assignment_id: int, reason: str, now: datetime) -> str:
    """End an open lease on the platform's behalf (a live task handed over or past its
    requester's deadline), with the rule as the event's reason. An answer sent after this is
    refused by the layer that withdrew it. Returns "withdrawn", "not_open", or "busy" when
    the lease is locked by its own submit right now: the caller looks again a moment later
    rather than wait on it (it holds its own lock, which that submit's hooks take next)."""
    locked = Assignment.objects.select_for_update(skip_locked=True).filter(pk=assignment_id).first()
    if locked is None:
        return "busy" if Assignment.objects.filter(pk=assignment_id).exists() else "not_open"
    if locked.status != Status.LEASED:
        return "not_open"
    locked.status = Status.EXPIRED
    locked.ended_at = now
    locked.save(update_fields=["status", "ended_at"])
    record_event(locked, Status.LEASED, Status.EXPIRED, reason, now)
    return "withdrawn"
