"""Scores for aggregated labels: accuracy and expected calibration error."""

from __future__ import annotations

import numpy as np

from .contract import FloatArray, IntArray


def accuracy(labels: IntArray, truth: IntArray, tasks: IntArray) -> float:
    """Share of ``tasks`` whose label equals the truth."""
    if not len(tasks):
        return float("nan")
    return float(np.mean(labels[tasks] == truth[tasks]))


def expected_calibration_error(
    confidence: FloatArray, correct: np.ndarray, n_bins: int = 10
) -> float:
    """ECE with equal-width bins over [0, 1] (Guo et al., ICML 2017).

    Sum over bins of (share of tasks in the bin) x |accuracy - mean confidence|; the top bin
    is closed so a confidence of exactly 1 lands in it.
    """
    confidence = np.asarray(confidence, dtype=np.float64)
    correct = np.asarray(correct, dtype=np.float64)
    if not len(confidence):
        return 0.0
    bins = np.minimum((confidence * n_bins).astype(np.int64), n_bins - 1)
    conf_sum = np.bincount(bins, weights=confidence, minlength=n_bins)
    hit_sum = np.bincount(bins, weights=correct, minlength=n_bins)
    return float(np.abs(hit_sum - conf_sum).sum() / len(confidence))
