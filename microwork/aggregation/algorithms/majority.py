"""Vote counting: majority vote, gold-weighted majority vote and Wawa.

The label is the (weighted) vote. The posterior of MV and WMV is not the raw vote share, which
says 1.0 for two agreeing answers and misstated its own accuracy by 24 points on
vldb_d_possent, but the posterior of a symmetric one-coin model (every worker right with the
same probability p, a wrong answer spread evenly over the other classes), with p estimated from
how often two answers to the same task agree, and with each task's evidence tempered for
answers that are wrong together: n answers whose pairwise correlation is the crowd's Fleiss'
kappa count as n / (1 + (n - 1) kappa) independent ones (Kish's design effect). Without that
tempering the posterior was worse calibrated than the vote share on seven of the ten public
sets. Its arg-max is still the vote, so labels and ties are unchanged.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ._common import (
    answers_per_task,
    label_scores,
    log_softmax_rows,
    normalise_rows,
    pick_labels,
    row_sum,
)
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


def _vote(
    answers: Answers, weights: FloatArray | None, counts: FloatArray
) -> tuple[FloatArray, IntArray]:
    """Vote shares and labels; ``counts`` is :func:`label_scores` of the plain votes, counted
    once by the caller and shared with the confidence model."""
    if weights is None:
        # plain counts: a task has a label exactly when its row is not all zero, which spares
        # a second pass over the answers
        return normalise_rows(counts), pick_labels(counts, row_sum(counts)[:, 0] > 0)
    scores = label_scores(answers, weights)
    # A task whose voters all weigh zero would otherwise have no posterior: fall back to
    # plain counts there so every answered task still gets a label.
    empty = scores.sum(axis=1) <= 0
    if empty.any():
        scores[empty] = counts[empty]
    labels = pick_labels(scores, answers_per_task(answers) > 0)
    return normalise_rows(scores), labels


# A stranger is right two times in three (the platform's prior for worker accuracy); the
# agreement estimate starts from two pairs of answers agreeing as often as that implies.
PRIOR_ACCURACY = 2 / 3
PRIOR_PAIRS = 2.0


def agreement_accuracy(answers: Answers, n_classes: int | None = None) -> float:
    """Common accuracy p of a symmetric one-coin model, from pairwise agreement.

    Two answers to a task agree with probability A = p^2 + (1 - p)^2 / (K - 1), so
    p = (1 + sqrt(1 - K + K (K - 1) A)) / K, taking the root above chance (1/K). A counts the
    agreeing pairs among every task's pairs of answers, smoothed towards the prior accuracy.
    """
    k = max(answers.n_classes if n_classes is None else n_classes, 2)
    return _accuracy_from_agreement(_agreement_rate(label_scores(answers), k), k)


def answer_correlation(answers: Answers) -> float:
    """Fleiss' kappa of the answers (Fleiss, *Measuring nominal scale agreement among many
    raters*, Psychological Bulletin 1971): (A - P) / (1 - P), with A the smoothed pairwise
    agreement of :func:`agreement_accuracy` and P the agreement expected by chance from the
    classes' shares of all answers; 0 where it would be negative or undefined. It is the
    intra-class correlation of two answers to the same task."""
    counts = label_scores(answers)
    totals = np.einsum("ij->j", counts)
    k = max(int((totals > 0).sum()), 2)
    return _correlation(_agreement_rate(counts, k), totals)


def _agreement_rate(counts: FloatArray, k: int) -> float:
    """Share of agreeing pairs among every task's pairs of answers, from the plain vote counts
    per (task, class), smoothed towards the prior accuracy and kept within [1/K, 1]."""
    n = row_sum(counts)[:, 0]
    # sum c (c - 1) = c.c - sum c, exact in floating point (whole numbers below 2^53) in any
    # order of addition, so the dot product's threads change nothing
    answered = float(n.sum())
    agree = (float(np.vdot(counts, counts)) - answered) / 2
    pairs = (float(np.dot(n, n)) - answered) / 2
    prior = PRIOR_ACCURACY**2 + (1 - PRIOR_ACCURACY) ** 2 / (k - 1)
    rate = (agree + PRIOR_PAIRS * prior) / (pairs + PRIOR_PAIRS)
    return min(max(rate, 1 / k), 1.0)


def _accuracy_from_agreement(rate: float, k: int) -> float:
    return float((1 + np.sqrt(max(1 - k + k * (k - 1) * rate, 0.0))) / k)


def _correlation(rate: float, totals: FloatArray) -> float:
    """Fleiss' kappa from the agreement rate and the number of answers in each class."""
    chance = float(np.dot(totals, totals)) / max(float(totals.sum()), 1.0) ** 2
    if chance >= 1.0:  # one class in use: agreement says nothing about correlation
        return 0.0
    return min(max((rate - chance) / (1.0 - chance), 0.0), 1.0)


