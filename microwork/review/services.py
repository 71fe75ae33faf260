"""A requester's verdict on answers: approve one or many, reject one or many (each rejection a
decision the worker is told about and can appeal), pay a bonus. Each action checks the request
and calls the money primitives of payments (`earning_approve`, `earning_reject`,
`bonus_transfer`) and quality control's `decision_record` in one transaction.

Approval by rule (quality), approval after the review window (payments) and appeals (quality)
are not requester actions: they call those primitives directly."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from microwork.accounts.models import Organisation, User
from microwork.ledger.models import Transaction
from microwork.lib.errors import ApplicationError, Conflict, NotFound
from microwork.lib.money import check_currency, parse_amount
from microwork.payments.models import SubmissionReview
from microwork.payments.services import accounts as payments_accounts
from microwork.payments.services import bonuses as payments_bonuses
from microwork.payments.services import earnings as payments_earnings
from microwork.projects.models import Project, Task
from microwork.quality import selectors as quality_selectors
from microwork.quality.models import Decision
from microwork.quality.services.decisions import decision_record
from microwork.review.models import PeerReviewRequest
from microwork.work.models import Submission

S = Submission.Status

MAX_BONUS = Decimal("1000")


# --- approval ------------------------------------------------------------------------------


def submission_approve(*, submission: Submission, actor: User, note: str = "") -> bool:
    """A requester approves one answer: paid exactly once however many calls race. Returns
    whether this call approved it. `note`, optional, is the requester's feedback the worker
    reads with the approval."""
    with transaction.atomic():
        done = payments_earnings.earning_approve(
            submission=submission, actor=actor, note=note.strip()
        )
        if done:
            peer_reviews_cancel(submission_ids=[submission.pk])
    return done


def submissions_approve(
    *,
    project: Project,
    actor: User,
    submission_ids: Iterable[int] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Approve the given pending answers of the project (all of them when no ids), each in
    its own transaction so a failure half-way keeps what was done. Returns how many;
    `on_progress` hears how many answers were gone through so far."""
    qs = Submission.objects.filter(project=project, status=S.PENDING).order_by("pk")
    if submission_ids is not None:
        ids = sorted({int(i) for i in submission_ids})
        # Another project's answer is refused like the reject endpoint refuses it, rather than
        # skipped: a caller told "0 approved" cannot tell a foreign id from a done one.
        known = set(
            Submission.objects.filter(project=project, pk__in=ids).values_list("pk", flat=True)
        )
        missing = [i for i in ids if i not in known]
        if missing:
            raise NotFound(
                _("These answers are not in this project: %(ids)s.")
                % {"ids": ", ".join(map(str, missing))},
                field="submission_ids",
            )
        qs = qs.filter(pk__in=ids)
    done = 0
    for seen, submission in enumerate(qs.iterator(), start=1):
        done += submission_approve(submission=submission, actor=actor)
        if on_progress is not None:
            on_progress(seen)
    return done


def peer_reviews_cancel(*, submission_ids: Iterable[int], now: datetime | None = None) -> int:
    """The answers were decided before their reviewers were all in (by the requester, a rule
    or the approval period): their open reviews end, and nobody else is handed the review
    task. Reviewers holding it may still send it and are paid as for any task in hand.
    Returns how many reviews ended."""
    now = now or timezone.now()
    open_ = PeerReviewRequest.objects.filter(
        submission_id__in=list(submission_ids), status=PeerReviewRequest.Status.OPEN
    )
    task_ids = list(open_.values_list("task_id", flat=True))
    if not task_ids:
        return 0
    Task.objects.filter(pk__in=task_ids).update(done=True)
    return open_.update(status=PeerReviewRequest.Status.CANCELLED, decided_at=now)


# --- rejection -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Rejection:
    """What one request to reject an answer did. `changed` comes from the locked row: only
    the call that moved the answer from pending to rejected says True, however many identical
    requests race (a double click, a client's retries, two tabs)."""

    decision: Decision
    changed: bool


@transaction.atomic
def submission_reject(
    *,
    submission: Submission,
    requester: User,
    reason_code: str,
    note: str = "",
    confirm: bool = False,
    now: datetime | None = None,
) -> Decision:
    """Reject one answer: the worker is told why and can appeal (see `submissions_reject`)."""
    return submission_reject_once(
        submission=submission,
        requester=requester,
        reason_code=reason_code,
        note=note,
        confirm=confirm,
        now=now,
    ).decision


@transaction.atomic
def submission_reject_once(
    *,
    submission: Submission,
    requester: User,
    reason_code: str,
    note: str = "",
    confirm: bool = False,
    now: datetime | None = None,
) -> Rejection:
    """Reject one answer and say whether this call did it or found it already rejected."""
    return _submissions_reject(
        project=submission.project,
        requester=requester,
        submission_ids=[submission.pk],
        reason_code=reason_code,
        note=note,
        confirm=confirm,
        now=now,
    )[0]


