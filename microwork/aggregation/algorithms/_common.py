"""Vectorised building blocks shared by the methods (not part of the public API)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

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
    cells = answers.task * k
    cells += answers.label
    flat = np.bincount(cells, weights=weights, minlength=answers.n_tasks * k)
    return flat.reshape(answers.n_tasks, k).astype(np.float64, copy=False)


def normalise_rows(scores: FloatArray) -> FloatArray:
    """Rows scaled to sum to one; an all-zero row becomes uniform rather than NaN."""
    k = scores.shape[1] if scores.ndim == 2 else 0
    if k == 0:
        return scores.astype(np.float64)
    totals = row_sum(scores)
    if (totals > 0).all():
        return scores / totals
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(totals > 0, scores / np.where(totals > 0, totals, 1.0), 1.0 / k)
    return out


def row_max(scores: FloatArray) -> FloatArray:
    """Maximum per row, shape (n, 1).

    numpy reduces a short contiguous axis one row at a time (about 20x slower than a whole-
    column operation on 200,000 x 4); a loop over the few columns gives the same exact values.
    """
    return functools.reduce(np.maximum, scores.T)[:, None]


def row_sum(scores: FloatArray) -> FloatArray:
    """Sum per row, shape (n, 1), added column by column for the reason given in row_max."""
    return functools.reduce(np.add, scores.T)[:, None]


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


def design_matrices(answers: Answers) -> tuple[sp.csc_matrix, sp.csr_matrix]:
    """Sparse (worker*K + label) x task count matrix and its transpose.

    EM steps become two sparse products: the M-step sums task posteriors into confusion rows,
    the E-step sums log-confusion rows into task log-likelihoods. Duplicated answers add up.

    Only the task-major CSR matrix is stored; the other is its transposed view (CSC). A CSC
    product reads the task posteriors in order and scatters into the small confusion table,
    which is several times faster than a CSR product gathering posteriors at random, and adds
    in the same order, so the sums are bit for bit those of the CSR product. The matrix is
    built from one sort of the (task, worker*K + label) keys, which is what scipy's COO
    conversion and duplicate summing would produce, at a third of the cost.
    """
    k = answers.n_classes
    n_columns = answers.n_workers * k
    keys = answers.task * n_columns
    keys += answers.worker * k
    keys += answers.label
    keys.sort()
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    unique = keys[starts]
    counts = np.diff(np.append(starts, keys.size)).astype(np.float64)
    tasks = unique // n_columns
    columns = unique - tasks * n_columns  # np.divmod is several times slower
    indptr = np.zeros(answers.n_tasks + 1, dtype=np.int64)
    np.cumsum(np.bincount(tasks, minlength=answers.n_tasks), out=indptr[1:])
    by_task = sp.csr_matrix((counts, columns, indptr), shape=(answers.n_tasks, n_columns))
    by_task.has_sorted_indices = True
    return by_task.T, by_task


def log_softmax_rows(log_scores: FloatArray, *, overwrite: bool = False) -> FloatArray:
    """Normalised posteriors from unnormalised log scores (shifting by the row max first).

    With ``overwrite`` the result is written into ``log_scores``: a caller that owns the array
    saves a large temporary (and its page faults) per call.
    """
    if overwrite:
        exp = log_scores
        exp -= row_max(log_scores)
    else:
        exp = log_scores - row_max(log_scores)
    np.exp(exp, out=exp)
    exp /= row_sum(exp)
    return exp


def empty_result_probas(answers: Answers) -> FloatArray:
    k = answers.n_classes
    return np.full((answers.n_tasks, k), 1.0 / k if k else 0.0)


def vote_weights(votes: Sequence[Any]) -> FloatArray:
    """The consensus methods' vote weights: each vote's ``weight`` as a float, a missing,
    negative or non-finite one counting as 0; when none is positive every vote weighs 1."""
    raw = np.array([float(getattr(v, "weight", 1.0) or 0.0) for v in votes], dtype=np.float64)
    weights = np.where(np.isfinite(raw) & (raw > 0), raw, 0.0)
    if not (weights > 0).any():
        return np.ones(len(votes))
    return weights
