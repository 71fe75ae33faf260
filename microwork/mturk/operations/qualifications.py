"""Qualification types, grants and requests."""

from typing import Any

from microwork.accounts.models import User
from microwork.mturk import selectors
from microwork.mturk.models import QualificationRequest, QualificationType
from microwork.mturk.operations import shapes
from microwork.mturk.protocol import (
    Context,
    flag,
    invalid,
    page,
    paged,
    request_error,
    text,
    whole,
)
from microwork.mturk.services import qualifications as services
from microwork.quality.models import QualificationGrant

MAX_DELAY = 10 * 365 * 24 * 3600
INT = 2**31 - 1


def _type(ctx: Context, p: dict[str, Any]) -> QualificationType:
    type_id = text(p, "QualificationTypeId", required=True, max_length=64)
    qt = selectors.qualification_type_by_id(ctx.organisation, type_id)
    if qt is None:
        raise request_error(
            f"QualificationType {type_id} does not exist.",
            "AWS.MechanicalTurk.QualificationTypeDoesNotExist",
        )
    return qt


def _worker(ctx: Context, p: dict[str, Any]) -> User:
    worker_id = text(p, "WorkerId", required=True, max_length=64)
    worker = selectors.worker_by_alias(ctx.organisation, worker_id)
    if worker is None:
        raise request_error(
            f"Worker {worker_id} does not exist (a WorkerId is known once the worker has done "
            "one of your HITs).",
            "AWS.MechanicalTurk.WorkerDoesNotExist",
        )
    return worker


def _no_tests(p: dict[str, Any]) -> None:
    for name in ("Test", "AnswerKey", "TestDurationInSeconds"):
        if p.get(name) is not None:
            raise request_error(
                f"{name}: qualification tests are made in microwork's quality settings "
                "(tests with paid questions and feedback), not as a QuestionForm here."
            )


