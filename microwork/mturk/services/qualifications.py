"""MTurk's qualification types over the quality app's qualifications: the same grants, so a
HIT's requirements are checked by quality's eligibility like any project's."""

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from microwork.accounts.models import Organisation, User
from microwork.lib.errors import ApplicationError
from microwork.mturk.keys import new_entity_id
from microwork.mturk.models import QualificationRequest, QualificationType
from microwork.quality.models import Qualification, QualificationGrant
from microwork.quality.services.qualifications import (
    qualification_create,
    qualification_grant,
    qualification_revoke,
)


@transaction.atomic
def qualification_type_create(
    *,
    organisation: Organisation,
    name: str,
    description: str,
    keywords: str,
    active: bool,
    auto_granted: bool,
    auto_granted_value: int,
    retry_delay: int | None,
    now: datetime,
) -> QualificationType:
    if Qualification.objects.filter(
        organisation=organisation, name=name.strip(), mturk__deleted_at__isnull=True
    ).exists():
        raise ApplicationError(
            f"You have already created a QualificationType with this name: {name}", field="Name"
        )
    qualification = qualification_create(
        organisation=organisation, name=name, description=description
    )
    return QualificationType.objects.create(
        qualification=qualification,
        qualification_type_id=new_entity_id("Q"),
        keywords=keywords,
        active=active,
        auto_granted=auto_granted,
        auto_granted_value=auto_granted_value,
        retry_delay_seconds=retry_delay,
        created_at=now,
    )


@transaction.atomic
def qualification_type_update(
    *, qt: QualificationType, changes: dict[str, Any]
) -> QualificationType:
    qt = QualificationType.objects.select_for_update().get(pk=qt.pk)
    if "description" in changes:
        Qualification.objects.filter(pk=qt.qualification_id).update(
            description=changes.pop("description")[:2000]
        )
    for name, value in changes.items():
        setattr(qt, name, value)
    qt.save()
    qt.refresh_from_db()
    return qt


@transaction.atomic
def qualification_type_delete(*, qt: QualificationType, now: datetime) -> None:
    """Its grants are revoked (workers holding it are no longer offered work that asks for
    it); the qualification stays for the record."""
    qt = QualificationType.objects.select_for_update().get(pk=qt.pk)
    qt.deleted_at = now
    qt.active = False
    qt.save(update_fields=["deleted_at", "active"])
    QualificationGrant.objects.filter(
        qualification_id=qt.qualification_id, revoked_at__isnull=True
    ).update(revoked_at=now)


def worker_qualify(*, qt: QualificationType, worker: User, value: int, by: User, now: datetime):
    return qualification_grant(
        qualification=qt.qualification, worker=worker, value=value, granted_by=by, now=now
    )


def worker_unqualify(*, qt: QualificationType, worker: User, now: datetime) -> None:
    qualification_revoke(qualification=qt.qualification, worker=worker, now=now)


@transaction.atomic
def qualification_request_create(
    *, qt: QualificationType, worker: User, answer: str, now: datetime
) -> QualificationRequest:
    """A worker asks for a qualification; an auto-granted type grants it at once. Asking
    again while a request waits returns that request (a double tap counts once). After a
    rejection the worker may ask again once the type's RetryDelayInSeconds has passed; a type
    without one takes a single request per worker, as on MTurk."""
    qt = QualificationType.objects.select_for_update().get(pk=qt.pk)
    if not qt.active or qt.deleted_at is not None:
        raise ApplicationError(_("This qualification is not open to requests."))
    if QualificationGrant.objects.filter(
        qualification_id=qt.qualification_id, worker=worker, revoked_at__isnull=True
    ).exists():
        raise ApplicationError(_("You already hold this qualification."))
    previous = (
        QualificationRequest.objects.filter(qualification_type=qt, worker=worker)
        .order_by("-submitted_at", "-id")
        .first()
    )
    if previous is not None and previous.status == QualificationRequest.Status.PENDING:
        return previous
    if previous is not None and previous.status == QualificationRequest.Status.REJECTED:
        decided = previous.decided_at or previous.submitted_at
        if qt.retry_delay_seconds is None:
            raise ApplicationError(_("Your request was refused; this one cannot be asked again."))
        if (now - decided).total_seconds() < qt.retry_delay_seconds:
            raise ApplicationError(
                _("Your request was refused; you may ask again after %(when)s UTC.")
                % {
                    "when": (decided + timedelta(seconds=qt.retry_delay_seconds)).strftime(
                        "%Y-%m-%d %H:%M"
                    )
                }
            )
    request = QualificationRequest.objects.create(
        qualification_type=qt,
        request_id=new_entity_id("R"),
        worker=worker,
        answer=answer[:4000],
        submitted_at=now,
    )
    if qt.auto_granted:
        qualification_request_decide(
            request=request, accept=True, value=qt.auto_granted_value, reason="", by=None, now=now
        )
    return request


@transaction.atomic
def qualification_request_decide(
    *,
    request: QualificationRequest,
    accept: bool,
    value: int,
    reason: str,
    by: User | None,
    now: datetime,
) -> QualificationRequest:
    request = QualificationRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != QualificationRequest.Status.PENDING:
        raise ApplicationError(
            f"QualificationRequest {request.request_id} was already answered.",
            field="QualificationRequestId",
        )
    if accept:
        qualification_grant(
            qualification=request.qualification_type.qualification,
            worker=request.worker,
            value=value,
            granted_by=by,
            now=now,
        )
    request.status = (
        QualificationRequest.Status.ACCEPTED if accept else QualificationRequest.Status.REJECTED
    )
    request.reason = reason[:2000]
    request.decided_at = now
    request.save(update_fields=["status", "reason", "decided_at"])
    return request
