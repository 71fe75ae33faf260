"""Requester money API: approve answers, bonuses, billing. Rejecting an answer is quality
control's endpoint (`POST /api/submissions/{id}/reject` in quality/api.py), since a rejection
is a decision the worker is told about and can appeal."""

from decimal import Decimal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from microwork.accounts.api_auth import requester_organisation, requester_scope
from microwork.accounts.auth import request_user
from microwork.accounts.models import User
from microwork.lib.api_errors import responses
from microwork.lib.bounds import IdList
from microwork.lib.errors import NotFound
from microwork.payments import selectors, services
from microwork.projects.access import access_project_for_requester
from microwork.work.models import Submission

router = Router(tags=["money"])


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


class BonusIn(Schema):
    worker_ids: IdList
    amount: str
    message: str
    request_key: str


class BonusOut(Schema):
    workers: int
    amount: Decimal
    currency: str


class ProjectMoneyOut(Schema):
    project_id: int
    name: str
    currency: str
    escrow: Decimal
    paid_to_workers: Decimal
    fees: Decimal
    pending_answers: int


class BillingOut(Schema):
    available: dict[str, Decimal]
    projects: list[ProjectMoneyOut]


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
        ReasonOut(code=c, label=str(label)) for c, label in services.rejection_reasons().items()
    ]


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
    n = services.submissions_approve_bulk(
        project=project, actor=request_user(request), submission_ids=payload.submission_ids
    )
    return BulkOut(approved=n)


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


@router.get("/billing", response=responses(BillingOut))
def billing(request: HttpRequest) -> BillingOut:
    organisation = requester_organisation(request)
    return BillingOut(
        available=dict(selectors.requester_balances(organisation=organisation)),
        projects=[
            ProjectMoneyOut(
                project_id=s.project.pk,
                name=s.project.name,
                currency=s.project.currency,
                escrow=s.escrow,
                paid_to_workers=s.paid_to_workers,
                fees=s.fees,
                pending_answers=s.pending_answers,
            )
            for s in selectors.requester_project_spend(organisation=organisation)
        ],
    )
