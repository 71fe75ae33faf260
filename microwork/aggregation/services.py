"""Writes of answer aggregation inside the platform.

- `project_aggregation_configure`: the requester picks the method and dynamic overlap.
- `aggregation_run_request` / `aggregation_run_execute`: the full re-estimate with the
  project's method, queued from a request and run by a background job, with its progress.
- `task_aggregate_refresh` (the work engine's submission hook): each new answer recounts its
  task at once, and with dynamic overlap may close the task so no one else is given it.

How labels are formed (docs/aggregation.md, "In the platform"): an answer's class is the
interface's `answer_label`, so a multiple-choice answer is one class per distinct set of
boxes; the classes are the project's labels plus any other answer seen.
"""

import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from microwork.accounts.models import User
from microwork.aggregation.algorithms import (
    AggregationInputError,
    Answers,
    encode_rows,
    get_aggregator,
)
from microwork.aggregation.algorithms.majority import answer_correlation, symmetric_posterior
from microwork.aggregation.algorithms.overlap import overlap_decision, posterior_from_skills
from microwork.aggregation.algorithms.registry import kind_of, names
from microwork.aggregation.models import (
    AggregationEvent,
    AggregationRun,
    TaskAggregate,
    WorkerEstimate,
)
from microwork.aggregation.results import COUNTED, majority_vote
from microwork.aggregation.selectors import run_latest_done
from microwork.lib.errors import ApplicationError
from microwork.projects.interfaces import TaskInterface, get_interface
from microwork.projects.models import Batch, Project, Task
from microwork.quality import services as quality_services
from microwork.work.models import Submission

logger = logging.getLogger(__name__)

Run = AggregationRun
# A worker nobody has measured yet is assumed right two times in three: a Beta(2, 1) prior on
# accuracy, updated by their control-task answers. Weak on purpose: two agreeing strangers
# are not enough to stop a task at a 0.95 target, two workers with a clean gold record are.
PRIOR_RIGHT = 2
PRIOR_WRONG = 1
# Accuracies are kept away from 0 and 1 so one worker can never decide a task alone.
ACCURACY_FLOOR = 0.01
ACCURACY_CEILING = 0.99
# A run queued this recently (and not started) already covers a new request.
COALESCE_WINDOW = timedelta(minutes=15)
# A run still "running" after this long lost its worker process (a restart, a kill); it is
# marked failed when the next run is asked for, so the page stops showing it as active.
STALE_RUNNING = timedelta(hours=1)
READ_CHUNK = 5_000
WRITE_CHUNK = 1_000
POSTERIOR_MIN = 0.001
# The class that stands for "some answer not seen yet" when only one is known (never shown).
OTHER = "(any other answer)"
PLACES = Decimal("0.0001")
TARGET_PLACES = Decimal("0.001")


def categorical_methods() -> list[str]:
    """Methods a project may use: every categorical aggregator in the registry."""
    return [name for name in names() if kind_of(name) == "categorical"]


