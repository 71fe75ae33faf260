"""A worker's earning on an answer: booked pending when the answer arrives (the work app's
submission hook), then approved, rejected or, after a rejection, overturned, each exactly
once with its review record; approval after the review window (`submissions_approve_due`);
and the guard that pauses a project whose money cannot pay for more answers."""

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from microwork.accounts.models import User
from microwork.ledger.models import Account, Entry, Transaction
from microwork.ledger.services.accounts import AccountSpec, platform_fees_account
from microwork.ledger.services.posting import InsufficientFunds, fee_for, ledger_post
from microwork.lib.errors import Conflict
from microwork.lib.l10n import format_money
from microwork.lib.registry import loaded
from microwork.payments.models import SubmissionReview
from microwork.payments.services.accounts import (
    MAX_NOTE,
    escrow_account,
    from_escrow,
    funding_accounts,
    funds_error,
    rejection_check,
    requester_account,
    unit_fee,
    worker_account,
)
from microwork.payments.services.escrow import project_escrow_release
from microwork.payments.services.floor import PAY_FLOOR_CHECK
from microwork.projects.models import Project
from microwork.work.models import Submission

K = Account.Kind
T = Transaction.Kind
S = Submission.Status
P = Project.Status

# One answer in this many queues a floor check of its project (the periodic job checks all).
FLOOR_CHECK_EVERY = 10
MAX_AUTO_APPROVE = timedelta(days=7)


def submission_earning_record(*, submission: Submission) -> Transaction:
    """The submission hook: the answer's reward becomes the worker's pending earning."""
    project = submission.project
    return _earning_record(submission, project)


def _earning_record(submission: Submission, project: Project) -> Transaction:
    reward = project.reward
    # Every answer comes here: its three accounts in one query.
    escrow, available, pending = funding_accounts(
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
        raise funds_error(exc, what=_("The project has run out of funds")) from None
    after = tx.balances or {}
    project_funds_guard(
        project=project, escrow=after.get(escrow.pk), available=after.get(available.pk)
    )
    # About one answer in FLOOR_CHECK_EVERY queues the floor check (which counts and measures
    # in the background): no query here, on the hottest write of the platform.
    if submission.pk % FLOOR_CHECK_EVERY == 0:
        transaction.on_commit(lambda: loaded(PAY_FLOOR_CHECK).enqueue(project.pk))
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
    note: str = "",
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
        draw=from_escrow(project, fee),
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
        # A requester's word on a good answer (MTurk's RequesterFeedback), shown to the worker
        # with the decision like a rejection's note.
        note=note,
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
            draw=from_escrow(project, reward + fee),
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
        raise funds_error(exc, what=_("Paying the overturned answer")) from None
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
