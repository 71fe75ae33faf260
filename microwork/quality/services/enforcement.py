"""The project's rules applied to a worker: on every recorded answer (the work engine's
submission hook) and on demand, warning first and then sanctioning as the rule says."""

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from microwork.accounts.models import User
from microwork.projects.models import Project
from microwork.quality import selectors
from microwork.quality.models import Decision, RuleConfig, WorkerSkill
from microwork.quality.rules import RULES, Measurement, get_rule
from microwork.quality.services.approval import approval_queue
from microwork.quality.services.decisions import decision_record
from microwork.quality.services.skills import skill_locked
from microwork.work.models import Submission

# A warning is "prior" for this long: an old warning does not license a pause months later.
WARNING_VALID = timedelta(days=14)


def submission_recorded(*, submission: Submission) -> None:
    """The work engine's submission hook: count the answer, then apply the project's rules."""
    skill_record_submission(submission=submission)


@transaction.atomic
def skill_record_submission(*, submission: Submission, now: datetime | None = None) -> WorkerSkill:
    now = now or timezone.now()
    skill = skill_locked(project=submission.project, worker=submission.worker)
    skill.answers += 1
    if submission.gold_correct is not None:
        skill.gold_answers += 1
        skill.gold_correct += int(bool(submission.gold_correct))
    else:
        # Aggregation's hook ran first, so the task's label already counts this answer. Later
        # answers can still change it: a full re-estimate recounts everyone
        # (skills_agreement_refresh), and so does the periodic sweep for active workers.
        agrees = selectors.agrees_with_label(submission=submission)
        if agrees is not None:
            skill.compared += 1
            skill.agreed += int(agrees)
    skill.median_active_ms, _n = selectors.median_active_ms(
        project=submission.project, worker=submission.worker
    )
    skill.updated_at = now
    skill.save(
        update_fields=[
            "answers",
            "gold_answers",
            "gold_correct",
            "compared",
            "agreed",
            "median_active_ms",
            "updated_at",
        ]
    )
    _rules_apply(skill=skill, now=now, per_submission=True)
    approval_queue(submission=submission, skill=skill)
    return skill


@transaction.atomic
def rules_evaluate(
    *, project: Project, worker: User, now: datetime | None = None
) -> list[Decision]:
    """Apply every enabled rule of the project to the worker now."""
    now = now or timezone.now()
    skill = skill_locked(project=project, worker=worker)
    return _rules_apply(skill=skill, now=now, per_submission=False)


def _rules_apply(*, skill: WorkerSkill, now: datetime, per_submission: bool) -> list[Decision]:
    project, worker = skill.project, skill.worker
    made: list[Decision] = []
    for config in RuleConfig.objects.filter(project=project, enabled=True).order_by("rule_key"):
        if config.rule_key not in RULES:
            continue
        rule = get_rule(config.rule_key)
        if per_submission and not getattr(rule, "per_submission", True):
            continue
        params = {**rule.defaults(), **config.params}
        m = rule.measure(
            project=project, worker=worker, params=params, since=skill.rules_since, now=now
        )
        if rule.stops_at_limit:
            decision = _limit_outcome(config=config, params=params, m=m, skill=skill, now=now)
        else:
            decision = _rule_outcome(config=config, params=params, m=m, skill=skill, now=now)
        if decision is not None:
            made.append(decision)
    return made


def _limit_outcome(
    *, config: RuleConfig, params: dict[str, Any], m: Measurement, skill: WorkerSkill, now: datetime
) -> Decision | None:
    """A limit (the daily cap): a warning with what is left as the worker comes close, then
    at the limit itself a pause until it resets — at once, not one answer later."""
    if not m.enough or not (m.breached or m.near):
        return None
    project, worker = skill.project, skill.worker
    live = selectors.active_decisions(now=now).filter(project=project, worker=worker)
    if live.filter(kind__in=[Decision.Kind.PAUSE, Decision.Kind.REMOVAL]).exists():
        return None
    inputs = {
        "value": m.value,
        "threshold": m.threshold,
        "distance": m.distance,
        "numbers": m.numbers,
        "breached": m.breached,
        "params": params,
        "action": RuleConfig.Action.PAUSE,
    }
    warning = (
        live.filter(rule_key=config.rule_key, kind=Decision.Kind.WARNING)
        .order_by("-starts_at")
        .first()
    )
    if not m.breached:
        if warning is not None:
            return None  # One warning a day, not one per answer.
        kind = Decision.Kind.WARNING
    else:
        kind = Decision.Kind.PAUSE
        if warning is not None:
            inputs["prior_warning"] = warning.pk
    # The warning ends when the count resets, so tomorrow's approach warns afresh.
    return _decide_rule(
        skill=skill, config=config, kind=kind, m=m, inputs=inputs, now=now, ends_at=m.pause_until
    )


