"""Dynamic overlap: a task whose label is confident enough, from enough answers, stops
collecting answers so the scheduler hands it to no one else; tightening the rule (or
switching it off) reopens the tasks it no longer covers. The per-answer estimate checks the
task just answered, a full re-estimate every open task."""

from datetime import datetime
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone

from microwork.aggregation.algorithms.overlap import overlap_decision
from microwork.aggregation.models import TaskAggregate
from microwork.projects.models import Project, Task
from microwork.webhooks.selectors import events_wanted
from microwork.work.webhook_events import task_completion_webhooks

# Tasks closed or reopened per transaction, so a big project never holds the write lock long.
WRITE_CHUNK = 1_000


def tasks_reopen_unmet(*, project: Project) -> int:
    """Tasks closed early whose stop no longer holds under the project's current settings."""
    stopped = TaskAggregate.objects.filter(
        project=project, stop_rule=TaskAggregate.StopRule.TARGET
    ).values_list("task_id", "stop_details")
    reopen = []
    for task_id, details in stopped.iterator(chunk_size=WRITE_CHUNK):
        confident = float(details.get("confidence", 0)) >= float(project.target_confidence)
        enough = int(details.get("answers", 0)) >= project.min_overlap
        if not (project.dynamic_overlap and confident and enough):
            reopen.append(task_id)
    for start in range(0, len(reopen), WRITE_CHUNK):
        ids = reopen[start : start + WRITE_CHUNK]
        Task.objects.filter(pk__in=ids, done=True).update(done=False)
        TaskAggregate.objects.filter(task_id__in=ids).update(
            stopped_at=None, stop_rule="", stop_details={}
        )
    return len(reopen)


def tasks_stop_confident(
    *,
    project: Project,
    answers: Any,
    task_ids: list[int],
    accuracy: Any,
    priors: Any,
    gold_codes: Any,
) -> int:
    """With fresh worker accuracies, close every open task that already meets the rule (the
    per-answer hook only looks at the task that was just answered)."""
    decision = overlap_decision(
        answers.task,
        answers.worker,
        answers.label,
        n_tasks=answers.n_tasks,
        n_workers=answers.n_workers,
        n_classes=answers.n_classes,
        target_posterior=float(project.target_confidence),
        min_answers=project.min_overlap,
        max_answers=project.overlap,
        worker_skills=accuracy,
        class_priors=priors,
    )
    target = float(project.target_confidence)
    candidates = np.flatnonzero(decision.done & (decision.confidence >= target))
    if gold_codes is not None:
        candidates = candidates[gold_codes[candidates] < 0]
    stopped = 0
    now = timezone.now()
    wanted = events_wanted(organisation=project.organisation)
    for start in range(0, len(candidates), WRITE_CHUNK):
        part = candidates[start : start + WRITE_CHUNK]
        by_id = {task_ids[int(t)]: int(t) for t in part}
        with transaction.atomic():
            open_ids = list(
                Task.objects.select_for_update()
                .filter(pk__in=list(by_id), done=False, is_gold=False)
                .order_by("pk")
                .values_list("id", flat=True)
            )
            for task_id in open_ids:
                t = by_id[task_id]
                task_stop(
                    task_id=task_id,
                    project=project,
                    now=now,
                    confidence=float(decision.confidence[t]),
                    answers=int(decision.answers[t]),
                    trigger="run",
                )
                if wanted:
                    # No answer completed it, so no submit hook tells the requester.
                    task_completion_webhooks(
                        project=project,
                        task=Task.objects.get(pk=task_id),
                        cause=f"stop:{task_id}:{now.isoformat()}",
                        wanted=wanted,
                    )
            stopped += len(open_ids)
    return stopped


def task_stop(
    *,
    task_id: int,
    project: Project,
    now: datetime,
    confidence: float,
    answers: int,
    trigger: str,
    model: str = "onecoin",
) -> bool:
    """Close a task to new answers (a conditional update: only the first closer counts) and
    keep the rule and the numbers it compared on the task's aggregate."""
    if not Task.objects.filter(pk=task_id, done=False).update(done=True):
        return False
    TaskAggregate.objects.filter(task_id=task_id).update(
        stopped_at=now,
        stop_rule=TaskAggregate.StopRule.TARGET,
        stop_details={
            "rule": "posterior >= target and answers >= minimum",
            "model": model,
            "confidence": round(confidence, 6),
            "target": str(project.target_confidence),
            "answers": answers,
            "minimum": project.min_overlap,
            "maximum": project.overlap,
            "trigger": trigger,
        },
    )
    return True
