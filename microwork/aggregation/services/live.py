"""The per-answer estimate: each new answer recounts its task at once, inside the submit
transaction (the work engine's submission hook), and with dynamic overlap may close the
task so no one else is given it. The last answer of a batch asks for a full re-estimate."""

from datetime import datetime
from decimal import Decimal
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from microwork.aggregation import stats
from microwork.aggregation.algorithms import Answers
from microwork.aggregation.algorithms.majority import symmetric_posterior
from microwork.aggregation.algorithms.overlap import overlap_decision, posterior_from_skills
from microwork.aggregation.models import AggregationRun, TaskAggregate, WorkerEstimate
from microwork.aggregation.results import COUNTED, majority_vote
from microwork.aggregation.selectors import run_latest_done
from microwork.aggregation.services.consensus import task_consensus_refresh
from microwork.aggregation.services.overlap import task_stop
from microwork.aggregation.services.run_requests import aggregation_run_request
from microwork.projects.interfaces import get_interface
from microwork.projects.models import Project, Task
from microwork.work.models import Submission

Run = AggregationRun


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
            known[worker_id] = (correct + stats.PRIOR_RIGHT) / (
                seen + stats.PRIOR_RIGHT + stats.PRIOR_WRONG
            )
    return {
        w: min(max(float(known[w]), stats.ACCURACY_FLOOR), stats.ACCURACY_CEILING)
        for w in worker_ids
    }


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
        return None
    if interface.consensus_for(project.config) is not None or interface.reviewed_for(
        project.config
    ):
        return _refresh_consensus(
            task=task, project=project, interface=interface, rows=rows, now=now
        )
    answers = [answer for _w, answer in rows]
    labels = [interface.answer_label(a) for a in answers]
    majority, agreement = majority_vote(interface=interface, config=project.config, answers=answers)
    majority_label = None if majority is None else interface.answer_label(majority)

    run = run_latest_done(project=project)
    base = run.classes if run and run.classes else []
    classes = stats.project_classes(interface, project.config, [*base, *labels])
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
    if onecoin_label == stats.OTHER:
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
        label, confidence, method = majority_label, stats.share(float(picked)), "mv"
        posterior = stats.posterior(classes, row)
    else:
        label, confidence, method = onecoin_label, stats.share(onecoin_confidence), "onecoin"
        posterior = stats.posterior(classes, posterior_from_skills(coded, skills, priors)[0])

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
    _stop_or_complete(
        task=task,
        project=project,
        aggregate=aggregate,
        answers=len(rows),
        confidence=onecoin_confidence,
        now=now,
    )
    return aggregate


def _refresh_consensus(
    *, task: Task, project: Project, interface: Any, rows: list[tuple[int, Any]], now: datetime
) -> TaskAggregate:
    """The same per-answer step for a kind whose answers have parts, or that other workers
    review: its consensus instead of a class, and no early stop for reviewed kinds (a review
    is of each answer, not of the task)."""
    accuracy = _accuracies(project=project, worker_ids=list(dict.fromkeys(w for w, _a in rows)))
    aggregate, confidence = task_consensus_refresh(
        task=task, project=project, interface=interface, rows=rows, accuracy=accuracy, now=now
    )
    _stop_or_complete(
        task=task,
        project=project,
        aggregate=aggregate,
        answers=len(rows),
        confidence=confidence,
        now=now,
        can_stop=not interface.reviewed_for(project.config),
        model=str(interface.consensus_for(project.config)),
    )
    return aggregate


def _stop_or_complete(
    *,
    task: Task,
    project: Project,
    aggregate: TaskAggregate,
    answers: int,
    confidence: float,
    now: datetime,
    can_stop: bool = True,
    model: str = "onecoin",
) -> None:
    """After a task's recount: with dynamic overlap, close it once enough answers agree
    confidently enough; and when its batch's last open task is complete, ask for a full run."""
    stopped = (
        can_stop
        and project.dynamic_overlap
        and not task.is_gold
        and not task.done
        and answers >= project.min_overlap
        and confidence >= float(project.target_confidence)
        and task_stop(
            task_id=task.pk,
            project=project,
            now=now,
            confidence=confidence,
            answers=answers,
            trigger="answer",
            model=model,
        )
    )
    if stopped or task.done:
        # The stop is in the row, not in what was upserted.
        aggregate.refresh_from_db()
    if not task.is_gold and (stopped or answers == project.overlap):
        _after_task_complete(task=task, project=project)


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
