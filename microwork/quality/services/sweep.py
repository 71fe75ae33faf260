"""The periodic job of quality control, run by the clock every few minutes."""

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from microwork.accounts.models import User
from microwork.projects.models import Project
from microwork.quality.feedback import feedback_releases_run
from microwork.quality.models import RuleConfig
from microwork.quality.services.appeals import appeals_escalate
from microwork.quality.services.approval import submissions_approve_by_rules
from microwork.quality.services.decisions import decisions_expire
from microwork.quality.services.enforcement import rules_evaluate
from microwork.quality.services.exams import test_payments_retry
from microwork.quality.services.skills import skill_recompute
from microwork.work.models import Assignment, Submission
from microwork.work.services.giving_back import DISTURBING_SKIP


def quality_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """The periodic job: end finished decisions, escalate late appeals, release workers'
    feedback that is due, re-apply rules to workers active in the last day (rules that are
    not checked on every answer)."""
    now = now or timezone.now()
    result = {
        "expired": decisions_expire(now=now),
        **appeals_escalate(now=now),
        "test_payments": test_payments_retry(now=now),
        "approved_by_rule": submissions_approve_by_rules(now=now),
        "feedback_releases": feedback_releases_run(now=now),
    }
    recent = (
        Submission.objects.filter(submitted_at__gte=now - timedelta(days=1))
        .values_list("project_id", "worker_id")
        .distinct()
    )
    skipped = (
        Assignment.objects.filter(
            leased_at__gte=now - timedelta(days=1), status=Assignment.Status.SKIPPED
        )
        .exclude(events__reason=DISTURBING_SKIP)
        .values_list("project_id", "worker_id")
        .distinct()
    )
    pairs = set(recent) | set(skipped)
    with_rules = set(
        RuleConfig.objects.filter(enabled=True)
        .filter(Q(project_id__in={p for p, _w in pairs}))
        .values_list("project_id", flat=True)
    )
    evaluated = 0
    for project_id, worker_id in sorted(pairs):
        if project_id not in with_rules:
            continue
        project = Project.objects.get(pk=project_id)
        worker = User.objects.get(pk=worker_id)
        skill_recompute(project=project, worker=worker, now=now)
        rules_evaluate(project=project, worker=worker, now=now)
        evaluated += 1
    result["evaluated"] = evaluated
    return result
