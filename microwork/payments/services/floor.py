"""The pay floor (PAY_FLOOR_PER_HOUR): a project's reward must pay at least the floor for the
time a task takes, the estimate at first and the measured median once there are enough
answers. Refused when a project goes live or a live or paused one is edited under it; a
project measured under it is paused with a notice, and every worker who did its work is
topped up to the floor (`project_pay_floor_enforce`, and the periodic `pay_floor_check_all`)."""

import copy
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from microwork.accounts.models import User, WorkerProfile
from microwork.accounts.selectors import organisation_members
from microwork.inbox.services import inbox_notify
from microwork.ledger.models import Account, Entry, ExchangeRate, Transaction
from microwork.ledger.services.accounts import platform_fees_account
from microwork.ledger.services.posting import InsufficientFunds, fee_for, ledger_post, quantize
from microwork.lib.errors import ApplicationError
from microwork.lib.l10n import format_money
from microwork.payments.models import CountryPayFloor, PayFloorNotice
from microwork.payments.services.accounts import from_escrow, worker_account
from microwork.projects.models import Project, ProjectEvent
from microwork.work.models import Submission

K = Account.Kind
T = Transaction.Kind
S = Submission.Status
P = Project.Status

log = logging.getLogger(__name__)

# The measured median replaces the estimate once this many answers exist: fewer would let one
# slow or fast worker swing a whole project's rate.
FLOOR_MIN_SUBMISSIONS = 20
# A project no longer live is still checked periodically while it had answers or a status
# change this recently: answers from leases held when it paused still arrive, and the check its
# status change queued may have been lost.
FLOOR_RECHECK_WINDOW = timedelta(days=7)
# The background job that checks one project. Named, not imported: its module
# (payments/tasks.py) runs the services of this one.
PAY_FLOOR_CHECK = "microwork.payments.tasks.pay_floor_check_task"


def _in_currency(amount: Decimal, currency: str) -> Decimal:
    """A platform-currency amount in `currency`, at the operators' rate."""
    base = settings.PLATFORM_CURRENCY
    if currency == base:
        return amount
    rate = (
        ExchangeRate.objects.filter(base=base, currency=currency)
        .values_list("rate", flat=True)
        .first()
    )
    if rate is None:
        raise ApplicationError(
            _(
                "No exchange rate from %(base)s to %(cur)s is set, so the pay floor cannot be "
                "checked; ask an operator."
            )
            % {"base": base, "cur": currency},
            code="no_exchange_rate",
            field="currency",
        )
    return quantize(amount * rate)


def floor_per_hour(currency: str) -> Decimal:
    """The platform floor in `currency`: the setting is in the platform currency; others
    convert at the operators' rate. A project is checked against it when it goes live or is
    edited (nobody knows yet who will work on it); what each worker is owed is held to their
    own floor (`worker_floors`)."""
    return _in_currency(Decimal(settings.PAY_FLOOR_PER_HOUR), currency)


def country_floors(currency: str) -> dict[str, Decimal]:
    """Country code → that country's hourly figure in `currency`, for the countries whose
    figure (operators' table, CountryPayFloor) is above the platform floor."""
    platform = Decimal(settings.PAY_FLOOR_PER_HOUR)
    rows = list(
        CountryPayFloor.objects.filter(per_hour__gt=platform).values_list("country", "per_hour")
    )
    return {country: _in_currency(per_hour, currency) for country, per_hour in rows}


def worker_floor_per_hour(*, currency: str, country: str) -> Decimal:
    """One worker's floor: the higher of the platform floor and their country's figure."""
    floor = floor_per_hour(currency)
    return max(floor, country_floors(currency).get(country.upper(), floor))


def worker_floors(
    project: Project, worker_ids: Iterable[int], floor: Decimal
) -> dict[int, Decimal]:
    """Worker id → their floor in the project's currency: `floor` (the platform's), raised to
    their country's figure where that is higher."""
    higher = country_floors(project.currency)
    if not higher:
        return dict.fromkeys(worker_ids, floor)
    countries = dict(
        WorkerProfile.objects.filter(user_id__in=list(worker_ids)).values_list("user_id", "country")
    )
    return {
        worker_id: max(floor, higher.get(countries.get(worker_id, "").upper(), floor))
        for worker_id in worker_ids
    }


