"""Loading the public crowdsourcing data sets with ground truth (for tests and the benchmark).

The sets live in ``datasets/`` at the repository root (its README says where each comes from),
or wherever the ``MICROWORK_DATASETS`` environment variable points. Each folder holds
``labels.csv`` (worker,task,label) and ``gold.csv`` (task,label).
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .contract import NO_LABEL, Answers, FloatArray, IntArray
from .encoding import Codebook, encode_rows

# parents: [0] algorithms, [1] aggregation, [2] microwork, [3] the repository root
DEFAULT_DATASETS = Path(__file__).resolve().parents[3] / "datasets"

CATEGORICAL = (
    "vldb_d_product",
    "vldb_d_possent",
    "vldb_s_adult",
    "bluebirds",
    "dog",
    "rte",
    "zencrowd_us",
    "zencrowd_in",
    "sp_amt",
    "weather_cf_amt",
)
NUMERIC = ("vldb_n_emotion",)


def datasets_dir() -> Path:
    return Path(os.environ.get("MICROWORK_DATASETS") or DEFAULT_DATASETS)


def available() -> bool:
    return all((datasets_dir() / name / "labels.csv").is_file() for name in CATEGORICAL)


def _read_columns(path: Path, columns: tuple[str, ...]) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    return [[row[c] for row in rows] for c in columns]


@dataclass(frozen=True)
class Dataset:
    name: str
    answers: Answers
    codebook: Codebook
    truth: IntArray  # one entry per task, -1 where the truth is unknown

    def scored_tasks(self) -> IntArray:
        """Tasks that have both a truth and at least one answer (the accuracy denominator)."""
        answered = np.bincount(self.answers.task, minlength=self.answers.n_tasks) > 0
        return np.flatnonzero(answered & (self.truth != NO_LABEL))


def load(name: str) -> Dataset:
    folder = datasets_dir() / name
    workers, tasks, labels = _read_columns(folder / "labels.csv", ("worker", "task", "label"))
    answers, codebook = encode_rows(workers, tasks, labels)
    gold_tasks, gold_labels = _read_columns(folder / "gold.csv", ("task", "label"))
    # truths of tasks nobody answered cannot be scored; a truth in a class nobody answered
    # can never be matched, so it stays in the denominator as an error (-2 never equals a code)
    index = codebook.task_index()
    classes = {str(c): i for i, c in enumerate(codebook.classes.tolist())}
    truth = np.full(answers.n_tasks, NO_LABEL, dtype=np.int64)
    for task, label in zip(gold_tasks, gold_labels, strict=True):
        if task in index:
            truth[index[task]] = classes.get(label, -2)
    return Dataset(name, answers, codebook, truth)


@dataclass(frozen=True)
class NumericDataset:
    name: str
    task: IntArray
    worker: IntArray
    value: FloatArray
    n_tasks: int
    n_workers: int
    truth: FloatArray  # NaN where unknown
    tasks: list[str]


def load_numeric(name: str) -> NumericDataset:
    folder = datasets_dir() / name
    workers, tasks, values = _read_columns(folder / "labels.csv", ("worker", "task", "label"))
    task_names, task_codes = np.unique(np.asarray(tasks, dtype=str), return_inverse=True)
    worker_names, worker_codes = np.unique(np.asarray(workers, dtype=str), return_inverse=True)
    gold_tasks, gold_values = _read_columns(folder / "gold.csv", ("task", "label"))
    truth = np.full(len(task_names), np.nan)
    pos = {t: i for i, t in enumerate(task_names.tolist())}
    for task, value in zip(gold_tasks, gold_values, strict=True):
        if task in pos:
            truth[pos[task]] = float(value)
    return NumericDataset(
        name,
        task_codes.astype(np.int64),
        worker_codes.astype(np.int64),
        np.asarray(values, dtype=np.float64),
        len(task_names),
        len(worker_names),
        truth,
        task_names.tolist(),
    )