@transaction.atomic
def submissions_reject(
    *,
    project: Project,
    requester: User,
    submission_ids: Iterable[int],
    reason_code: str,
    note: str = "",
    confirm: bool = False,
    now: datetime | None = None,
) -> list[Decision]:
    """The one way an answer is rejected, from any page or endpoint: a reason from the list
    and an optional note, a confirmation when the requester would reject more than the
    project's share of one worker's work in a day, then for each answer a Decision with the
    answer as evidence, a notification, and the reward back to escrow. All or nothing; an
    answer already rejected returns its decision, so a retried request rejects nothing twice."""
    return [
        r.decision
        for r in _submissions_reject(
            project=project,
            requester=requester,
            submission_ids=submission_ids,
            reason_code=reason_code,
            note=note,
            confirm=confirm,
            now=now,
        )
    ]


def _submissions_reject(
    *,
    project: Project,
    requester: User,
    submission_ids: Iterable[int],
    reason_code: str,
    note: str,
    confirm: bool,
    now: datetime | None,
) -> list[Rejection]:
    now = now or timezone.now()
    note = payments_accounts.rejection_check(reason=reason_code, note=note)
    ids = sorted({int(i) for i in submission_ids})
    if not ids:
        raise ApplicationError(_("Choose at least one answer."), field="submission_ids")
    # Locked in id order, so two requests over overlapping answers take turns; a request that
    # waited reads the answers (and their decisions, below) as the one before it left them.
    subs = list(
        Submission.objects.select_for_update(of=("self",))
        .select_related("project", "task", "worker")
        .filter(project=project, pk__in=ids)
        .order_by("pk")
    )
    missing = sorted(set(ids) - {s.pk for s in subs})
    if missing:
        raise NotFound(
            _("These answers are not in this project: %(ids)s.")
            % {"ids": ", ".join(map(str, missing))},
            field="submission_ids",
        )
    existing = {
        d.submission_id: d
        for d in Decision.objects.filter(submission__in=subs, kind=Decision.Kind.REJECTION).exclude(
            status=Decision.Status.REVERSED
        )
    }
    new = [s for s in subs if s.pk not in existing]
    for sub in new:
        if sub.status != Submission.Status.PENDING:
            raise Conflict(
                _("Only answers awaiting approval can be rejected; answer %(id)d is %(status)s.")
                % {"id": sub.pk, "status": sub.get_status_display()},
                code="not_pending",
                field="submission_ids",
            )
    by_worker: dict[int, list[Submission]] = {}
    for sub in new:
        by_worker.setdefault(sub.worker_id, []).append(sub)
    if not confirm:
        for worker_subs in by_worker.values():
            _rejection_share_check(project=project, subs=worker_subs, now=now)
    made: dict[int, Decision] = {}
    for sub in new:
        made[sub.pk] = _reject_one(
            submission=sub, requester=requester, reason_code=reason_code, note=note, now=now
        )
    return [
        Rejection(decision=existing[s.pk], changed=False)
        if s.pk in existing
        else Rejection(decision=made[s.pk], changed=True)
        for s in subs
    ]


def _rejection_share_check(*, project: Project, subs: list[Submission], now: datetime) -> None:
    """Refuse, asking for confirmation, a rejection that takes one worker past the project's
    share of rejected work in 24 hours. Their work in the day is what they sent this
    organisation in that time, plus any older answer rejected in it (or being rejected now),
    so rejecting old answers in bulk needs confirming too."""
    worker = subs[0].worker
    day_start = now - timedelta(hours=24)
    rejected_ids = set(
        Decision.objects.filter(
            worker=worker,
            kind=Decision.Kind.REJECTION,
            project__organisation_id=project.organisation_id,
            starts_at__gte=day_start,
        )
        .exclude(status=Decision.Status.REVERSED)
        .values_list("submission_id", flat=True)
    )
    rejecting = rejected_ids | {s.pk for s in subs}
    work = (
        Submission.objects.filter(worker=worker, project__organisation_id=project.organisation_id)
        .filter(Q(submitted_at__gte=day_start) | Q(pk__in=rejecting))
        .count()
    )
    share = quality_selectors.settings_for_project(project).rejection_confirm_share
    if Decimal(len(rejecting)) / Decimal(max(work, 1)) <= share:
        return
    raise ApplicationError(
        ngettext(
            "This would reject %(n)d of %(worker)s's %(total)d answer in the last 24 hours "
            "(more than %(share)s %%). Check again, then send confirm=true.",
            "This would reject %(n)d of %(worker)s's %(total)d answers in the last 24 hours "
            "(more than %(share)s %%). Check again, then send confirm=true.",
            work,
        )
        % {
            "n": len(rejecting),
            "worker": worker.username,
            "total": work,
            "share": f"{share * 100:.0f}",
        },
        code="confirm_needed",
        field="confirm",
        details={"worker": worker.username, "rejections": len(rejecting), "answers": work},
    )


