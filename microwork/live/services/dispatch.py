"""A live task's life: posted (a task added to the project, funded like any other), offered
to one available, qualified worker at a time — the one with the fewest live tasks today, ties
by lot — moved on when an offer is not accepted in time or an accepted task is not answered
in time, and closed at the requester's deadline with nothing charged.

`live_task_advance` is the one place a live task moves without a person acting. Whoever
notices a task is due runs it — the requester's waiting call, a worker's open page, the
periodic job — and it is idempotent, so two of them at once do nothing twice."""

import random
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from microwork.accounts.models import User
from microwork.ledger.models import Transaction
from microwork.ledger.services.posting import InsufficientFunds, ledger_transfer
from microwork.lib.errors import ApplicationError, Conflict
from microwork.lib.limits import LIVE_DEADLINE_MAX_SECONDS, LIVE_DEADLINE_MIN_SECONDS
from microwork.live import wakeups
from microwork.live.models import LiveOffer, LiveSetup, LiveTask, Standby
from microwork.live.services.standby import HEARTBEAT_TTL
from microwork.payments.services.accounts import escrow_account, requester_account
from microwork.payments.services.escrow import escrow_needed
from microwork.projects.interfaces import get_interface
from microwork.projects.interfaces.base import RowError
from microwork.projects.models import Project, Task
from microwork.projects.services.tasks import RowReserved, task_add, task_row_reserve
from microwork.webhooks.events import LIVE_TASK_ANSWERED
from microwork.webhooks.selectors import events_wanted
from microwork.webhooks.services.events import webhook_event_emit
from microwork.work.eligibility import eligibility_refusal
from microwork.work.models import Submission
from microwork.work.services.claiming import assignment_grant, assignment_withdraw

OS = LiveOffer.Status
L = LiveTask.Status
OPEN = (OS.OFFERED, OS.ACCEPTED)
# While every available worker is busy with another live task, look again this often. A
# worker who becomes free (answers, declines, lets an offer lapse) is offered the oldest
# waiting task at once (`live_worker_freed`): this look is only the safety net.
BUSY_RETRY = timedelta(seconds=1)
# The draw of lots; tests replace it for a repeatable draw.
default_rng = random.SystemRandom()


def clean_deadline(value: Any) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not LIVE_DEADLINE_MIN_SECONDS <= value <= LIVE_DEADLINE_MAX_SECONDS
    ):
        raise ApplicationError(
            _("deadline_seconds must be a whole number of seconds from %(min)d to %(max)d.")
            % {"min": LIVE_DEADLINE_MIN_SECONDS, "max": LIVE_DEADLINE_MAX_SECONDS},
            code="invalid_deadline",
            field="deadline_seconds",
        )
    return value


