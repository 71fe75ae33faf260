"""The money side of projects and submissions, written on the ledger's services.

Flows (docs/money.md has the whole picture):
  going live      requester available → project escrow   reward × answers + fee, per task
  an answer       escrow → worker pending                 reward
  approval        worker pending → worker available       reward; escrow → platform fees: fee
  rejection       worker pending → escrow                 reward
  overturn        escrow → worker available + fees        reward + fee
  bonus, top-up   requester (or escrow) → worker available + fees
  completion      escrow → requester available            what no answer can still need

A requester's approvals, rejections and bonuses are checked and ordered in review.services,
which calls the money moves here (`earning_approve`, `earning_reject`, `bonus_transfer`).
"""

import copy
import logging
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from microwork.accounts.models import Organisation, User
from microwork.accounts.selectors import organisation_members
from microwork.inbox.services import inbox_notify
from microwork.ledger.models import Account, Entry, ExchangeRate, Transaction
from microwork.ledger.services.accounts import (
    AccountSpec,
    ledger_account,
    ledger_accounts,
    platform_fees_account,
)
from microwork.ledger.services.posting import (
    InsufficientFunds,
    fee_for,
    ledger_post,
    ledger_transfer,
    quantize,
)
from microwork.lib.errors import ApplicationError, Conflict
from microwork.lib.money import format_money
from microwork.payments.models import PayFloorNotice, SubmissionReview
from microwork.payments.reasons import REJECTION_REASONS
from microwork.projects.models import Project, ProjectEvent, Task
from microwork.work.models import Submission

log = logging.getLogger(__name__)

K = Account.Kind
T = Transaction.Kind
S = Submission.Status
P = Project.Status

# The measured median replaces the estimate once this many answers exist: fewer would let one
# slow or fast worker swing a whole project's rate.
FLOOR_MIN_SUBMISSIONS = 20
# One answer in this many queues a floor check of its project (the periodic job checks all).
FLOOR_CHECK_EVERY = 10
# A project no longer live is still checked periodically while it had answers or a status
# change this recently: answers from leases held when it paused still arrive, and the check its
# status change queued may have been lost.
FLOOR_RECHECK_WINDOW = timedelta(days=7)
MAX_AUTO_APPROVE = timedelta(days=7)
MAX_NOTE = 2000


# --- small helpers -------------------------------------------------------------------------


def rejection_reasons() -> dict[str, Any]:
    """code → label: the codes a rejection accepts (`reasons.REJECTION_REASONS`)."""
    return dict(REJECTION_REASONS)


def rejection_check(*, reason: str, note: str) -> str:
    """Refuse a reason outside the list, "other" without a note, or a note too long; return
    the note as it will be stored. A rejection (review.services) checks with this before
    anything else, so a bad reason is named before any confirmation is asked."""
    if reason not in REJECTION_REASONS:
        raise ApplicationError(
            _("reason must be one of: %(choices)s.") % {"choices": ", ".join(REJECTION_REASONS)},
            code="invalid_reason",
            field="reason",
        )
    note = (note or "").strip()
    if reason == "other" and not note:
        raise ApplicationError(_("Explain the reason in the note."), field="note")
    if len(note) > MAX_NOTE:
        raise ApplicationError(
            _("Keep the note under %(n)d characters.") % {"n": MAX_NOTE}, field="note"
        )
    return note


def unit_fee(project: Project) -> Decimal:
    return fee_for(project.reward)


def _escrow_spec(project: Project) -> AccountSpec:
    return AccountSpec(
        K.REQUESTER_ESCROW, project.currency, project.organisation, project_id=project.pk
    )


def _available_spec(organisation: Organisation, currency: str) -> AccountSpec:
    return AccountSpec(K.REQUESTER_AVAILABLE, currency, organisation)


def escrow_account(project: Project) -> Account:
    return ledger_accounts(specs=[_escrow_spec(project)])[0]


def requester_account(organisation: Organisation, currency: str) -> Account:
    return ledger_accounts(specs=[_available_spec(organisation, currency)])[0]


def worker_account(user: User, kind: str, currency: str) -> Account:
    return ledger_account(kind=kind, currency=currency, user=user)


