"""What quality control's pages and endpoints show: a worker's standing and test attempts,
a project's quality overview and control pool for its requester, and the operators' overview.
Built on the shared reads in selectors.py, which never import this module."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from microwork.accounts.models import User
from microwork.lib.errors import NotFound
from microwork.projects.models import Project
from microwork.quality import selectors
from microwork.quality.models import (
    Appeal,
    Decision,
    Qualification,
    QualificationTest,
    RuleConfig,
    TestAnswer,
    TestAttempt,
)


def worker_by_username(*, username: str, field: str, workers_only: bool = True) -> User:
    """The account a requester or operator typed the name of."""
    qs = User.objects.filter(username=(username or "").strip())
    if workers_only:
        qs = qs.filter(worker_profile__isnull=False)
    user = qs.first()
    if user is None:
        raise NotFound(_("No worker with that username."), field=field)
    return user


def decision_appeal_state(*, decision: Decision, now: datetime) -> dict[str, Any]:
    """The decision's appeal, if any, and whether one may still be sent (the same window
    `services.appeal_create` enforces)."""
    appeal = Appeal.objects.filter(decision=decision).first()
    return {
        "appeal": appeal,
        "can_appeal": appeal is None
        and decision.status != Decision.Status.REVERSED
        and now <= decision.appeal_until,
        "appeal_until": decision.appeal_until,
    }


def standing_for_worker(*, worker: User, now: datetime) -> dict[str, Any]:
    """Everything My standing shows: released numbers, decisions in force, all decisions,
    released missed control tasks, answers approved early."""
    decisions = list(selectors.decisions_for_worker(worker=worker)[:200])
    live_ids = set(
        selectors.active_decisions(now=now).filter(worker=worker).values_list("pk", flat=True)
    )
    return {
        # Released figures, never the live skill row: see quality/feedback.py.
        "skills": list(selectors.releases_for_worker(worker=worker)),
        "decisions": decisions,
        "live": [d for d in decisions if d.pk in live_ids],
        "live_ids": live_ids,
        "missed": selectors.missed_gold(worker=worker, now=now),
        "early": selectors.early_approvals_for_worker(worker=worker),
    }


def project_quality_overview(*, project: Project, now: datetime) -> dict[str, Any]:
    """What the requester's quality page shows besides the rule forms."""
    standing: dict[int, list[str]] = {}
    for d in selectors.active_decisions(now=now).filter(project=project):
        standing.setdefault(d.worker_id, []).append(str(d.get_kind_display()))
    return {
        "skills": [
            (s, ", ".join(standing.get(s.worker_id, [])))
            for s in selectors.skills_for_project(project=project)
        ],
        "settings_row": selectors.settings_for_project(project),
        "appeals": selectors.appeals_for_organisation(
            organisation_id=project.organisation_id, project=project
        ),
        "tests": selectors.tests_for_project(project=project),
        "requirements": project.requirements.select_related("qualification"),
        "qualifications": Qualification.objects.filter(
            organisation_id=project.organisation_id
        ).order_by("name"),
        "gold_count": project.tasks.filter(is_gold=True).count(),
        "control_warning": control_pool_warning(project=project),
    }


@dataclass(frozen=True)
class ControlPool:
    """What a project's tests and trainings leave of its control tasks for a worker who takes
    them all: `seen` at most (questions × attempts, or every task they draw from), never
    served to that worker as controls afterwards."""

    total: int
    seen: int
    left: int
    needed: int


def control_pool(*, project: Project) -> ControlPool:
    tests = list(QualificationTest.objects.filter(project=project))
    drawn = set(
        QualificationTest.tasks.through.objects.filter(
            qualificationtest__project=project
        ).values_list("task_id", flat=True)
    )
    asked = sum(t.question_count * t.max_attempts for t in tests)
    total = project.tasks.filter(is_gold=True).count()
    seen = min(len(drawn), asked)
    rule = RuleConfig.objects.filter(
        project=project, rule_key="gold_accuracy", enabled=True
    ).first()
    needed = int((rule.params or {}).get("min_answers", 10)) if rule else 1
    return ControlPool(total=total, seen=seen, left=max(total - seen, 0), needed=needed)


def control_pool_warning(*, project: Project) -> str:
    """What the requester must know when a test leaves too few controls, or none ("" if
    enough are left)."""
    pool = control_pool(project=project)
    if pool.seen == 0 or pool.left >= pool.needed:
        return ""
    if pool.left == 0:
        return _(
            "Workers who take this project's tests and trainings can meet all %(seen)d of its "
            "%(total)d control tasks there, with their expected answers, and are never given "
            "those as controls afterwards: no control task is left to check their work. Add "
            "control tasks, or build tests from fewer of them."
        ) % {"seen": pool.seen, "total": pool.total}
    return _(
        "Workers who take this project's tests and trainings can meet %(seen)d of its %(total)d "
        "control tasks there, with their expected answers, and are never given those as "
        "controls afterwards: only %(left)d are left to check their work, and the accuracy "
        "rule needs %(needed)d. Add control tasks, or build tests from fewer of them."
    ) % {"seen": pool.seen, "total": pool.total, "left": pool.left, "needed": pool.needed}


def attempt_stats(*, test: QualificationTest, worker: User) -> dict[str, Any]:
    attempts = list(TestAttempt.objects.filter(test=test, worker=worker).order_by("number"))
    return {
        "attempts": attempts,
        "left": max(test.max_attempts - len(attempts), 0),
        "current": next((a for a in attempts if not a.is_finished), None),
        "passed": any(a.status == TestAttempt.Status.PASSED for a in attempts),
        "retake_at": selectors.retake_at(test=test, worker=worker, attempts=attempts),
    }


def attempt_question(*, attempt: TestAttempt) -> tuple[TestAnswer | None, int]:
    """The next unanswered question of the attempt (its task's data only reaches the page;
    the gold answer stays here), and how many questions there are."""
    row = (
        TestAnswer.objects.select_related("task")
        .filter(attempt=attempt, answered_at__isnull=True)
        .order_by("position")
        .first()
    )
    return row, attempt.answers.count()


def attempt_feedback(*, attempt: TestAttempt, position: int) -> TestAnswer | None:
    """An answered question of a training, for its feedback. Only once answered: the expected
    answer never precedes the worker's."""
    return (
        TestAnswer.objects.select_related("task")
        .filter(attempt=attempt, position=position, answered_at__isnull=False)
        .first()
    )


def attempt_review_rows(*, attempt: TestAttempt) -> list[dict[str, Any]]:
    project = attempt.test.project
    return [
        {
            "row": a,
            "answer": selectors.answer_text(project, a.answer, a.task.data),
            "expected": selectors.answer_text(project, a.task.gold_answer, a.task.data),
        }
        for a in attempt.answers.select_related("task").order_by("position")
    ]


def operator_overview(*, now: datetime) -> dict[str, Any]:
    live = selectors.active_decisions(now=now)
    return {
        "appeals": selectors.appeals_for_operators(),
        "flags": live.filter(kind=Decision.Kind.FLAG).select_related("worker", "project"),
        "suspensions": live.filter(kind=Decision.Kind.SUSPENSION).select_related("worker"),
    }
