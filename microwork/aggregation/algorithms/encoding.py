"""String rows <-> integer codes.

Codes are stable for a given input: classes are sorted (numerically when every class parses
as an integer, so "10" follows "9"; otherwise as strings), workers are numbered in order of
first appearance, and tasks in order of first appearance (``task_order="first_seen"``, the
default) or sorted as strings (``task_order="sorted"``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from .contract import NO_LABEL, AggregationInputError, Answers, IntArray

StrArray = npt.NDArray[np.str_]


def _first_seen_codes(values: StrArray) -> tuple[StrArray, IntArray]:
    uniques, first, inverse = np.unique(values, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return uniques[order], rank[inverse].astype(np.int64)


def _sorted_codes(values: StrArray) -> tuple[StrArray, IntArray]:
    uniques, inverse = np.unique(values, return_inverse=True)
    return uniques, inverse.astype(np.int64)


def _class_codes(values: StrArray) -> tuple[StrArray, IntArray]:
    uniques, inverse = np.unique(values, return_inverse=True)
    try:
        numeric = np.array([int(v) for v in uniques])
    except ValueError:
        return uniques, inverse.astype(np.int64)
    order = np.argsort(numeric, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return uniques[order], rank[inverse].astype(np.int64)


def _lookup(names: StrArray, values: StrArray) -> IntArray:
    """Code of each value in ``names`` (-1 when absent), by binary search."""
    if not len(names):
        return np.full(len(values), NO_LABEL, dtype=np.int64)
    order = np.argsort(names, kind="stable")
    ordered = names[order]
    pos = np.clip(np.searchsorted(ordered, values), 0, len(ordered) - 1)
    found = ordered[pos] == values
    return np.where(found, order[pos], NO_LABEL).astype(np.int64)


@dataclass(frozen=True)
class Codebook:
    """The strings behind each code, index = code."""

    tasks: StrArray
    workers: StrArray
    classes: StrArray

    def decode_labels(self, codes: npt.ArrayLike) -> list[str | None]:
        """Class names for label codes; ``None`` where the code is -1 (no label)."""
        array = np.asarray(codes, dtype=np.int64)
        return [None if c == NO_LABEL else str(self.classes[c]) for c in array.tolist()]

    def task_index(self) -> dict[str, int]:
        return {str(t): i for i, t in enumerate(self.tasks.tolist())}

    def encode_gold(self, tasks: Sequence[str], labels: Sequence[str]) -> IntArray:
        """Gold array (one entry per task, -1 unknown) from (task, label) string pairs."""
        if len(tasks) != len(labels):
            raise AggregationInputError(
                f"gold tasks and labels differ in length: {len(tasks)} vs {len(labels)}"
            )
        gold = np.full(len(self.tasks), NO_LABEL, dtype=np.int64)
        if not len(tasks):
            return gold
        task_arr = np.asarray(tasks, dtype=str)
        label_arr = np.asarray(labels, dtype=str)
        task_codes = _lookup(self.tasks, task_arr)
        class_codes = _lookup(self.classes, label_arr)
        if (task_codes < 0).any():
            row = int(np.argmax(task_codes < 0))
            raise AggregationInputError(
                f"gold row {row}: gold label for unknown task {str(task_arr[row])!r}"
            )
        if (class_codes < 0).any():
            row = int(np.argmax(class_codes < 0))
            raise AggregationInputError(
                f"gold row {row}: label {str(label_arr[row])!r} is not among the classes answered "
                f"({', '.join(map(str, self.classes.tolist()))})"
            )
        gold[task_codes] = class_codes
        return gold


def encode_rows(
    workers: Sequence[str] | StrArray,
    tasks: Sequence[str] | StrArray,
    labels: Sequence[str] | StrArray,
    *,
    task_order: Literal["first_seen", "sorted"] = "first_seen",
    classes: Sequence[str] | None = None,
) -> tuple[Answers, Codebook]:
    """Turn parallel string columns into :class:`Answers` plus the codebook to decode them.

    Pass ``classes`` to declare the class list (and its order) up front, e.g. to include a
    class nobody chose; a label outside it is an error.
    """
    worker_arr = np.asarray(workers, dtype=str)
    task_arr = np.asarray(tasks, dtype=str)
    label_arr = np.asarray(labels, dtype=str)
    if not len(worker_arr) == len(task_arr) == len(label_arr):
        raise AggregationInputError(
            "workers, tasks and labels must have the same length, got "
            f"{len(worker_arr)}, {len(task_arr)} and {len(label_arr)}"
        )
    worker_names, worker_codes = _first_seen_codes(worker_arr)
    if task_order == "first_seen":
        task_names, task_codes = _first_seen_codes(task_arr)
    elif task_order == "sorted":
        task_names, task_codes = _sorted_codes(task_arr)
    else:
        raise AggregationInputError(f"unknown task_order {task_order!r}")
    if classes is None:
        class_names, label_codes = _class_codes(label_arr)
    else:
        class_names = np.asarray(list(classes), dtype=str)
        label_codes = _lookup(class_names, label_arr)
        if (label_codes < 0).any():
            unknown = np.unique(label_arr[label_codes < 0])[:5].tolist()
            raise AggregationInputError(
                f"labels outside the declared classes: {', '.join(map(repr, unknown))}"
            )
    answers = Answers.from_arrays(
        task_codes,
        worker_codes,
        label_codes,
        n_tasks=len(task_names),
        n_workers=len(worker_names),
        n_classes=len(class_names),
    )
    return answers, Codebook(tasks=task_names, workers=worker_names, classes=class_names)