def _funding_accounts(project: Project, *also: AccountSpec) -> list[Account]:
    """The project's escrow and its requester's available funds, in the order a draw takes
    from them, then the accounts in `also`: all found in one query."""
    return ledger_accounts(
        specs=[
            _escrow_spec(project),
            _available_spec(project.organisation, project.currency),
            *also,
        ]
    )


def _from_escrow(project: Project, amount: Decimal) -> tuple[list[Account], Decimal]:
    """A ledger draw of `amount` from the project's escrow, and from the requester's available
    funds for whatever escrow no longer holds (paid tests, extra control answers or a raised
    overlap can use more than was reserved). The ledger works out the split under its locks
    and refuses the movement if both together fall short."""
    return _funding_accounts(project), amount


def _funds_error(exc: InsufficientFunds, *, what: str) -> ApplicationError:
    return ApplicationError(
        _("%(what)s: you need %(missing)s more. Add funds on the billing page.")
        % {"what": what, "missing": format_money(exc.shortfall, exc.currency)},
        code="insufficient_funds",
        field="funds",
        details=exc.details,
    )


# --- the pay floor -------------------------------------------------------------------------


def floor_per_hour(currency: str) -> Decimal:
    """The floor in `currency`: the setting is in the platform currency; others convert at the
    operators' rate."""
    floor = Decimal(settings.PAY_FLOOR_PER_HOUR)
    base = settings.PLATFORM_CURRENCY
    if currency == base:
        return floor
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
    return quantize(floor * rate)


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
    first, the measured median once there are enough answers."""
    short = project_floor_shortfall(project)
    if short is not None:
        raise _floor_error(project, short, field="reward")


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
    if rate >= floor:
        return None
    needed = reward_for_floor(floor=floor, seconds=measured)
    if project.status == P.LIVE:
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
        if not _topups_due(project, floor):
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
    # Top-ups this worker already had on this project: numbers the next one's key, so a later
    # top-up (answers handed in after the last one) never reuses a key with another amount.
    earlier: int


def _topups_due(project: Project, floor: Decimal) -> dict[int, TopUp]:
    """worker id → what brings their pay for this project's answers up to `floor` an hour:
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
    due = {}
    for worker_id, ms in times.items():
        owed = quantize(floor * Decimal(ms) / Decimal(3_600_000))
        topup = owed - paid[worker_id] - earlier[worker_id]
        if topup > 0:
            due[worker_id] = TopUp(amount=topup, earlier=earlier_count[worker_id])
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
    due = _topups_due(project, notice.floor_hourly)
    users = {u.pk: u for u in User.objects.filter(pk__in=due)}
    for worker_id, topup in sorted(due.items()):
        amount = topup.amount
        fee = fee_for(amount)
        try:
            with transaction.atomic():
                ledger_post(
                    kind=T.FLOOR_TOPUP,
                    idempotency_key=f"floor-topup:{notice.pk}:{worker_id}:{topup.earlier + 1}",
                    draw=_from_escrow(project, amount + fee),
                    legs=[
                        (
                            worker_account(users[worker_id], K.WORKER_AVAILABLE, project.currency),
                            amount,
                        ),
                        (platform_fees_account(project.currency), fee),
                    ],
                    memo=_("Top-up to the %(floor)s an hour pay floor on %(project)s")
                    % {
                        "floor": format_money(notice.floor_hourly, project.currency),
                        "project": project.name,
                    },
                    project_id=project.pk,
                    metadata={"notice_id": notice.pk, "worker_id": worker_id, "fee": str(fee)},
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


# --- escrow --------------------------------------------------------------------------------


def _funded_task_count(project: Project) -> int:
    return sum(
        int(meta.get("tasks", 0))
        for meta in Transaction.objects.filter(
            kind=T.ESCROW_FUND, project_id=project.pk
        ).values_list("metadata", flat=True)
    )


def escrow_needed(project: Project, tasks: int) -> Decimal:
    """What `tasks` new tasks reserve: every answer they can collect, plus the control answers
    workers give alongside them at the project's gold share, each with its fee."""
    answers = tasks * project.overlap
    gold = Decimal(project.gold_rate)
    if 0 < gold < 1:
        answers += math.ceil(answers * gold / (1 - gold))
    return (project.reward + unit_fee(project)) * answers


@transaction.atomic
def project_tasks_fund(
    *, project: Project, actor: User | None = None, now: datetime | None = None
) -> Transaction | None:
    """Reserve escrow for the project's tasks not yet funded. The key names the task-count
    range, so a retry funds the same range once and a later upload funds only the new tasks."""
    escrow = escrow_account(project)
    # One funder at a time per project: the count below must not change under us.
    Account.objects.select_for_update().filter(pk=escrow.pk).get()
    funded = _funded_task_count(project)
    total = Task.objects.filter(project=project, is_gold=False).count()
    new = total - funded
    if new <= 0:
        return None
    amount = escrow_needed(project, new)
    try:
        return ledger_transfer(
            kind=T.ESCROW_FUND,
            idempotency_key=f"escrow-fund:{project.pk}:{funded}-{total}",
            source=requester_account(project.organisation, project.currency),
            destination=escrow,
            amount=amount,
            memo=_("Escrow for %(n)d tasks of %(project)s") % {"n": new, "project": project.name},
            created_by=actor,
            project_id=project.pk,
            metadata={
                "tasks": new,
                "from": funded,
                "to": total,
                "overlap": project.overlap,
                "reward": str(project.reward),
                "fee": str(unit_fee(project)),
            },
            now=now,
        )
    except InsufficientFunds as exc:
        raise _funds_error(
            exc,
            what=_("Publishing %(n)d tasks reserves %(amount)s")
            % {"n": new, "amount": format_money(amount, project.currency)},
        ) from None


@transaction.atomic
def project_escrow_release(*, project: Project, now: datetime | None = None) -> Transaction | None:
    """Return to the requester what escrow holds beyond the fees still owed on answers awaiting
    approval (their rewards already sit in the workers' pending balances)."""
    escrow = escrow_account(project)
    escrow = Account.objects.select_for_update().get(pk=escrow.pk)
    pending = Submission.objects.filter(project=project, status=S.PENDING).count()
    keep = unit_fee(project) * pending
    amount = escrow.balance - keep
    if amount <= 0:
        return None
    version = Entry.objects.filter(account=escrow).count()
    return ledger_transfer(
        kind=T.ESCROW_RELEASE,
        idempotency_key=f"escrow-release:{project.pk}:v{version}",
        source=escrow,
        destination=requester_account(project.organisation, project.currency),
        amount=amount,
        memo=_("Unused escrow of %(project)s returned") % {"project": project.name},
        project_id=project.pk,
        now=now,
    )


def project_money_on_status(*, project: Project, old_status: str, actor: User | None) -> None:
    """Called by the projects app's status change, inside its transaction: an error here
    leaves the project where it was."""
    if project.status == P.LIVE:
        project_pay_floor_check(project=project)
        project_tasks_fund(project=project, actor=actor)
        PayFloorNotice.objects.filter(project=project, resolved_at__isnull=True).update(
            resolved_at=timezone.now()
        )
    else:
        if project.status in (P.COMPLETED, P.ARCHIVED):
            project_escrow_release(project=project)
        # Answers already in are owed the floor whatever happens to the project now; the check
        # measures every answer, so it runs in the background once this change is committed.
        from microwork.payments.tasks import pay_floor_check_task

        transaction.on_commit(lambda: pay_floor_check_task.enqueue(project.pk))


def project_money_on_tasks_added(*, project: Project) -> None:
    """Tasks added to a live project are funded with them, or the upload is refused."""
    if project.status == P.LIVE:
        project_tasks_fund(project=project)


def project_money_on_settings(*, project: Project, old: dict[str, Any], actor: User | None) -> None:
    """Called by the projects app when a live or paused project's reward or overlap goes up:
    escrow must still cover every answer the open tasks can collect, at the new price."""
    if project.status not in (P.LIVE, P.PAUSED):
        return
    if old.get("reward") == project.reward and old.get("overlap") == project.overlap:
        return
    project_escrow_top_up(project=project, actor=actor)


@transaction.atomic
def project_escrow_top_up(
    *, project: Project, actor: User | None = None, now: datetime | None = None
) -> Transaction | None:
    """Move from the requester's funds into escrow what the answers still to come cost at
    today's reward and overlap, beyond what escrow holds (fees owed on pending answers stay)."""
    escrow = Account.objects.select_for_update().get(pk=escrow_account(project).pk)
    open_slots = sum(
        max(0, project.overlap - count)
        for count in Task.objects.filter(project=project, is_gold=False, done=False)
        .values_list("answers_count", flat=True)
        .iterator()
    )
    owed_fees = (
        unit_fee(project) * Submission.objects.filter(project=project, status=S.PENDING).count()
    )
    # The open slots are priced as fresh tasks would be, gold share included.
    needed = escrow_needed(project, 0) + _slots_cost(project, open_slots) + owed_fees
    shortfall = needed - escrow.balance
    if shortfall <= 0:
        return None
    version = Entry.objects.filter(account=escrow).count()
    try:
        return ledger_transfer(
            kind=T.ESCROW_FUND,
            idempotency_key=f"escrow-top-up:{project.pk}:{version}",
            source=requester_account(project.organisation, project.currency),
            destination=escrow,
            amount=shortfall,
            memo=_("Escrow top-up for %(project)s at its new reward or overlap")
            % {"project": project.name},
            created_by=actor,
            project_id=project.pk,
            metadata={"open_slots": open_slots, "reward": str(project.reward)},
            now=now,
        )
    except InsufficientFunds as exc:
        raise _funds_error(
            exc,
            what=_("The new price reserves %(amount)s more")
            % {"amount": format_money(shortfall, project.currency)},
        ) from None


def _slots_cost(project: Project, slots: int) -> Decimal:
    gold = Decimal(project.gold_rate)
    answers = slots
    if 0 < gold < 1:
        answers += math.ceil(slots * gold / (1 - gold))
    return (project.reward + unit_fee(project)) * answers


# --- earnings ------------------------------------------------------------------------------


def submission_earning_record(*, submission: Submission) -> Transaction:
    """The submission hook: the answer's reward becomes the worker's pending earning."""
    project = submission.project
    return _earning_record(submission, project)


def _earning_record(submission: Submission, project: Project) -> Transaction:
    reward = project.reward
    # Every answer comes here: its three accounts in one query.
    escrow, available, pending = _funding_accounts(
        project, AccountSpec(K.WORKER_PENDING, project.currency, user=submission.worker)
    )
    try:
        tx = ledger_post(
            kind=T.EARNING,
            idempotency_key=f"earning:{submission.pk}",
            draw=([escrow, available], reward),
            legs=[(pending, reward)],
            memo=_("Answer to %(project)s") % {"project": project.name},
            project_id=project.pk,
            submission_id=submission.pk,
            metadata={"task_id": submission.task_id, "worker_id": submission.worker_id},
            now=submission.submitted_at,
        )
    except InsufficientFunds as exc:
        raise _funds_error(exc, what=_("The project has run out of funds")) from None
    after = tx.balances or {}
    project_funds_guard(
        project=project, escrow=after.get(escrow.pk), available=after.get(available.pk)
    )
    # About one answer in FLOOR_CHECK_EVERY queues the floor check (which counts and measures
    # in the background): no query here, on the hottest write of the platform.
    if submission.pk % FLOOR_CHECK_EVERY == 0:
        from microwork.payments.tasks import pay_floor_check_task

        transaction.on_commit(lambda: pay_floor_check_task.enqueue(project.pk))
    return tx


def project_funds_guard(
    *, project: Project, escrow: Decimal | None = None, available: Decimal | None = None
) -> bool:
    """Pause a live project that could not pay the answers of the tasks now on workers'
    screens plus one more: nobody should start a task whose reward is not there. Cheap while
    escrow is comfortable (one count). `escrow` and `available` are the balances if the caller
    has just read them under the ledger's locks; otherwise they are read here. Returns whether
    it paused the project."""
    from microwork.projects.services.projects import project_set_status
    from microwork.work.models import Assignment

    unit = project.reward + unit_fee(project)
    if escrow is None:
        escrow = (
            Account.objects.filter(pk=escrow_account(project).pk)
            .values_list("balance", flat=True)
            .get()
        )
    leased = Assignment.objects.filter(project=project, status=Assignment.Status.LEASED).count()
    need = unit * (leased + 1)
    if escrow >= need:
        return False
    if available is None:
        available = requester_account(project.organisation, project.currency).balance
    if escrow + available >= need or project.status != P.LIVE:
        return False
    missing = need - escrow - available
    project_set_status(
        project=project,
        actor=None,
        status=P.PAUSED,
        reason=(
            _(
                "Paused: the project's money cannot pay for more answers. Add at least %(missing)s "
                "to your funds, then set it live again."
            )
            % {"missing": format_money(missing, project.currency)}
        )[:500],
    )
    return True


def _earned_amount(submission: Submission) -> Decimal:
    """The reward booked as this answer's pending earning (booked now if the hook was not
    installed when the answer arrived)."""
    amount = (
        Entry.objects.filter(
            transaction__idempotency_key=f"earning:{submission.pk}", account__kind=K.WORKER_PENDING
        )
        .values_list("amount", flat=True)
        .first()
    )
    if amount is None:
        _earning_record(submission, submission.project)
        return submission.project.reward
    return amount


def _status_move(submission: Submission, old: str, new: str) -> Submission | None:
    """Move an answer from one review status to another, exactly once: the conditional UPDATE
    lets one caller through. Returns the answer as it now is (with what the money needs), or
    None if another call moved it first."""
    if Submission.objects.filter(pk=submission.pk, status=old).update(status=new) != 1:
        return None
    return Submission.objects.select_related("project__organisation", "worker").get(
        pk=submission.pk
    )


def _review(
    submission: Submission,
    *,
    action: str,
    rule: str,
    amount: Decimal,
    actor: User | None,
    now: datetime,
    reason: str = "",
    note: str = "",
    inputs: dict[str, Any] | None = None,
) -> SubmissionReview:
    return SubmissionReview.objects.create(
        submission=submission,
        action=action,
        rule=rule,
        reason=reason,
        note=note,
        inputs=inputs or {},
        amount=amount,
        currency=submission.project.currency,
        actor=actor,
        at=now,
    )


@transaction.atomic
def earning_approve(
    *,
    submission: Submission,
    actor: User | None = None,
    rule: str = SubmissionReview.Rule.REQUESTER,
    inputs: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> bool:
    """The money move of an approval: pending → approved, exactly once: the conditional UPDATE
    lets one caller through, and the ledger key makes even a replay of that caller move the
    money once. Returns whether this call approved it. A requester approves through
    review.services; approval by rule and after the review window call this directly."""
    now = now or timezone.now()
    moved = _status_move(submission, S.PENDING, S.APPROVED)
    if moved is None:
        return False
    submission = moved
    project = submission.project
    reward = _earned_amount(submission)
    fee = fee_for(reward)
    ledger_post(
        kind=T.APPROVAL,
        idempotency_key=f"approve:{submission.pk}",
        draw=_from_escrow(project, fee),
        legs=[
            (worker_account(submission.worker, K.WORKER_PENDING, project.currency), -reward),
            (worker_account(submission.worker, K.WORKER_AVAILABLE, project.currency), reward),
            (platform_fees_account(project.currency), fee),
        ],
        memo=_("Answer to %(project)s approved") % {"project": project.name},
        created_by=actor,
        project_id=project.pk,
        submission_id=submission.pk,
        metadata={"rule": rule, "fee": str(fee)},
        now=now,
    )
    _review(
        submission,
        action=SubmissionReview.Action.APPROVED,
        rule=rule,
        amount=reward,
        actor=actor,
        now=now,
        inputs=inputs,
    )
    return True


@transaction.atomic
def earning_reject(
    *,
    submission: Submission,
    actor: User | None,
    reason: str,
    note: str = "",
    rule: str = SubmissionReview.Rule.REQUESTER,
    inputs: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> bool:
    """Pending → rejected: the reward goes back to the project's escrow. A reason from the
    list is required, a note with "other". Returns whether this call rejected it.

    The money half of a rejection only: every page and endpoint rejects through
    review.services `submissions_reject`, which records the decision the worker is told about
    and can appeal, then calls this in the same transaction."""
    now = now or timezone.now()
    note = rejection_check(reason=reason, note=note)
    changed = Submission.objects.filter(pk=submission.pk, status=S.PENDING).update(
        status=S.REJECTED
    )
    if changed != 1:
        current = (
            Submission.objects.filter(pk=submission.pk).values_list("status", flat=True).first()
        )
        if current == S.REJECTED:
            return False
        raise Conflict(
            _("Only answers awaiting approval can be rejected; this one is %(status)s.")
            % {"status": S(current).label if current else "?"},
            code="not_pending",
        )
    submission = Submission.objects.select_related("project__organisation", "worker").get(
        pk=submission.pk
    )
    project = submission.project
    reward = _earned_amount(submission)
    ledger_post(
        kind=T.REJECTION,
        idempotency_key=f"reject:{submission.pk}",
        legs=[
            (worker_account(submission.worker, K.WORKER_PENDING, project.currency), -reward),
            (escrow_account(project), reward),
        ],
        memo=_("Answer to %(project)s rejected") % {"project": project.name},
        created_by=actor,
        project_id=project.pk,
        submission_id=submission.pk,
        metadata={"reason": reason, "rule": rule},
        now=now,
    )
    _review(
        submission,
        action=SubmissionReview.Action.REJECTED,
        rule=rule,
        amount=reward,
        actor=actor,
        now=now,
        reason=reason,
        note=note,
        inputs=inputs,
    )
    if project.status in (P.COMPLETED, P.ARCHIVED):
        project_escrow_release(project=project, now=now)
    return True


@transaction.atomic
def submission_rejection_overturn(
    *,
    submission: Submission,
    actor: User | None = None,
    reason: str = "",
    rule: str = SubmissionReview.Rule.APPEAL,
    inputs: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> bool:
    """Rejected → approved (an appeal won, a requester's second look): the worker is paid the
    reward straight to available, with the fee, from escrow or the requester's funds."""
    now = now or timezone.now()
    moved = _status_move(submission, S.REJECTED, S.APPROVED)
    if moved is None:
        return False
    submission = moved
    project = submission.project
    reward = _earned_amount(submission)
    fee = fee_for(reward)
    try:
        ledger_post(
            kind=T.OVERTURN,
            idempotency_key=f"overturn:{submission.pk}",
            draw=_from_escrow(project, reward + fee),
            legs=[
                (worker_account(submission.worker, K.WORKER_AVAILABLE, project.currency), reward),
                (platform_fees_account(project.currency), fee),
            ],
            memo=_("Rejection overturned: answer to %(project)s paid") % {"project": project.name},
            created_by=actor,
            project_id=project.pk,
            submission_id=submission.pk,
            metadata={"rule": rule, "fee": str(fee)},
            now=now,
        )
    except InsufficientFunds as exc:
        raise _funds_error(exc, what=_("Paying the overturned answer")) from None
    _review(
        submission,
        action=SubmissionReview.Action.OVERTURNED,
        rule=rule,
        amount=reward,
        actor=actor,
        now=now,
        note=(reason or "")[:MAX_NOTE],
        inputs=inputs,
    )
    return True


def submissions_approve_due(
    *, now: datetime | None = None, between: Callable[[Submission], None] | None = None
) -> int:
    """Approve every answer whose project's approval period has ended (at most 7 days), one
    transaction each: a crash half-way leaves the rest for the next run, none twice."""
    now = now or timezone.now()
    done = 0
    project_ids = (
        Submission.objects.filter(status=S.PENDING).values_list("project_id", flat=True).distinct()
    )
    for project in Project.objects.filter(pk__in=list(project_ids)).order_by("pk"):
        period = min(timedelta(seconds=project.auto_approve_seconds), MAX_AUTO_APPROVE)
        due = Submission.objects.filter(
            project=project, status=S.PENDING, submitted_at__lte=now - period
        ).order_by("pk")
        for submission in due.iterator():
            approved = earning_approve(
                submission=submission,
                rule=SubmissionReview.Rule.AUTO_APPROVE,
                inputs={
                    "submitted_at": submission.submitted_at.isoformat(),
                    "approval_period_seconds": int(period.total_seconds()),
                },
                now=now,
            )
            done += approved
            if between is not None:
                between(submission)
    return done


# --- bonuses and tests ---------------------------------------------------------------------


@transaction.atomic
def bonus_transfer(
    *,
    organisation: Organisation,
    actor: User,
    workers: list[User],
    amount: Decimal,
    currency: str,
    message: str,
    request_key: str,
    project: Project | None = None,
    now: datetime | None = None,
) -> list[Transaction]:
    """The money move of a bonus: `amount` to each worker from the requester's funds, plus the
    fee, all or nothing, once per request key and worker. review.services `bonus_pay` checks
    the request (amount, message, workers who did this requester's tasks) before calling."""
    now = now or timezone.now()
    fee = fee_for(amount)
    source = requester_account(organisation, currency)
    total = (amount + fee) * len(workers)
    if source.balance < total:
        raise ApplicationError(
            _("These bonuses cost %(total)s with fees: you need %(missing)s more.")
            % {
                "total": format_money(total, currency),
                "missing": format_money(total - source.balance, currency),
            },
            code="insufficient_funds",
            field="amount",
        )
    done = []
    for worker in sorted(workers, key=lambda w: w.pk):
        done.append(
            ledger_post(
                kind=T.BONUS,
                idempotency_key=f"bonus:{organisation.pk}:{request_key}:{worker.pk}",
                legs=[
                    (source, -(amount + fee)),
                    (worker_account(worker, K.WORKER_AVAILABLE, currency), amount),
                    (platform_fees_account(currency), fee),
                ],
                memo=message,
                created_by=actor,
                project_id=project.pk if project else None,
                metadata={"message": message, "organisation": organisation.name, "fee": str(fee)},
                now=now,
            )
        )
    return done


@transaction.atomic
def test_payment_record(
    *,
    project: Project,
    worker: User,
    active_ms: int,
    kind: str,
    reference: str,
    estimated_ms: int | None = None,
    amount: Decimal | None = None,
    now: datetime | None = None,
) -> Transaction | None:
    """Pay a qualification test or training at the project's hourly rate (never under the
    floor) for the measured active time, at most twice the estimate when one is given. Paid
    straight to available, from escrow, with the fee on top. `reference` makes it once-only."""
    now = now or timezone.now()
    if kind not in ("qualification", "training", "test", "exam"):
        raise ApplicationError(_("kind must be qualification or training."), field="kind")
    if not isinstance(active_ms, int) or active_ms < 0:
        raise ApplicationError(
            _("active_ms must be a whole number of milliseconds."), field="active_ms"
        )
    capped = active_ms if estimated_ms is None else min(active_ms, 2 * max(estimated_ms, 0))
    rate = max(
        project.reward * Decimal(3600) / Decimal(project.estimated_seconds),
        floor_per_hour(project.currency),
    )
    computed = quantize(rate * Decimal(capped) / Decimal(3_600_000))
    if amount is not None:
        # The quality app's own figure, so its books and ours agree — but never above the cap.
        computed = (
            min(quantize(Decimal(amount)), computed) if estimated_ms else quantize(Decimal(amount))
        )
    if computed <= 0:
        return None
    fee = fee_for(computed)
    try:
        return ledger_post(
            kind=T.TEST_PAYMENT,
            idempotency_key=f"test-payment:{reference}:{worker.pk}",
            draw=_from_escrow(project, computed + fee),
            legs=[
                (worker_account(worker, K.WORKER_AVAILABLE, project.currency), computed),
                (platform_fees_account(project.currency), fee),
            ],
            memo=_("Paid %(kind)s for %(project)s") % {"kind": kind, "project": project.name},
            project_id=project.pk,
            metadata={
                "kind": kind,
                "reference": reference,
                "active_ms": active_ms,
                "paid_ms": capped,
                "hourly": str(quantize(rate)),
                "fee": str(fee),
            },
            now=now,
        )
    except InsufficientFunds as exc:
        raise _funds_error(exc, what=_("Paying the test")) from None


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
