"""MACE: Multi-Annotator Competence Estimation, variational-Bayes EM.

D. Hovy, T. Berg-Kirkpatrick, A. Vaswani and E. Hovy, "Learning Whom to Trust with MACE",
NAACL-HLT 2013.

Each answer is either "knowing" (it equals the truth) or "spamming" (drawn from the worker's
own label distribution xi). P(knowing) has a Beta(beta, alpha) prior and xi a Dirichlet
prior; the M-step uses exp(digamma(.)) expectations (variational Bayes), as in the paper and
its reference implementation. We work in log space (a task with many answers does not
underflow) and start deterministically from "half knowing, uniform strategy", which makes
the first E-step a majority vote. Random restarts (the reference implementation's 10) were
measured and dropped: on the public sets every restart reached the same optimum.

Two defaults differ from the paper's, both measured on the ten public data sets in
docs/aggregation.md:

- The class prior is learned (the paper fixes it uniform; its software takes it from a
  file). With a uniform prior, a minority answer from a worker whose guesses lean to the
  majority class is strong evidence, so on imbalanced sets (product matching: 88 % negative)
  MACE labels far too many tasks with the minority class.
- The Dirichlet prior of xi is centred on that class prior instead of being uniform: a
  guessing worker is expected to guess like the data. Otherwise a worker whose answers
  nobody else checked (a lone answer) is best explained as a spammer with a uniform guess,
  and a learned prior then overrules every lone minority answer. With it, and a Beta prior
  that expects competence (mean 0.89), an unchecked worker stays credible until the
  answers that can be checked say otherwise.

``class_prior="uniform", alpha=0.5, beta=0.5, strategy_prior=10.0`` is the paper's model
with crowd-kit 1.4.2's priors.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy.special import digamma

from ._common import EPS, answers_per_task, clamp_to_gold, pick_labels
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
    beta: float = 4.0,
    strategy_prior: float = 30.0,
    class_prior: Literal["learned", "uniform"] = "learned",
) -> AggregationResult:
    """MACE labels; ``skills`` = each worker's probability of knowing (not spamming).

    ``alpha``/``beta`` are the Beta prior pseudo-counts of spamming/knowing.
    ``strategy_prior`` is the Dirichlet pseudo-count per class of the spamming distribution;
    its mean is the class prior. ``class_prior="learned"`` re-estimates the class prior each
    round from the task posteriors; ``"uniform"`` keeps it uniform over the classes that
    occur, as in the paper. EM stops after ``max_iter`` rounds or when the log marginal
    likelihood per answer changes by less than ``tol``. Gold tasks are clamped.
    """
    gold_codes = check_gold(answers, gold)
    if not answers.n_answers or not answers.n_classes:
        return majority_vote(answers)
    k = answers.n_classes
    w_idx, t_idx, l_idx = answers.worker, answers.task, answers.label
    n_w, n_t = answers.n_workers, answers.n_tasks
    answered = answers_per_task(answers) > 0
    used = np.bincount(l_idx, minlength=k) > 0
    prior = np.where(used, 1.0 / used.sum(), 0.0)
    theta_prior = np.array([alpha, beta])
    # flat indices into (task, class) and (worker, class) tables, reused every round
    task_label = t_idx * k + l_idx
    worker_label = w_idx * k + l_idx

    know = np.full(n_w, 0.5)
    spam = np.full(n_w, 0.5)
    strategy = np.full((n_w, k), 1.0 / k)
    last = -np.inf
    iterations = 0
    post = np.zeros((n_t, k))
    for iterations in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        # P(answer | truth) = spam * xi[answer] + know * [answer == truth]
        spam_part = np.clip(spam[w_idx] * strategy.ravel()[worker_label], EPS, None)
        if_right = spam_part + know[w_idx]
        base = np.bincount(t_idx, weights=np.log(spam_part), minlength=n_t)
        bonus = np.bincount(
            task_label, weights=np.log(if_right / spam_part), minlength=n_t * k
        ).reshape(n_t, k)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_joint = base[:, None] + bonus + np.log(prior)
        top = log_joint.max(axis=1, keepdims=True)
        post = np.exp(log_joint - top)
        evidence = post.sum(axis=1, keepdims=True)
        post /= evidence
        post = clamp_to_gold(post, gold_codes)
        log_marginal = float(np.sum((np.log(evidence) + top)[answered]))

        # expected share of each answer that was knowing: only possible if it is the truth
        p_right = post.ravel()[task_label]
        knowing = p_right * know[w_idx] / if_right
        spamming = 1.0 - knowing
        know_count = np.bincount(w_idx, weights=knowing, minlength=n_w)
        spam_count = np.bincount(w_idx, weights=spamming, minlength=n_w)
        strategy_count = np.bincount(worker_label, weights=spamming, minlength=n_w * k).reshape(
            n_w, k
        )
        spam, know = _vb_normalise(np.column_stack([spam_count, know_count]), theta_prior).T
        if class_prior == "learned":
            prior = np.where(used, np.clip(post[answered].mean(axis=0), EPS, None), 0.0)
            prior /= prior.sum()
        strategy = _vb_normalise(strategy_count, np.clip(strategy_prior * k * prior, EPS, None))

        per_answer = log_marginal / answers.n_answers
        if abs(per_answer - last) < tol:
            break
        last = per_answer

    has_label = answered.copy()
    if gold_codes is not None:
        has_label |= gold_codes >= 0
    labels = pick_labels(post, has_label)
    extras: dict[str, object] = {
        "strategy": strategy,
        "class_prior": prior,
        "iterations": iterations,
    }
    return AggregationResult(labels, post, know / (know + spam), extras)
