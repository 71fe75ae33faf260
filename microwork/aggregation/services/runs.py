"""The full re-estimate: the background job's body (microwork/aggregation/tasks.py) that fits
the project's method to every counted answer, stores each task's label and each worker's
accuracy, closes the tasks dynamic overlap says are done, and tells the apps that read the
labels (hooks.LABELS_CHANGED). Its progress is kept on the run for the results page."""

import logging
from collections import defaultdict
from datetime import datetime
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from microwork.aggregation import stats
from microwork.aggregation.algorithms import AggregationInputError, encode_rows, get_aggregator
from microwork.aggregation.algorithms.majority import answer_correlation
from microwork.aggregation.hooks import LABELS_CHANGED
from microwork.aggregation.models import (
    AggregationEvent,
    AggregationRun,
    TaskAggregate,
)
from microwork.aggregation.results import COUNTED, majority_vote
from microwork.aggregation.services.consensus import consensus_run
from microwork.aggregation.services.estimates import worker_estimates_write
from microwork.aggregation.services.events import aggregation_event_record
from microwork.aggregation.services.overlap import tasks_stop_confident
from microwork.lib.errors import ApplicationError
from microwork.lib.registry import run_hooks
from microwork.projects.interfaces import TaskInterface, get_interface
from microwork.projects.models import Task
from microwork.work.models import Submission

logger = logging.getLogger(__name__)

Run = AggregationRun
READ_CHUNK = 5_000
WRITE_CHUNK = 1_000


def _progress(run_id: int, stage: str, percent: float) -> None:
    Run.objects.filter(pk=run_id).update(stage=stage, progress=max(0, min(99, int(percent))))


def aggregation_run_abandon(*, run_id: int, reason: str) -> bool:
    """Fail a run whose job ended without finishing it (its worker died, or it overran its
    time limit); False when the run had already finished."""
    now = timezone.now()
    changed = Run.objects.filter(
        pk=run_id, status__in=[Run.Status.QUEUED, Run.Status.RUNNING]
    ).update(status=Run.Status.FAILED, error=reason[:2000], finished_at=now)
    if changed:
        run = Run.objects.select_related("project").get(pk=run_id)
        aggregation_event_record(
            project=run.project,
            run=run,
            kind=AggregationEvent.Kind.FAILED,
            at=now,
            details={"error": reason},
        )
    return bool(changed)


def aggregation_run_execute(*, run_id: int) -> AggregationRun:
    """The background job's body. Only the call that moves the run from queued to running
    does the work, so a job delivered twice is harmless. Not one transaction on purpose: reads
    and writes go in chunks so a run over 100,000 answers never holds the write lock long,
    and its progress is visible while it runs."""
    started = timezone.now()
    claimed = Run.objects.filter(pk=run_id, status=Run.Status.QUEUED).update(
        status=Run.Status.RUNNING, stage=Run.Stage.READING, started_at=started, progress=1
    )
    run = Run.objects.select_related("project").get(pk=run_id)
    if claimed != 1:
        return run
    aggregation_event_record(
        project=run.project, run=run, kind=AggregationEvent.Kind.STARTED, at=started
    )
    try:
        figures = _execute(run=run, started=started)
    except Exception as exc:
        if not isinstance(exc, AggregationInputError | ApplicationError):
            logger.exception("aggregation run %s failed", run_id)
        finished = timezone.now()
        message = str(exc)[:2000] or exc.__class__.__name__
        Run.objects.filter(pk=run_id).update(
            status=Run.Status.FAILED, error=message, finished_at=finished
        )
        aggregation_event_record(
            project=run.project,
            run=run,
            kind=AggregationEvent.Kind.FAILED,
            at=finished,
            details={"error": message},
        )
    else:
        finished = timezone.now()
        Run.objects.filter(pk=run_id).update(
            status=Run.Status.DONE,
            stage=Run.Stage.FINISHED,
            progress=100,
            finished_at=finished,
            **figures,
        )
        aggregation_event_record(
            project=run.project,
            run=run,
            kind=AggregationEvent.Kind.DONE,
            at=finished,
            details={k: figures[k] for k in ("n_tasks", "n_answers", "n_workers")},
        )
    run.refresh_from_db()
    return run


