"""Aggregation of kinds whose answers have parts (a transcript, boxes, spans): each task's
label is the consensus of its answers by the kind's method (algorithms/consensus.py), each
answer weighted by its worker's accuracy, and a worker's accuracy is how far their answers
agree with the consensus. Kinds that other workers review instead are not aggregated: their
tasks only count answers.

The per-answer path (`task_consensus_refresh`) runs inside the submit transaction like the
categorical one; the full run (`consensus_run`) re-estimates every task in two passes: one
with the accuracies known before it, one with the accuracies the first pass measured."""

from collections import defaultdict
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from microwork.aggregation import stats
from microwork.aggregation.algorithms.consensus import Consensus, Vote, consensus_of
from microwork.aggregation.models import AggregationRun, TaskAggregate
from microwork.aggregation.results import COUNTED, majority_vote
from microwork.aggregation.services.estimates import worker_estimates_write
from microwork.projects.interfaces import TaskInterface
from microwork.projects.models import Project, Task
from microwork.work.models import Submission

READ_CHUNK = 5_000
WRITE_CHUNK = 1_000
UPDATED = [
    "answers_count",
    "majority_label",
    "agreement",
    "label",
    "confidence",
    "posterior",
    "parts",
    "method",
    "source",
    "run",
    "updated_at",
]


def task_consensus(
    *,
    interface: TaskInterface,
    project: Project,
    data: Any,
    rows: list[tuple[int, Any]],
    accuracy: dict[int, float],
) -> Consensus | None:
    """One task's consensus from its (worker, answer) rows, weighted by accuracy."""
    method = interface.consensus_for(project.config)
    if method is None:
        return None
    votes = [Vote(worker=w, answer=a, weight=accuracy.get(w, 1.0)) for w, a in rows]
    return consensus_of(method, votes, config=project.config, data=data or {})


def _fields(
    *,
    interface: TaskInterface,
    project: Project,
    task: Task,
    rows: list[tuple[int, Any]],
    consensus: Consensus | None,
    method: str,
) -> dict[str, Any]:
    answers = [a for _w, a in rows]
    majority, agreement = majority_vote(interface=interface, config=project.config, answers=answers)
    fields: dict[str, Any] = {
        "project": project,
        "answers_count": len(rows),
        "majority_label": None if majority is None else interface.answer_label(majority),
        "agreement": agreement,
        "label": None,
        "confidence": None,
        "posterior": {},
        "parts": [],
        "method": method,
    }
    if task.is_gold:
        fields.update(
            label=interface.answer_label(task.gold_answer),
            confidence=stats.share(1.0),
            method="gold",
        )
    elif consensus is not None:
        fields.update(
            label=interface.answer_label(consensus.value),
            confidence=stats.share(min(max(consensus.confidence, 0.0), 1.0)),
            parts=[dict(p) for p in consensus.parts],
        )
    return fields


def task_consensus_refresh(
    *,
    task: Task,
    project: Project,
    interface: TaskInterface,
    rows: list[tuple[int, Any]],
    accuracy: dict[int, float],
    now: datetime,
) -> tuple[TaskAggregate, float]:
    """The per-answer estimate of a consensus (or reviewed) kind; the caller holds the
    task's row lock. Returns the row and the confidence the stopping rule compares."""
    consensus = None
    if not task.is_gold:
        consensus = task_consensus(
            interface=interface, project=project, data=task.data, rows=rows, accuracy=accuracy
        )
    method = interface.consensus_for(project.config) or "review"
    live = _fields(
        interface=interface,
        project=project,
        task=task,
        rows=rows,
        consensus=consensus,
        method=method,
    )
    live.update(source=TaskAggregate.Source.LIVE, run=None, updated_at=now)
    [aggregate] = TaskAggregate.objects.bulk_create(
        [TaskAggregate(task=task, **live)],
        update_conflicts=True,
        unique_fields=["task"],
        update_fields=list(live),
    )
    return aggregate, (0.0 if consensus is None else float(consensus.confidence))


def _answers_by_task(project: Project) -> tuple[dict[int, list[tuple[int, Any]]], int]:
    counted = Submission.objects.filter(project=project, status__in=COUNTED)
    by_task: dict[int, list[tuple[int, Any]]] = defaultdict(list)
    last_id = n = 0
    while True:
        chunk = list(
            counted.filter(id__gt=last_id)
            .order_by("id")
            .values_list("id", "task_id", "worker_id", "answer")[:READ_CHUNK]
        )
        if not chunk:
            break
        for _pk, task_id, worker_id, answer in chunk:
            by_task[task_id].append((worker_id, answer))
        n += len(chunk)
        last_id = chunk[-1][0]
    return by_task, n


