"""Writes of the worker loop: leases, answers, drafts, and fair sharing of scarce work.

Lock order, everywhere: the worker's profile row, then the assignment row, then the task row.
Claims take task rows with SKIP LOCKED (PostgreSQL), so a claim never waits on another claim.

Releases of new work, their opening rounds and "tell me when there is new work" live in
releases.py.
"""

import json
import random
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, Q, Subquery, Value, When
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from microwork.accounts.models import User, WorkerProfile
from microwork.lib.errors import ApplicationError, Conflict, Forbidden
from microwork.projects.interfaces import get_interface
from microwork.projects.models import Project, Task
from microwork.work import fairness, releases, scheduler
from microwork.work.eligibility import eligibility_refusal
from microwork.work.hooks import submission_hooks_run
from microwork.work.models import (
    AllocationRound,
    Assignment,
    AssignmentEvent,
    Submission,
    WorkQueue,
    WorkRequest,
)
from microwork.work.releases import HOLD_UNTIL_FIRST_ROUND, HOLD_UNTIL_OPEN, openings_notify
from microwork.work.selectors import received_counts

# A draft is a half-picked answer, not a document: a few hundred bytes is plenty and keeps a
# phone's retries cheap.
DRAFT_MAX_BYTES = 500
# For this long after a lease runs out the worker gets the same task back (with their draft)
# if its slot is still free; after that the sweeper closes it.
RELEASE_GRACE = timedelta(minutes=15)
# Rounds stop trying once this many waiting workers in a row found nothing free.
ROUND_MISSES_TO_STOP = 10
SWEEP_BATCH = 500

_rng = random.SystemRandom()

Status = Assignment.Status


def _event(assignment: Assignment, old: str, new: str, reason: str, at: datetime) -> None:
    AssignmentEvent.objects.create(
        assignment=assignment, old_status=old, new_status=new, reason=reason, at=at
    )


def _check_project_open(status: str, opens_at: datetime | None, now: datetime) -> None:
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
            % {"time": formats.date_format(opens_at, "Y-m-d H:i")},
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


def _check_owner(assignment: Assignment, worker: User) -> None:
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
    _event(assignment, "", Status.LEASED, "claimed", now)
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
        _event(lapsed, Status.LEASED, Status.LEASED, "re_leased", now)
        return lapsed
    lapsed.status = Status.EXPIRED
    lapsed.ended_at = now
    lapsed.save(update_fields=["status", "ended_at"])
    _event(lapsed, Status.LEASED, Status.EXPIRED, "slot_taken", now)
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
    return _claim(worker=worker, project=project, now=now, rng=rng, hold=HOLD_UNTIL_OPEN)


@transaction.atomic
def _claim(
    *,
    worker: User,
    project: Project,
    now: datetime | None,
    rng: random.Random | None,
    hold: str,
) -> Assignment | None:
    now = now or timezone.now()
    rng = rng or _rng
    _check_project_open(*_lock_worker(worker, project), now)
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


