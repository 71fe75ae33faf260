"""Review API: a requester's verdict on answers. Approve one or many, reject one or many (a
decision the worker is told about and can appeal), bonus the workers, and the list of
rejection reasons. Each handler: parse, access, one service, serialise."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from microwork.accounts.api_auth import requester_scope
from microwork.accounts.auth import request_user
from microwork.accounts.models import User
from microwork.lib.api_errors import responses
from microwork.lib.bounds import IdList, Offset, PageLimit
from microwork.lib.errors import NotFound
from microwork.payments.services import accounts as payments_accounts
from microwork.projects.access import access_project_for_requester
from microwork.quality import access as quality_access
from microwork.quality.api import DecisionOut, decision_out
from microwork.review import selectors, services
from microwork.work.models import Submission

router = Router(tags=["review"])


class ReasonOut(Schema):
    code: str
    label: str


class ReviewOut(Schema):
    id: int
    status: str
    changed: bool


class BulkApproveIn(Schema):
    # Omitted: every answer of the project awaiting approval.
    submission_ids: IdList | None = None


class BulkOut(Schema):
    approved: int


class RejectIn(Schema):
    reason: str = Field(description="wrong_answer, instructions_ignored, incomplete, spam, other")
    note: str = ""
    confirm: bool = Field(
        False, description="Needed when the rejection passes the project's daily share."
    )


class RejectManyIn(RejectIn):
    submission_ids: IdList


class RejectedOut(Schema):
    id: int
    status: str
    changed: bool
    decision_id: int


class RejectedManyOut(Schema):
    rejected: int
    decisions: list[DecisionOut]


class BonusIn(Schema):
    worker_ids: IdList
    amount: str
    message: str
    request_key: str


class PeerReviewOut(Schema):
    reviewer: str
    verdict: str = Field(description="accept or reject")
    reason: str
    reviewed_at: datetime
    agrees: bool | None = Field(description="Whether the verdict matched the outcome.")


class PeerReviewRequestOut(Schema):
    submission_id: int
    task_id: int
    worker: str
    answer: Any
    answer_text: str
    status: str = Field(description="open, accepted, rejected or cancelled")
    reviewers_needed: int
    threshold: str
    accepts: int
    created_at: datetime
    decided_at: datetime | None
    decision_id: int | None
    reviews: list[PeerReviewOut]


class BonusOut(Schema):
    workers: int
    amount: Decimal
    currency: str


def _submission(request: HttpRequest, submission_id: int) -> Submission:
    submission = Submission.objects.filter(pk=submission_id).first()
    if submission is None:
        raise NotFound(_("No such answer."), field="submission_id")
    access_project_for_requester(
        user=request_user(request),
        project_id=submission.project_id,
        organisation=requester_scope(request),
    )
    return submission


@router.get("/rejection-reasons", response=responses(list[ReasonOut]))
def reasons(request: HttpRequest) -> list[ReasonOut]:
    return [
        ReasonOut(code=c, label=str(label))
        for c, label in payments_accounts.rejection_reasons().items()
    ]


# --- approve -------------------------------------------------------------------------------


@router.post("/submissions/{submission_id}/approve", response=responses(ReviewOut))
def approve(request: HttpRequest, submission_id: int) -> ReviewOut:
    submission = _submission(request, submission_id)
    changed = services.submission_approve(submission=submission, actor=request_user(request))
    submission.refresh_from_db()
    return ReviewOut(id=submission.pk, status=submission.status, changed=changed)


@router.post("/projects/{project_id}/submissions/approve", response=responses(BulkOut))
def approve_bulk(request: HttpRequest, project_id: int, payload: BulkApproveIn) -> BulkOut:
    project = access_project_for_requester(
        user=request_user(request), project_id=project_id, organisation=requester_scope(request)
    )
    n = services.submissions_approve(
        project=project, actor=request_user(request), submission_ids=payload.submission_ids
    )
    return BulkOut(approved=n)


# --- reject --------------------------------------------------------------------------------


def _reject(request: HttpRequest, submission_id: int, payload: RejectIn) -> services.Rejection:
    """The decision, and whether this call rejected the answer: a retry returns the first
    decision with `changed` false."""
    user = request_user(request)
    submission = quality_access.access_submission_for_requester(
        user=user,
        submission_id=submission_id,
        organisation=requester_scope(request),
    )
    return services.submission_reject_once(
        submission=submission,
        requester=user,
        reason_code=payload.reason,
        note=payload.note,
        confirm=payload.confirm,
    )


def _reject_many(request: HttpRequest, project_id: int, payload: RejectManyIn) -> dict[str, Any]:
    project = quality_access.access_project_for_requester(
        user=request_user(request),
        project_id=project_id,
        organisation=requester_scope(request),
    )
    decisions = services.submissions_reject(
        project=project,
        requester=request_user(request),
        submission_ids=payload.submission_ids,
        reason_code=payload.reason,
        note=payload.note,
        confirm=payload.confirm,
    )
    return {"rejected": len(decisions), "decisions": [decision_out(d) for d in decisions]}


@router.post("/submissions/{submission_id}/reject", response=responses(RejectedOut))
def submission_reject(request: HttpRequest, submission_id: int, payload: RejectIn):
    """Next to /approve and answered the same way."""
    rejection = _reject(request, submission_id, payload)
    return {
        "id": submission_id,
        "status": "rejected",
        "changed": rejection.changed,
        "decision_id": rejection.decision.pk,
    }


@router.post("/projects/{project_id}/submissions/reject", response=responses(RejectedManyOut))
def submissions_reject(request: HttpRequest, project_id: int, payload: RejectManyIn):
    """Next to the bulk /approve."""
    return _reject_many(request, project_id, payload)


@router.post(
    "/quality/submissions/{submission_id}/reject",
    response=responses(DecisionOut),
    deprecated=True,
)
def submission_reject_quality(request: HttpRequest, submission_id: int, payload: RejectIn):
    """Deprecated: use `POST /api/submissions/{submission_id}/reject`. Kept for existing
    scripts; it answers with the decision itself."""
    return decision_out(_reject(request, submission_id, payload).decision)


@router.post(
    "/quality/projects/{project_id}/submissions/reject",
    response=responses(RejectedManyOut),
    deprecated=True,
)
def submissions_reject_quality(request: HttpRequest, project_id: int, payload: RejectManyIn):
    """Deprecated: use `POST /api/projects/{project_id}/submissions/reject`, which answers the
    same. Kept for existing scripts."""
    return _reject_many(request, project_id, payload)


# --- peer review ---------------------------------------------------------------------------


@router.get("/projects/{project_id}/peer-reviews", response=responses(list[PeerReviewRequestOut]))
def peer_reviews(
    request: HttpRequest, project_id: int, limit: PageLimit = 100, offset: Offset = 0
) -> list[dict[str, Any]]:
    """The project's answers sent to other workers for review, newest first, each with its
    reviewers' verdicts and reasons (`limit` at most 500)."""
    project = access_project_for_requester(
        user=request_user(request), project_id=project_id, organisation=requester_scope(request)
    )
    rows = selectors.peer_reviews_for_project(project=project, limit=limit, offset=offset)
    return [
        {
            "submission_id": row.request.submission_id,
            "task_id": row.request.submission.task_id,
            "worker": row.request.submission.worker.username,
            "answer": row.request.submission.answer,
            "answer_text": row.answer_text,
            "status": row.request.status,
            "reviewers_needed": row.request.reviewers,
            "threshold": str(row.request.threshold),
            "accepts": row.accepts,
            "created_at": row.request.created_at,
            "decided_at": row.request.decided_at,
            "decision_id": row.request.decision_id,
            "reviews": [
                {
                    "reviewer": r.reviewer.username,
                    "verdict": r.verdict,
                    "reason": r.reason,
                    "reviewed_at": r.created_at,
                    "agrees": r.agrees,
                }
                for r in row.reviews
            ],
        }
        for row in rows
    ]


# --- bonus ---------------------------------------------------------------------------------


@router.post("/projects/{project_id}/bonuses", response=responses({201: BonusOut}))
def bonus(request: HttpRequest, project_id: int, payload: BonusIn) -> tuple[int, BonusOut]:
    project = access_project_for_requester(
        user=request_user(request), project_id=project_id, organisation=requester_scope(request)
    )
    workers = list(User.objects.filter(pk__in=payload.worker_ids))
    if len(workers) != len(set(payload.worker_ids)):
        raise NotFound(_("Some of these workers do not exist."), field="worker_ids")
    done = services.bonus_pay(
        organisation=project.organisation,
        actor=request_user(request),
        workers=workers,
        amount=payload.amount,
        message=payload.message,
        request_key=payload.request_key,
        project=project,
    )
    return 201, BonusOut(
        workers=len(done), amount=Decimal(payload.amount), currency=project.currency
    )