def _event(
    *,
    project: Project,
    kind: str,
    at: datetime,
    run: AggregationRun | None = None,
    actor: User | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    AggregationEvent.objects.create(
        project=project, run=run, kind=kind, actor=actor, details=details or {}, at=at
    )


def _share(value: float) -> Decimal:
    return Decimal(repr(float(value))).quantize(PLACES, rounding=ROUND_HALF_UP)


# --- settings ---------------------------------------------------------------------------------


def _clean_method(method: Any) -> str:
    allowed = categorical_methods()
    if not isinstance(method, str) or method not in allowed:
        raise ApplicationError(
            _("Unknown aggregation method %(method)s. Choose one of: %(methods)s.")
            % {"method": method, "methods": ", ".join(allowed)},
            code="unknown_method",
            field="method",
        )
    return method


def _clean_min_overlap(value: Any, overlap: int) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= overlap:
        raise ApplicationError(
            _(
                "The minimum answers per task must be a whole number from 1 to the project's "
                "answers per task (%(overlap)d)."
            )
            % {"overlap": overlap},
            code="invalid_min_overlap",
            field="min_overlap",
        )
    return value


def _clean_target(value: Any) -> Decimal:
    message = _("The target confidence must be a number above 0.5 and below 1, like 0.95.")
    if isinstance(value, bool) or value is None:
        raise ApplicationError(message, code="invalid_target", field="target_confidence")
    try:
        target = Decimal(str(value).strip())
    except InvalidOperation:
        raise ApplicationError(message, code="invalid_target", field="target_confidence") from None
    if not target.is_finite() or not Decimal("0.5") < target < 1:
        raise ApplicationError(message, code="invalid_target", field="target_confidence")
    if target != target.quantize(TARGET_PLACES):
        raise ApplicationError(
            _("The target confidence has at most three decimals, like 0.975."),
            code="invalid_target",
            field="target_confidence",
        )
    return target.quantize(TARGET_PLACES)


@transaction.atomic
def project_aggregation_configure(
    *,
    project: Project,
    method: str,
    dynamic_overlap: bool,
    min_overlap: int,
    target_confidence: Decimal | str,
    actor: User | None = None,
) -> Project:
    """Choose how a project's answers become labels and whether tasks stop early.

    A new method queues a full re-estimate. Tightening (or switching off) dynamic overlap
    reopens the tasks it had closed that no longer meet the rule, so they collect answers
    again up to the project's answers per task."""
    now = timezone.now()
    method = _clean_method(method)
    if not isinstance(dynamic_overlap, bool):
        raise ApplicationError(
            _("Dynamic overlap is either on (true) or off (false)."),
            code="invalid_dynamic_overlap",
            field="dynamic_overlap",
        )
    project = Project.objects.select_for_update().get(pk=project.pk)
    values = {
        "aggregation_method": method,
        "dynamic_overlap": dynamic_overlap,
        "min_overlap": _clean_min_overlap(min_overlap, project.overlap),
        "target_confidence": _clean_target(target_confidence),
    }
    changed = {k: v for k, v in values.items() if getattr(project, k) != v}
    if not changed:
        return project
    old = {k: str(getattr(project, k)) for k in changed}
    for name, value in changed.items():
        setattr(project, name, value)
    project.save(update_fields=[*changed, "updated_at"])
    _event(
        project=project,
        kind=AggregationEvent.Kind.CONFIGURED,
        at=now,
        actor=actor,
        details={"old": old, "new": {k: str(v) for k, v in changed.items()}},
    )
    reopened = _reopen_unmet(project=project)
    if reopened:
        logger.info("project %s: %s tasks reopened by new overlap settings", project.pk, reopened)
    if "aggregation_method" in changed:
        aggregation_run_request(project=project, actor=actor, reason=Run.Reason.SETTINGS)
    return project


def _reopen_unmet(*, project: Project) -> int:
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


# --- full re-estimate -------------------------------------------------------------------------


@transaction.atomic
def aggregation_run_request(
    *, project: Project, actor: User | None = None, reason: str = Run.Reason.REQUEST
) -> AggregationRun:
    """Queue a full re-estimate of the project with its method; the work happens in a
    background job after commit. A run already waiting to start covers the request (a double
    click, a retried API call, several uploads in a row), so it is returned instead."""
    if reason not in Run.Reason.values:
        raise ApplicationError(_("Unknown reason for a re-estimate."), field="reason")
    now = timezone.now()
    project = Project.objects.select_for_update().get(pk=project.pk)
    waiting = (
        Run.objects.filter(
            project=project,
            status=Run.Status.QUEUED,
            method=project.aggregation_method,
            created_at__gte=now - COALESCE_WINDOW,
        )
        .order_by("-created_at")
        .first()
    )
    if waiting is not None:
        return waiting
    for stale in Run.objects.filter(
        project=project, status=Run.Status.RUNNING, started_at__lt=now - STALE_RUNNING
    ):
        message = _("The job stopped without finishing (its worker process ended).")
        if Run.objects.filter(pk=stale.pk, status=Run.Status.RUNNING).update(
            status=Run.Status.FAILED, error=message, finished_at=now
        ):
            _event(
                project=project,
                run=stale,
                kind=AggregationEvent.Kind.FAILED,
                at=now,
                details={"error": message},
            )
    run = Run.objects.create(
        project=project,
        method=project.aggregation_method,
        reason=reason,
        requested_by=actor,
        created_at=now,
    )
    _event(project=project, run=run, kind=AggregationEvent.Kind.QUEUED, at=now, actor=actor)

    def enqueue() -> None:
        from microwork.aggregation.tasks import aggregate_project

        aggregate_project.enqueue(run_id=run.pk)

    transaction.on_commit(enqueue)
    return run


def batch_added(*, batch: Batch) -> AggregationRun | None:
    """Called by the projects app when a batch of tasks is added: new tasks (and new control
    tasks, which calibrate workers) call for a fresh estimate once there are answers at all."""
    if not Submission.objects.filter(project_id=batch.project_id).exists():
        return None
    return aggregation_run_request(project=batch.project, reason=Run.Reason.UPLOAD)


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
        _event(
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
    _event(project=run.project, run=run, kind=AggregationEvent.Kind.STARTED, at=started)
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
        _event(
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
        _event(
            project=run.project,
            run=run,
            kind=AggregationEvent.Kind.DONE,
            at=finished,
            details={k: figures[k] for k in ("n_tasks", "n_answers", "n_workers")},
        )
    run.refresh_from_db()
    return run


def _project_classes(
    interface: TaskInterface, config: dict[str, Any], seen: Sequence[str]
) -> list[str]:
    """The project's labels in their own order, then any other answer seen (sorted).

    An open-ended interface whose answers so far all agree would have one class, and a model
    with one class is certain of it; a stand-in for "any other answer" keeps it honest."""
    declared = [str(v) for v in (interface.label_values(config) or [])]
    known = set(declared)
    classes = declared + sorted({s for s in seen if s not in known})
    return classes if len(classes) >= 2 else [*classes, OTHER]


def _execute(*, run: AggregationRun, started: datetime) -> dict[str, Any]:
    project = run.project
    interface = get_interface(project.interface)
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
    classes = _project_classes(interface, project.config, [*label_col, *gold.values()])
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
        (right + PRIOR_RIGHT) / (per_worker + PRIOR_RIGHT + PRIOR_WRONG),
        ACCURACY_FLOOR,
        ACCURACY_CEILING,
    )
    _write_workers(run=run, book_workers=book.workers, accuracy=accuracy, counts=per_worker)
    _write_tasks(
        run=run,
        interface=interface,
        task_ids=[int(t) for t in book.tasks.tolist()],
        labels=[None if x == OTHER else x for x in book.decode_labels(result.labels)],
        confidence=result.confidence(),
        probas=probas,
        classes=classes,
        raw=raw,
        counts=np.bincount(answers.task, minlength=answers.n_tasks),
        started=started,
    )
    if project.dynamic_overlap:
        _progress(run.pk, Run.Stage.WRITING, 95)
        _stop_confident(
            project=project,
            answers=answers,
            task_ids=[int(t) for t in book.tasks.tolist()],
            accuracy=accuracy,
            priors=priors,
            gold_codes=gold_codes,
        )
    _write_done(run=run, started=started)
    # Every label may have moved: each worker's agreement with them is recounted.
    quality_services.skills_agreement_refresh(project=project)
    return figures


def _labels_to_quality(
    project: Project, rows: Sequence[tuple[int, str | None, Any, int, str]], now: datetime
) -> None:
    """Hand the labels to quality control, which compares workers' answers with them (it sits
    below aggregation, so it keeps its own copy rather than reading ours)."""
    quality_services.task_labels_record(
        project=project,
        labels=[
            quality_services.AggregatedLabel(
                task_id=task_id, label=label, confidence=confidence, answers=answers, method=method
            )
            for task_id, label, confidence, answers, method in rows
        ],
        now=now,
    )


def _write_workers(*, run: AggregationRun, book_workers: Any, accuracy: Any, counts: Any) -> None:
    now = timezone.now()
    rows = [
        WorkerEstimate(
            project_id=run.project_id,
            worker_id=int(worker),
            accuracy=float(accuracy[i]),
            answers=int(counts[i]),
            run=run,
            updated_at=now,
        )
        for i, worker in enumerate(book_workers.tolist())
    ]
    for start in range(0, len(rows), WRITE_CHUNK):
        with transaction.atomic():
            WorkerEstimate.objects.bulk_create(
                rows[start : start + WRITE_CHUNK],
                update_conflicts=True,
                unique_fields=["project", "worker"],
                update_fields=["accuracy", "answers", "run", "updated_at"],
            )


def _posterior(classes: Sequence[str], row: Any) -> dict[str, float]:
    return {
        classes[c]: round(float(p), 4)
        for c, p in enumerate(row.tolist())
        if p >= POSTERIOR_MIN and classes[c] != OTHER
    }


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
                    confidence=None if labels[i] is None else _share(confidence[i]),
                    posterior=_posterior(classes, probas[i]),
                    method=run.method,
                    source=TaskAggregate.Source.RUN,
                    run=run,
                    updated_at=now,
                )
            )
        with transaction.atomic():
            _labels_to_quality(
                project,
                [(r.task_id, r.label, r.confidence, r.answers_count, r.method) for r in rows],
                now,
            )
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