def reward_for_floor(*, floor: Decimal, seconds: Decimal) -> Decimal:
    """The smallest reward (rounded up to 0.0001) paying `floor` an hour for `seconds` a task."""
    return (floor * seconds / Decimal(3600)).quantize(Decimal("0.0001"), rounding=ROUND_CEILING)


def _hourly(reward: Decimal, seconds: Decimal) -> Decimal:
    return quantize(reward * Decimal(3600) / seconds)


def project_measured_time(project: Project) -> tuple[int, Decimal | None]:
    """(answers counted, median active seconds), the median once enough answers exist."""
    times = sorted(
        Submission.objects.filter(project=project, active_ms__gt=0).values_list(
            "active_ms", flat=True
        )
    )
    n = len(times)
    if n < FLOOR_MIN_SUBMISSIONS:
        return n, None
    mid = n // 2
    median_ms = (
        Decimal(times[mid]) if n % 2 else (Decimal(times[mid - 1]) + Decimal(times[mid])) / 2
    )
    return n, median_ms / Decimal(1000)


@dataclass(frozen=True)
class FloorShortfall:
    """A project's pay against the floor, when it falls short."""

    seconds: Decimal
    measured: bool
    answers: int
    rate: Decimal
    floor: Decimal
    needed: Decimal


def project_floor_shortfall(project: Project) -> FloorShortfall | None:
    """How the project's reward falls short of the floor for the time a task takes (the
    estimate at first, the measured median once there are enough answers); None when it pays
    enough."""
    floor = floor_per_hour(project.currency)
    count, measured = project_measured_time(project)
    seconds = measured if measured is not None else Decimal(project.estimated_seconds)
    rate = _hourly(project.reward, seconds)
    if rate >= floor:
        return None
    return FloorShortfall(
        seconds=seconds,
        measured=measured is not None,
        answers=count,
        rate=rate,
        floor=floor,
        needed=reward_for_floor(floor=floor, seconds=seconds),
    )


def _floor_error(project: Project, short: FloorShortfall, *, field: str) -> ApplicationError:
    basis = (
        _("the measured median of %(s)s seconds over %(n)d answers")
        % {"s": short.seconds.quantize(Decimal("0.1")), "n": short.answers}
        if short.measured
        else _("your estimate of %(s)d seconds") % {"s": project.estimated_seconds}
    )
    return ApplicationError(
        _(
            "At %(reward)s a task and %(basis)s, workers would earn %(rate)s an hour, under the "
            "%(floor)s floor. A reward of %(needed)s meets it."
        )
        % {
            "reward": format_money(project.reward, project.currency),
            "basis": basis,
            "rate": format_money(short.rate.quantize(Decimal("0.01")), project.currency),
            "floor": format_money(short.floor, project.currency),
            "needed": format_money(short.needed, project.currency),
        },
        code="under_pay_floor",
        field=field,
        details={
            "needed_reward": str(short.needed),
            "hourly": str(short.rate),
            "floor": str(short.floor),
        },
    )


def project_pay_floor_check(*, project: Project) -> None:
    """Refuse a reward that pays under the floor for the time a task takes: the estimate at
    first, the measured median once there are enough answers. A project whose answers go to
    reviewers pays them under the same floor (`review_pay_floor_check`)."""
    short = project_floor_shortfall(project)
    if short is not None:
        raise _floor_error(project, short, field="reward")
    review_pay_floor_check(project=project)


