"""MTurk's response shapes, made from microwork's objects."""

from datetime import datetime, timedelta
from typing import Any

from microwork.mturk import questions, selectors
from microwork.mturk.keys import assignment_id_for
from microwork.mturk.models import Bonus, Hit, QualificationRequest, QualificationType
from microwork.mturk.protocol import money, stamp
from microwork.mturk.services.workers import worker_alias
from microwork.payments.models import SubmissionReview
from microwork.quality.models import QualificationGrant
from microwork.work.models import Submission

ASSIGNMENT_STATUS: dict[str, str] = {
    Submission.Status.PENDING: "Submitted",
    Submission.Status.APPROVED: "Approved",
    Submission.Status.REJECTED: "Rejected",
}


def hit(h: Hit, now: datetime) -> dict[str, Any]:
    project = h.project
    counts = selectors.hit_counts(h, now)
    settings = h.hit_type.settings
    out: dict[str, Any] = {
        "HITId": h.hit_id,
        "HITTypeId": h.hit_type.hit_type_id,
        "HITGroupId": h.hit_type.hit_type_id,
        "CreationTime": stamp(h.created_at),
        "Title": project.name,
        "Description": project.description,
        "Question": h.question,
        "Keywords": settings.get("keywords", ""),
        "HITStatus": selectors.hit_status(h, counts, now),
        "MaxAssignments": h.max_assignments,
        "Reward": money(project.reward),
        "AutoApprovalDelayInSeconds": project.auto_approve_seconds,
        "Expiration": stamp(h.expires_at),
        "AssignmentDurationInSeconds": project.time_limit_seconds,
        "QualificationRequirements": settings.get("qualification_requirements", []),
        "HITReviewStatus": h.review_status,
        "NumberOfAssignmentsPending": counts.leased,
        "NumberOfAssignmentsAvailable": max(0, h.max_assignments - counts.submitted - counts.leased)
        if selectors.hit_is_open(h, now)
        else 0,
        "NumberOfAssignmentsCompleted": counts.decided,
    }
    if h.requester_annotation:
        out["RequesterAnnotation"] = h.requester_annotation
    return out


def assignment(sub: Submission, h: Hit) -> dict[str, Any]:
    project = h.project
    lease = sub.assignment
    out: dict[str, Any] = {
        "AssignmentId": assignment_id_for(sub.assignment_id),
        "WorkerId": worker_alias(organisation=h.organisation, worker=sub.worker),
        "HITId": h.hit_id,
        "AssignmentStatus": ASSIGNMENT_STATUS[sub.status],
        "AutoApprovalTime": stamp(
            sub.submitted_at + timedelta(seconds=project.auto_approve_seconds)
        ),
        "AcceptTime": stamp(lease.first_leased_at or lease.leased_at),
        "SubmitTime": stamp(sub.submitted_at),
        "Deadline": stamp(lease.expires_at),
        "Answer": questions.answers_xml(sub.answer, _selections(h)),
    }
    review = (
        SubmissionReview.objects.filter(submission=sub).order_by("-at", "-id").first()
        if sub.status != Submission.Status.PENDING
        else None
    )
    if review is not None:
        out["ApprovalTime" if sub.status == Submission.Status.APPROVED else "RejectionTime"] = (
            stamp(review.at)
        )
        if review.note:
            out["RequesterFeedback"] = review.note
    return out


def _selections(h: Hit) -> frozenset[str]:
    if h.question_kind != "form":
        return frozenset()
    try:
        return questions.parse_question(h.question).selections
    except questions.QuestionError:
        return frozenset()


def bonus(b: Bonus) -> dict[str, Any]:
    return {
        "WorkerId": worker_alias(organisation=b.organisation, worker=b.worker),
        "BonusAmount": money(b.amount),
        "AssignmentId": assignment_id_for(b.submission.assignment_id),
        "Reason": b.reason,
        "GrantTime": stamp(b.granted_at),
    }


def qualification_type(qt: QualificationType) -> dict[str, Any]:
    q = qt.qualification
    out: dict[str, Any] = {
        "QualificationTypeId": qt.qualification_type_id,
        "CreationTime": stamp(qt.created_at),
        "Name": q.name,
        "Description": q.description,
        "Keywords": qt.keywords,
        "QualificationTypeStatus": "Active" if qt.active else "Inactive",
        "IsRequestable": qt.active,
        "AutoGranted": qt.auto_granted,
    }
    if qt.auto_granted:
        out["AutoGrantedValue"] = qt.auto_granted_value
    if qt.retry_delay_seconds is not None:
        out["RetryDelayInSeconds"] = qt.retry_delay_seconds
    return out


def qualification(qt: QualificationType, grant: QualificationGrant) -> dict[str, Any]:
    return {
        "QualificationTypeId": qt.qualification_type_id,
        "WorkerId": worker_alias(organisation=qt.qualification.organisation, worker=grant.worker),
        "GrantTime": stamp(grant.granted_at),
        "IntegerValue": grant.value,
        "Status": "Granted" if grant.revoked_at is None else "Revoked",
    }


def qualification_request(r: QualificationRequest) -> dict[str, Any]:
    qt = r.qualification_type
    return {
        "QualificationRequestId": r.request_id,
        "QualificationTypeId": qt.qualification_type_id,
        "WorkerId": worker_alias(organisation=qt.qualification.organisation, worker=r.worker),
        "Answer": r.answer,
        "SubmitTime": stamp(r.submitted_at),
    }