def _clean_active_ms(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ApplicationError(
            _("active_ms must be a whole number of milliseconds, 0 or more."),
            code="invalid_active_ms",
            field="active_ms",
        )
    return value


def _elapsed_ms(assignment: Assignment, now: datetime) -> int:
    start = assignment.first_leased_at or assignment.leased_at
    return max(0, int((now - start).total_seconds() * 1000))


def _gold_correct(interface, project: Project, task: Task, answer: Any) -> bool | None:
    if not task.is_gold:
        return None
    try:
        expected = interface.check_answer(project.config, task.data, task.gold_answer)
    except ApplicationError:
        # A gold answer the interface no longer accepts (the labels changed) judges nobody.
        return None
    return interface.answer_key(answer) == interface.answer_key(expected)


@transaction.atomic
def submission_create(
    *,
    assignment: Assignment,
    worker: User,
    answer: Any,
    active_ms: int = 0,
    now: datetime | None = None,
) -> Submission:
    """Store a worker's answer. The assignment is the idempotency key: a repeat (a retry over
    a bad connection, a double tap) returns the first submission and counts nothing again.
    A paused or completed project still takes answers within their lease; an archived one
    takes none (`_check_project_takes_answer`)."""
    now = now or timezone.now()
    _check_owner(assignment, worker)
    active_ms = _clean_active_ms(active_ms)
    locked = (
        # The organisation too: the earning hook books against its escrow.
        Assignment.objects.select_related("project__organisation")
        .select_for_update(of=("self",))
        .get(pk=assignment.pk)
    )
    if locked.status == Status.SUBMITTED:
        return Submission.objects.get(assignment_id=locked.pk)
    if locked.status in (Status.SKIPPED, Status.RETURNED):
        raise Conflict(
            _("You skipped or returned this task, so it can no longer be answered."),
            code=f"assignment_{locked.status}",
        )
    project = locked.project
    lease_valid = locked.status == Status.LEASED and locked.expires_at > now
    _check_project_takes_answer(project, lease_valid)
    task = Task.objects.select_for_update().get(pk=locked.task_id)
    interface = get_interface(project.interface)
    clean = interface.check_answer(project.config, task.data, answer)
    if not scheduler.has_free_slot(
        task_id=task.pk,
        overlap=project.overlap,
        now=now,
        exclude_assignment=locked.pk,
        ignore_done=lease_valid,
    ):
        if lease_valid:
            raise Conflict(_("This task already has all the answers it needs."), code="task_full")
        raise Conflict(
            _("This task was given to someone else after your time ran out."), code="lease_lost"
        )
    elapsed = _elapsed_ms(locked, now)
    submission = Submission.objects.create(
        assignment=locked,
        project=project,
        task=task,
        worker=worker,
        answer=clean,
        active_ms=min(max(locked.active_ms, active_ms), elapsed),
        elapsed_ms=elapsed,
        submitted_at=now,
        gold_correct=_gold_correct(interface, project, task, clean),
    )
    Task.objects.filter(pk=task.pk).update(answers_count=F("answers_count") + 1)
    old = locked.status
    locked.status = Status.SUBMITTED
    locked.ended_at = now
    locked.active_ms = submission.active_ms
    locked.save(update_fields=["status", "ended_at", "active_ms"])
    _event(locked, old, Status.SUBMITTED, "submitted" if lease_valid else "submitted_late", now)
    submission_hooks_run(submission=submission)
    return submission


def _check_project_takes_answer(project: Project, lease_valid: bool) -> None:
    """The rule for answers when the requester has stopped the project (its status is read
    with the locked assignment): a worker who took a task before a pause or completion
    finished it in good faith, so the answer is accepted and paid while the lease runs. Only
    a live project takes late answers. An archived project takes none: its results are final
    and its money settled."""
    if project.status == Project.Status.LIVE:
        return
    if project.status == Project.Status.ARCHIVED:
        raise Conflict(
            _("The requester has archived this project, so it takes no more answers."),
            code="project_archived",
        )
    if not lease_valid:
        raise Conflict(
            _(
                "The requester stopped this project and your time for this task ran out, so "
                "the answer can no longer be accepted."
            ),
            code="project_stopped",
        )


def _end(*, assignment: Assignment, worker: User, new: str, now: datetime | None) -> Assignment:
    now = now or timezone.now()
    _check_owner(assignment, worker)
    locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if locked.status != Status.LEASED:
        messages: dict[str, str] = {
            Status.RETURNED: _("You already returned this task."),
            Status.SKIPPED: _("You already skipped this task."),
            Status.SUBMITTED: _("You already submitted this task."),
            Status.EXPIRED: _("The time for this task ran out; it went back to the pool."),
        }
        raise Conflict(messages[locked.status], code=f"already_{locked.status}")
    locked.status = new
    locked.ended_at = now
    locked.save(update_fields=["status", "ended_at"])
    _event(locked, Status.LEASED, new, new, now)
    return locked


@transaction.atomic
def assignment_skip(
    *, assignment: Assignment, worker: User, now: datetime | None = None
) -> Assignment:
    """ "Not this one": the task goes back to others and never comes back to this worker."""
    return _end(assignment=assignment, worker=worker, new=Status.SKIPPED, now=now)


@transaction.atomic
def assignment_return(
    *, assignment: Assignment, worker: User, now: datetime | None = None
) -> Assignment:
    """ "I stop here": the slot is freed at once instead of when the time runs out."""
    return _end(assignment=assignment, worker=worker, new=Status.RETURNED, now=now)


@transaction.atomic
def assignment_save_draft(
    *,
    assignment: Assignment,
    worker: User,
    draft: Any,
    active_ms: int | None = None,
    now: datetime | None = None,
) -> Assignment:
    """Keep the half-done answer and the visible time so far, for any device to continue.

    `active_ms` is the total the page has counted, not an increment, so a retried save cannot
    add the same seconds twice; the larger total wins."""
    now = now or timezone.now()
    _check_owner(assignment, worker)
    size = len(json.dumps(draft, separators=(",", ":")).encode())
    if size > DRAFT_MAX_BYTES:
        raise ApplicationError(
            _("The draft is %(size)d bytes; at most %(max)d are kept.")
            % {"size": size, "max": DRAFT_MAX_BYTES},
            code="draft_too_large",
            field="draft",
        )
    if active_ms is not None:
        active_ms = _clean_active_ms(active_ms)
    locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if locked.status != Status.LEASED:
        raise Conflict(
            _("This task is no longer open, so its draft cannot change."), code="not_open"
        )
    locked.draft = draft
    locked.draft_saved_at = now
    if active_ms is not None:
        locked.active_ms = max(locked.active_ms, min(active_ms, _elapsed_ms(locked, now)))
    locked.save(update_fields=["draft", "draft_saved_at", "active_ms"])
    return locked


def assignments_expire(*, now: datetime | None = None) -> int:
    """Close leases that ran out more than RELEASE_GRACE ago. Only tidying: claims already
    treat a lease past expires_at as a free slot, whether or not this has run."""
    now = now or timezone.now()
    cutoff = now - RELEASE_GRACE
    closed = 0
    while True:
        with transaction.atomic():
            ids = list(
                scheduler.lock_rows(
                    Assignment.objects.filter(status=Status.LEASED, expires_at__lte=cutoff)
                ).values_list("id", flat=True)[:SWEEP_BATCH]
            )
            if not ids:
                return closed
            Assignment.objects.filter(pk__in=ids).update(
                status=Status.EXPIRED, ended_at=F("expires_at")
            )
            AssignmentEvent.objects.bulk_create(
                AssignmentEvent(
                    assignment_id=pk,
                    old_status=Status.LEASED,
                    new_status=Status.EXPIRED,
                    reason="swept",
                    at=now,
                )
                for pk in ids
            )
            closed += len(ids)


# ---- fair sharing ---------------------------------------------------------------------


def _may_free_up(project: Project, worker: User, now: datetime) -> bool:
    """Is some task this worker could get held by an open lease that may still come back?"""
    return (
        Assignment.objects.filter(
            project=project,
            status=Status.LEASED,
            task__is_gold=False,
            task__done=False,
            task__answers_count__lt=project.overlap,
        )
        .exclude(task__assignments__worker=worker)
        .exists()
    )


def _has_open_tasks(project: Project, now: datetime) -> bool:
    """Does any ordinary task still want answers (given out or not), apart from tasks
    announced for later? When none does, waiting cannot bring anyone a task."""
    return (
        Task.objects.filter(
            project=project, is_gold=False, done=False, answers_count__lt=project.overlap
        )
        .exclude(
            batch_id__in=releases.held_batches(project=project, now=now, until=HOLD_UNTIL_OPEN)
        )
        .exists()
    )


def _join_queue(*, project: Project, worker: User, now: datetime) -> WorkRequest:
    WorkQueue.objects.get_or_create(project=project)
    try:
        with transaction.atomic():
            request, created = WorkRequest.objects.get_or_create(
                project=project,
                worker=worker,
                status=WorkRequest.Status.WAITING,
                defaults={"requested_at": now, "last_seen_at": now},
            )
    except IntegrityError:
        # A double tap made the same request at the same moment: one waiting row is kept.
        request = WorkRequest.objects.get(
            project=project, worker=worker, status=WorkRequest.Status.WAITING
        )
    return request


def _outcome(request: WorkRequest) -> Assignment | WorkRequest | None:
    if request.status == WorkRequest.Status.GRANTED and request.assignment is not None:
        return request.assignment
    if request.status == WorkRequest.Status.DRY:
        return None
    return request


def work_request_create(
    *,
    worker: User,
    project: Project,
    now: datetime | None = None,
    rng: random.Random | None = None,
) -> Assignment | WorkRequest | None:
    """ "Give me a task": what the Start button and the claim endpoint do.

    - Work to spare and nobody waiting: a lease at once.
    - Others already waiting, the whole project in its opening minute, or nothing free right
      now but something that may come (a lease that may come back, a batch in its opening
      minute): the worker joins the waiting line (a WorkRequest) and rounds share out tasks
      fairly. Tasks of a batch in its opening minute are only ever handed out by a round.
    - Nothing that could come to this worker soon: None (they may ask to be told)."""
    now = now or timezone.now()
    rng = rng or _rng
    _check_project_open(project.status, project.opens_at, now)
    # One query answers both "am I waiting already?" and "is anyone else waiting?".
    fresh = now - timedelta(seconds=fairness.REQUEST_STALE_SECONDS)
    queue = list(
        WorkRequest.objects.filter(project=project, status=WorkRequest.Status.WAITING)
        .filter(Q(worker=worker) | Q(last_seen_at__gte=fresh))
        .order_by(Case(When(worker=worker, then=Value(0)), default=Value(1)))
        .values_list("pk", "worker_id")[:2]
    )
    if queue and queue[0][1] == worker.pk:
        waiting = WorkRequest.objects.select_related("project", "assignment").get(pk=queue[0][0])
        return work_request_poll(request=waiting, worker=worker, now=now, rng=rng)
    opening = releases.opening_round_at(project=project, now=now)
    if queue or opening:
        held = (
            Assignment.objects.filter(
                worker=worker, project=project, status=Status.LEASED, expires_at__gt=now
            )
            .order_by("expires_at")
            .first()
        )
        if held is not None:
            return held
        refusal = eligibility_refusal(project=project, worker=worker, now=now)
        if refusal is not None:
            raise ApplicationError(refusal[1], code="not_eligible", details={"check": refusal[0]})
        request = _join_queue(project=project, worker=worker, now=now)
        if opening is None:
            work_rounds_allocate(project=project, now=now, rng=rng)
            request.refresh_from_db()
        return _outcome(request)
    assignment = _claim(
        worker=worker, project=project, now=now, rng=rng, hold=HOLD_UNTIL_FIRST_ROUND
    )
    if assignment is not None:
        return assignment
    if releases.batch_round_at(project=project, now=now) or _may_free_up(project, worker, now):
        return _join_queue(project=project, worker=worker, now=now)
    return None


def work_request_poll(
    *,
    request: WorkRequest,
    worker: User,
    now: datetime | None = None,
    rng: random.Random | None = None,
) -> Assignment | WorkRequest | None:
    """The waiting page checking in: keeps the request fresh and runs a round when one is due.
    None when the project has run out of work for this worker (they may ask to be told)."""
    now = now or timezone.now()
    if request.worker_id != worker.pk:
        raise Forbidden(_("This is someone else's request."), code="not_your_request")
    if request.status == WorkRequest.Status.WAITING:
        WorkRequest.objects.filter(pk=request.pk, status=WorkRequest.Status.WAITING).update(
            last_seen_at=now
        )
        # Some round (another caller's) may have decided since the page loaded; the same read
        # says whether a round is due.
        decided, due = _polled(request, now)
        if (
            due
            and decided["status"] == WorkRequest.Status.WAITING
            and _round_if_open(project=request.project, now=now, rng=rng or _rng) is not None
        ):
            decided, _due = _polled(request, now)
        if decided["assignment_id"] != request.assignment_id:
            request.assignment = (
                Assignment.objects.select_related("project", "task").get(
                    pk=decided["assignment_id"]
                )
                if decided["assignment_id"]
                else None
            )
        for name, value in decided.items():
            setattr(request, name, value)
    return _outcome(request)


# What a check-in needs to know about its request after the round.
POLLED_FIELDS = ("status", "assignment_id", "received_in_window", "lot", "rank", "rounds_waited")


def _polled(request: WorkRequest, now: datetime) -> tuple[dict[str, Any], bool]:
    """The request's decision so far, and whether the project's round is due, in one read."""
    *values, last_round_at = (
        WorkRequest.objects.filter(pk=request.pk)
        .values_list(*POLLED_FIELDS, "project__work_queue__last_round_at")
        .get()
    )
    due = last_round_at is None or (now - last_round_at).total_seconds() >= fairness.ROUND_SECONDS
    return dict(zip(POLLED_FIELDS, values, strict=True)), due


@transaction.atomic
def work_request_cancel(
    *, request: WorkRequest, worker: User, now: datetime | None = None
) -> WorkRequest:
    now = now or timezone.now()
    if request.worker_id != worker.pk:
        raise Forbidden(_("This is someone else's request."), code="not_your_request")
    WorkRequest.objects.filter(pk=request.pk, status=WorkRequest.Status.WAITING).update(
        status=WorkRequest.Status.CANCELLED, decided_at=now
    )
    request.refresh_from_db()
    return request


def _take_round(project: Project, now: datetime, force: bool) -> WorkQueue | None:
    """The project's queue row, locked, when a round is due and nobody else is running it.

    Not a global mutex: the row is per project, it is only locked when a round is due (at
    most once per ROUND_SECONDS, and only while someone is waiting, which means work is
    scarce), and on PostgreSQL a caller that finds it locked skips it instead of waiting
    (that caller's round is already being run). Check-ins that find no round due read the
    row without locking it."""
    rows = WorkQueue.objects.filter(project=project)
    if force:
        WorkQueue.objects.get_or_create(project=project)
        return rows.select_for_update().first()
    return scheduler.lock_rows(rows.filter(_round_due(now))).first()


def work_rounds_allocate(
    *,
    project: Project,
    now: datetime | None = None,
    rng: random.Random | None = None,
    force: bool = False,
) -> AllocationRound | None:
    """One sharing round: the waiting workers who had the least work from this project in the
    last 24 hours are served first, ties broken by lot; arrival time plays no part.

    Runs at most once per ROUND_SECONDS per project (`force` ignores that, and the opening
    minute, for tests). Tasks released less than a minute ago are held back until the round
    after their opening minute, so everyone who asked in that minute is ranked together.
    Workers for whom nothing free is left, and nothing may come back, are told so (`dry`).

    Most calls are check-ins that find no round due: they cost one read and take no lock."""
    now = now or timezone.now()
    if force:
        return _round_run(project=project, now=now, rng=rng or _rng, force=True)
    if not WorkQueue.objects.filter(project=project).filter(_round_due(now)).exists():
        return None
    return _round_if_open(project=project, now=now, rng=rng or _rng)


def _round_if_open(
    *, project: Project, now: datetime, rng: random.Random
) -> AllocationRound | None:
    """A due round, unless the whole project is in its opening minute."""
    if releases.opening_round_at(project=project, now=now) is not None:
        return None
    return _round_run(project=project, now=now, rng=rng, force=False)


def _round_due(now: datetime) -> Q:
    due = now - timedelta(seconds=fairness.ROUND_SECONDS)
    return Q(last_round_at__isnull=True) | Q(last_round_at__lte=due)


@transaction.atomic
def _round_run(
    *, project: Project, now: datetime, rng: random.Random, force: bool
) -> AllocationRound | None:
    queue = _take_round(project, now, force)
    if queue is None:
        return None
    queue.last_round_at = now
    queue.save(update_fields=["last_round_at"])
    WorkRequest.objects.filter(
        project=project,
        status=WorkRequest.Status.WAITING,
        last_seen_at__lt=now - timedelta(seconds=fairness.REQUEST_STALE_SECONDS),
    ).update(status=WorkRequest.Status.LAPSED, decided_at=now)
    requests = {
        r.pk: r
        for r in WorkRequest.objects.filter(
            project=project, status=WorkRequest.Status.WAITING
        ).select_related("worker")
    }
    if not requests:
        return None
    counts = received_counts(
        project=project,
        workers=[r.worker_id for r in requests.values()],
        since=now - fairness.FAIR_WINDOW,
    )
    ranked = fairness.rank_requests(
        [(pk, counts[r.worker_id]) for pk, r in requests.items()], rng=rng
    )
    places = scheduler.free_places(
        project=project, now=now, hold=HOLD_UNTIL_FIRST_ROUND, limit=len(requests)
    )
    granted = used = misses = 0
    missed: list[WorkRequest] = []
    for position, choice in enumerate(ranked, start=1):
        request = requests[choice.key]  # type: ignore[index]
        request.received_in_window = choice.received
        request.lot = choice.lot
        request.rank = position
        if used >= places or misses >= ROUND_MISSES_TO_STOP:
            request.rounds_waited += 1
            if position <= ROUND_MISSES_TO_STOP and not granted:
                # Nothing was free for the head of the line either: are they done here?
                missed.append(request)
            continue
        try:
            assignment = _claim(
                worker=request.worker,
                project=project,
                now=now,
                rng=rng,
                hold=HOLD_UNTIL_FIRST_ROUND,
            )
        except ApplicationError as exc:
            request.status = WorkRequest.Status.CANCELLED
            request.refusal = exc.message
            request.decided_at = now
            continue
        if assignment is None:
            misses += 1
            request.rounds_waited += 1
            missed.append(request)
            continue
        misses = 0
        granted += 1
        used += not assignment.task.is_gold
        request.status = WorkRequest.Status.GRANTED
        request.assignment = assignment
        request.decided_at = now
    _close_dry(project, requests.values(), missed, now)
    allocation = AllocationRound.objects.create(
        project=project, at=now, waiting=len(requests), granted=granted
    )
    for request in requests.values():
        request.round = allocation
    _store_decisions(list(requests.values()))
    return allocation


DECISION_FIELDS = (
    "status",
    "received_in_window",
    "lot",
    "rank",
    "rounds_waited",
    "decided_at",
    "round",
    "assignment",
    "refusal",
)


def _store_decisions(requests: list[WorkRequest]) -> None:
    """Write each request's decision: one parameterised UPDATE, run once per request.

    Every waiting request changes every round (its rank and lot), and `bulk_update` builds a
    CASE per field and request in Python: a third of a second for 150 waiting workers, all
    of it while the round holds the project's queue row. This costs about a millisecond.
    The statement names only the model's own table and columns; every value is a parameter."""
    meta = WorkRequest._meta
    fields = [meta.get_field(name) for name in DECISION_FIELDS]
    quote = connection.ops.quote_name
    # get_field() may return a relation and the stubs allow a field without a column; every
    # name in DECISION_FIELDS is a column of this table, and so is the primary key.
    columns = ", ".join(quote(field.column) + " = %s" for field in fields)  # type: ignore[union-attr, arg-type]
    table, key = quote(meta.db_table), quote(meta.pk.column)  # type: ignore[arg-type]
    sql = f"UPDATE {table} SET {columns} WHERE {key} = %s"  # noqa: S608 - quoted names only
    rows = [
        [
            field.get_db_prep_save(getattr(request, field.attname), connection)  # type: ignore[union-attr]
            for field in fields
        ]
        + [request.pk]
        for request in requests
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _close_dry(project: Project, requests, missed: list[WorkRequest], now: datetime) -> None:
    """Stop keeping in line the workers whom waiting cannot bring a task: the page tells them
    the project has run out for now and offers to tell them of new work."""
    if not missed or releases.batch_round_at(project=project, now=now) is not None:
        return
    if _has_open_tasks(project, now):
        # Tasks remain; only those who have had all of them, with no lease that may come
        # back, are done here.
        dry = [r for r in missed if not _may_free_up(project, r.worker, now)]
    else:
        dry = [r for r in requests if r.status == WorkRequest.Status.WAITING]
    for request in dry:
        request.status = WorkRequest.Status.DRY
        request.decided_at = now


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
