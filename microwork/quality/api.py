"""Quality API: requesters create tests and rules, grant qualifications and answer appeals;
workers read their standing and appeal. Each handler: parse, access, one service or selector,
serialise. Rejecting an answer is review/api.py."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema

from microwork.accounts.api_auth import caller, requester_organisation, requester_scope
from microwork.accounts.auth import request_user
from microwork.lib.api_errors import responses
from microwork.lib.bounds import IdList
from microwork.projects.models import Project
from microwork.quality import dashboards, selectors, texts
from microwork.quality.access import (
    access_appeal_for_decider,
    access_decision_for_worker,
    access_project_for_requester,
    access_qualification_for_requester,
)
from microwork.quality.models import (
    Appeal,
    ApprovalRuleConfig,
    Decision,
    FeedbackRelease,
    QualificationTest,
    QualitySettings,
    RuleConfig,
    WorkerSkill,
)
from microwork.quality.services import appeals as quality_appeals
from microwork.quality.services import qualifications as quality_qualifications
from microwork.quality.services.configuration import (
    approval_rule_configure,
    quality_settings_update,
    rule_configure,
)
from microwork.quality.services.exams import qualification_test_create

router = Router(tags=["quality"])


class TestIn(Schema):
    name: str
    task_ids: IdList = Field(description="Control (gold) tasks of this project to ask from.")
    mode: str = Field("test", description="test (scored, reviewed at the end) or training.")
    pass_mark: str = Field("0.8", description="Share of right answers needed, 0–1.")
    question_count: int = 10
    retake_cooldown_seconds: int = 24 * 3600
    max_attempts: int = 3
    required: bool = Field(False, description="Also require it before work on the project.")


class TestOut(Schema):
    id: int
    name: str
    mode: str
    qualification_id: int
    pass_mark: str
    question_count: int
    retake_cooldown_seconds: int
    max_attempts: int
    tasks: int
    control_warning: str = Field(
        description="Set when the project's tests leave too few control tasks, or none, for "
        "the workers who take them (they are never given those as controls afterwards)."
    )


class RuleIn(Schema):
    rule_key: str = Field(
        description="gold_accuracy, too_fast, skips_in_row, disagreement, daily_cap"
    )
    params: dict[str, Any] = Field(default_factory=dict)
    action: str | None = Field(
        None,
        description="warn, pause, remove or flag; left out: warn (daily_cap: pause, its only one)",
    )
    pause_seconds: int = 24 * 3600
    enabled: bool = True


class RuleOut(Schema):
    rule_key: str
    params: dict[str, Any]
    action: str
    pause_seconds: int
    enabled: bool


class ApprovalRuleIn(Schema):
    rule_key: str = Field(description="trusted_worker or agrees_with_label")
    params: dict[str, Any] = Field(default_factory=dict)
    enabled: bool = True


class ApprovalRuleOut(Schema):
    rule_key: str
    params: dict[str, Any]
    enabled: bool


class RequirementIn(Schema):
    subject: str = Field(description="qualification, language, country or device")
    comparator: str = Field(description="==, !=, <, <=, >, >=, exists, not_exists, in")
    values: list[Any] = Field(default_factory=list)
    qualification_id: int | None = None


class RequirementOut(Schema):
    id: int
    subject: str
    comparator: str
    values: list[Any]
    qualification_id: int | None


class QualificationIn(Schema):
    name: str
    description: str = ""


class QualificationOut(Schema):
    id: int
    name: str
    kind: str


class GrantIn(Schema):
    worker: str = Field(description="The worker's username.")
    value: int = 1


class GrantOut(Schema):
    qualification_id: int
    worker: str
    value: int
    granted_at: datetime


class SkillOut(Schema):
    worker: str
    project_id: int
    answers: int
    gold_answers: int
    gold_correct: int
    accuracy_mean: float | None
    accuracy_low: float | None
    accuracy_high: float | None
    compared: int
    agreed: int
    agreement: float | None
    median_active_ms: int | None


class DecisionOut(Schema):
    id: int
    kind: str
    status: str
    project_id: int | None
    rule_key: str
    headline: str
    explanation: str
    inputs: dict[str, Any]
    evidence: list[dict[str, Any]]
    starts_at: datetime
    ends_at: datetime | None
    appeal_status: str | None


class AppealIn(Schema):
    message: str


class AppealDecideIn(Schema):
    reverse: bool
    response: str


class AppealOut(Schema):
    id: int
    decision_id: int
    worker: str
    message: str
    route: str
    status: str
    deadline_at: datetime
    response: str


class SettingsIn(Schema):
    reveal: str | None = Field(
        None, description="delay (after the reveal delay) or batch (when the batch is finished)"
    )
    gold_reveal_delay_hours: int | None = Field(
        None, description="Hours after answering that a missed control task is shown, 1–720."
    )
    appeal_deadline_hours: int | None = Field(None, description="Hours to answer an appeal.")
    rejection_confirm_share: str | None = Field(
        None, description="Share of a worker's answers rejected in a day that needs confirm, 0–1."
    )


class SettingsOut(Schema):
    reveal: str
    gold_reveal_delay_hours: int
    gold_reveal_delay_seconds: int
    appeal_deadline_hours: int
    rejection_confirm_share: str


class ReleasedSkillOut(SkillOut):
    release: int = Field(description="Number of the feedback release these figures come from.")
    released_at: datetime
    covers_until: datetime = Field(description="The figures count your answers up to this time.")


class WorkerDecisionOut(DecisionOut):
    evidence_waiting: int = Field(
        description="Evidence rows shown with a later feedback release (docs/quality.md)."
    )


class MissedControlOut(Schema):
    project_id: int
    submitted_at: datetime
    shown: bool
    reveal_at: datetime | None
    evidence: dict[str, Any] | None


class StandingOut(Schema):
    skills: list[ReleasedSkillOut] = Field(
        description="Your figures per project as of the last feedback release, not live: "
        "they change only when a release covers enough older answers (docs/quality.md)."
    )
    decisions: list[WorkerDecisionOut]
    missed_controls: list[MissedControlOut] = Field(
        description="Control tasks you missed that a feedback release covers."
    )


def _test_out(test: QualificationTest) -> dict[str, Any]:
    return {
        "id": test.pk,
        "name": test.name,
        "mode": test.mode,
        "qualification_id": test.qualification_id,
        "pass_mark": str(test.pass_mark),
        "question_count": test.question_count,
        "retake_cooldown_seconds": test.retake_cooldown_seconds,
        "max_attempts": test.max_attempts,
        "tasks": test.tasks.count(),
        "control_warning": dashboards.control_pool_warning(project=test.project),
    }


def _skill_out(skill: WorkerSkill | FeedbackRelease) -> dict[str, Any]:
    """A worker's figures on a project: the live row (requesters) or a release (the worker)."""
    acc = skill.accuracy if skill.gold_answers else None
    return {
        "worker": skill.worker.username,
        "project_id": skill.project_id,
        "answers": skill.answers,
        "gold_answers": skill.gold_answers,
        "gold_correct": skill.gold_correct,
        "accuracy_mean": acc.mean if acc else None,
        "accuracy_low": acc.low if acc else None,
        "accuracy_high": acc.high if acc else None,
        "compared": skill.compared,
        "agreed": skill.agreed,
        "agreement": skill.agreement,
        "median_active_ms": skill.median_active_ms,
    }


