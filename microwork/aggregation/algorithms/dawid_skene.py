"""Dawid–Skene with full confusion matrices, and its one-coin variant.

A. P. Dawid and A. M. Skene, "Maximum Likelihood Estimation of Observer Error-Rates Using the
EM Algorithm", Applied Statistics 28(1), 1979. One-coin: Y. Zhang, X. Chen, D. Zhou and
M. I. Jordan, "Spectral Methods Meet EM", JMLR 17, 2016.

The EM schedule follows crowd-kit 1.4.2 on purpose (start from majority-vote posteriors, stop
as soon as the per-answer evidence lower bound rises by less than ``tol``): that early stop is
part of why its figures on the public data sets are what they are, and matching it lets us
check parity label by label. Both steps are sparse matrix products, so one iteration over a
million answers costs about ten milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from ._common import (
    EPS,
    answers_per_task,
    clamp_to_gold,
    design_matrices,
    label_scores,
    log_softmax_rows,
    normalise_rows,
    pick_labels,
)
from .contract import AggregationResult, Answers, FloatArray, IntArray, check_gold
from .registry import aggregator

# (posteriors) -> log P(answer | true class) per (worker*K + label) row, shape (W*K, K)
LogErrorsFn = Callable[[FloatArray], FloatArray]


def _column_mean(q: FloatArray) -> FloatArray:
    """``q.mean(axis=0)`` with the same sums, at a quarter of the cost.

    numpy reduces over the long axis of an (n, K) array in short inner loops; einsum adds the
    rows in the same order with a tighter loop.
    """
    return np.einsum("ij->j", q) / len(q)


def _em(
    answers: Answers,
    gold: IntArray | None,
    log_errors_from: LogErrorsFn,
    by_task: sp.csr_matrix,
    max_iter: int,
    tol: float,
) -> tuple[FloatArray, FloatArray, FloatArray, int]:
    counts = answers_per_task(answers)
    answered = counts > 0
    probas = clamp_to_gold(normalise_rows(label_scores(answers)), gold)
    priors = _column_mean(probas[answered])
    log_errors = log_errors_from(probas)
    log_lik = by_task @ log_errors
    all_answered = bool(answered.all())
    loss = -np.inf
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        log_priors = np.log(np.clip(priors, EPS, None))
        # log_lik is not needed after this step: it becomes the posteriors in place
        log_lik += log_priors
        probas = clamp_to_gold(log_softmax_rows(log_lik, overwrite=True), gold)
        q = probas if all_answered else probas[answered]
        priors = _column_mean(q)
        log_errors = log_errors_from(probas)
        # the bound's log-likelihood term is also the next E-step's input: compute it once
        log_lik = by_task @ log_errors
        # crowd-kit's bound adds the log prior once per answer rather than once per task; we
        # keep its exact form because it decides when EM stops.
        log_priors = np.log(np.clip(priors, EPS, None))
        joint = float(np.sum((log_lik if all_answered else log_lik[answered]) * q))
        joint += float(np.sum((counts if all_answered else counts[answered]) * (q @ log_priors)))
        q_clipped = np.maximum(q, EPS)  # np.clip(q, EPS, None) without its wrapper's overhead
        q_log_q = np.log(q_clipped)
        q_log_q *= q_clipped
        entropy = -float(np.sum(q_log_q))
        new_loss = (joint + entropy) / answers.n_answers
        if new_loss - loss < tol:
            break
        loss = new_loss
    return probas, priors, log_errors, iterations


def _finish(
    answers: Answers,
    gold: IntArray | None,
    probas: FloatArray,
    skills: FloatArray,
    extras: dict[str, object],
) -> AggregationResult:
    has_label = answers_per_task(answers) > 0
    if gold is not None:
        has_label |= gold >= 0
    return AggregationResult(pick_labels(probas, has_label), probas, skills, extras)


def _trivial(answers: Answers) -> AggregationResult | None:
    if answers.n_answers and answers.n_classes:
        return None
    from .majority import majority_vote

    return majority_vote(answers)


@aggregator("categorical")
def dawid_skene(
    answers: Answers,
    gold: npt.ArrayLike | None = None,
    *,
    max_iter: int = 100,
    tol: float = 1e-5,
    smoothing: float = 0.0,
) -> AggregationResult:
    """Full confusion matrix per worker, fitted by EM.

    ``smoothing`` is an additive pseudo-count on every confusion cell; the default adds
    nothing beyond a 1e-10 floor (as crowd-kit does), which scored best on the public sets.
    Gold tasks are observed truth: their posterior is clamped to the gold label at every step.
    ``skills`` is ``[worker, true, given]`` = P(given | true).
    """
    gold_codes = check_gold(answers, gold)
    trivial = _trivial(answers)
    if trivial is not None:
        return trivial
    k = answers.n_classes
    by_worker_label, by_task = design_matrices(answers)

    def log_errors_from(probas: FloatArray) -> FloatArray:
        counts = np.asarray(by_worker_label @ probas).reshape(answers.n_workers, k, k)
        counts = np.clip(counts + smoothing, EPS, None)
        errors = counts / counts.sum(axis=1, keepdims=True)
        return np.log(errors).reshape(answers.n_workers * k, k)

    probas, priors, log_errors, iterations = _em(
        answers, gold_codes, log_errors_from, by_task, max_iter, tol
    )
    # stored as [worker, given, true]; the contract wants [worker, true, given]
    confusion = np.exp(log_errors).reshape(answers.n_workers, k, k).transpose(0, 2, 1)
    extras: dict[str, object] = {"priors": priors, "iterations": iterations}
    return _finish(answers, gold_codes, probas, np.ascontiguousarray(confusion), extras)


@aggregator("categorical")
def one_coin_dawid_skene(
    answers: Answers,
    gold: npt.ArrayLike | None = None,
    *,
    max_iter: int = 100,
    tol: float = 1e-5,
) -> AggregationResult:
    """One accuracy per worker; wrong answers spread evenly over the other classes.

    Skill is the mean posterior of the worker's own answers (crowd-kit's M-step). Gold tasks
    are clamped like in :func:`dawid_skene`.
    """
    gold_codes = check_gold(answers, gold)
    trivial = _trivial(answers)
    if trivial is not None:
        return trivial
    k = answers.n_classes
    _, by_task = design_matrices(answers)
    per_worker = np.bincount(answers.worker, minlength=answers.n_workers)
    # crowd-kit's "K" is the number of classes actually used in the data
    k_used = max(int((np.bincount(answers.label, minlength=k) > 0).sum()), 2)
    skills = np.zeros(answers.n_workers)

    def log_errors_from(probas: FloatArray) -> FloatArray:
        nonlocal skills
        own = probas[answers.task, answers.label]
        skills = np.bincount(answers.worker, weights=own, minlength=answers.n_workers)
        skills = skills / np.maximum(per_worker, 1)
        right = np.log(np.clip(skills, EPS, 1 - EPS))
        wrong = np.log(np.clip((1 - skills) / (k_used - 1), EPS, 1 - EPS))
        table = np.broadcast_to(wrong[:, None, None], (answers.n_workers, k, k)).copy()
        diagonal = np.arange(k)
        table[:, diagonal, diagonal] = right[:, None]
        return table.reshape(answers.n_workers * k, k)

    probas, priors, _, iterations = _em(
        answers, gold_codes, log_errors_from, by_task, max_iter, tol
    )
    extras: dict[str, object] = {"priors": priors, "iterations": iterations}
    return _finish(answers, gold_codes, probas, skills, extras)
