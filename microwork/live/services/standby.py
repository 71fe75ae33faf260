"""A worker's availability for a live project (the toggle, the signs of life from the open
page) and its pay: the standby rate for every second available, booked through the ledger
from the project's escrow, then the requester's funds, to the worker's available earnings."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from microwork.accounts.models import User, WorkerProfile
from microwork.ledger.models import Account, Transaction
from microwork.ledger.services.posting import (
    InsufficientFunds,
    ledger_post,
    round_down_to_minor,
)
from microwork.lib.errors import ApplicationError, Conflict
from microwork.lib.l10n import format_money
from microwork.live.models import LiveSetup, Standby
from microwork.live.services.setup import opted_in
from microwork.payments.services.accounts import from_escrow, funds_error, worker_account
from microwork.payments.services.floor import worker_floor_per_hour
from microwork.projects.models import Project
from microwork.work.eligibility import eligibility_refusal

# A page not heard from for this long is gone: its worker is no longer available, and the
# standby time ends at the last sign of life.
HEARTBEAT_TTL = timedelta(seconds=30)
# Standby is booked once at least this much is owed, and whenever a stretch ends.
SETTLE_EVERY = timedelta(minutes=5)
# Marking oneself available needs this much standby in the requester's money.
FUNDED_AHEAD = Decimal(1)  # hours


def open_standby(*, project_id: int, worker_id: int) -> Standby | None:
    return Standby.objects.filter(
        project_id=project_id, worker_id=worker_id, ended_at__isnull=True
    ).first()


def standby_rate_for(*, setup: LiveSetup, worker: User) -> Decimal:
    """What an hour available earns this worker: the project's standby rate, raised to the
    worker's own pay floor where their country's figure is higher (as the floor's top-ups
    raise a task's pay), at the requester's cost."""
    country = WorkerProfile.objects.filter(user_id=worker.pk).values_list("country", flat=True)
    own_floor = worker_floor_per_hour(
        currency=setup.project.currency, country=(country.first() or "")
    )
    return max(setup.standby_per_hour, own_floor)


def _check_can_stand_by(
    project: Project, setup: LiveSetup, worker: User, now: datetime, rate: Decimal
) -> None:
    if project.status != Project.Status.LIVE:
        raise Conflict(_("This project is not open for work."), code=f"project_{project.status}")
    if not opted_in(setup=setup, worker=worker):
        raise Conflict(
            _("Read how this project uses your answers and agree first."),
            code="live_not_opted_in",
        )
    refusal = eligibility_refusal(project=project, worker=worker, now=now, skip=("live",))
    if refusal is not None:
        raise ApplicationError(refusal[1], code="not_eligible", details={"check": refusal[0]})
    escrow, available = from_escrow(project, Decimal(0))[0]
    need = rate * FUNDED_AHEAD
    if escrow.balance + available.balance < need:
        raise Conflict(
            _(
                "The requester's money does not cover an hour of standby (%(need)s) right now; "
                "try again later."
            )
            % {"need": format_money(need, project.currency)},
            code="standby_unfunded",
        )


@transaction.atomic
def standby_set(
    *, project: Project, worker: User, available: bool, now: datetime | None = None
) -> Standby | None:
    """The toggle. On: a stretch opens (or the open one is kept: a double tap, a second
    device). Off: the stretch ends and its time is booked."""
    now = now or timezone.now()
    setup = LiveSetup.objects.select_related("project").filter(project=project).first()
    if setup is None:
        raise Conflict(_("This project is not answered live."), code="not_live")
    current = open_standby(project_id=project.pk, worker_id=worker.pk)
    if current is not None and current.last_seen_at < now - HEARTBEAT_TTL:
        standby_end(standby=current, at=current.last_seen_at, reason="gone")
        current = None
    if not available:
        if current is not None:
            standby_end(standby=current, at=now, reason="toggled_off")
        return None
    if current is not None:
        Standby.objects.filter(pk=current.pk).update(last_seen_at=now)
        return current
    rate = standby_rate_for(setup=setup, worker=worker)
    _check_can_stand_by(project, setup, worker, now, rate)
    return Standby.objects.create(
        project=project, worker=worker, started_at=now, last_seen_at=now, rate=rate
    )


def standby_touch(*, worker_id: int, now: datetime) -> int:
    """A sign of life from the worker's open page, for all their open stretches that are
    still alive (a stretch already past the time-to-live stays ended: the sweep books it)."""
    return Standby.objects.filter(
        worker_id=worker_id, ended_at__isnull=True, last_seen_at__gte=now - HEARTBEAT_TTL
    ).update(last_seen_at=now)


@transaction.atomic
def standby_end(*, standby: Standby, at: datetime, reason: str) -> Standby:
    locked = Standby.objects.select_for_update().get(pk=standby.pk)
    if locked.ended_at is not None:
        return locked
    locked.ended_at = max(at, locked.started_at)
    locked.last_seen_at = max(min(locked.last_seen_at, locked.ended_at), locked.started_at)
    locked.end_reason = reason
    locked.save(update_fields=["ended_at", "last_seen_at", "end_reason"])
    try:
        with transaction.atomic():
            standby_settle(standby=locked)
    except ApplicationError:
        # The requester's money ran out: the stretch still ends; what it earned stays owed
        # (paid < earned, visible on the row) rather than the end being refused.
        pass
    return locked


def standby_owed(standby: Standby, currency: str) -> Decimal:
    end = standby.ended_at or standby.last_seen_at
    seconds = Decimal(max(0, int((end - standby.started_at).total_seconds())))
    earned = round_down_to_minor(standby.rate * seconds / Decimal(3600), currency)
    return earned - standby.paid


@transaction.atomic
def standby_settle(*, standby: Standby) -> Transaction | None:
    """Book what the stretch has earned and is not yet paid. The key names the running total,
    so a retry books nothing twice."""
    locked = (
        Standby.objects.select_for_update(of=("self",))
        .select_related("project__organisation", "worker")
        .get(pk=standby.pk)
    )
    project = locked.project
    owed = standby_owed(locked, project.currency)
    if owed <= 0:
        return None
    total = locked.paid + owed
    pay_to = worker_account(locked.worker, Account.Kind.WORKER_AVAILABLE, project.currency)
    try:
        tx = ledger_post(
            kind=Transaction.Kind.STANDBY,
            idempotency_key=f"live-standby:{locked.pk}:{total}",
            draw=from_escrow(project, owed),
            legs=[(pay_to, owed)],
            memo=_("Standby for live tasks of %(project)s") % {"project": project.name},
            project_id=project.pk,
            metadata={
                "standby_id": locked.pk,
                "worker_id": locked.worker_id,
                "rate": str(locked.rate),
                "paid_to": str(total),
            },
        )
    except InsufficientFunds as exc:
        raise funds_error(exc, what=_("Standby for live tasks")) from None
    locked.paid = total
    locked.save(update_fields=["paid"])
    return tx


def standby_sweep(*, now: datetime | None = None) -> int:
    """End the stretches whose page went quiet (at their last sign of life) and book what the
    long open ones have earned. Idempotent; the periodic job and the held pages run it."""
    now = now or timezone.now()
    done = 0
    for standby in Standby.objects.filter(
        ended_at__isnull=True, last_seen_at__lt=now - HEARTBEAT_TTL
    )[:200]:
        standby_end(standby=standby, at=standby.last_seen_at, reason="gone")
        done += 1
    hours = Decimal(SETTLE_EVERY.total_seconds()) / Decimal(3600)
    for standby in Standby.objects.filter(
        ended_at__isnull=True, started_at__lt=now - SETTLE_EVERY
    ).select_related("project")[:200]:
        if standby_owed(standby, standby.project.currency) < standby.rate * hours:
            continue
        try:
            standby_settle(standby=standby)
        except ApplicationError:
            # Out of money: the stretch ends where it was paid, and is said so to nobody's
            # cost but the requester's (the pay-floor notices tell them).
            standby_end(standby=standby, at=now, reason="unfunded")
        done += 1
    return done