def decision_out(d: Decision) -> dict[str, Any]:
    try:
        appeal = d.appeal  # prefetched by the selectors that list decisions
    except Appeal.DoesNotExist:
        appeal = None
    return {
        "id": d.pk,
        "kind": d.kind,
        "status": d.status,
        "project_id": d.project_id,
        "rule_key": d.rule_key,
        "headline": texts.decision_headline(d),
        "explanation": texts.decision_text(d),
        "inputs": d.inputs,
        "evidence": d.evidence,
        "starts_at": d.starts_at,
        "ends_at": d.ends_at,
        "appeal_status": appeal.status if appeal else None,
    }


def _appeal_out(a: Appeal) -> dict[str, Any]:
    return {
        "id": a.pk,
        "decision_id": a.decision_id,
        "worker": a.worker.username,
        "message": a.message,
        "route": a.route,
        "status": a.status,
        "deadline_at": a.deadline_at,
        "response": a.response,
    }


def _project(request: HttpRequest, project_id: int):
    return access_project_for_requester(
        user=request_user(request),
        project_id=project_id,
        organisation=requester_scope(request),
    )


@router.post("/quality/projects/{project_id}/tests", response=responses({201: TestOut}))
def test_create(request: HttpRequest, project_id: int, payload: TestIn):
    project = _project(request, project_id)
    test = qualification_test_create(
        project=project,
        name=payload.name,
        task_ids=payload.task_ids,
        mode=payload.mode,
        pass_mark=payload.pass_mark,
        question_count=payload.question_count,
        retake_cooldown_seconds=payload.retake_cooldown_seconds,
        max_attempts=payload.max_attempts,
        required=payload.required,
    )
    return 201, _test_out(test)


