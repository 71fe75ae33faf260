"""Vote counting: majority vote, gold-weighted majority vote and Wawa."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ._common import answers_per_task, label_scores, normalise_rows, pick_labels, row_sum
from .contract import AggregationResult, Answers, FloatArray, IntArray, check_gold
from .registry import aggregator


def agreement_with(answers: Answers, reference: IntArray) -> FloatArray:
    """Share of each worker's answers that equal ``reference[task]`` (tasks with -1 skipped).

    Like crowd-kit, an identical answer repeated by the same worker on the same task counts
    once here, so a duplicated row does not inflate a worker's skill.
    """
    ref = reference[answers.task]
    correct = answers.label == ref
    task, worker, label = answers.task, answers.worker, answers.label
    keep = ref >= 0
    if not keep.all():
        task, worker, label, correct = task[keep], worker[keep], label[keep], correct[keep]
    # One sort of (match, worker, task, label) keys finds the distinct answers; whether the
    # answer matches the reference is a function of task and label, so it never splits a
    # duplicate. (match, worker) is read back with one division, which costs far less than
    # np.unique's stable arg-sort and the gathers through its indices. Built in place: each
    # fresh million-row temporary costs page faults.
    k = max(answers.n_classes, 1)
    per_cell = max(answers.n_tasks * k, 1)
    keys = correct.astype(np.int64)
    keys *= answers.n_workers
    keys += worker
    keys *= per_cell
    keys += task * k
    keys += label
    keys.sort()
    distinct = keys[1:] != keys[:-1]
    if not distinct.all():
        keys = keys[np.concatenate(([True], distinct))]
    keys //= per_cell
    # row 0 counts the misses, row 1 the hits of each worker
    tally = np.bincount(keys, minlength=answers.n_workers * 2).reshape(2, answers.n_workers)
    hits = tally[1].astype(np.float64)
    seen = tally.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(seen > 0, hits / np.maximum(seen, 1), np.nan)


def _vote(answers: Answers, weights: FloatArray | None) -> tuple[FloatArray, IntArray]:
    scores = label_scores(answers, weights)
    if weights is None:
        # plain counts: a task has a label exactly when its row is not all zero, which spares
        # a second pass over the answers
        return normalise_rows(scores), pick_labels(scores, row_sum(scores)[:, 0] > 0)
    # A task whose voters all weigh zero would otherwise have no posterior: fall back to
    # plain counts there so every answered task still gets a label.
    empty = scores.sum(axis=1) <= 0
    if empty.any():
        scores[empty] = label_scores(answers)[empty]
    labels = pick_labels(scores, answers_per_task(answers) > 0)
    return normalise_rows(scores), labels


@aggregator("categorical")
def majority_vote(answers: Answers, gold: npt.ArrayLike | None = None) -> AggregationResult:
    """Most frequent answer per task; ``gold`` is accepted for a uniform signature, unused.

    Skill is each worker's agreement with the majority label.
    """
    check_gold(answers, gold)
    probas, labels = _vote(answers, None)
    return AggregationResult(labels, probas, agreement_with(answers, labels))


@aggregator("categorical")
def gold_weighted_majority_vote(
    answers: Answers,
    gold: npt.ArrayLike | None = None,
    *,
    prior_hits: float = 1.0,
    prior_misses: float = 1.0,
) -> AggregationResult:
    """Votes weighted by each worker's accuracy on gold tasks.

    Accuracy is smoothed with a Beta(prior_hits, prior_misses) prior, so a worker with no gold
    answers gets the prior mean and, with no gold at all, every weight is equal: plain MV.
    """
    gold_codes = check_gold(answers, gold)
    hits = np.zeros(answers.n_workers)
    seen = np.zeros(answers.n_workers)
    if gold_codes is not None:
        truth = gold_codes[answers.task]
        on_gold = truth >= 0
        hits = np.bincount(
            answers.worker[on_gold],
            weights=(answers.label[on_gold] == truth[on_gold]).astype(np.float64),
            minlength=answers.n_workers,
        )
        seen = np.bincount(answers.worker[on_gold], minlength=answers.n_workers).astype(float)
    skills = (hits + prior_hits) / (seen + prior_hits + prior_misses)
    probas, labels = _vote(answers, skills[answers.worker])
    return AggregationResult(labels, probas, skills, {"gold_answers": seen})


@aggregator("categorical")
def wawa(answers: Answers, gold: npt.ArrayLike | None = None) -> AggregationResult:
    """Worker Agreement With Aggregate: MV, then votes weighted by agreement with MV.

    The crowd-kit formulation (skill = agreement with the majority label); ``gold`` unused.
    """
    check_gold(answers, gold)
    _, mv_labels = _vote(answers, None)
    skills = np.nan_to_num(agreement_with(answers, mv_labels), nan=0.0)
    probas, labels = _vote(answers, skills[answers.worker])
    return AggregationResult(labels, probas, skills)
