"""Reads of aggregation state that pages, the API, exports and services share, and the apps
above aggregation read each task's label through (quality compares answers with it)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import F, QuerySet

from microwork.aggregation.models import AggregationRun, TaskAggregate
from microwork.projects.models import Project, Task


@dataclass(frozen=True)
class AggregatedLabel:
    """One task's aggregated label as the other apps read it: the interface's `answer_label`
    form (None: no label), its posterior probability, how many answers it was made from, the
    method that made it ("gold" on a control task, whose label is its expected answer) and
    when it was last written."""

    task_id: int
    label: str | None
    confidence: Decimal | None
    answers: int
    method: str
    updated_at: datetime


def run_latest(*, project: Project) -> AggregationRun | None:
    return AggregationRun.objects.filter(project=project).order_by("-created_at", "-id").first()


def run_latest_done(*, project: Project) -> AggregationRun | None:
    return (
        AggregationRun.objects.filter(project=project, status=AggregationRun.Status.DONE)
        .order_by("-finished_at", "-id")
        .first()
    )


def aggregates_for_tasks(*, task_ids: Iterable[int]) -> dict[int, TaskAggregate]:
    ids = list(task_ids)
    if not ids:
        return {}
    return {a.task_id: a for a in TaskAggregate.objects.filter(task_id__in=ids)}


def tasks_stopped_early(*, project: Project) -> int:
    """Tasks that dynamic overlap closed before they reached the project's answers per task."""
    return Task.objects.filter(
        project=project,
        done=True,
        aggregate__stop_rule=TaskAggregate.StopRule.TARGET,
    ).count()


def _task_label(row: TaskAggregate) -> AggregatedLabel:
    return AggregatedLabel(
        task_id=row.task_id,
        label=row.label,
        confidence=row.confidence,
        answers=row.answers_count,
        method=row.method,
        updated_at=row.updated_at,
    )


_LABEL_FIELDS = ("label", "confidence", "answers_count", "method", "updated_at")


def task_label(*, task_id: int) -> AggregatedLabel | None:
    """The task's label, or None before any answer was aggregated."""
    row = TaskAggregate.objects.filter(task_id=task_id).only(*_LABEL_FIELDS).first()
    return None if row is None else _task_label(row)


def task_labels(
    *, task_ids: Iterable[int], labelled: bool = False, min_answers: int = 0
) -> dict[int, AggregatedLabel]:
    """task id → its label, for the tasks that have one; `labelled` leaves out tasks whose
    label is empty, `min_answers` those whose label was made from fewer answers."""
    ids = list(task_ids)
    if not ids:
        return {}
    rows = TaskAggregate.objects.filter(task_id__in=ids).only(*_LABEL_FIELDS)
    if labelled:
        rows = rows.filter(label__isnull=False)
    if min_answers:
        rows = rows.filter(answers_count__gte=min_answers)
    return {row.task_id: _task_label(row) for row in rows}


def with_task_labels(submissions: QuerySet) -> QuerySet:
    """Answers annotated with their task's label (`task_label`, None when there is none) and
    the number of answers it was made from (`task_label_answers`), in the same query (a join),
    so a worker's thousands of answers are compared with their labels in one read."""
    return submissions.annotate(
        task_label=F("task__aggregate__label"),
        task_label_answers=F("task__aggregate__answers_count"),
    )
