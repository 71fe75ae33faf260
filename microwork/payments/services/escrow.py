"""A project's escrow: what going live and each upload reserve from the requester's funds,
the top-up when the reward or overlap goes up, the release of what no answer can still need,
and the projects app's hooks (STATUS_CHANGED, TASKS_ADDED, SETTINGS_CHANGED) that call them."""

import math
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from microwork.accounts.models import User
from microwork.ledger.models import Account, Entry, Transaction
from microwork.ledger.services.posting import InsufficientFunds, ledger_transfer
from microwork.lib.l10n import format_money
from microwork.lib.registry import loaded
from microwork.payments.models import PayFloorNotice
from microwork.payments.services.accounts import (
    escrow_account,
    funds_error,
    requester_account,
    unit_fee,
)
from microwork.payments.services.floor import PAY_FLOOR_CHECK, project_pay_floor_check
from microwork.projects.models import Project, Task
from microwork.work.models import Submission

T = Transaction.Kind
S = Submission.Status
P = Project.Status


def funded_task_count(project: Project) -> int:
    """How many of the project's tasks escrow has been reserved for. Each funding covers the
    tasks from the count before it to the count after it (`from`, `to` in its metadata), and
    fundings are made one at a time under the project's account locks, so the latest one's
    `to` is the total: one row read, however many fundings there were (a live project makes
    one with every post). Top-ups, which fund no new tasks, carry no `to`."""
    latest = (
        Transaction.objects.filter(
            kind=T.ESCROW_FUND, project_id=project.pk, metadata__has_key="to"
        )
        .order_by("-pk")
        .values_list("metadata", flat=True)
        .first()
    )
    return int(latest["to"]) if latest else 0


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
    source = requester_account(project.organisation, project.currency)
    # One funder at a time per project: the count below must not change under us. Both
    # accounts, in the ledger's own order (by id): an answer's earning locks the same two that
    # way, and taking escrow alone first would deadlock with it when tasks are added while
    # answers come in (live tasks add one with every post).
    list(Account.objects.select_for_update().filter(pk__in=[escrow.pk, source.pk]).order_by("pk"))
    funded = funded_task_count(project)
    total = Task.objects.filter(project=project, is_gold=False).count()
    new = total - funded
    if new <= 0:
        return None
    amount = escrow_needed(project, new)
    try:
        return ledger_transfer(
            kind=T.ESCROW_FUND,
            idempotency_key=f"escrow-fund:{project.pk}:{funded}-{total}",
            source=source,
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
        raise funds_error(
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
        transaction.on_commit(lambda: loaded(PAY_FLOOR_CHECK).enqueue(project.pk))


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
        raise funds_error(
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