@router.get("/quality/projects/{project_id}/tests", response=responses(list[TestOut]))
def test_list(request: HttpRequest, project_id: int):
    project = _project(request, project_id)
    return [_test_out(t) for t in selectors.tests_for_project(project=project)]


@router.put("/quality/projects/{project_id}/rules", response=responses(RuleOut))
def rule_put(request: HttpRequest, project_id: int, payload: RuleIn):
    project = _project(request, project_id)
    return rule_configure(
        project=project,
        rule_key=payload.rule_key,
        params=payload.params,
        action=payload.action,
        pause_seconds=payload.pause_seconds,
        enabled=payload.enabled,
    )


@router.get("/quality/projects/{project_id}/rules", response=responses(list[RuleOut]))
def rule_list(request: HttpRequest, project_id: int) -> list[RuleConfig]:
    return list(selectors.rules_for_project(project=_project(request, project_id)))


def _settings_out(project: Project, row: QualitySettings) -> dict[str, Any]:
    return {
        "reveal": row.reveal,
        "gold_reveal_delay_hours": project.gold_reveal_delay_seconds // 3600,
        "gold_reveal_delay_seconds": project.gold_reveal_delay_seconds,
        "appeal_deadline_hours": row.appeal_deadline_hours,
        "rejection_confirm_share": str(row.rejection_confirm_share),
    }


@router.get("/quality/projects/{project_id}/settings", response=responses(SettingsOut))
def settings_get(request: HttpRequest, project_id: int):
    project = _project(request, project_id)
    return _settings_out(project, selectors.settings_for_project(project))


@router.put("/quality/projects/{project_id}/settings", response=responses(SettingsOut))
def settings_put(request: HttpRequest, project_id: int, payload: SettingsIn):
    project = _project(request, project_id)
    row = quality_settings_update(project=project, **payload.dict())
    return _settings_out(project, row)


@router.put("/quality/projects/{project_id}/approval-rules", response=responses(ApprovalRuleOut))
def approval_rule_put(request: HttpRequest, project_id: int, payload: ApprovalRuleIn):
    return approval_rule_configure(
        project=_project(request, project_id),
        rule_key=payload.rule_key,
        params=payload.params,
        enabled=payload.enabled,
    )


@router.get(
    "/quality/projects/{project_id}/approval-rules", response=responses(list[ApprovalRuleOut])
)
def approval_rule_list(request: HttpRequest, project_id: int) -> list[ApprovalRuleConfig]:
    return list(selectors.approval_rules_for_project(project=_project(request, project_id)))


@router.post(
    "/quality/projects/{project_id}/requirements", response=responses({201: RequirementOut})
)
def requirement_add(request: HttpRequest, project_id: int, payload: RequirementIn):
    project = _project(request, project_id)
    qualification = None
    if payload.qualification_id is not None:
        qualification = access_qualification_for_requester(
            user=request_user(request),
            qualification_id=payload.qualification_id,
            organisation=requester_scope(request),
        )
    requirement = quality_qualifications.project_requirement_add(
        project=project,
        subject=payload.subject,
        comparator=payload.comparator,
        values=payload.values,
        qualification=qualification,
    )
    return 201, requirement


@router.get("/quality/projects/{project_id}/skills", response=responses(list[SkillOut]))
def skill_list(request: HttpRequest, project_id: int):
    project = _project(request, project_id)
    return [_skill_out(s) for s in selectors.skills_for_project(project=project)]


