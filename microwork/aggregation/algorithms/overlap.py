"""Dynamic overlap: ask for another answer only where the posterior is not yet confident.

A task is done once it has ``min_answers`` and the posterior of its chosen label reaches
``target_posterior``, or once it has ``max_answers``. The posterior comes from a cheap
model: by default one-coin Dawid–Skene fitted on the answers collected so far (skills are
learned online from every task, so a worker's history counts everywhere); if worker skills
are already known (from gold or history) pass them as ``worker_skills`` and the posterior is
a single closed-form one-coin step with no EM at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ._common import EPS, answers_per_task, label_scores, log_softmax_rows, pick_labels
from .contract import Answers, FloatArray, IntArray, check_gold
from .metrics import accuracy
from .registry import get_aggregator


@dataclass(frozen=True)
class OverlapDecision:
    done: npt.NDArray[np.bool_]
    need_more: npt.NDArray[np.bool_]
    labels: IntArray
    confidence: FloatArray
    answers: IntArray


def posterior_from_skills(
    answers: Answers, skills: FloatArray, priors: FloatArray | None = None
) -> FloatArray:
    """Posterior with fixed worker skills, in one vectorised step (no EM).

    ``skills`` is either one accuracy per worker (one-coin: a wrong answer is spread evenly
    over the other classes) or confusion matrices ``[worker, true, given]`` as returned by
    Dawid–Skene. ``priors`` defaults to flat.
    """
    k = max(answers.n_classes, 2)
    log_priors = np.log(np.clip(priors, EPS, None)) if priors is not None else np.zeros(k)
    if skills.ndim == 3:
        log_conf = np.log(np.clip(skills, EPS, None))  # [worker, true, given]
        per_answer = log_conf[answers.worker, :, answers.label]  # (n_answers, k)
        log_lik = np.zeros((answers.n_tasks, answers.n_classes))
        for c in range(answers.n_classes):  # a loop over classes, not over answers
            log_lik[:, c] = np.bincount(
                answers.task, weights=per_answer[:, c], minlength=answers.n_tasks
            )
        return log_softmax_rows(log_lik + log_priors[: answers.n_classes])
    right = np.log(np.clip(skills, EPS, 1 - EPS))
    wrong = np.log(np.clip((1 - skills) / (k - 1), EPS, 1 - EPS))
    base = np.bincount(answers.task, weights=wrong[answers.worker], minlength=answers.n_tasks)
    bonus = label_scores(answers, (right - wrong)[answers.worker])
    return log_softmax_rows(base[:, None] + bonus + log_priors[: answers.n_classes])


def overlap_decision(
    task: npt.ArrayLike,
    worker: npt.ArrayLike,
    label: npt.ArrayLike,
    *,
    n_tasks: int,
    n_workers: int,
    n_classes: int,
    target_posterior: float = 0.95,
    min_answers: int = 2,
    max_answers: int = 7,
    method: str = "onecoin",
    worker_skills: npt.ArrayLike | None = None,
    class_priors: npt.ArrayLike | None = None,
    gold: npt.ArrayLike | None = None,
) -> OverlapDecision:
    """Which tasks are done and which need another answer.

    ``method`` names any categorical aggregator in the registry, fitted on the given answers;
    ``worker_skills`` (one accuracy per worker, or DS confusion matrices) with optional
    ``class_priors`` replaces it with the closed-form posterior of
    :func:`posterior_from_skills`. Gold tasks are
    done as soon as they have ``min_answers`` (their label is known).
    """
    answers = Answers.from_arrays(
        task, worker, label, n_tasks=n_tasks, n_workers=n_workers, n_classes=n_classes
    )
    gold_codes = check_gold(answers, gold)
    counts = answers_per_task(answers)
    if worker_skills is not None:
        priors = None if class_priors is None else np.asarray(class_priors, dtype=np.float64)
        probas = posterior_from_skills(answers, np.asarray(worker_skills, np.float64), priors)
        labels = pick_labels(probas, counts > 0)
    else:
        result = get_aggregator(method)(answers)
        probas, labels = result.probas, result.labels
    picked = np.where(labels >= 0, labels, 0)
    confidence = np.where(labels >= 0, probas[np.arange(n_tasks), picked], 0.0)
    sure = confidence >= target_posterior
    if gold_codes is not None:
        sure |= gold_codes >= 0
    done = (counts >= min_answers) & (sure | (counts >= max_answers))
    return OverlapDecision(done, ~done, labels, confidence, counts)


@dataclass(frozen=True)
class OverlapSimulation:
    accuracy: float  # dynamic overlap, labels from ``method`` on the answers it drew
    answers_used: int
    answers_total: int
    accuracy_mv_all: float  # majority vote on every answer (the fixed-overlap baseline)
    accuracy_mv_same_budget: float  # majority vote with a fixed overlap of the same budget
    fixed_overlap_same_budget: int
    rounds: int

    @property
    def share_used(self) -> float:
        return self.answers_used / self.answers_total if self.answers_total else 0.0


def simulate_dynamic_overlap(
    answers: Answers,
    truth: IntArray,
    *,
    seed: int = 0,
    target_posterior: float = 0.95,
    min_answers: int = 2,
    max_answers: int = 7,
    method: str = "ds",
    skills_from: str = "all",
) -> OverlapSimulation:
    """Replay a data set's real answers in a random order with dynamic overlap.

    Every task starts with ``min_answers`` of its answers (in a random order fixed by
    ``seed``) and draws its next unused answer, one per round, until :func:`overlap_decision`
    says it is done or its answers run out. ``skills_from="all"`` gives the decision the worker
    skills (and class priors) that ``method`` learns from the whole set, as a platform knows
    them from workers' history; ``"revealed"`` refits ``method`` on the answers drawn so far
    each round.
    Accuracy is scored on tasks with a truth and at least one answer.
    """
    rng = np.random.default_rng(seed)
    order = np.lexsort((rng.random(answers.n_answers), answers.task))
    counts = answers_per_task(answers)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank = np.empty(answers.n_answers, dtype=np.int64)
    rank[order] = np.arange(answers.n_answers) - starts[answers.task[order]]

    skills = priors = None
    if skills_from == "all":
        full = get_aggregator(method)(answers)
        skills, priors = full.skills, full.extras.get("priors")
    elif skills_from != "revealed":
        raise ValueError(f"skills_from must be 'all' or 'revealed', got {skills_from!r}")

    drawn = np.minimum(counts, min_answers)
    rounds = 0
    while True:
        subset = answers.subset(rank < drawn[answers.task])
        decision = overlap_decision(
            subset.task,
            subset.worker,
            subset.label,
            n_tasks=answers.n_tasks,
            n_workers=answers.n_workers,
            n_classes=answers.n_classes,
            target_posterior=target_posterior,
            min_answers=min_answers,
            max_answers=max_answers,
            method=method,
            worker_skills=skills,
            class_priors=priors,
        )
        more = decision.need_more & (drawn < counts)
        if not more.any():
            break
        drawn = drawn + more
        rounds += 1

    scored = np.flatnonzero((counts > 0) & (truth >= 0))
    mv_all = get_aggregator("mv")(answers).labels
    used = int(drawn.sum())
    fixed = max(int(round(used / max(int((counts > 0).sum()), 1))), 1)
    mv_fixed = get_aggregator("mv")(answers.subset(rank < fixed)).labels
    return OverlapSimulation(
        accuracy=accuracy(decision.labels, truth, scored),
        answers_used=used,
        answers_total=answers.n_answers,
        accuracy_mv_all=accuracy(mv_all, truth, scored),
        accuracy_mv_same_budget=accuracy(mv_fixed, truth, scored),
        fixed_overlap_same_budget=fixed,
        rounds=rounds,
    )
