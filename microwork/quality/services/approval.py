"""Approval by a rule: an answer that an enabled approval rule vouches for is paid before
the requester reviews it, on the submit path (after commit, as a background task) and again
by the periodic sweep."""

import logging
from collections.abc import Iterable
from datetime import datetime
from itertools import batched
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from microwork.aggregation import selectors as aggregation_selectors
from microwork.lib.errors import ApplicationError
from microwork.payments.models import SubmissionReview
from microwork.payments.services import earnings as payments_earnings
from microwork.projects.models import Project
from microwork.quality import selectors
from microwork.quality.models import ApprovalRuleConfig, Decision, WorkerSkill
from microwork.quality.rules import APPROVAL_RULES, get_approval_rule
from microwork.work.models import Submission

log = logging.getLogger(__name__)


def _approval_verdict(
    *,
    submission: Submission,
    configs: Iterable[ApprovalRuleConfig],
    skill: WorkerSkill | None,
    label: aggregation_selectors.AggregatedLabel | None,
) -> dict[str, Any] | None:
    """The first enabled rule (in key order) that approves the answer: its key, its numbers
    and the numbers it looked at, as kept on the review."""
    for config in sorted(configs, key=lambda c: c.rule_key):
        if config.rule_key not in APPROVAL_RULES:
            continue
        rule = get_approval_rule(config.rule_key)
        params = {**rule.defaults(), **config.params}
        numbers = rule.verdict(submission=submission, skill=skill, label=label, params=params)
        if numbers is not None:
            return {"rule": config.rule_key, "params": params, "numbers": numbers}
    return None


def approval_queue(*, submission: Submission, skill: WorkerSkill) -> None:
    """On the submit path: if a rule would approve the answer, approve it after commit, in
    its own transaction (the earning it moves is booked by a later hook of this submit)."""
    configs = list(ApprovalRuleConfig.objects.filter(project=submission.project, enabled=True))
    if not configs:
        return
    label = aggregation_selectors.task_label(task_id=submission.task_id)
    if _approval_verdict(submission=submission, configs=configs, skill=skill, label=label):
        transaction.on_commit(lambda: submission_approve_by_rules_task.enqueue(submission.pk))


def _held_back(*, project: Project, now: datetime) -> set[int]:
    """Workers under a pause, removal, flag or suspension: no rule approves their answers early
    (they wait for the requester or the approval period)."""
    return set(
        selectors.active_decisions(now=now)
        .filter(
            Q(
                project=project,
                kind__in=[Decision.Kind.PAUSE, Decision.Kind.REMOVAL, Decision.Kind.FLAG],
            )
            | Q(kind=Decision.Kind.SUSPENSION)
        )
        .values_list("worker_id", flat=True)
    )


def _approve_by_rule(*, submission: Submission, verdict: dict[str, Any], now: datetime) -> bool:
    try:
        return payments_earnings.earning_approve(
            submission=submission,
            actor=None,
            rule=SubmissionReview.Rule.QUALITY_RULE,
            inputs=verdict,
            now=now,
        )
    except ApplicationError as exc:
        # The requester's funds cannot pay the fee yet: the answer waits for the next sweep.
        log.warning("answer %s not approved by rule yet: %s", submission.pk, exc)
        return False


def submission_approve_by_rules(*, submission: Submission, now: datetime | None = None) -> bool:
    """Approve one pending answer if an enabled approval rule says so now. Returns whether
    this call approved it (approval is once-only, so a repeat is harmless)."""
    now = now or timezone.now()
    submission = Submission.objects.select_related("project", "task", "worker").get(
        pk=submission.pk
    )
    if submission.status != Submission.Status.PENDING:
        return False
    project = submission.project
    configs = list(ApprovalRuleConfig.objects.filter(project=project, enabled=True))
    if not configs or submission.worker_id in _held_back(project=project, now=now):
        return False
    verdict = _approval_verdict(
        submission=submission,
        configs=configs,
        skill=WorkerSkill.objects.filter(project=project, worker=submission.worker).first(),
        label=aggregation_selectors.task_label(task_id=submission.task_id),
    )
    if verdict is None:
        return False
    return _approve_by_rule(submission=submission, verdict=verdict, now=now)


@task()
def submission_approve_by_rules_task(submission_id: int) -> bool:
    """The after-commit half of approval_queue, in its own transaction and process."""
    submission = Submission.objects.filter(pk=submission_id).first()
    if submission is None:
        return False
    return submission_approve_by_rules(submission=submission)


def submissions_approve_by_rules(*, now: datetime | None = None) -> int:
    """The periodic part: answers awaiting approval on projects with approval rules, checked
    again (a worker's accuracy rose, a label became confident since). Each approval is its
    own transaction. Returns how many were approved."""
    now = now or timezone.now()
    done = 0
    by_project: dict[int, list[ApprovalRuleConfig]] = {}
    for config in ApprovalRuleConfig.objects.filter(enabled=True).select_related("project"):
        by_project.setdefault(config.project_id, []).append(config)
    for configs in by_project.values():
        project = configs[0].project
        held = _held_back(project=project, now=now)
        skills = {s.worker_id: s for s in WorkerSkill.objects.filter(project=project)}
        pending = (
            Submission.objects.filter(project=project, status=Submission.Status.PENDING)
            .exclude(worker_id__in=held)
            .select_related("project", "task")
            .order_by("pk")
        )
        for chunk in batched(pending.iterator(chunk_size=1000), 1000):
            labels = aggregation_selectors.task_labels(task_ids={s.task_id for s in chunk})
            for submission in chunk:
                verdict = _approval_verdict(
                    submission=submission,
                    configs=configs,
                    skill=skills.get(submission.worker_id),
                    label=labels.get(submission.task_id),
                )
                if verdict is not None:
                    done += _approve_by_rule(submission=submission, verdict=verdict, now=now)
    return done