def _stop_confident(
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
                _stop(
                    task_id=task_id,
                    project=project,
                    now=now,
                    confidence=float(decision.confidence[t]),
                    answers=int(decision.answers[t]),
                    trigger="run",
                )
            stopped += len(open_ids)
    return stopped


def _stop(
    *, task_id: int, project: Project, now: datetime, confidence: float, answers: int, trigger: str
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
            "model": "onecoin",
            "confidence": round(confidence, 6),
            "target": str(project.target_confidence),
            "answers": answers,
            "minimum": project.min_overlap,
            "maximum": project.overlap,
            "trigger": trigger,
        },
    )
    return True


# --- per answer -------------------------------------------------------------------------------


def submission_aggregate(*, submission: Submission) -> None:
    """The work engine's submission hook (runs inside the submit transaction)."""
    locked = None
    if Submission.task.is_cached(submission):
        # The submit locked this task row a moment ago, in this transaction; no need to ask
        # again.
        locked = submission.task
        locked.project = submission.project
    task_aggregate_refresh(
        task_id=submission.task_id, now=submission.submitted_at, locked_task=locked
    )


def _accuracies(*, project: Project, worker_ids: list[int]) -> dict[int, float]:
    """Each worker's accuracy: from the last full run if it saw them, else from their
    control-task answers on this project, else the prior alone."""
    known = dict(
        WorkerEstimate.objects.filter(project=project, worker_id__in=worker_ids).values_list(
            "worker_id", "accuracy"
        )
    )
    missing = [w for w in worker_ids if w not in known]
    if missing:
        gold = (
            Submission.objects.filter(
                project=project, worker_id__in=missing, gold_correct__isnull=False
            )
            .values("worker_id")
            .annotate(total=Count("id"), correct=Count("id", filter=Q(gold_correct=True)))
        )
        counts = {g["worker_id"]: (g["correct"], g["total"]) for g in gold}
        for worker_id in missing:
            correct, seen = counts.get(worker_id, (0, 0))
            known[worker_id] = (correct + PRIOR_RIGHT) / (seen + PRIOR_RIGHT + PRIOR_WRONG)
    return {w: min(max(float(known[w]), ACCURACY_FLOOR), ACCURACY_CEILING) for w in worker_ids}


