"""Qualifications and what a project requires of its workers: granting and revoking a
qualification, the requirements on qualification, language, country and device, and the
device a worker was last seen on."""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from microwork.accounts.models import Organisation, User
from microwork.lib.errors import ApplicationError
from microwork.projects.models import Project
from microwork.quality.models import (
    ProjectRequirement,
    Qualification,
    QualificationGrant,
    WorkerDevice,
)

DEVICES = ("phone", "tablet", "desktop")
LANGUAGE_COMPARATORS = {"exists", "==", "!=", "in", "not_exists"}
PLACE_COMPARATORS = {"==", "!=", "in"}


@transaction.atomic
def qualification_create(
    *,
    organisation: Organisation,
    name: str,
    description: str = "",
    kind: str = Qualification.Kind.CUSTOM,
) -> Qualification:
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ApplicationError(
            _("Give the qualification a name of 1 to 120 characters."), field="name"
        )
    if kind not in Qualification.Kind.values:
        raise ApplicationError(_("Unknown kind of qualification."), field="kind")
    return Qualification.objects.create(
        organisation=organisation, name=name, description=(description or "")[:2000], kind=kind
    )


def _whole_number(value: Any, *, field: str) -> int:
    """A typed-in whole number, negative ones too (a requester's own scale)."""
    if isinstance(value, bool):
        raise ApplicationError(_("The value must be a whole number."), field=field)
    if isinstance(value, int):
        return value
    text = str(value if value is not None else "").strip()
    if not text.lstrip("-").isdigit():
        raise ApplicationError(_("The value must be a whole number."), field=field)
    return int(text)


@transaction.atomic
def qualification_grant(
    *,
    qualification: Qualification,
    worker: User,
    value: Any = 1,
    granted_by: User | None,
    now: datetime | None = None,
) -> QualificationGrant:
    """Grant (or re-grant with a new value). Granting twice is the same as granting once."""
    now = now or timezone.now()
    if not worker.is_worker:
        raise ApplicationError(_("Only workers can hold qualifications."), field="worker")
    value = _whole_number(value, field="value")
    grant, created = QualificationGrant.objects.select_for_update().get_or_create(
        qualification=qualification,
        worker=worker,
        defaults={"value": value, "granted_by": granted_by, "granted_at": now},
    )
    if not created:
        grant.value = value
        grant.granted_by = granted_by
        grant.granted_at = now
        grant.revoked_at = None
        grant.save(update_fields=["value", "granted_by", "granted_at", "revoked_at"])
    return grant


@transaction.atomic
def qualification_revoke(
    *, qualification: Qualification, worker: User, now: datetime | None = None
) -> None:
    QualificationGrant.objects.filter(
        qualification=qualification, worker=worker, revoked_at__isnull=True
    ).update(revoked_at=now or timezone.now())


@transaction.atomic
def project_requirement_add(
    *,
    project: Project,
    subject: str,
    comparator: str,
    values: list[Any] | None = None,
    qualification: Qualification | None = None,
) -> ProjectRequirement:
    values = list(values or [])
    if subject not in ProjectRequirement.Subject.values:
        raise ApplicationError(
            _("subject must be one of: %(choices)s.")
            % {"choices": ", ".join(ProjectRequirement.Subject.values)},
            field="subject",
        )
    if comparator not in ProjectRequirement.Comparator.values:
        raise ApplicationError(
            _("comparator must be one of: %(choices)s.")
            % {"choices": ", ".join(ProjectRequirement.Comparator.values)},
            field="comparator",
        )
    needs_values = comparator not in ("exists", "not_exists")
    if needs_values and not values:
        raise ApplicationError(_("Give the value(s) to compare with."), field="values")
    if comparator != "in" and len(values) > 1:
        raise ApplicationError(_("Only the comparator “in” takes several values."), field="values")
    if subject == ProjectRequirement.Subject.QUALIFICATION:
        if qualification is None:
            raise ApplicationError(_("Choose the qualification."), field="qualification")
        if qualification.organisation_id != project.organisation_id:
            raise ApplicationError(
                _("That qualification belongs to another organisation."), field="qualification"
            )
        try:
            values = [int(v) for v in values]
        except (TypeError, ValueError):
            raise ApplicationError(
                _("Qualification values are whole numbers."), field="values"
            ) from None
    else:
        qualification = None
        allowed = LANGUAGE_COMPARATORS if subject == "language" else PLACE_COMPARATORS
        if comparator not in allowed:
            raise ApplicationError(
                _("For %(subject)s use one of: %(choices)s.")
                % {"subject": subject, "choices": ", ".join(sorted(allowed))},
                field="comparator",
            )
        values = [str(v).strip() for v in values]
        if subject == "country":
            values = [v.upper() for v in values]
            if any(len(v) != 2 or not v.isalpha() for v in values):
                raise ApplicationError(
                    _("Countries are two-letter codes such as NG."), field="values"
                )
        elif subject == "language":
            values = [v.lower() for v in values]
            if any(not 2 <= len(v) <= 3 or not v.isalpha() for v in values):
                raise ApplicationError(_("Languages are codes such as en or yo."), field="values")
        elif subject == "device" and any(v not in DEVICES for v in values):
            raise ApplicationError(
                _("Devices are: %(choices)s.") % {"choices": ", ".join(DEVICES)}, field="values"
            )
    return ProjectRequirement.objects.create(
        project=project,
        subject=subject,
        comparator=comparator,
        values=values,
        qualification=qualification,
    )


@transaction.atomic
def project_requirement_remove(*, requirement: ProjectRequirement) -> None:
    requirement.delete()


def worker_device_record(*, worker: User, user_agent: str, now: datetime | None = None) -> str:
    ua = (user_agent or "").lower()
    if "ipad" in ua or "tablet" in ua:
        device = "tablet"
    elif "mobi" in ua or "android" in ua or "iphone" in ua:
        device = "phone"
    else:
        device = "desktop"
    WorkerDevice.objects.update_or_create(
        worker=worker, defaults={"device": device, "seen_at": now or timezone.now()}
    )
    return device