def create_qualification_type(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    _no_tests(p)
    status = text(p, "QualificationTypeStatus", required=True, max_length=10)
    if status not in ("Active", "Inactive"):
        raise invalid("QualificationTypeStatus", "must be Active or Inactive.")
    qt = services.qualification_type_create(
        organisation=ctx.organisation,
        name=text(p, "Name", required=True, max_length=120),
        description=text(p, "Description", required=True, max_length=2000),
        keywords=text(p, "Keywords", max_length=1000),
        active=status == "Active",
        auto_granted=flag(p, "AutoGranted"),
        auto_granted_value=whole(p, "AutoGrantedValue", low=-INT, high=INT, default=1) or 0,
        retry_delay=whole(p, "RetryDelayInSeconds", low=0, high=MAX_DELAY),
        now=ctx.now,
    )
    return {"QualificationType": shapes.qualification_type(qt)}


def get_qualification_type(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    return {"QualificationType": shapes.qualification_type(_type(ctx, p))}


def list_qualification_types(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    if "MustBeRequestable" not in p:
        raise invalid("MustBeRequestable", "is required.")
    requestable = flag(p, "MustBeRequestable")
    if not flag(p, "MustBeOwnedByCaller", default=True):
        raise request_error(
            "Only your own qualification types are listed here (MustBeOwnedByCaller=true)."
        )
    qs = QualificationType.objects.filter(
        qualification__organisation=ctx.organisation, deleted_at__isnull=True
    ).select_related("qualification")
    query = text(p, "Query", max_length=200)
    if query:
        qs = qs.filter(qualification__name__icontains=query)
    if requestable:
        qs = qs.filter(active=True)
    offset, size = page(p)
    rows = list(qs.order_by("created_at", "id")[offset : offset + size + 1])
    return paged(rows, offset, size, "QualificationTypes", shapes.qualification_type)


def update_qualification_type(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    qt = _type(ctx, p)
    _no_tests(p)
    changes: dict[str, Any] = {}
    if p.get("Description") is not None:
        changes["description"] = text(p, "Description", max_length=2000)
    if p.get("QualificationTypeStatus") is not None:
        status = text(p, "QualificationTypeStatus", max_length=10)
        if status not in ("Active", "Inactive"):
            raise invalid("QualificationTypeStatus", "must be Active or Inactive.")
        changes["active"] = status == "Active"
    if p.get("AutoGranted") is not None:
        changes["auto_granted"] = flag(p, "AutoGranted")
    if p.get("AutoGrantedValue") is not None:
        changes["auto_granted_value"] = whole(p, "AutoGrantedValue", low=-INT, high=INT)
    if p.get("RetryDelayInSeconds") is not None:
        changes["retry_delay_seconds"] = whole(p, "RetryDelayInSeconds", low=0, high=MAX_DELAY)
    qt = services.qualification_type_update(qt=qt, changes=changes)
    return {"QualificationType": shapes.qualification_type(qt)}


def delete_qualification_type(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    services.qualification_type_delete(qt=_type(ctx, p), now=ctx.now)
    return {}


def associate_qualification_with_worker(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    qt = _type(ctx, p)
    value = whole(p, "IntegerValue", low=-INT, high=INT, default=1)
    services.worker_qualify(
        qt=qt, worker=_worker(ctx, p), value=value or 0, by=ctx.user, now=ctx.now
    )
    return {}


def disassociate_qualification_from_worker(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    qt = _type(ctx, p)
    text(p, "Reason", max_length=1024)
    services.worker_unqualify(qt=qt, worker=_worker(ctx, p), now=ctx.now)
    return {}


def get_qualification_score(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    qt = _type(ctx, p)
    worker = _worker(ctx, p)
    grant = QualificationGrant.objects.filter(qualification=qt.qualification, worker=worker).first()
    if grant is None:
        raise request_error(
            f"You requested a Qualification that does not exist: {qt.qualification_type_id} "
            f"for {p['WorkerId']}.",
            "AWS.MechanicalTurk.QualificationDoesNotExist",
        )
    return {"Qualification": shapes.qualification(qt, grant)}


def list_workers_with_qualification_type(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    qt = _type(ctx, p)
    status = text(p, "Status", max_length=10)
    grants = QualificationGrant.objects.filter(qualification=qt.qualification)
    if status == "Granted":
        grants = grants.filter(revoked_at__isnull=True)
    elif status == "Revoked":
        grants = grants.filter(revoked_at__isnull=False)
    elif status:
        raise invalid("Status", "must be Granted or Revoked.")
    offset, size = page(p)
    rows = list(
        grants.select_related("worker").order_by("granted_at", "id")[offset : offset + size + 1]
    )
    return paged(rows, offset, size, "Qualifications", lambda g: shapes.qualification(qt, g))


def list_qualification_requests(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    requests = QualificationRequest.objects.filter(
        qualification_type__qualification__organisation=ctx.organisation,
        status=QualificationRequest.Status.PENDING,
    )
    if p.get("QualificationTypeId"):
        requests = requests.filter(qualification_type=_type(ctx, p))
    offset, size = page(p)
    rows = list(
        requests.select_related(
            "qualification_type__qualification__organisation", "worker"
        ).order_by("submitted_at", "id")[offset : offset + size + 1]
    )
    return paged(rows, offset, size, "QualificationRequests", shapes.qualification_request)


def _request(ctx: Context, p: dict[str, Any]) -> QualificationRequest:
    request_id = text(p, "QualificationRequestId", required=True, max_length=64)
    found = QualificationRequest.objects.filter(
        request_id=request_id,
        qualification_type__qualification__organisation=ctx.organisation,
    ).first()
    if found is None:
        raise request_error(f"QualificationRequest {request_id} does not exist.")
    return found


def accept_qualification_request(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    request = _request(ctx, p)
    value = whole(p, "IntegerValue", low=-INT, high=INT, default=1)
    services.qualification_request_decide(
        request=request, accept=True, value=value or 0, reason="", by=ctx.user, now=ctx.now
    )
    return {}


def reject_qualification_request(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    request = _request(ctx, p)
    services.qualification_request_decide(
        request=request,
        accept=False,
        value=0,
        reason=text(p, "Reason", max_length=1024),
        by=ctx.user,
        now=ctx.now,
    )
    return {}