@transaction.atomic
def task_aggregate_refresh(
    *, task_id: int, now: datetime | None = None, locked_task: Task | None = None
) -> TaskAggregate | None:
    """Recount one task's answers: its majority label and agreement, and a label with a
    confidence from the one-coin model with the workers' known accuracies (cheap: one task's
    answers and one closed-form step). With dynamic overlap, a task that reached the target
    with enough answers is closed so the scheduler stops handing it out. Nothing here is
    shown to workers. `locked_task`, with its project, is the task if the caller holds its row
    lock already."""
    now = now or timezone.now()
    task = locked_task or Task.objects.select_for_update().select_related("project").get(pk=task_id)
    project = task.project
    interface = get_interface(project.interface)
    rows = list(
        Submission.objects.filter(task=task, status__in=COUNTED)
        .order_by("submitted_at", "id")
        .values_list("worker_id", "answer")
    )
    if not rows:
        TaskAggregate.objects.filter(task=task, stopped_at__isnull=True).delete()
        _labels_to_quality(project, [(task.pk, None, None, 0, "")], now)
        return None
    answers = [answer for _w, answer in rows]
    labels = [interface.answer_label(a) for a in answers]
    majority, agreement = majority_vote(interface=interface, config=project.config, answers=answers)
    majority_label = None if majority is None else interface.answer_label(majority)

    run = run_latest_done(project=project)
    base = run.classes if run and run.classes else []
    classes = _project_classes(interface, project.config, [*base, *labels])
    if base:
        # Keep the run's order so its class priors line up; new answers go after.
        classes = base + [c for c in classes if c not in set(base)]
    priors = None
    if run and run.priors and len(run.priors) == len(classes):
        priors = np.asarray(run.priors, dtype=np.float64)

    worker_ids = [w for w, _a in rows]
    order = {w: i for i, w in enumerate(dict.fromkeys(worker_ids))}
    accuracy = _accuracies(project=project, worker_ids=list(order))
    code = {c: i for i, c in enumerate(classes)}
    coded = Answers.from_arrays(
        [0] * len(rows),
        [order[w] for w in worker_ids],
        [code[label] for label in labels],
        n_tasks=1,
        n_workers=len(order),
        n_classes=len(classes),
    )
    skills = np.asarray([accuracy[w] for w in order], dtype=np.float64)
    decision = overlap_decision(
        coded.task,
        coded.worker,
        coded.label,
        n_tasks=1,
        n_workers=coded.n_workers,
        n_classes=coded.n_classes,
        target_posterior=float(project.target_confidence),
        min_answers=project.min_overlap,
        max_answers=project.overlap,
        worker_skills=skills,
        class_priors=priors,
    )
    onecoin_label = classes[int(decision.labels[0])] if decision.labels[0] >= 0 else None
    if onecoin_label == OTHER:
        onecoin_label = None
    onecoin_confidence = float(decision.confidence[0])

    label: str | None
    confidence: Decimal | None
    if task.is_gold:
        gold_label = interface.answer_label(task.gold_answer)
        label, confidence, method, posterior = (
            gold_label,
            Decimal("1.0000"),
            "gold",
            {gold_label: 1.0},
        )
    elif project.aggregation_method == "mv":
        # Not the raw vote share (1.0 for two agreeing answers): the symmetric one-coin
        # posterior of the votes, every voter as accurate as these workers are on average,
        # tempered by the last run's answer correlation as a full majority-vote run is.
        votes = np.bincount(coded.label, minlength=coded.n_classes).astype(np.float64)
        row = symmetric_posterior(
            votes[None, :],
            float(skills.mean()),
            coded.n_classes,
            correlation=run.answer_correlation if run else 0.0,
        )[0]
        picked = row[code[majority_label]] if majority_label in code else 0.0
        label, confidence, method = majority_label, _share(float(picked)), "mv"
        posterior = _posterior(classes, row)
    else:
        label, confidence, method = onecoin_label, _share(onecoin_confidence), "onecoin"
        posterior = _posterior(classes, posterior_from_skills(coded, skills, priors)[0])

    live = {
        "project": project,
        "answers_count": len(rows),
        "majority_label": majority_label,
        "agreement": agreement,
        "label": label,
        "confidence": confidence,
        "posterior": posterior,
        "method": method,
        "source": TaskAggregate.Source.LIVE,
        "run": None,
        "updated_at": now,
    }
    # One upsert (no read, no savepoint) under the task's row lock; a stop, if any, is kept.
    [aggregate] = TaskAggregate.objects.bulk_create(
        [TaskAggregate(task=task, **live)],
        update_conflicts=True,
        unique_fields=["task"],
        update_fields=list(live),
    )
    _labels_to_quality(project, [(task.pk, label, confidence, len(rows), method)], now)
    stopped = (
        project.dynamic_overlap
        and not task.is_gold
        and not task.done
        and len(rows) >= project.min_overlap
        and onecoin_confidence >= float(project.target_confidence)
        and _stop(
            task_id=task.pk,
            project=project,
            now=now,
            confidence=onecoin_confidence,
            answers=len(rows),
            trigger="answer",
        )
    )
    if stopped or task.done:
        # The stop is in the row, not in what was upserted.
        aggregate.refresh_from_db()
    if not task.is_gold and (stopped or len(rows) == project.overlap):
        _after_task_complete(task=task, project=project)
    return aggregate


def _after_task_complete(*, task: Task, project: Project) -> None:
    """The last open task of its batch got its last answer: the batch's final labels should
    come from the project's method, so a full re-estimate is queued. After commit, so the
    submit transaction never waits on the project row."""
    still_open = Task.objects.filter(
        batch_id=task.batch_id, is_gold=False, done=False, answers_count__lt=project.overlap
    ).exclude(pk=task.pk)
    if still_open.exists():
        return
    transaction.on_commit(
        lambda: aggregation_run_request(project=project, reason=Run.Reason.ANSWERED)
    )