def review_pay_floor_check(*, project: Project) -> None:
    """Peer review's reward against the floor: a reviewer reads the task and the answer, so a
    review is estimated at the task's own estimate (the review project measures it after)."""
    if not project.review_overlap:
        return
    floor = floor_per_hour(project.currency)
    seconds = Decimal(project.estimated_seconds)
    rate = _hourly(project.review_reward, seconds)
    if rate >= floor:
        return
    needed = reward_for_floor(floor=floor, seconds=seconds)
    raise ApplicationError(
        _(
            "At %(reward)s a review and your estimate of %(s)d seconds, reviewers would earn "
            "%(rate)s an hour, under the %(floor)s floor. A review reward of %(needed)s meets it."
        )
        % {
            "reward": format_money(project.review_reward, project.currency),
            "s": project.estimated_seconds,
            "rate": format_money(rate.quantize(Decimal("0.01")), project.currency),
            "floor": format_money(floor, project.currency),
            "needed": format_money(needed, project.currency),
        },
        code="under_pay_floor",
        field="review_reward",
        details={"needed_reward": str(needed), "hourly": str(rate), "floor": str(floor)},
    )


# The settings the hourly rate is made of, in the order a refusal names them.
FLOOR_FIELDS = ("reward", "estimated_seconds", "currency")


def project_money_on_settings_proposed(
    *, project: Project, changes: dict[str, Any], actor: User | None
) -> None:
    """Called by the projects app before a settings change is written. A live project may not
    be edited to pay under the floor, nor a paused one (it goes live again at these settings);
    a draft is checked when it goes live. A change that raises the hourly rate is always let
    through, as is one that leaves it alone: a corrected estimate on a project whose measured
    time rules is not a price cut."""
    if project.status not in (P.LIVE, P.PAUSED):
        return
    if {"review_overlap", "review_reward", "estimated_seconds", "currency"} & changes.keys():
        reviewed = copy.copy(project)
        for name, value in changes.items():
            setattr(reviewed, name, value)
        review_pay_floor_check(project=reviewed)
    touched = [name for name in FLOOR_FIELDS if name in changes]
    if not touched:
        return
    proposed = copy.copy(project)
    for name in touched:
        setattr(proposed, name, changes[name])
    short = project_floor_shortfall(proposed)
    if short is None:
        return
    if "currency" not in touched:
        current = project_floor_shortfall(project)
        if current is not None and short.rate >= current.rate:
            return
    field = next(
        (
            name
            for name in FLOOR_FIELDS
            if name in touched
            and (
                name == "currency"
                or (name == "reward" and changes[name] < project.reward)
                or (name == "estimated_seconds" and changes[name] > project.estimated_seconds)
            )
        ),
        touched[0],
    )
    raise _floor_error(proposed, short, field=field)


def _active_ms_capped(project: Project, active_ms: int) -> int:
    # A lease cannot last longer than the time limit, so neither can paid time.
    return min(active_ms, project.time_limit_seconds * 1000)


@transaction.atomic
def project_pay_floor_enforce(
    *, project: Project, now: datetime | None = None
) -> PayFloorNotice | None:
    """Hold a project with enough measured answers to the floor, whatever its status. Live and
    under the floor: it is paused with a notice stating the reward that meets it. Live or not,
    every worker who did the work is topped up to the floor for the time they spent, net of
    what they were already paid, so running this again never pays twice. Returns the notice
    that paused the project or paid a top-up, or None when there was nothing to do."""
    from microwork.projects.services.projects import project_set_status

    now = now or timezone.now()
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status == P.DRAFT:
        return None
    count, measured = project_measured_time(project)
    if measured is None:
        return None
    floor = floor_per_hour(project.currency)
    rate = _hourly(project.reward, measured)
    # Over the platform floor, the project stays open, but workers whose country's floor is
    # higher than what it pays are still topped up to theirs (below).
    if rate >= floor and not _topups_due(project, floor, rate=rate):
        return None
    needed = reward_for_floor(floor=floor, seconds=measured)
    if project.status == P.LIVE and rate < floor:
        reason = _(
            "Paused: answers take a median of %(s)s seconds, so the reward pays %(rate)s an "
            "hour, under the %(floor)s floor. A reward of %(needed)s meets it."
        ) % {
            "s": measured.quantize(Decimal("0.1")),
            "rate": format_money(rate.quantize(Decimal("0.01")), project.currency),
            "floor": format_money(floor, project.currency),
            "needed": format_money(needed, project.currency),
        }
        project_set_status(project=project, actor=None, status=P.PAUSED, reason=reason[:500])
        notice = None
        paused = True
    else:
        # Nobody new starts a task here, but the workers who did the work are owed the floor
        # all the same: a project completed or paused before the check is no way around it.
        if not _topups_due(project, floor, rate=rate):
            return None
        notice = (
            PayFloorNotice.objects.filter(project=project, resolved_at__isnull=True)
            .order_by("-pk")
            .first()
        )
        paused = False
    if notice is None:
        notice = PayFloorNotice.objects.create(
            project=project,
            submissions_measured=count,
            median_active_ms=int(measured * 1000),
            reward=project.reward,
            currency=project.currency,
            real_hourly=rate,
            floor_hourly=floor,
            suggested_reward=needed,
            paused=paused,
            created_at=now,
        )
        if rate < floor:
            _requesters_notify(notice, now=now)
    return pay_floor_topups_pay(notice=notice, now=now)


