"""The quality side of "may this worker work on this project?", registered in the work
engine's ELIGIBILITY_CHECKS. A refusal names the reason and where to read more or appeal."""

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from microwork.accounts.models import User, WorkerProfile
from microwork.lib.l10n import datetime_text
from microwork.projects.models import Project
from microwork.quality import selectors, texts
from microwork.quality.models import (
    ProjectRequirement,
    QualificationGrant,
    QualificationTest,
    TestAnswer,
)


def sanction_check(project: Project, worker: User, now: datetime) -> str | None:
    decision = selectors.blocking_decision(project=project, worker=worker, now=now)
    if decision is None:
        return None
    return _("%(headline)s. See why and appeal: %(url)s") % {
        "headline": texts.decision_headline(decision),
        "url": reverse("quality:decision", args=[decision.pk]),
    }


def requirements_check(project: Project, worker: User, now: datetime) -> str | None:
    for requirement in project.requirements.select_related("qualification").order_by("id"):
        refusal = requirement_refusal(requirement=requirement, worker=worker)
        if refusal:
            return refusal
    return None


def controls_seen_in_tests(*, project: Project, worker_id: int) -> QuerySet[TestAnswer, Any]:
    """The project's control tasks this worker was asked in a test or training: the review
    and the training feedback showed their expected answers, so they can no longer check the
    worker's work (registered in work's CONTROL_EXCLUSIONS)."""
    return TestAnswer.objects.filter(
        attempt__worker_id=worker_id, attempt__test__project=project
    ).values("task_id")


def check(*, project: Project, worker: User, now: datetime) -> str | None:
    """The work engine's eligibility check (its ELIGIBILITY_CHECKS): a sanction first, then the
    project's requirements."""
    return sanction_check(project, worker, now) or requirements_check(project, worker, now)


def _compare(comparator: str, held: Any, values: list[Any]) -> bool:
    if comparator == "exists":
        return held is not None
    if comparator == "not_exists":
        return held is None
    if held is None:
        return False
    if comparator == "in":
        return held in values
    target = values[0]
    return {
        "==": held == target,
        "!=": held != target,
        "<": held < target,
        "<=": held <= target,
        ">": held > target,
        ">=": held >= target,
    }[comparator]


def requirement_met(*, requirement: ProjectRequirement, worker: User) -> bool:
    subject, comparator, values = requirement.subject, requirement.comparator, requirement.values
    if subject == ProjectRequirement.Subject.QUALIFICATION:
        # The requirement_names_qualification constraint: this subject always names one.
        assert requirement.qualification_id is not None
        grant = QualificationGrant.objects.filter(
            qualification_id=requirement.qualification_id, worker=worker, revoked_at__isnull=True
        ).first()
        return _compare(comparator, grant.value if grant else None, values)
    profile = WorkerProfile.objects.filter(user=worker).first()
    if subject == ProjectRequirement.Subject.LANGUAGE:
        spoken = set(profile.languages if profile else [])
        if comparator == "exists":
            return bool(spoken)
        if comparator == "not_exists":
            return not spoken
        if comparator == "!=":
            return values[0] not in spoken
        return bool(spoken & set(values))
    if subject == ProjectRequirement.Subject.COUNTRY:
        held = profile.country.upper() if profile and profile.country else None
    else:
        device = getattr(worker, "quality_device", None)
        held = device.device if device else None
    return _compare(comparator, held, values)


def requirement_refusal(*, requirement: ProjectRequirement, worker: User) -> str | None:
    if requirement_met(requirement=requirement, worker=worker):
        return None
    values = ", ".join(str(v) for v in requirement.values)
    if requirement.subject == ProjectRequirement.Subject.QUALIFICATION:
        qualification = requirement.qualification
        # The requirement_names_qualification constraint: this subject always names one.
        assert qualification is not None
        test = QualificationTest.objects.filter(qualification=qualification).first()
        if test is not None and requirement.comparator in ("exists", ">=", ">"):
            again = selectors.retake_at(test=test, worker=worker)
            if again is not None:
                # Said where the test is listed, before the worker clicks Start for nothing.
                return _(
                    "You can take the paid test “%(name)s” again from %(when)s UTC: %(url)s"
                ) % {
                    "name": test.name,
                    "when": datetime_text(again),
                    "url": reverse("quality:test", args=[test.pk]),
                }
            if test.is_training:
                message = _("Finish the paid training “%(name)s” first: %(url)s")
            else:
                message = _("Pass the paid test “%(name)s” first: %(url)s")
            return message % {
                "name": test.name,
                "url": reverse("quality:test", args=[test.pk]),
            }
        return _("This project needs the qualification “%(name)s” (%(comparator)s %(values)s).") % {
            "name": qualification.name,
            "comparator": requirement.get_comparator_display(),
            "values": values,
        }
    return _("This project needs %(subject)s %(comparator)s %(values)s.") % {
        "subject": requirement.get_subject_display().lower(),
        "comparator": requirement.get_comparator_display(),
        "values": values,
    }