def _measured(agreements: dict[int, list[float]]) -> dict[int, float]:
    # The same Beta prior a stranger gets, so a worker seen on two tasks is not declared
    # perfect (or hopeless).
    return {
        worker: min(
            max(
                (sum(values) + stats.PRIOR_RIGHT)
                / (len(values) + stats.PRIOR_RIGHT + stats.PRIOR_WRONG),
                stats.ACCURACY_FLOOR,
            ),
            stats.ACCURACY_CEILING,
        )
        for worker, values in agreements.items()
    }


def consensus_run(
    *, run: AggregationRun, interface: TaskInterface, started: datetime, progress: Any
) -> dict[str, Any]:
    """The full re-estimate of a consensus kind; `progress(stage, percent)` reports."""
    project = run.project
    by_task, n_answers = _answers_by_task(project)
    progress(AggregationRun.Stage.READING, 40)
    tasks = {
        t.pk: t
        for t in Task.objects.filter(pk__in=list(by_task)).only(
            "id", "is_gold", "gold_answer", "data"
        )
    }
    workers = {w for rows in by_task.values() for w, _a in rows}
    figures: dict[str, Any] = {
        "n_tasks": len(by_task),
        "n_answers": n_answers,
        "n_workers": len(workers),
        "classes": [],
        "priors": [],
    }
    accuracy: dict[int, float] = {}
    results: dict[int, Consensus | None] = {}
    reviewed = interface.consensus_for(project.config) is None
    for pass_no in (1, 2) if not reviewed else ():
        agreements: dict[int, list[float]] = defaultdict(list)
        for i, (task_id, rows) in enumerate(by_task.items()):
            task = tasks[task_id]
            if task.is_gold:
                continue
            result = task_consensus(
                interface=interface, project=project, data=task.data, rows=rows, accuracy=accuracy
            )
            results[task_id] = result
            if result is not None:
                for (worker, _a), agreed in zip(rows, result.agreement, strict=True):
                    agreements[worker].append(float(agreed))
            if i % 500 == 0:
                progress(AggregationRun.Stage.FITTING, 40 + 20 * pass_no * i / max(len(by_task), 1))
        accuracy = _measured(agreements)
    progress(AggregationRun.Stage.WRITING, 85)
    worker_estimates_write(run=run, estimates=_estimates(accuracy, by_task))
    _write_tasks(
        run=run,
        interface=interface,
        tasks=tasks,
        by_task=by_task,
        results=results,
        started=started,
        method=interface.consensus_for(project.config) or "review",
    )
    return figures


def _estimates(
    accuracy: dict[int, float], by_task: dict[int, list[tuple[int, Any]]]
) -> list[tuple[int, float, int]]:
    counts: dict[int, int] = defaultdict(int)
    for rows in by_task.values():
        for worker, _a in rows:
            counts[worker] += 1
    return [(worker, value, counts[worker]) for worker, value in accuracy.items()]


def _write_tasks(
    *,
    run: AggregationRun,
    interface: TaskInterface,
    tasks: dict[int, Task],
    by_task: dict[int, list[tuple[int, Any]]],
    results: dict[int, Consensus | None],
    started: datetime,
    method: str,
) -> None:
    project = run.project
    ids = list(by_task)
    for start in range(0, len(ids), WRITE_CHUNK):
        chunk = ids[start : start + WRITE_CHUNK]
        # An answer that arrived after the run read its data refreshed its task already.
        fresher = set(
            TaskAggregate.objects.filter(task_id__in=chunk, updated_at__gt=started).values_list(
                "task_id", flat=True
            )
        )
        now = timezone.now()
        rows = []
        for task_id in chunk:
            if task_id in fresher:
                continue
            fields = _fields(
                interface=interface,
                project=project,
                task=tasks[task_id],
                rows=by_task[task_id],
                consensus=results.get(task_id),
                method=method,
            )
            fields.update(source=TaskAggregate.Source.RUN, run=run, updated_at=now)
            rows.append(TaskAggregate(task_id=task_id, **fields))
        with transaction.atomic():
            TaskAggregate.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["task"],
                update_fields=UPDATED,
            )