def _requesters_notify(notice: PayFloorNotice, *, now: datetime) -> None:
    """An inbox line for every member of the project's organisation (the project and billing
    pages show the notice too); its words are in payments/texts.py."""
    project = notice.project
    params = {
        "project": project.name,
        "project_id": project.pk,
        "seconds": str(notice.median_seconds),
        "rate": format_money(notice.real_hourly_shown, notice.currency),
        "floor": format_money(notice.floor_hourly, notice.currency),
        "needed": format_money(notice.suggested_reward, notice.currency),
        "paused": notice.paused,
    }
    inbox_notify(
        users=organisation_members(organisation_id=project.organisation_id),
        kind="pay_floor",
        params=params,
        now=now,
    )


@dataclass(frozen=True)
class TopUp:
    amount: Decimal
    # The worker's own floor an hour, which the top-up reaches.
    floor: Decimal
    # Top-ups this worker already had on this project: numbers the next one's key, so a later
    # top-up (answers handed in after the last one) never reuses a key with another amount.
    earlier: int


def _topups_due(
    project: Project, floor: Decimal, *, rate: Decimal | None = None
) -> dict[int, TopUp]:
    """worker id → what brings their pay for this project's answers up to their floor an hour
    (`floor`, the platform's, or their country's where higher; with `rate`, the project's
    measured hourly rate, only workers whose floor it falls short of):
    the floor for their active time (each answer capped at the time limit) less what their
    answers not rejected were really paid (the reward booked when each arrived, which may be
    older and lower than today's) and less earlier top-ups. Bonuses are extra, not wages, so
    they do not count against it."""
    times: dict[int, int] = defaultdict(int)
    paid: dict[int, Decimal] = defaultdict(Decimal)
    # Summed in Decimal here: SQLite's SUM over decimals is floating point.
    booked = dict(
        Entry.objects.filter(
            transaction__kind=T.EARNING,
            transaction__project_id=project.pk,
            account__kind=K.WORKER_PENDING,
        ).values_list("transaction__submission_id", "amount")
    )
    for submission_id, worker_id, active_ms in (
        Submission.objects.filter(project=project)
        .exclude(status=S.REJECTED)
        .values_list("pk", "worker_id", "active_ms")
    ):
        times[worker_id] += _active_ms_capped(project, active_ms)
        paid[worker_id] += booked.get(submission_id, project.reward)
    earlier: dict[int, Decimal] = defaultdict(Decimal)
    earlier_count: dict[int, int] = defaultdict(int)
    for user_id, amount in Entry.objects.filter(
        transaction__kind=T.FLOOR_TOPUP,
        transaction__project_id=project.pk,
        account__kind=K.WORKER_AVAILABLE,
    ).values_list("account__user_id", "amount"):
        earlier[user_id] += amount
        earlier_count[user_id] += 1
    floors = worker_floors(project, times, floor)
    due = {}
    for worker_id, ms in times.items():
        own = floors[worker_id]
        if rate is not None and rate >= own:
            continue
        owed = quantize(own * Decimal(ms) / Decimal(3_600_000))
        topup = owed - paid[worker_id] - earlier[worker_id]
        if topup > 0:
            due[worker_id] = TopUp(amount=topup, floor=own, earlier=earlier_count[worker_id])
    return due


