"""Reads of aggregation state that pages, the API, exports and services share."""

from collections.abc import Iterable

from microwork.aggregation.models import AggregationRun, TaskAggregate
from microwork.projects.models import Project, Task


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
