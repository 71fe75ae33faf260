"""Numeric answers: the median per task with its spread (MAD and IQR).

The median ignores a minority of wild answers, which a mean does not; MAD and IQR give a
robust spread per task so a caller can ask for more answers where workers disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .contract import AggregationInputError, FloatArray, IntArray, _as_codes, _check_range
from .registry import aggregator


@dataclass(frozen=True)
class NumericResult:
    """Per task: ``values`` (median; NaN without answers), ``mad`` (median absolute deviation
    from the median), ``iqr`` (Q3 - Q1, linear interpolation), ``counts``. ``skills`` is each
    worker's median absolute distance from the task medians (lower is better)."""

    values: FloatArray
    mad: FloatArray
    iqr: FloatArray
    counts: IntArray
    skills: FloatArray


def _grouped_quantile(
    group: IntArray, value: FloatArray, n_groups: int, q: float
) -> tuple[FloatArray, IntArray]:
    """Quantile of ``value`` within each group (NaN for an empty group), no Python loop."""
    order = np.lexsort((value, group))
    sorted_values = value[order]
    counts = np.bincount(group, minlength=n_groups)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]) if n_groups else counts
    out = np.full(n_groups, np.nan)
    has = counts > 0
    position = starts[has] + q * (counts[has] - 1)
    low = np.floor(position).astype(np.int64)
    high = np.ceil(position).astype(np.int64)
    frac = position - low
    out[has] = sorted_values[low] * (1 - frac) + sorted_values[high] * frac
    return out, counts.astype(np.int64)


@aggregator("numeric")
def median(
    task: npt.ArrayLike,
    worker: npt.ArrayLike,
    value: npt.ArrayLike,
    *,
    n_tasks: int | None = None,
    n_workers: int | None = None,
) -> NumericResult:
    task_codes = _as_codes("task", task)
    worker_codes = _as_codes("worker", worker)
    values = np.asarray(value, dtype=np.float64)
    if not len(task_codes) == len(worker_codes) == len(values):
        raise AggregationInputError(
            "task, worker and value must have the same length, got "
            f"{len(task_codes)}, {len(worker_codes)} and {len(values)}"
        )
    if np.isnan(values).any():
        raise AggregationInputError(f"value contains NaN at index {int(np.isnan(values).argmax())}")
    n_t = n_tasks if n_tasks is not None else int(task_codes.max(initial=-1)) + 1
    n_w = n_workers if n_workers is not None else int(worker_codes.max(initial=-1)) + 1
    _check_range("task", task_codes, n_t, "tasks")
    _check_range("worker", worker_codes, n_w, "workers")
    med, counts = _grouped_quantile(task_codes, values, n_t, 0.5)
    q1, _ = _grouped_quantile(task_codes, values, n_t, 0.25)
    q3, _ = _grouped_quantile(task_codes, values, n_t, 0.75)
    deviation = np.abs(values - med[task_codes]) if len(values) else values
    mad, _ = _grouped_quantile(task_codes, deviation, n_t, 0.5)
    skills, _ = _grouped_quantile(worker_codes, deviation, n_w, 0.5)
    return NumericResult(med, mad, q3 - q1, counts, skills)
