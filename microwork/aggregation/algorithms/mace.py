"""MACE: Multi-Annotator Competence Estimation, variational-Bayes EM.

D. Hovy, T. Berg-Kirkpatrick, A. Vaswani and E. Hovy, "Learning Whom to Trust with MACE",
NAACL-HLT 2013.

Each answer is either "knowing" (it equals the truth) or "spamming" (drawn from the worker's
own label distribution xi). P(knowing) has a Beta(beta, alpha) prior and xi a symmetric
Dirichlet prior; the M-step uses exp(digamma(.)) expectations (variational Bayes), as in the
paper and crowd-kit. Unlike crowd-kit 1.4.2 we work in log space (a task with many answers
does not underflow) and start deterministically from "half knowing, uniform strategy", which
makes the first E-step a majority vote; crowd-kit's random starts add nothing because it seeds
every restart identically.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy.special import digamma

from ._common import EPS, answers_per_task, clamp_to_gold, label_scores, pick_labels
from .contract import AggregationResult, Answers, FloatArray, check_gold
from .majority import majority_vote
from .registry import aggregator


def _vb_normalise(counts: FloatArray, prior: FloatArray | float) -> FloatArray:
    shifted = counts + prior
    return np.exp(digamma(shifted) - digamma(shifted.sum(axis=1, keepdims=True)))


@aggregator("categorical")
def mace(
    answers: Answers,
    gold: npt.ArrayLike | None = None,
    *,
    max_iter: int = 50,
    tol: float = 0.0,
    alpha: float = 0.5,
    beta: float = 0.5,
    strategy_prior: float = 10.0,
    class_prior: Literal["uniform", "learned"] = "uniform",
) -> AggregationResult:
    """MACE labels; ``skills`` = each worker's probability of knowing (not spamming).

    ``alpha``/``beta`` are the Beta prior pseudo-counts of spamming/knowing and
    ``strategy_prior`` the Dirichlet pseudo-count per class of the spamming distribution
    (crowd-kit's defaults). EM stops after ``max_iter`` rounds or when the log marginal
    likelihood per answer changes by less than ``tol``. Gold tasks are clamped.

    ``class_prior="uniform"`` is the paper's model. ``"learned"`` re-estimates the class
    prior each round, which helps on strongly imbalanced sets (see docs/aggregation.md).
    """
    gold_codes = check_gold(answers, gold)
    if not answers.n_answers or not answers.n_classes:
        return majority_vote(answers)
    k = answers.n_classes
    w_idx, t_idx, l_idx = answers.worker, answers.task, answers.label
    n_w, n_t = answers.n_workers, answers.n_tasks
    answered = answers_per_task(answers) > 0
    used = np.bincount(l_idx, minlength=k) > 0
    log_prior = np.where(used, -np.log(used.sum()), -np.inf)

    know = np.full(n_w, 0.5)
    spam = np.full(n_w, 0.5)
    strategy = np.full((n_w, k), 1.0 / k)
    last = -np.inf
    iterations = 0
    post = np.zeros((n_t, k))
    for iterations in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        # P(answer | truth) = spam * xi[answer] + know * [answer == truth]
        spam_part = np.clip(spam[w_idx] * strategy[w_idx, l_idx], EPS, None)
        if_right = spam_part + know[w_idx]
        base = np.bincount(t_idx, weights=np.log(spam_part), minlength=n_t)
        bonus = label_scores(answers, np.log(if_right) - np.log(spam_part))
        with np.errstate(invalid="ignore"):
            log_joint = base[:, None] + bonus + log_prior
        top = log_joint.max(axis=1, keepdims=True)
        post = np.exp(log_joint - top)
        evidence = post.sum(axis=1, keepdims=True)
        post /= evidence
        post = clamp_to_gold(post, gold_codes)
        log_marginal = float(np.sum((np.log(evidence) + top)[answered]))

        # expected share of each answer that was knowing: only possible if it is the truth
        p_right = post[t_idx, l_idx]
        knowing = p_right * know[w_idx] / if_right
        spamming = 1.0 - knowing
        know_count = np.bincount(w_idx, weights=knowing, minlength=n_w)
        spam_count = np.bincount(w_idx, weights=spamming, minlength=n_w)
        strategy_count = np.bincount(
            w_idx * k + l_idx, weights=spamming, minlength=n_w * k
        ).reshape(n_w, k)
        spam, know = _vb_normalise(
            np.column_stack([spam_count, know_count]), np.array([alpha, beta])
        ).T
        if class_prior == "learned":
            log_prior = np.log(np.clip(post[answered].mean(axis=0), EPS, None))
        strategy = _vb_normalise(strategy_count, strategy_prior)

        per_answer = log_marginal / answers.n_answers
        if abs(per_answer - last) < tol:
            break
        last = per_answer

    has_label = answered.copy()
    if gold_codes is not None:
        has_label |= gold_codes >= 0
    labels = pick_labels(post, has_label)
    extras: dict[str, object] = {"strategy": strategy, "iterations": iterations}
    return AggregationResult(labels, post, know / (know + spam), extras)
