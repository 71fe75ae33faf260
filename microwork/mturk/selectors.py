"""Reads: a HIT's state and counts as MTurk reports them, and the objects an MTurk id names,
always within the caller's organisation (an id of another organisation is "not found")."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q

from microwork.accounts.models import Organisation, User
from microwork.mturk.keys import lease_id_from
from microwork.mturk.models import (
    AccessKey,
    Hit,
    HitType,
    QualificationRequest,
    QualificationType,
    WorkerAlias,
)
from microwork.projects.models import Project
from microwork.work.models import Assignment, Submission


@dataclass(frozen=True)
class HitCounts:
    leased: int
    submitted: int
    pending_review: int
    decided: int


def hit_counts(hit: Hit, now: datetime) -> HitCounts:
    leased = Assignment.objects.filter(
        task_id=hit.task_id, status=Assignment.Status.LEASED, expires_at__gt=now
    ).count()
    subs = Submission.objects.filter(task_id=hit.task_id).aggregate(
        n=Count("id"),
        pending=Count("id", filter=Q(status=Submission.Status.PENDING)),
    )
    return HitCounts(
        leased=leased,
        submitted=subs["n"],
        pending_review=subs["pending"],
        decided=subs["n"] - subs["pending"],
    )


def hit_is_open(hit: Hit, now: datetime) -> bool:
    return (
        hit.disposed_at is None
        and hit.expires_at > now
        and hit.project.status == Project.Status.LIVE
    )


def hit_status(hit: Hit, counts: HitCounts, now: datetime) -> str:
    if hit.disposed_at is not None:
        return "Disposed"
    if hit.reviewing:
        return "Reviewing"
    available = hit.max_assignments - counts.submitted - counts.leased
    if hit_is_open(hit, now):
        if available > 0:
            return "Assignable"
        if counts.leased:
            return "Unassignable"
    elif counts.leased and hit.expires_at <= now:
        return "Unassignable"
    return "Reviewable"


def hits_of(organisation: Organisation):
    return (
        Hit.objects.filter(organisation=organisation, disposed_at__isnull=True)
        .select_related("hit_type", "project")
        .order_by("created_at", "id")
    )


def hit_by_id(organisation: Organisation, hit_id: str) -> Hit | None:
    return (
        Hit.objects.filter(organisation=organisation, hit_id=hit_id)
        .select_related("hit_type", "project")
        .first()
    )


def hit_type_by_id(organisation: Organisation, hit_type_id: str) -> HitType | None:
    return HitType.objects.filter(organisation=organisation, hit_type_id=hit_type_id).first()


def qualification_type_by_id(organisation: Organisation, type_id: str) -> QualificationType | None:
    return (
        QualificationType.objects.filter(
            qualification_type_id=type_id,
            qualification__organisation=organisation,
            deleted_at__isnull=True,
        )
        .select_related("qualification")
        .first()
    )


def submission_by_assignment_id(
    organisation: Organisation, assignment_id: str
) -> Submission | None:
    """An AssignmentId names the worker's lease, with a MAC (keys.assignment_id_for); only
    the organisation's own HITs' answers are found."""
    lease_id = lease_id_from(assignment_id)
    if lease_id is None:
        return None
    return (
        Submission.objects.filter(
            assignment_id=lease_id,
            project__organisation=organisation,
            project__mturk_hit__isnull=False,
        )
        .select_related("project", "worker", "assignment")
        .first()
    )


def worker_by_alias(organisation: Organisation, worker_id: str) -> User | None:
    alias = (
        WorkerAlias.objects.filter(organisation=organisation, alias=worker_id)
        .select_related("worker")
        .first()
    )
    return alias.worker if alias else None


def access_key_active(access_key_id: str) -> AccessKey | None:
    return (
        AccessKey.objects.filter(access_key_id=access_key_id, revoked_at__isnull=True)
        .select_related("user", "organisation")
        .first()
    )


def access_keys_of(user: User):
    return AccessKey.objects.filter(user=user).select_related("organisation").order_by("-id")


def requestable_types():
    """The qualification types workers may ask for (MTurk lists them to every worker)."""
    return (
        QualificationType.objects.filter(active=True, deleted_at__isnull=True)
        .select_related("qualification", "qualification__organisation")
        .order_by("qualification__name", "id")
    )


def requests_of(worker: User) -> dict[int, QualificationRequest]:
    """The worker's latest request per qualification type."""
    latest: dict[int, QualificationRequest] = {}
    for request in QualificationRequest.objects.filter(worker=worker).order_by(
        "submitted_at", "id"
    ):
        latest[request.qualification_type_id] = request
    return latest
