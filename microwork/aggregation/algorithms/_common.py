"""Vectorised building blocks shared by the methods (not part of the public API)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .contract import NO_LABEL, Answers, FloatArray, IntArray

# crowd-kit clips probabilities at 1e-10 before taking logs; using the same floor keeps our
# EM trajectories (and so the iteration at which they stop) comparable with the reference.
EPS = 1e-10


def answers_per_task(answers: Answers) -> IntArray:
    return np.bincount(answers.task, minlength=answers.n_tasks).astype(np.int64)


def label_scores(answers: Answers, weights: FloatArray | None = None) -> FloatArray:
    """Sum of (optionally weighted) votes per (task, class), shape n_tasks x n_classes."""
    k = answers.n_classes
    flat = np.bincount(
        answers.task * k + answers.label, weights=weights, minlength=answers.n_tasks * k
    )
    return flat.reshape(answers.n_tasks, k).astype(np.float64, copy=False)


def normalise_rows(scores: FloatArray) -> FloatArray:
    """Rows scaled to sum to one; an all-zero row becomes uniform rather than NaN."""
    k = scores.shape[1] if scores.ndim == 2 else 0
    if k == 0:
        return scores.astype(np.float64)
    totals = scores.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(totals > 0, scores / np.where(totals > 0, totals, 1.0), 1.0 / k)
    return out


def pick_labels(scores: FloatArray, has_label: np.ndarray) -> IntArray:
    """Arg-max per row; np.argmax returns the first maximum, so the lowest class wins ties."""
    if scores.shape[1] == 0:
        return np.full(scores.shape[0], NO_LABEL, dtype=np.int64)
    labels = scores.argmax(axis=1).astype(np.int64)
    return np.where(has_label, labels, NO_LABEL)


def clamp_to_gold(probas: FloatArray, gold: IntArray | None) -> FloatArray:
    """Gold tasks are observed truth: their posterior is the one-hot gold label."""
    if gold is None:
        return probas
    known = np.flatnonzero(gold >= 0)
    if known.size:
        probas[known] = 0.0
        probas[known, gold[known]] = 1.0
    return probas


def design_matrices(answers: Answers) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Sparse (worker*K + label) x task count matrix and its transpose.

    EM steps become two sparse products: the M-step sums task posteriors into confusion rows,
    the E-step sums log-confusion rows into task log-likelihoods. Duplicated answers add up.
    """
    k = answers.n_classes
    rows = answers.worker * k + answers.label
    ones = np.ones(answers.n_answers, dtype=np.float64)
    shape = (answers.n_workers * k, answers.n_tasks)
    by_worker_label = sp.csr_matrix((ones, (rows, answers.task)), shape=shape)
    by_worker_label.sum_duplicates()
    return by_worker_label, by_worker_label.T.tocsr()


def log_softmax_rows(log_scores: FloatArray) -> FloatArray:
    """Normalised posteriors from unnormalised log scores (shifting by the row max first)."""
    shifted = log_scores - log_scores.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


def empty_result_probas(answers: Answers) -> FloatArray:
    k = answers.n_classes
    return np.full((answers.n_tasks, k), 1.0 / k if k else 0.0)
