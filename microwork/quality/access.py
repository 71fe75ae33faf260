"""May this person touch this thing? One helper per entity and role; every view and endpoint
uses them. Another person's rows answer 404 so ids cannot be probed."""

from django.utils.translation import gettext as _

from microwork.accounts.access import access_worker
from microwork.accounts.models import Organisation, User
from microwork.lib.errors import Forbidden, NotFound
from microwork.projects.access import access_project_for_requester
from microwork.quality.models import (
    Appeal,
    Decision,
    ProjectRequirement,
    Qualification,
    QualificationTest,
    TestAttempt,
)
from microwork.work.models import Submission

__all__ = [
    "access_appeal_for_decider",
    "access_decision_for_operator",
    "access_attempt_for_worker",
    "access_decision_for_worker",
    "access_operator",
    "access_project_for_requester",
    "access_qualification_for_requester",
    "access_requirement_for_requester",
    "access_submission_for_requester",
    "access_test_for_worker",
]


def access_operator(*, user: User) -> User:
    if not user.is_authenticated or not user.is_staff:
        raise Forbidden(_("This page is for operators."))
    return user


def access_decision_for_worker(*, user: User, decision_id: int) -> Decision:
    # No worker-profile check: a suspended or removed worker must still read and appeal.
    if not user.is_authenticated:
        raise Forbidden(_("Log in to see your decisions."))
    decision = (
        Decision.objects.select_related("project", "decided_by")
        .filter(pk=decision_id, worker=user)
        .first()
    )
    if decision is None:
        raise NotFound(_("No such decision."), field="decision_id")
    return decision


def access_decision_for_operator(*, user: User, decision_id: int) -> Decision:
    """An account suspension or a flag, the decisions operators lift."""
    access_operator(user=user)
    decision = Decision.objects.filter(
        pk=decision_id, kind__in=[Decision.Kind.SUSPENSION, Decision.Kind.FLAG]
    ).first()
    if decision is None:
        raise NotFound(_("No such decision."), field="decision_id")
    return decision


def access_requirement_for_requester(
    *,
    user: User,
    project_id: int,
    requirement_id: int,
    organisation: Organisation | None = None,
) -> ProjectRequirement:
    project = access_project_for_requester(
        user=user, project_id=project_id, organisation=organisation
    )
    requirement = project.requirements.filter(pk=requirement_id).first()
    if requirement is None:
        raise NotFound(_("No such requirement."), field="requirement_id")
    return requirement


def access_test_for_worker(*, user: User, test_id: int) -> QualificationTest:
    access_worker(user=user)
    test = (
        QualificationTest.objects.select_related("project", "qualification")
        .filter(pk=test_id)
        .first()
    )
    if test is None:
        raise NotFound(_("No such test."), field="test_id")
    return test


def access_attempt_for_worker(*, user: User, attempt_id: int) -> TestAttempt:
    access_worker(user=user)
    attempt = (
        TestAttempt.objects.select_related("test", "test__project")
        .filter(pk=attempt_id, worker=user)
        .first()
    )
    if attempt is None:
        raise NotFound(_("No such attempt."), field="attempt_id")
    return attempt


def access_qualification_for_requester(
    *, user: User, qualification_id: int, organisation: Organisation | None = None
) -> Qualification:
    qs = Qualification.objects.filter(pk=qualification_id, organisation__memberships__user=user)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    qualification = qs.first()
    if qualification is None:
        raise NotFound(_("No such qualification."), field="qualification_id")
    return qualification


def access_submission_for_requester(
    *, user: User, submission_id: int, organisation: Organisation | None = None
) -> Submission:
    submission = Submission.objects.filter(pk=submission_id).only("project_id").first()
    if submission is None:
        raise NotFound(_("No such answer."), field="submission_id")
    try:
        access_project_for_requester(
            user=user, project_id=submission.project_id, organisation=organisation
        )
    except NotFound:
        raise NotFound(_("No such answer."), field="submission_id") from None
    return Submission.objects.select_related("project", "task", "worker").get(pk=submission_id)


def access_appeal_for_decider(
    *, user: User, appeal_id: int, organisation: Organisation | None = None
) -> Appeal:
    """Requesters answer appeals on their projects; operators answer the ones routed to them
    (account-level and escalated) and may step into any.

    A call confined to one organisation (an API token made for it) reaches only the appeals on
    that organisation's projects, whoever holds the token: operator powers go with the
    operator's own session, never with a token another organisation's script could use."""
    appeal = (
        Appeal.objects.select_related("decision", "decision__project", "worker")
        .filter(pk=appeal_id)
        .first()
    )
    if appeal is None or not user.is_authenticated:
        raise NotFound(_("No such appeal."), field="appeal_id")
    organisation_id = appeal.decision.requester_organisation_id
    if organisation is not None:
        if (
            organisation_id is None
            or organisation_id != organisation.pk
            or not user.memberships.filter(organisation=organisation).exists()
        ):
            raise NotFound(_("No such appeal."), field="appeal_id")
        if user.is_staff or appeal.route == Appeal.Route.REQUESTER:
            return appeal
        raise NotFound(_("No such appeal."), field="appeal_id")
    if user.is_staff:
        return appeal
    if (
        appeal.route == Appeal.Route.REQUESTER
        and organisation_id is not None
        and user.memberships.filter(organisation_id=organisation_id).exists()
    ):
        return appeal
    raise NotFound(_("No such appeal."), field="appeal_id")
