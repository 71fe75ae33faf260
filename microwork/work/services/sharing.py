"""Fair sharing of scarce work: waiting lines (WorkRequest) and the rounds that serve them,
least work lately first, ties by lot (fairness.py holds the policy, docs/assignment.md the
words)."""

import random
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from microwork.accounts.models import User
from microwork.lib.errors import ApplicationError, Forbidden
from microwork.projects.models import Project, Task
from microwork.work import fairness, releases, scheduler
from microwork.work.eligibility import eligibility_refusal
from microwork.work.models import AllocationRound, Assignment, WorkQueue, WorkRequest
from microwork.work.releases import HOLD_UNTIL_FIRST_ROUND, HOLD_UNTIL_OPEN
from microwork.work.selectors import received_counts
from microwork.work.services import claiming
from microwork.work.services.claiming import check_project_open, claim_with_hold

# Rounds stop trying once this many waiting workers in a row found nothing free.
ROUND_MISSES_TO_STOP = 10

Status = Assignment.Status


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
    rng = rng or claiming.default_rng
    check_project_open(project.status, project.opens_at, now)
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
    assignment = claim_with_hold(
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
            and _round_if_open(project=request.project, now=now, rng=rng or claiming.default_rng)
            is not None
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
        return _round_run(project=project, now=now, rng=rng or claiming.default_rng, force=True)
    if not WorkQueue.objects.filter(project=project).filter(_round_due(now)).exists():
        return None
    return _round_if_open(project=project, now=now, rng=rng or claiming.default_rng)


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
            assignment = claim_with_hold(
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