def _rule_outcome(
    *, config: RuleConfig, params: dict[str, Any], m: Measurement, skill: WorkerSkill, now: datetime
) -> Decision | None:
    if not m.enough or not (m.breached or m.near):
        return None
    project, worker = skill.project, skill.worker
    mine = Decision.objects.filter(project=project, worker=worker, rule_key=config.rule_key)
    live = selectors.active_decisions(now=now).filter(project=project, worker=worker)
    if live.filter(kind__in=[Decision.Kind.PAUSE, Decision.Kind.REMOVAL]).exists():
        return None  # Already kept away from the project; nothing new to decide.
    inputs = {
        "value": m.value,
        "threshold": m.threshold,
        "distance": m.distance,
        "numbers": m.numbers,
        "breached": m.breached,
        "params": params,
        "action": config.action,
        "grace_answers": params.get("grace_answers", 0),
    }
    warnings = live.filter(rule_key=config.rule_key, kind=Decision.Kind.WARNING)

    def warn() -> Decision:
        # Every warning of a rule lasts WARNING_VALID; only what it says (inputs) differs.
        return _decide_rule(
            skill=skill,
            config=config,
            kind=Decision.Kind.WARNING,
            m=m,
            inputs=inputs,
            now=now,
            ends_at=now + WARNING_VALID,
        )

    if not m.breached:
        # Drifting towards the limit: one warning with the distance, not one per answer.
        if not warnings.exists():
            return warn()
        return None
    # Past the limit. The worker is first told so in a warning of its own (a "close to the
    # limit" warning promised nothing happens unless they cross it); any sanction comes only
    # after that warning and `grace_answers` further answers to improve.
    prior = (
        mine.filter(kind=Decision.Kind.WARNING, starts_at__gte=now - WARNING_VALID)
        .filter(inputs__breached=True)
        .exclude(status=Decision.Status.REVERSED)
        .order_by("-starts_at")
        .first()
    )
    if prior is not None and skill.rules_since and prior.starts_at < skill.rules_since:
        prior = None
    if config.action == RuleConfig.Action.WARN:
        if not warnings.filter(inputs__breached=True).exists():
            return warn()
        return None
    if prior is None:
        return warn()
    # The grace counts from the warning, or from the end of an earlier sanction for the rule:
    # a worker back from a pause gets the same chance to show better work.
    last_ended = (
        mine.filter(kind__in=[Decision.Kind.PAUSE, Decision.Kind.REMOVAL], ends_at__lte=now)
        .order_by("-ends_at")
        .values_list("ends_at", flat=True)
        .first()
    )
    grace_from = max(prior.starts_at, last_ended) if last_ended else prior.starts_at
    answered_since = Submission.objects.filter(
        project=project, worker=worker, submitted_at__gt=grace_from
    ).count()
    if answered_since < params.get("grace_answers", 0):
        return None
    inputs["prior_warning"] = prior.pk
    if config.action == RuleConfig.Action.FLAG:
        if live.filter(rule_key=config.rule_key, kind=Decision.Kind.FLAG).exists():
            return None
        return _decide_rule(
            skill=skill,
            config=config,
            kind=Decision.Kind.FLAG,
            m=m,
            inputs=inputs,
            now=now,
            ends_at=None,
        )
    if config.action == RuleConfig.Action.PAUSE:
        ends = m.pause_until or now + timedelta(seconds=config.pause_seconds)
        return _decide_rule(
            skill=skill,
            config=config,
            kind=Decision.Kind.PAUSE,
            m=m,
            inputs=inputs,
            now=now,
            ends_at=ends,
        )
    return _decide_rule(
        skill=skill,
        config=config,
        kind=Decision.Kind.REMOVAL,
        m=m,
        inputs=inputs,
        now=now,
        ends_at=None,
    )


def _evidence_for(submission_ids: list[int]) -> list[dict[str, Any]]:
    subs = Submission.objects.filter(pk__in=submission_ids).select_related("task", "project")
    return [selectors.evidence_row(s) for s in sorted(subs, key=lambda s: s.submitted_at)]


def _decide_rule(
    *,
    skill: WorkerSkill,
    config: RuleConfig,
    kind: str,
    m: Measurement,
    inputs: dict[str, Any],
    now: datetime,
    ends_at: datetime | None,
) -> Decision:
    return decision_record(
        worker=skill.worker,
        project=skill.project,
        kind=kind,
        rule_key=config.rule_key,
        inputs=inputs,
        evidence=_evidence_for(m.evidence),
        starts_at=now,
        ends_at=ends_at,
        decided_by=None,
    )