def symmetric_posterior(
    votes: FloatArray,
    accuracy: float,
    n_classes: int,
    *,
    correlation: float = 0.0,
    n_answers: FloatArray | None = None,
) -> FloatArray:
    """Posterior over classes from (weighted) vote counts when every vote is right with
    probability ``accuracy``: softmax(votes x log(p (K - 1) / (1 - p))), uniform at chance.

    With ``correlation`` (the answers' Fleiss' kappa, :func:`answer_correlation`) a task's n
    answers weigh as n / (1 + (n - 1) correlation) independent votes, so agreement that may be
    shared error is not counted as independent evidence. ``n_answers`` is the number of answers
    per row (default: the row sums of ``votes``, right for plain counts).
    """
    k = max(n_classes, 2)
    p = min(max(accuracy, 1 / k), 0.999)
    weight = np.log(p * (k - 1) / (1 - p))
    if correlation <= 0:
        return log_softmax_rows(votes * weight, overwrite=True)
    n = row_sum(votes)[:, 0] if n_answers is None else np.asarray(n_answers, np.float64)
    per_vote = weight / (1 + (np.maximum(n, 1) - 1) * min(correlation, 1.0))
    return log_softmax_rows(votes * per_vote[:, None], overwrite=True)


def _calibrated(
    answers: Answers, weights: FloatArray | None, counts: FloatArray
) -> tuple[FloatArray, float, float]:
    if weights is None:
        votes = counts
    else:
        # weighted votes count in units of the average voter, so p keeps its meaning
        votes = label_scores(answers, weights)
        if len(weights):
            votes /= max(float(np.mean(weights)), 1e-12)
    # a class nobody chose gets no mass, and does not dilute the wrong answers: K counts the
    # classes in use (as one-coin DS does)
    totals = np.einsum("ij->j", counts)  # 4x faster than sum(axis=0) on a narrow table
    used = totals > 0
    k_used = max(int(used.sum()), 2)
    rate = _agreement_rate(counts, k_used)
    p = _accuracy_from_agreement(rate, k_used)
    kappa = _correlation(rate, totals)
    n = row_sum(counts)[:, 0]
    if used.all():  # the usual case, without two copies through a column mask
        posterior = symmetric_posterior(votes, p, k_used, correlation=kappa, n_answers=n)
        return posterior, p, kappa
    probas = np.zeros_like(votes)
    probas[:, used] = symmetric_posterior(votes[:, used], p, k_used, correlation=kappa, n_answers=n)
    return probas, p, kappa


@aggregator("categorical")
def majority_vote(answers: Answers, gold: npt.ArrayLike | None = None) -> AggregationResult:
    """Most frequent answer per task; ``gold`` is accepted for a uniform signature, unused.

    Skill is each worker's agreement with the majority label. ``probas`` is the tempered
    symmetric one-coin posterior (see the module docstring), with ``extras["common_accuracy"]``
    and ``extras["answer_correlation"]`` its p and kappa; the raw vote shares, what crowd-kit
    returns as probabilities, are ``extras["vote_shares"]``.
    """
    check_gold(answers, gold)
    counts = label_scores(answers)
    shares, labels = _vote(answers, None, counts)
    if not answers.n_answers or not answers.n_classes:
        return AggregationResult(labels, shares, agreement_with(answers, labels))
    probas, p, kappa = _calibrated(answers, None, counts)
    extras = {"vote_shares": shares, "common_accuracy": p, "answer_correlation": kappa}
    return AggregationResult(labels, probas, agreement_with(answers, labels), extras)


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
    weights = skills[answers.worker]
    counts = label_scores(answers)
    shares, labels = _vote(answers, weights, counts)
    extras: dict[str, object] = {"gold_answers": seen, "vote_shares": shares}
    if not answers.n_answers or not answers.n_classes:
        return AggregationResult(labels, shares, skills, extras)
    probas, p, kappa = _calibrated(answers, weights, counts)
    extras.update(common_accuracy=p, answer_correlation=kappa)
    return AggregationResult(labels, probas, skills, extras)


@aggregator("categorical")
def wawa(answers: Answers, gold: npt.ArrayLike | None = None) -> AggregationResult:
    """Worker Agreement With Aggregate: MV, then votes weighted by agreement with MV.

    The crowd-kit formulation (skill = agreement with the majority label); ``gold`` unused.
    """
    check_gold(answers, gold)
    counts = label_scores(answers)
    _, mv_labels = _vote(answers, None, counts)
    skills = np.nan_to_num(agreement_with(answers, mv_labels), nan=0.0)
    probas, labels = _vote(answers, skills[answers.worker], counts)
    return AggregationResult(labels, probas, skills)