def _clean_data(project: Project, data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ApplicationError(_("data must be an object."), code="invalid_data", field="data")
    try:
        return get_interface(project.interface).check_input(project.config, data)
    except RowError as exc:
        raise ApplicationError(
            f"data.{exc.field}: {exc.reason}", code="invalid_data", field=f"data.{exc.field}"
        ) from None


def live_task_post(
    *,
    project: Project,
    actor: User,
    data: Any,
    deadline_seconds: Any,
    idempotency_key: str = "",
    now: datetime | None = None,
    rng: random.Random | None = None,
) -> LiveTask:
    """Post one live task and offer it at once. A retry with the same `idempotency_key`
    returns the first live task, whatever its state, and adds nothing."""
    now = now or timezone.now()
    seconds = clean_deadline(deadline_seconds)
    key = (idempotency_key or "").strip()
    if len(key) > 200:
        raise ApplicationError(
            _("idempotency_key must be at most 200 characters."),
            code="invalid_idempotency_key",
            field="idempotency_key",
        )
    if key:
        existing = LiveTask.objects.filter(project=project, idempotency_key=key).first()
        if existing is not None:
            return existing
    clean = _clean_data(project, data)
    # The task's row number first, in a transaction of its own: the batch row it locks is
    # then not held through the post, which every other post to the project waits for.
    row = task_row_reserve(project=project, actor=actor)
    try:
        with transaction.atomic():
            live_task = _post(project, actor, clean, seconds, key, now, row)
    except IntegrityError:
        # The same key posted twice at once: the other one won; return it.
        existing = LiveTask.objects.filter(project=project, idempotency_key=key).first()
        if key and existing is not None:
            return existing
        raise
    # The first offer in a transaction of its own: the post's holds the project's money
    # accounts (its funding), which answers coming in need too; choosing a worker while
    # holding them would make every answer wait for it.
    return live_task_advance(live_task_id=live_task.pk, now=now, rng=rng)


def _post(
    project: Project,
    actor: User,
    data: dict[str, Any],
    seconds: int,
    key: str,
    now: datetime,
    row: RowReserved,
) -> LiveTask:
    setup = LiveSetup.objects.filter(project=project).first()
    if setup is None:
        raise Conflict(
            _("This project is not answered live: give it a live set-up first."),
            code="not_live",
        )
    if Project.objects.filter(pk=project.pk).values_list("status", flat=True).get() != (
        Project.Status.LIVE
    ):
        raise Conflict(_("The project is not live."), code="project_not_live")
    task = task_add(
        project=project, actor=actor, data=data, external_id=f"live-{uuid.uuid4()}", row=row
    )
    deadline = now + timedelta(seconds=seconds)
    live_task = LiveTask.objects.create(
        project=project,
        task=task,
        created_by=actor,
        idempotency_key=key,
        answers_wanted=max(1, project.overlap),
        created_at=now,
        deadline=deadline,
        # Due at once: the first offer is made by the advance that follows.
        due_at=now,
    )
    return live_task


# ---- offering ------------------------------------------------------------------------------


def _candidates(live_task: LiveTask, now: datetime) -> tuple[list[int], bool]:
    """Workers available for the task's project right now and free (no other offer open),
    not yet offered this task; and whether anyone at all is available (busy or not)."""
    fresh = Standby.objects.filter(
        project_id=live_task.project_id,
        ended_at__isnull=True,
        last_seen_at__gte=now - HEARTBEAT_TTL,
    ).values_list("worker_id", flat=True)
    available = set(fresh)
    if not available:
        return [], False
    busy = set(
        LiveOffer.objects.filter(worker_id__in=available, status__in=OPEN).values_list(
            "worker_id", flat=True
        )
    )
    offered = set(LiveOffer.objects.filter(live_task=live_task).values_list("worker_id", flat=True))
    return sorted(available - busy - offered), True


def _offer_next(live_task: LiveTask, setup: LiveSetup, now: datetime, rng: random.Random) -> None:
    """Offer the task to the next worker, or say when to look again, or close it when nobody
    is available at all and nobody ever was offered it. Sets fields; the caller saves."""
    ids, anyone = _candidates(live_task, now)
    if not anyone and not live_task.offers.exists():
        _close(live_task, now, reason="no_worker_available")
        return
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    today = dict(
        LiveOffer.objects.filter(worker_id__in=ids, accepted_at__gte=day)
        .values("worker_id")
        .annotate(n=Count("id"))
        .values_list("worker_id", "n")
    )
    ranked = sorted((today.get(pk, 0), rng.random(), pk) for pk in ids)
    workers = User.objects.in_bulk([pk for _n, _lot, pk in ranked])
    project = live_task.project
    for count, lot, pk in ranked:
        worker = workers.get(pk)
        if worker is None or eligibility_refusal(
            project=project, worker=worker, now=now, skip=("live",)
        ):
            continue
        expires = min(now + timedelta(seconds=setup.offer_seconds), live_task.deadline)
        try:
            with transaction.atomic():
                LiveOffer.objects.create(
                    live_task=live_task,
                    worker=worker,
                    offered_at=now,
                    expires_at=expires,
                    live_today=count,
                    lot=lot,
                    available=len(ids),
                )
        except IntegrityError:
            # Offered another task a moment ago by another process: the next one.
            continue
        live_task.due_at = expires
        # The worker's page only: nothing the requester's call shows changes with an offer.
        wakeups.notify(wakeups.worker_key(pk))
        return
    # Everyone available is busy or not qualified: look again shortly, until the deadline.
    live_task.due_at = min(now + BUSY_RETRY, live_task.deadline)


def _close(live_task: LiveTask, now: datetime, *, reason: str) -> None:
    """The deadline (or nobody available): the task leaves the project's work for good and
    the reservation of every answer that did not come goes back to the requester, so only
    answers received are charged. A task that wanted several answers (the project's overlap)
    and got some of them is answered with those; one that got none is unanswered."""
    answered = live_task.offers.filter(status=OS.ANSWERED).count()
    live_task.status = L.ANSWERED if answered else L.UNANSWERED
    live_task.closed_at = now
    live_task.close_reason = "deadline_partial" if answered else reason
    live_task.due_at = now
    # The task leaves the project's work. Skipped when its row is locked by a submit in
    # flight: that submit's live hook waits for this transaction and is refused, and the task
    # is closed to everyone else anyway (work's eligibility check, no more offers).
    locked = list(
        Task.objects.select_for_update(skip_locked=True)
        .filter(pk=live_task.task_id)
        .values_list("pk", flat=True)
    )
    Task.objects.filter(pk__in=locked).update(done=True)
    for offer in live_task.offers.filter(status__in=OPEN):
        if offer.assignment_id is not None:
            assignment_withdraw(assignment_id=offer.assignment_id, reason="live_closed", now=now)
        offer.status = OS.CLOSED
        offer.ended_at = now
        offer.save(update_fields=["status", "ended_at"])
        wakeups.notify(wakeups.worker_key(offer.worker_id))
        _freed(offer.worker_id, now)
    _release(live_task, missing=live_task.answers_wanted - answered, now=now)
    if answered:
        announce_answered(live_task)
    wakeups.notify(wakeups.task_key(live_task.pk))


def _release(live_task: LiveTask, *, missing: int, now: datetime) -> None:
    if missing <= 0:
        return
    project = live_task.project
    per_answer = escrow_needed(project, 1) / max(1, project.overlap)
    amount = (per_answer * missing).quantize(Decimal("0.0001"))
    if amount <= 0:
        return
    try:
        with transaction.atomic():
            ledger_transfer(
                kind=Transaction.Kind.ESCROW_RELEASE,
                idempotency_key=f"live-release:{live_task.pk}",
                source=escrow_account(project),
                destination=requester_account(project.organisation, project.currency),
                amount=amount,
                memo=_("No human answered live task %(id)d in time: its reservation returned")
                % {"id": live_task.pk},
                project_id=project.pk,
                metadata={"live_task_id": live_task.pk, "answers_missing": missing},
                now=now,
            )
    except InsufficientFunds:
        # Escrow already gave it back (the project was completed meanwhile): nothing to do.
        pass


def announce_answered(live_task: LiveTask) -> None:
    """Once the live task has all its answers (inside the submit's transaction), or the
    deadline closes it with some of them: the requester's webhooks hear of it after commit
    (an answer refused later in the submit rolls the event back with it)."""
    project = live_task.project
    # Most organisations subscribe to nothing: they pay one small query, not the answers'
    # read and the event's savepoint.
    if LIVE_TASK_ANSWERED not in events_wanted(organisation=project.organisation):
        return
    webhook_event_emit(
        organisation=project.organisation,
        event=LIVE_TASK_ANSWERED,
        payload={
            "live_task": live_task.pk,
            "project": project.pk,
            "status": live_task.status,
            "answers": list(
                Submission.objects.filter(task_id=live_task.task_id)
                .order_by("submitted_at")
                .values("answer", "submitted_at")
            ),
        },
        key=f"live_task.answered:{live_task.pk}",
        project=project,
    )


# ---- moving on -----------------------------------------------------------------------------


def live_task_advance(
    *,
    live_task_id: int,
    now: datetime | None = None,
    rng: random.Random | None = None,
    before_due: bool = False,
) -> LiveTask:
    """Move a live task on if it is due: close it at its deadline, take back an offer not
    accepted in time or a task not answered in time (hand-over), offer the next worker.
    `before_due`: look now even if it is not due (a worker has just become free); an offer
    still open is kept as it is."""
    now = now or timezone.now()
    with transaction.atomic():
        live_task = (
            LiveTask.objects.select_for_update(of=("self",))
            .select_related("project__organisation")
            .get(pk=live_task_id)
        )
        if live_task.status != L.WAITING or (live_task.due_at > now and not before_due):
            return live_task
        if now >= live_task.deadline:
            _close(live_task, now, reason="deadline")
        else:
            _move_on(live_task, now, rng or default_rng)
        live_task.save(update_fields=["due_at", "status", "closed_at", "close_reason"])
        return live_task


def _move_on(live_task: LiveTask, now: datetime, rng: random.Random) -> None:
    still_open = False
    for offer in live_task.offers.filter(status__in=OPEN).select_related("assignment"):
        if offer.status == OS.OFFERED:
            if offer.expires_at > now:
                still_open = True
                live_task.due_at = offer.expires_at
                continue
            offer.status = OS.LAPSED
        else:
            assignment = offer.assignment
            if (
                assignment is not None
                and assignment.expires_at > now
                and assignment.status == assignment.Status.LEASED
            ):
                still_open = True
                live_task.due_at = min(assignment.expires_at, live_task.deadline)
                continue
            outcome = (
                assignment_withdraw(
                    assignment_id=offer.assignment_id, reason="live_handed_over", now=now
                )
                if offer.assignment_id
                else "not_open"
            )
            if outcome == "busy":
                # Being answered right now: its submit decides; look again in a moment.
                still_open = True
                live_task.due_at = now + BUSY_RETRY
                continue
            offer.status = OS.HANDED_OVER
        offer.ended_at = now
        offer.save(update_fields=["status", "ended_at"])
        wakeups.notify(wakeups.worker_key(offer.worker_id))
        _freed(offer.worker_id, now)
    if not still_open:
        setup = LiveSetup.objects.get(project_id=live_task.project_id)
        _offer_next(live_task, setup, now, rng)


def _freed(worker_id: int, now: datetime) -> None:
    """The worker's open offer has just ended: once that is committed, offer them a task
    still waiting for someone free. A failure there leaves the task to its next look."""
    transaction.on_commit(lambda: live_worker_freed(worker_id=worker_id, now=now), robust=True)


def live_worker_freed(
    *, worker_id: int, now: datetime | None = None, rng: random.Random | None = None
) -> LiveTask | None:
    """A worker has just become free (answered, declined, an offer lapsed or was taken back):
    the oldest live task of a project they are available for that waits with no offer open,
    and was not offered to them already, is offered at once — by the usual rule, so to them
    or to another free worker with fewer live tasks today — instead of at its next look
    (BUSY_RETRY). Returns that task, or None when none waits."""
    now = now or timezone.now()
    projects = Standby.objects.filter(
        worker_id=worker_id, ended_at__isnull=True, last_seen_at__gte=now - HEARTBEAT_TTL
    ).values("project_id")
    waiting = (
        LiveTask.objects.filter(status=L.WAITING, project_id__in=projects, deadline__gt=now)
        .filter(
            ~Exists(LiveOffer.objects.filter(live_task=OuterRef("pk"), status__in=OPEN)),
            ~Exists(LiveOffer.objects.filter(live_task=OuterRef("pk"), worker_id=worker_id)),
        )
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    if waiting is None:
        return None
    return live_task_advance(live_task_id=waiting, now=now, rng=rng, before_due=True)


def live_sweep(*, now: datetime | None = None, limit: int = 100) -> int:
    """Advance every live task that is due (deadlines, lapsed offers, hand-overs)."""
    now = now or timezone.now()
    due = list(
        LiveTask.objects.filter(status=L.WAITING, due_at__lte=now).values_list("pk", flat=True)[
            :limit
        ]
    )
    for pk in due:
        live_task_advance(live_task_id=pk, now=now)
    return len(due)


# ---- the worker's side ---------------------------------------------------------------------


def live_offer_accept(*, offer: LiveOffer, worker: User, now: datetime | None = None) -> LiveOffer:
    """Yes to an offer: the worker gets the task's lease until the project's time limit or
    the requester's deadline, whichever comes first. A repeat returns the same lease."""
    now = now or timezone.now()
    with transaction.atomic():
        live_task = (
            LiveTask.objects.select_for_update(of=("self",))
            .select_related("project")
            .get(pk=offer.live_task_id)
        )
        locked = LiveOffer.objects.get(pk=offer.pk)
        if locked.worker_id != worker.pk:
            raise Conflict(_("This task was offered to someone else."), code="not_your_offer")
        if locked.status == OS.ACCEPTED:
            return locked
        if locked.status != OS.OFFERED or locked.expires_at <= now or live_task.status != L.WAITING:
            raise Conflict(
                _("Too late: this task has gone to someone else or is closed."),
                code="offer_gone",
            )
        project = live_task.project
        expires = min(now + timedelta(seconds=project.time_limit_seconds), live_task.deadline)
        assignment = assignment_grant(
            project=project, task=live_task.task, worker=worker, expires_at=expires, now=now
        )
        locked.status = OS.ACCEPTED
        locked.accepted_at = now
        locked.assignment = assignment
        locked.save(update_fields=["status", "accepted_at", "assignment"])
        live_task.due_at = expires
        live_task.save(update_fields=["due_at"])
        # The worker's other pages take the offer down; the requester's call shows no change.
        wakeups.notify(wakeups.worker_key(worker.pk))
        return locked


def live_offer_decline(*, offer: LiveOffer, worker: User, now: datetime | None = None) -> LiveOffer:
    """No to an offer: the next worker is asked at once."""
    now = now or timezone.now()
    with transaction.atomic():
        live_task = LiveTask.objects.select_for_update(of=("self",)).get(pk=offer.live_task_id)
        locked = LiveOffer.objects.get(pk=offer.pk)
        if locked.worker_id != worker.pk:
            raise Conflict(_("This task was offered to someone else."), code="not_your_offer")
        if locked.status != OS.OFFERED:
            return locked
        locked.status = OS.DECLINED
        locked.ended_at = now
        locked.save(update_fields=["status", "ended_at"])
        if live_task.status == L.WAITING:
            live_task.due_at = now
            live_task.save(update_fields=["due_at"])
        wakeups.notify(wakeups.worker_key(worker.pk))
    live_task_advance(live_task_id=live_task.pk, now=now)
    live_worker_freed(worker_id=worker.pk, now=now)
    return locked