@router.get("/quality/projects/{project_id}/appeals", response=responses(list[AppealOut]))
def appeal_list(request: HttpRequest, project_id: int):
    project = _project(request, project_id)
    return [
        _appeal_out(a)
        for a in selectors.appeals_for_organisation(
            organisation_id=project.organisation_id, project=project
        )
    ]


@router.post("/quality/appeals/{appeal_id}/decide", response=responses(AppealOut))
def appeal_decide(request: HttpRequest, appeal_id: int, payload: AppealDecideIn):
    user = request_user(request)
    appeal = access_appeal_for_decider(
        user=user, appeal_id=appeal_id, organisation=requester_scope(request)
    )
    return _appeal_out(
        quality_appeals.appeal_decide(
            appeal=appeal,
            actor=user,
            reverse=payload.reverse,
            response=payload.response,
        )
    )


@router.post("/quality/qualifications", response=responses({201: QualificationOut}))
def qualification_create(request: HttpRequest, payload: QualificationIn):
    organisation = requester_organisation(request)
    return 201, quality_qualifications.qualification_create(
        organisation=organisation, name=payload.name, description=payload.description
    )


@router.post("/quality/qualifications/{qualification_id}/grants", response=responses(GrantOut))
def qualification_grant(request: HttpRequest, qualification_id: int, payload: GrantIn):
    user = request_user(request)
    qualification = access_qualification_for_requester(
        user=user,
        qualification_id=qualification_id,
        organisation=requester_scope(request),
    )
    worker = dashboards.worker_by_username(username=payload.worker, field="worker")
    grant = quality_qualifications.qualification_grant(
        qualification=qualification,
        worker=worker,
        value=payload.value,
        granted_by=user,
    )
    return {
        "qualification_id": qualification.pk,
        "worker": worker.username,
        "value": grant.value,
        "granted_at": grant.granted_at,
    }


@router.delete(
    "/quality/qualifications/{qualification_id}/grants/{username}", response=responses({204: None})
)
def qualification_revoke(request: HttpRequest, qualification_id: int, username: str):
    qualification = access_qualification_for_requester(
        user=request_user(request),
        qualification_id=qualification_id,
        organisation=requester_scope(request),
    )
    worker = dashboards.worker_by_username(username=username, field="username", workers_only=False)
    quality_qualifications.qualification_revoke(qualification=qualification, worker=worker)
    return 204, None


def _released_skill_out(release: FeedbackRelease) -> dict[str, Any]:
    return {
        **_skill_out(release),
        "release": release.number,
        "released_at": release.released_at,
        "covers_until": release.cutoff_at,
    }


def _workerdecision_out(d: Decision, cutoffs: dict[int, tuple[datetime, int]]) -> dict[str, Any]:
    evidence, waiting = selectors.evidence_for_worker(decision=d, cutoffs=cutoffs)
    return {**decision_out(d), "evidence": evidence, "evidence_waiting": waiting}


@router.get("/quality/me/standing", response=responses(StandingOut))
def my_standing(request: HttpRequest):
    """Your standing. Figures about control tasks and agreement come from feedback releases
    and do not move with each answer; decisions appear when made, their evidence with the
    release that covers it."""
    user = caller(request).user
    now = timezone.now()
    data = dashboards.standing_for_worker(worker=user, now=now)
    cutoffs = selectors.released_cutoffs(worker=user)
    return {
        "skills": [_released_skill_out(r) for r in data["skills"]],
        "decisions": [_workerdecision_out(d, cutoffs) for d in data["decisions"]],
        "missed_controls": [
            {
                "project_id": m["project"].pk,
                "submitted_at": m["submission"].submitted_at,
                "shown": m["shown"],
                "reveal_at": m["reveal_at"],
                "evidence": m["evidence"],
            }
            for m in data["missed"]
        ],
    }


@router.post("/quality/decisions/{decision_id}/appeal", response=responses({201: AppealOut}))
def decision_appeal(request: HttpRequest, decision_id: int, payload: AppealIn):
    user = caller(request).user
    decision = access_decision_for_worker(user=user, decision_id=decision_id)
    return 201, _appeal_out(
        quality_appeals.appeal_create(worker=user, decision=decision, message=payload.message)
    )
