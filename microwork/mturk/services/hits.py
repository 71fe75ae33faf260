"""HIT types and HITs. A HIT is made as a project of its own holding the HIT type's settings,
with one task, through the projects services, so every rule of a project applies: the pay
floor when it goes live, escrow for its answers, the locks on a project with answers."""

import hashlib
import json
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction

from microwork.accounts.models import Organisation, User
from microwork.lib.errors import ApplicationError
from microwork.mturk import questions
from microwork.mturk.keys import new_entity_id
from microwork.mturk.models import ExtraAssignments, Hit, HitType
from microwork.mturk.models import QualificationType as MturkQualificationType
from microwork.projects.models import Project
from microwork.projects.services import projects as project_services
from microwork.projects.services.project_checks import (
    MAX_AUTO_APPROVE_SECONDS,
    MIN_AUTO_APPROVE_SECONDS,
)
from microwork.projects.services.tasks import task_add
from microwork.quality.models import ProjectRequirement
from microwork.quality.services.qualifications import project_requirement_add

# MTurk's worker locale qualification: mapped onto microwork's country requirement.
LOCALE_QUALIFICATION = "00000000000000000071"
COMPARATORS = {
    "LessThan": "<",
    "LessThanOrEqualTo": "<=",
    "GreaterThan": ">",
    "GreaterThanOrEqualTo": ">=",
    "EqualTo": "==",
    "NotEqualTo": "!=",
    "Exists": "exists",
    "DoesNotExist": "not_exists",
    "In": "in",
}
# MTurk lets an answer wait up to 30 days for approval; microwork's workers wait at most 7.
MAX_AUTO_APPROVAL = MAX_AUTO_APPROVE_SECONDS
MIN_AUTO_APPROVAL = MIN_AUTO_APPROVE_SECONDS
# microwork needs an estimate of a task's time (the pay floor is checked on it until enough
# answers are measured); MTurk has only the time allowed, which requesters set generously.
# A fifth of it is taken as the estimate.
ESTIMATE_SHARE = 5


class HitError(ApplicationError):
    """Refused as MTurk's RequestError."""


def hit_type_settings_clean(
    *,
    organisation: Organisation,
    title: str,
    description: str,
    keywords: str,
    reward: Decimal,
    assignment_duration: int,
    auto_approval_delay: int,
    requirements: list[dict[str, Any]],
) -> dict[str, Any]:
    for requirement in requirements:
        _requirement_check(organisation, requirement)
    return {
        "title": title,
        "description": description,
        "keywords": keywords,
        "reward": str(reward),
        "assignment_duration": assignment_duration,
        "auto_approval_delay": auto_approval_delay,
        "qualification_requirements": requirements,
    }


def _requirement_check(organisation: Organisation, requirement: dict[str, Any]) -> None:
    type_id = requirement["QualificationTypeId"]
    comparator = requirement["Comparator"]
    if comparator not in COMPARATORS:
        raise HitError(f"Comparator {comparator} is not supported; use In with the other values.")
    if type_id == LOCALE_QUALIFICATION:
        if comparator not in ("EqualTo", "NotEqualTo", "In"):
            raise HitError("The locale requirement takes EqualTo, NotEqualTo or In.")
        return
    if not MturkQualificationType.objects.filter(
        qualification_type_id=type_id,
        qualification__organisation=organisation,
        deleted_at__isnull=True,
    ).exists():
        raise HitError(
            f"QualificationTypeId {type_id} is not one of your qualification types. "
            "MTurk's system qualifications (approval rate, number approved, Masters) have "
            "no equivalent here: workers' standing is kept by quality control instead."
        )


@transaction.atomic
def hit_type_create(
    *, organisation: Organisation, settings: dict[str, Any], now: datetime
) -> HitType:
    """The same settings give the same HIT type, as on MTurk."""
    fingerprint = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()
    found = HitType.objects.filter(organisation=organisation, fingerprint=fingerprint).first()
    if found is not None:
        return found
    return HitType.objects.create(
        organisation=organisation,
        hit_type_id=new_entity_id("T"),
        settings=settings,
        fingerprint=fingerprint,
        created_at=now,
    )