@transaction.atomic
def pay_floor_topups_pay(*, notice: PayFloorNotice, now: datetime | None = None) -> PayFloorNotice:
    """Pay what the notice's project owes its workers to reach the notice's floor (again,
    after a shortfall or late answers: each top-up is net of earlier ones, computed under the
    project's lock, so none is ever paid twice)."""
    now = now or timezone.now()
    # The project's lock first, as the enforcement takes it: one payer at a time per project.
    Project.objects.select_for_update().filter(pk=notice.project_id).get()
    notice = PayFloorNotice.objects.select_for_update().select_related("project").get(pk=notice.pk)
    project = notice.project
    paid_total = Decimal(0)
    owed = Decimal(0)
    due = _topups_due(project, notice.floor_hourly, rate=notice.real_hourly)
    users = {u.pk: u for u in User.objects.filter(pk__in=due)}
    for worker_id, topup in sorted(due.items()):
        amount = topup.amount
        fee = fee_for(amount)
        try:
            with transaction.atomic():
                ledger_post(
                    kind=T.FLOOR_TOPUP,
                    idempotency_key=f"floor-topup:{notice.pk}:{worker_id}:{topup.earlier + 1}",
                    draw=from_escrow(project, amount + fee),
                    legs=[
                        (
                            worker_account(users[worker_id], K.WORKER_AVAILABLE, project.currency),
                            amount,
                        ),
                        (platform_fees_account(project.currency), fee),
                    ],
                    memo=_("Top-up to the %(floor)s an hour pay floor on %(project)s")
                    % {
                        "floor": format_money(topup.floor, project.currency),
                        "project": project.name,
                    },
                    project_id=project.pk,
                    metadata={
                        "notice_id": notice.pk,
                        "worker_id": worker_id,
                        "fee": str(fee),
                        "floor": str(topup.floor),
                    },
                    now=now,
                )
        except InsufficientFunds:
            owed += amount
            continue
        paid_total += amount
    topped_up = {
        meta.get("worker_id")
        for meta in Transaction.objects.filter(
            kind=T.FLOOR_TOPUP, idempotency_key__startswith=f"floor-topup:{notice.pk}:"
        ).values_list("metadata", flat=True)
    }
    PayFloorNotice.objects.filter(pk=notice.pk).update(
        workers_topped_up=len(topped_up),
        topped_up_total=notice.topped_up_total + paid_total,
        topups_owed=owed,
    )
    notice.refresh_from_db()
    return notice


def pay_floor_check_all(*, now: datetime | None = None) -> int:
    """The periodic job: hold to the floor every live project with enough answers, and every
    paused, completed or archived one still recently active (answers or a status change in
    the last FLOOR_RECHECK_WINDOW; the check queued by its status change may not have run),
    then retry top-ups a shortfall left owed. Returns how many projects were paused or had
    workers topped up."""
    now = now or timezone.now()
    since = now - FLOOR_RECHECK_WINDOW
    recent = Exists(
        Submission.objects.filter(project=OuterRef("pk"), submitted_at__gte=since)
    ) | Exists(ProjectEvent.objects.filter(project=OuterRef("pk"), at__gte=since))
    ids = set(
        Project.objects.filter(status=P.LIVE)
        .annotate(n=Count("submissions"))
        .filter(n__gte=FLOOR_MIN_SUBMISSIONS)
        .values_list("pk", flat=True)
    )
    ids |= set(
        Project.objects.filter(status__in=[P.PAUSED, P.COMPLETED, P.ARCHIVED])
        .filter(recent)
        .values_list("pk", flat=True)
    )
    acted = 0
    for project in Project.objects.filter(pk__in=ids).order_by("pk"):
        try:
            acted += project_pay_floor_enforce(project=project, now=now) is not None
        except ApplicationError as exc:
            # One project's missing exchange rate must not stop the others being checked.
            log.warning("pay floor check of project %s: %s", project.pk, exc.message)
    for notice in PayFloorNotice.objects.filter(topups_owed__gt=0):
        pay_floor_topups_pay(notice=notice, now=now)
    return acted