@transaction.atomic
def submission_reject_by_peers(
    *, submission: Submission, reviews: list[dict[str, Any]], inputs: dict[str, Any], now: datetime
) -> Decision | None:
    """Reject an answer its reviewers turned down (review.peer_reviews): the same decision,
    refund and notice as a requester's rejection, decided by no one person, with the reviews
    (verdicts and reasons, never who gave them) as its inputs, so the worker reads why and
    can appeal as always. None when the answer is no longer awaiting approval."""
    locked = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("project", "task", "worker")
        .get(pk=submission.pk)
    )
    if locked.status != Submission.Status.PENDING:
        return None
    reasons = [r["reason"] for r in reviews if r["verdict"] == "reject" and r.get("reason")]
    note = " · ".join(reasons)[: payments_accounts.MAX_NOTE]
    return _reject_one(
        submission=locked,
        requester=None,
        reason_code="other" if note else "wrong_answer",
        note=note,
        now=now,
        rule=SubmissionReview.Rule.PEER_REVIEW,
        rule_key="peer_review",
        inputs={**inputs, "reviews": reviews},
    )


def _reject_one(
    *,
    submission: Submission,
    requester: User | None,
    reason_code: str,
    note: str,
    now: datetime,
    rule: str = SubmissionReview.Rule.REQUESTER,
    rule_key: str = "",
    inputs: dict[str, Any] | None = None,
) -> Decision:
    decision = decision_record(
        worker=submission.worker,
        project=submission.project,
        kind=Decision.Kind.REJECTION,
        inputs={"submission": submission.pk, "task": submission.task_id, **(inputs or {})},
        evidence=[quality_selectors.evidence_row(submission)],
        submission=submission,
        reason_code=reason_code,
        note=note,
        starts_at=now,
        decided_by=requester,
        rule_key=rule_key,
    )
    if requester is not None:
        peer_reviews_cancel(submission_ids=[submission.pk], now=now)
    # The money moves in this transaction: a decision without its refund cannot exist.
    if not payments_earnings.earning_reject(
        submission=submission,
        actor=requester,
        reason=reason_code,
        note=note,
        rule=rule,
        inputs={"decision_id": decision.pk},
        now=now,
    ):
        raise Conflict(_("This answer was already rejected."), code="already_rejected")
    return decision


# --- appeals ----------------------------------------------------------------------------


# --- bonuses -------------------------------------------------------------------------------


@transaction.atomic
def bonus_pay(
    *,
    organisation: Organisation,
    actor: User,
    workers: list[User],
    amount: Any,
    message: str,
    request_key: str,
    currency: str | None = None,
    project: Project | None = None,
    now: datetime | None = None,
) -> list[Transaction]:
    """A bonus with a message to each worker, from the requester's funds plus the fee. Only
    workers who answered this requester's tasks can receive one. All or nothing."""
    amount = parse_amount(amount)
    if amount > MAX_BONUS:
        raise ApplicationError(
            _("A bonus is at most %(max)s per worker.") % {"max": MAX_BONUS}, field="amount"
        )
    currency = check_currency(
        currency or (project.currency if project else settings.PLATFORM_CURRENCY)
    )
    message = (message or "").strip()
    if not message:
        raise ApplicationError(_("Tell the workers what the bonus is for."), field="message")
    if len(message) > 500:
        raise ApplicationError(_("Keep the message under 500 characters."), field="message")
    if not workers:
        raise ApplicationError(_("Choose at least one worker."), field="workers")
    request_key = (request_key or "").strip()
    if not request_key:
        raise ApplicationError(_("A request key is required."), field="request_key")
    worked = Submission.objects.filter(project__organisation=organisation)
    if project is not None:
        if project.organisation_id != organisation.pk:
            raise ApplicationError(_("Choose one of your projects."), field="project")
        worked = worked.filter(project=project)
    worked_ids = set(worked.filter(worker__in=workers).values_list("worker_id", flat=True))
    strangers = sorted(w.username for w in workers if w.pk not in worked_ids)
    if strangers:
        raise ApplicationError(
            _("Bonuses go only to workers who did your tasks; not: %(names)s.")
            % {"names": ", ".join(strangers)},
            code="not_your_worker",
            field="workers",
        )
    return payments_bonuses.bonus_transfer(
        organisation=organisation,
        actor=actor,
        workers=workers,
        amount=amount,
        currency=currency,
        message=message,
        request_key=request_key,
        project=project,
        now=now,
    )
