"""Assignments (answers): list, read, approve, reject, bonus."""

from typing import Any

from microwork.mturk import selectors
from microwork.mturk.keys import assignment_id_for
from microwork.mturk.models import Bonus
from microwork.mturk.operations import shapes
from microwork.mturk.operations.hits import _hit
from microwork.mturk.protocol import (
    Context,
    amount,
    flag,
    invalid,
    page,
    paged,
    request_error,
    text,
)
from microwork.mturk.services.workers import mturk_bonus_send
from microwork.quality.models import Decision
from microwork.quality.services.decisions import decision_reverse
from microwork.review.services import submission_approve, submission_reject
from microwork.work.models import Submission

STATUSES = {v: k for k, v in shapes.ASSIGNMENT_STATUS.items()}


def _submission(ctx: Context, p: dict[str, Any]) -> Submission:
    assignment_id = text(p, "AssignmentId", required=True, max_length=64)
    sub = selectors.submission_by_assignment_id(ctx.organisation, assignment_id)
    if sub is None:
        raise request_error(
            f"Assignment {assignment_id} does not exist.",
            "AWS.MechanicalTurk.AssignmentDoesNotExist",
        )
    return sub


def list_assignments_for_hit(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    hit = _hit(ctx, p)
    statuses = p.get("AssignmentStatuses") or list(STATUSES)
    if not isinstance(statuses, list) or any(s not in STATUSES for s in statuses):
        raise invalid("AssignmentStatuses", "must list Submitted, Approved or Rejected.")
    offset, size = page(p)
    rows = list(
        Submission.objects.filter(task_id=hit.task_id, status__in=[STATUSES[s] for s in statuses])
        .select_related("assignment", "worker")
        .order_by("submitted_at", "id")[offset : offset + size + 1]
    )
    return paged(rows, offset, size, "Assignments", lambda s: shapes.assignment(s, hit))


def get_assignment(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    sub = _submission(ctx, p)
    hit = sub.project.mturk_hit
    return {"Assignment": shapes.assignment(sub, hit), "HIT": shapes.hit(hit, ctx.now)}


def approve_assignment(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    sub = _submission(ctx, p)
    feedback = text(p, "RequesterFeedback", max_length=1024)
    if sub.status == Submission.Status.REJECTED:
        if not flag(p, "OverrideRejection"):
            raise request_error(
                "This operation can be called with a status of: Submitted (assignment "
                f"{assignment_id_for(sub.assignment_id)} is Rejected; set OverrideRejection "
                "to approve it).",
                "AWS.MechanicalTurk.InvalidAssignmentState",
            )
        decision = (
            Decision.objects.filter(
                submission=sub, kind=Decision.Kind.REJECTION, status=Decision.Status.ACTIVE
            )
            .order_by("-id")
            .first()
        )
        if decision is not None:
            # The same path as an appeal won: the decision reversed, the worker paid and told.
            decision_reverse(
                decision=decision,
                actor=ctx.user,
                reason=feedback or "The requester approved the answer after all.",
                now=ctx.now,
            )
        return {}
    if sub.status == Submission.Status.APPROVED:
        return {}  # a retry
    submission_approve(submission=sub, actor=ctx.user, note=feedback)
    return {}


def reject_assignment(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    sub = _submission(ctx, p)
    feedback = text(p, "RequesterFeedback", required=True, max_length=1024).strip()
    if sub.status == Submission.Status.APPROVED:
        raise request_error(
            "This operation can be called with a status of: Submitted (assignment "
            f"{assignment_id_for(sub.assignment_id)} is Approved).",
            "AWS.MechanicalTurk.InvalidAssignmentState",
        )
    if sub.status == Submission.Status.REJECTED:
        return {}  # a retry
    # confirm=True: the confirmation the pages ask for past the project's share of a worker's
    # day is for a click made too fast; an API call names each assignment on purpose (and the
    # refusal would name the worker, whom an MTurk client knows only by WorkerId). Every
    # other rule stands: the feedback is required, the worker is told and can appeal.
    submission_reject(
        submission=sub,
        requester=ctx.user,
        reason_code="other",
        note=feedback,
        confirm=True,
        now=ctx.now,
    )
    return {}


def send_bonus(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    sub = _submission(ctx, p)
    worker_id = text(p, "WorkerId", required=True, max_length=64)
    if selectors.worker_by_alias(ctx.organisation, worker_id) != sub.worker:
        raise request_error(
            f"Worker {worker_id} did not do assignment {assignment_id_for(sub.assignment_id)}.",
            "AWS.MechanicalTurk.InvalidParameterValue",
        )
    value = amount(p, "BonusAmount")
    if value <= 0:
        raise invalid("BonusAmount", "must be more than 0.")
    mturk_bonus_send(
        organisation=ctx.organisation,
        actor=ctx.user,
        submission=sub,
        amount=value,
        reason=text(p, "Reason", required=True, max_length=500),
        request_token=text(p, "UniqueRequestToken", max_length=64),
        now=ctx.now,
    )
    return {}


def list_bonus_payments(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    bonuses = Bonus.objects.filter(organisation=ctx.organisation)
    if p.get("HITId"):
        bonuses = bonuses.filter(submission__task_id=_hit(ctx, p).task_id)
    elif p.get("AssignmentId"):
        bonuses = bonuses.filter(submission=_submission(ctx, p))
    else:
        raise invalid("HITId", "give a HITId or an AssignmentId.")
    offset, size = page(p)
    rows = list(
        bonuses.select_related("organisation", "worker", "submission").order_by("granted_at", "id")[
            offset : offset + size + 1
        ]
    )
    return paged(rows, offset, size, "BonusPayments", shapes.bonus)