def _project_values(settings: dict[str, Any]) -> dict[str, Any]:
    duration = int(settings["assignment_duration"])
    return {
        "name": settings["title"],
        "description": settings["description"],
        "reward": Decimal(settings["reward"]),
        "estimated_seconds": max(1, duration // ESTIMATE_SHARE),
        "time_limit_seconds": duration,
        "auto_approve_seconds": min(
            MAX_AUTO_APPROVAL, max(MIN_AUTO_APPROVAL, int(settings["auto_approval_delay"]))
        ),
    }


def _requirements_apply(project: Project, settings: dict[str, Any]) -> None:
    ProjectRequirement.objects.filter(project=project).delete()
    for requirement in settings["qualification_requirements"]:
        comparator = COMPARATORS[requirement["Comparator"]]
        if requirement["QualificationTypeId"] == LOCALE_QUALIFICATION:
            countries = [v["Country"] for v in requirement.get("LocaleValues") or []]
            project_requirement_add(
                project=project, subject="country", comparator=comparator, values=countries
            )
            continue
        qt = MturkQualificationType.objects.select_related("qualification").get(
            qualification_type_id=requirement["QualificationTypeId"]
        )
        project_requirement_add(
            project=project,
            subject="qualification",
            comparator=comparator,
            values=list(requirement.get("IntegerValues") or []),
            qualification=qt.qualification,
        )


@transaction.atomic
def hit_create(
    *,
    organisation: Organisation,
    actor: User,
    hit_type: HitType,
    question: str,
    max_assignments: int,
    lifetime_seconds: int,
    annotation: str,
    request_token: str | None,
    now: datetime,
) -> Hit:
    if request_token:
        existing = Hit.objects.filter(
            organisation=organisation, unique_request_token=request_token
        ).first()
        if existing is not None:
            raise HitError(
                "There is already a HIT with this unique request token: "
                f"{existing.hit_id}. The request was not repeated."
            )
    try:
        parsed = questions.parse_question(question)
    except questions.QuestionError as exc:
        raise HitError(str(exc)) from None
    settings = hit_type.settings
    hit_id = new_entity_id("H")
    if parsed.kind == "external":
        # The requester's page in a frame (mturk/interface.py), answered through
        # /mturk/externalSubmit.
        interface = "external_question"
        config: dict[str, Any] = {"url": parsed.url}
        if parsed.frame_height:
            config["frame_height"] = min(5000, max(100, parsed.frame_height))
    else:
        interface, config = "html_form", {"html": parsed.html}
    project = project_services.project_create(
        organisation=organisation,
        actor=actor,
        interface=interface,
        config=config,
        overlap=max_assignments,
        gold_rate=Decimal(0),
        **_project_values(settings),
    )
    _requirements_apply(project, settings)
    task = task_add(project=project, actor=actor, data={}, external_id=hit_id)
    project = project_services.project_set_status(
        project=project, actor=actor, status=Project.Status.LIVE, reason="CreateHIT"
    )
    return Hit.objects.create(
        organisation=organisation,
        hit_id=hit_id,
        hit_type=hit_type,
        project=project,
        task=task,
        question_kind=parsed.kind,
        question=question,
        requester_annotation=annotation,
        max_assignments=max_assignments,
        expires_at=now + timedelta(seconds=lifetime_seconds),
        unique_request_token=request_token or None,
        created_at=now,
    )


@transaction.atomic
def hit_expiry_set(*, hit: Hit, expires_at: datetime, now: datetime) -> Hit:
    """A moment in the past expires the HIT now; a later one extends it."""
    hit = Hit.objects.select_for_update().get(pk=hit.pk)
    if hit.disposed_at is not None:
        raise HitError(f"HIT {hit.hit_id} was deleted.")
    hit.expires_at = max(expires_at, now) if expires_at > now else now
    hit.save(update_fields=["expires_at"])
    return hit


@transaction.atomic
def hit_review_status_set(*, hit: Hit, revert: bool) -> Hit:
    hit = Hit.objects.select_for_update().get(pk=hit.pk)
    hit.reviewing = not revert
    hit.save(update_fields=["reviewing"])
    return hit


@transaction.atomic
def hit_assignments_add(*, hit: Hit, actor: User, number: int, request_token: str | None) -> Hit:
    hit = Hit.objects.select_for_update().get(pk=hit.pk)
    if request_token:
        _extra, created = ExtraAssignments.objects.get_or_create(
            hit=hit, unique_request_token=request_token, defaults={"number": number}
        )
        if not created:
            return hit  # a retry: the assignments were added once
    if hit.disposed_at is not None:
        raise HitError(f"HIT {hit.hit_id} was deleted.")
    project_services.project_update(
        project=hit.project, actor=actor, changes={"overlap": hit.max_assignments + number}
    )
    hit.max_assignments += number
    hit.save(update_fields=["max_assignments"])
    return hit


@transaction.atomic
def hit_type_change(*, hit: Hit, actor: User, hit_type: HitType) -> Hit:
    """The HIT's project takes the new type's settings; a project with answers keeps the
    locks it always has (the reward may rise, not fall)."""
    hit = Hit.objects.select_for_update().get(pk=hit.pk)
    project_services.project_update(
        project=hit.project, actor=actor, changes=_project_values(hit_type.settings)
    )
    _requirements_apply(hit.project, hit_type.settings)
    hit.hit_type = hit_type
    hit.save(update_fields=["hit_type"])
    return hit


@transaction.atomic
def hit_delete(*, hit: Hit, actor: User, pending: int, assignable: bool, now: datetime) -> Hit:
    """Only a HIT no worker can take any more, with every answer decided, is deleted (as on
    MTurk); its project is completed, which returns the unused escrow."""
    hit = Hit.objects.select_for_update().get(pk=hit.pk)
    if hit.disposed_at is not None:
        return hit
    if assignable or pending:
        raise HitError(
            "This HIT is currently in the state 'Assignable' or has answers waiting for "
            "approval. This operation can be called for an expired HIT whose answers are "
            "all approved or rejected."
        )
    project = hit.project
    if project.status in (Project.Status.LIVE, Project.Status.PAUSED):
        project_services.project_set_status(
            project=project, actor=actor, status=Project.Status.COMPLETED, reason="DeleteHIT"
        )
    hit.disposed_at = now
    hit.save(update_fields=["disposed_at"])
    return hit