def _execute(*, run: AggregationRun, started: datetime) -> dict[str, Any]:
    project = run.project
    interface = get_interface(project.interface)
    if interface.consensus_for(project.config) is not None or interface.reviewed_for(
        project.config
    ):
        measured = consensus_run(
            run=run,
            interface=interface,
            started=started,
            progress=lambda stage, percent: _progress(run.pk, stage, percent),
        )
        _write_done(run=run, started=started)
        run_hooks(LABELS_CHANGED, project=project)
        return measured
    counted = Submission.objects.filter(project=project, status__in=COUNTED)
    total = counted.count()

    task_col: list[str] = []
    worker_col: list[str] = []
    label_col: list[str] = []
    raw: dict[int, list[Any]] = defaultdict(list)
    last_id = 0
    while True:
        chunk = list(
            counted.filter(id__gt=last_id)
            .order_by("id")
            .values_list("id", "task_id", "worker_id", "answer")[:READ_CHUNK]
        )
        if not chunk:
            break
        for _pk, task_id, worker_id, answer in chunk:
            task_col.append(str(task_id))
            worker_col.append(str(worker_id))
            label_col.append(interface.answer_label(answer))
            raw[task_id].append(answer)
        last_id = chunk[-1][0]
        _progress(run.pk, Run.Stage.READING, 1 + 39 * len(task_col) / max(total, 1))

    gold = {
        task_id: interface.answer_label(answer)
        for task_id, answer in Task.objects.filter(project=project, is_gold=True).values_list(
            "id", "gold_answer"
        )
        if task_id in raw
    }
    classes = stats.project_classes(interface, project.config, [*label_col, *gold.values()])
    figures: dict[str, Any] = {
        "n_tasks": len(raw),
        "n_answers": len(task_col),
        "n_workers": len(set(worker_col)),
        "classes": classes,
        "priors": [],
    }
    if not task_col:
        _write_done(run=run, started=started)
        return figures

    answers, book = encode_rows(worker_col, task_col, label_col, classes=classes)
    gold_codes = book.encode_gold([str(t) for t in gold], list(gold.values())) if gold else None
    _progress(run.pk, Run.Stage.FITTING, 45)
    result = get_aggregator(run.method)(answers, gold_codes)
    _progress(run.pk, Run.Stage.WRITING, 75)

    probas = result.probas
    answered = np.bincount(answers.task, minlength=answers.n_tasks) > 0
    priors = probas[answered].mean(axis=0) if answered.any() else np.full(len(classes), 0.0)
    figures["priors"] = [round(float(p), 6) for p in priors]
    figures["answer_correlation"] = round(answer_correlation(answers), 6)
    # Each worker's accuracy as the fitted model sees it: the mean posterior of the labels
    # they gave, with the same Beta prior as a stranger's, so a worker seen twice is not
    # declared perfect.
    given = probas[answers.task, answers.label]
    per_worker = np.bincount(answers.worker, minlength=answers.n_workers)
    right = np.bincount(answers.worker, weights=given, minlength=answers.n_workers)
    accuracy = np.clip(
        (right + stats.PRIOR_RIGHT) / (per_worker + stats.PRIOR_RIGHT + stats.PRIOR_WRONG),
        stats.ACCURACY_FLOOR,
        stats.ACCURACY_CEILING,
    )
    worker_estimates_write(
        run=run,
        estimates=zip(book.workers.tolist(), accuracy.tolist(), per_worker.tolist(), strict=True),
    )
    _write_tasks(
        run=run,
        interface=interface,
        task_ids=[int(t) for t in book.tasks.tolist()],
        labels=[None if x == stats.OTHER else x for x in book.decode_labels(result.labels)],
        confidence=result.confidence(),
        probas=probas,
        classes=classes,
        raw=raw,
        counts=np.bincount(answers.task, minlength=answers.n_tasks),
        started=started,
    )
    if project.dynamic_overlap:
        _progress(run.pk, Run.Stage.WRITING, 95)
        tasks_stop_confident(
            project=project,
            answers=answers,
            task_ids=[int(t) for t in book.tasks.tolist()],
            accuracy=accuracy,
            priors=priors,
            gold_codes=gold_codes,
        )
    _write_done(run=run, started=started)
    # Every label may have moved: whoever compares answers with them recounts now.
    run_hooks(LABELS_CHANGED, project=project)
    return figures


def _write_tasks(
    *,
    run: AggregationRun,
    interface: TaskInterface,
    task_ids: list[int],
    labels: list[str | None],
    confidence: Any,
    probas: Any,
    classes: list[str],
    raw: dict[int, list[Any]],
    counts: Any,
    started: datetime,
) -> None:
    project = run.project
    total = len(task_ids)
    for start in range(0, total, WRITE_CHUNK):
        now = timezone.now()
        chunk = range(start, min(start + WRITE_CHUNK, total))
        ids = [task_ids[i] for i in chunk]
        # An answer that arrived after this run read its data has already refreshed its task
        # with more answers than the run saw; that fresher row is kept.
        fresher = set(
            TaskAggregate.objects.filter(task_id__in=ids, updated_at__gt=started).values_list(
                "task_id", flat=True
            )
        )
        rows = []
        for i in chunk:
            task_id = task_ids[i]
            if task_id in fresher:
                continue
            majority, agreement = majority_vote(
                interface=interface, config=project.config, answers=raw[task_id]
            )
            rows.append(
                TaskAggregate(
                    task_id=task_id,
                    project_id=project.pk,
                    answers_count=int(counts[i]),
                    majority_label=None if majority is None else interface.answer_label(majority),
                    agreement=agreement,
                    label=labels[i],
                    confidence=None if labels[i] is None else stats.share(confidence[i]),
                    posterior=stats.posterior(classes, probas[i]),
                    method=run.method,
                    source=TaskAggregate.Source.RUN,
                    run=run,
                    updated_at=now,
                )
            )
        with transaction.atomic():
            TaskAggregate.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["task"],
                update_fields=[
                    "answers_count",
                    "majority_label",
                    "agreement",
                    "label",
                    "confidence",
                    "posterior",
                    "method",
                    "source",
                    "run",
                    "updated_at",
                ],
            )
        _progress(run.pk, Run.Stage.WRITING, 75 + 20 * (start + len(chunk)) / max(total, 1))


def _write_done(*, run: AggregationRun, started: datetime) -> None:
    # Rows neither rewritten by this run nor refreshed since it started, of tasks that no
    # longer have a counted answer (every answer rejected): their label is gone too.
    counted = Submission.objects.filter(task_id=OuterRef("task_id"), status__in=COUNTED)
    TaskAggregate.objects.filter(
        project_id=run.project_id, updated_at__lt=started, stopped_at__isnull=True
    ).exclude(Exists(counted)).delete()
