"""The one data contract shared by every aggregation method.

Answers are three parallel integer arrays (task, worker, label) with declared sizes; a result
holds a label and a posterior per task plus a skill per worker. Keeping the contract to plain
numpy arrays lets the Django services, the command line and the benchmark call the same code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

NO_LABEL = -1
"""Label of a task that received no answer (and has no gold label)."""


class AggregationInputError(ValueError):
    """The input arrays break the data contract; the message names what is wrong."""


def _as_codes(name: str, values: npt.ArrayLike) -> IntArray:
    array = np.asarray(values)
    if array.ndim != 1:
        raise AggregationInputError(
            f"{name} must be a one-dimensional array, got {array.ndim} dims"
        )
    if array.dtype.kind == "f":
        if np.isnan(array).any():
            raise AggregationInputError(
                f"{name} contains NaN at index {int(np.isnan(array).argmax())}"
            )
        if not np.equal(np.mod(array, 1), 0).all():
            raise AggregationInputError(f"{name} must hold integer codes, got fractional values")
    elif array.size and array.dtype.kind not in "iub":
        raise AggregationInputError(f"{name} must hold integer codes, got dtype {array.dtype}")
    return array.astype(np.int64, copy=False)


def _check_range(name: str, codes: IntArray, size: int, what: str) -> None:
    if not codes.size:
        return
    bad = (codes < 0) | (codes >= size)
    if bad.any():
        index = int(bad.argmax())
        raise AggregationInputError(
            f"{name}[{index}] = {int(codes[index])} is outside the declared {what} 0..{size - 1}"
            if size
            else f"{name}[{index}] = {int(codes[index])} but no {what} are declared"
        )


@dataclass(frozen=True)
class Answers:
    """Integer-coded answers: row ``i`` says worker ``worker[i]`` gave ``label[i]`` to ``task[i]``.

    Repeated (worker, task) pairs are kept as separate answers, as crowd-kit does: a data set
    that publishes a worker's answer twice counts it twice.
    """

    task: IntArray
    worker: IntArray
    label: IntArray
    n_tasks: int
    n_workers: int
    n_classes: int

    @classmethod
    def from_arrays(
        cls,
        task: npt.ArrayLike,
        worker: npt.ArrayLike,
        label: npt.ArrayLike,
        *,
        n_tasks: int | None = None,
        n_workers: int | None = None,
        n_classes: int | None = None,
    ) -> Answers:
        """Validate and wrap the arrays; omitted sizes are taken as ``max + 1``."""
        task_codes = _as_codes("task", task)
        worker_codes = _as_codes("worker", worker)
        label_codes = _as_codes("label", label)
        lengths = {len(task_codes), len(worker_codes), len(label_codes)}
        if len(lengths) != 1:
            raise AggregationInputError(
                "task, worker and label must have the same length, got "
                f"{len(task_codes)}, {len(worker_codes)} and {len(label_codes)}"
            )

        def size(declared: int | None, codes: IntArray) -> int:
            if declared is not None:
                if declared < 0:
                    raise AggregationInputError(f"declared sizes must be >= 0, got {declared}")
                return int(declared)
            return int(codes.max()) + 1 if codes.size else 0

        answers = cls(
            task=task_codes,
            worker=worker_codes,
            label=label_codes,
            n_tasks=size(n_tasks, task_codes),
            n_workers=size(n_workers, worker_codes),
            n_classes=size(n_classes, label_codes),
        )
        _check_range("task", answers.task, answers.n_tasks, "tasks")
        _check_range("worker", answers.worker, answers.n_workers, "workers")
        _check_range("label", answers.label, answers.n_classes, "classes")
        return answers

    @property
    def n_answers(self) -> int:
        return len(self.task)

    def subset(self, mask: npt.NDArray[np.bool_] | IntArray) -> Answers:
        """The same sizes with only the selected answers (used by the overlap simulation)."""
        return Answers(
            task=self.task[mask],
            worker=self.worker[mask],
            label=self.label[mask],
            n_tasks=self.n_tasks,
            n_workers=self.n_workers,
            n_classes=self.n_classes,
        )


def check_gold(answers: Answers, gold: npt.ArrayLike | None) -> IntArray | None:
    """Validate a gold array: one entry per task, a class code or -1 for unknown."""
    if gold is None:
        return None
    codes = _as_codes("gold", gold)
    if len(codes) > answers.n_tasks:
        extra = np.flatnonzero(codes[answers.n_tasks :] != NO_LABEL)
        if extra.size:
            raise AggregationInputError(
                f"gold label for unknown task {answers.n_tasks + int(extra[0])} "
                f"(only {answers.n_tasks} tasks declared)"
            )
        codes = codes[: answers.n_tasks]
    elif len(codes) < answers.n_tasks:
        codes = np.concatenate([codes, np.full(answers.n_tasks - len(codes), NO_LABEL)])
    bad = (codes < NO_LABEL) | (codes >= answers.n_classes)
    if bad.any():
        index = int(bad.argmax())
        raise AggregationInputError(
            f"gold[{index}] = {int(codes[index])} is outside the declared classes "
            f"0..{answers.n_classes - 1} (use -1 for unknown)"
        )
    return codes


@dataclass(frozen=True)
class AggregationResult:
    """What every categorical method returns (and, with one difference, ``text``).

    ``labels[t]`` is the chosen class (``-1`` when the task has no answer and no gold);
    ``probas[t]`` the posterior over classes (uniform for such a task); ``skills`` is one
    number per worker, or for confusion-matrix methods an array ``[worker, true, given]``
    holding P(worker answers ``given`` | truth is ``true``).

    ``probas`` is a dense ``n_tasks x n_classes`` numpy array for every categorical method.
    The ``text`` method returns the same shape as a ``scipy.sparse`` array with one entry per
    task (the chosen answer's mean similarity, not a distribution): its classes are every
    distinct string of the whole input, so a dense matrix would be tasks x strings. Call
    :meth:`confidence` rather than indexing ``probas`` to work with both.
    """

    labels: IntArray
    probas: FloatArray
    skills: FloatArray
    extras: dict[str, Any] = field(default_factory=dict)

    def confidence(self) -> FloatArray:
        """Posterior of the chosen label per task (0 for a task without a label)."""
        picked = np.where(self.labels >= 0, self.labels, 0)
        conf = self.probas[np.arange(len(self.labels)), picked] if len(self.labels) else picked
        return np.where(self.labels >= 0, conf, 0.0).astype(np.float64)
