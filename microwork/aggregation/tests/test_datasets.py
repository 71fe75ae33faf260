"""Accuracy on the public data sets with ground truth, against crowd-kit 1.4.2's figures.

No gold is given to any method: the truth is used only for scoring, over the tasks that have
both a truth and at least one answer.
"""

from __future__ import annotations

import numpy as np
import pytest

from microwork.aggregation.algorithms import datasets, get_aggregator
from microwork.aggregation.algorithms.metrics import accuracy
from microwork.aggregation.algorithms.numeric import median

pytestmark = pytest.mark.skipif(
    not datasets.available(),
    reason=f"data sets not found in {datasets.datasets_dir()} (set MICROWORK_DATASETS)",
)

# crowd-kit 1.4.2 accuracy from the data sets' README: MV, Wawa, DS, OneCoinDS, GLAD, MACE
CROWDKIT = {
    "vldb_d_product": (0.8966, 0.8966, 0.9397, 0.9084, 0.9283, 0.929),
    "vldb_d_possent": (0.932, 0.951, 0.96, 0.949, 0.948, 0.95),
    "vldb_s_adult": (0.7628, 0.7658, 0.7658, 0.7087, 0.7598, 0.7628),
    "bluebirds": (0.7593, 0.7593, 0.8889, 0.5833, 0.7222, 0.75),
    "dog": (0.8178, 0.829, 0.8426, 0.8302, 0.834, 0.8302),
    "rte": (0.9188, 0.9212, 0.9275, 0.925, 0.925, 0.925),
    "zencrowd_us": (0.8686, 0.8657, 0.8373, 0.901, 0.8765, 0.8319),
    "zencrowd_in": (0.7441, 0.7451, 0.7608, 0.7892, 0.7525, 0.7461),
    "sp_amt": (0.944, 0.944, 0.944, 0.946, 0.946, 0.946),
    "weather_cf_amt": (0.8467, 0.8567, 0.84, 0.86, 0.8533, 0.8567),
}
COLUMN = {"mv": 0, "wmv": 0, "wawa": 1, "ds": 2, "onecoin": 3, "glad": 4, "mace": 5}

TOLERANCE = 0.005


def floor(name: str, method: str) -> float:
    return CROWDKIT[name][COLUMN[method]]


@pytest.fixture(scope="module")
def loaded() -> dict[str, datasets.Dataset]:
    return {name: datasets.load(name) for name in datasets.CATEGORICAL}


@pytest.mark.parametrize("method", list(COLUMN))
@pytest.mark.parametrize("name", datasets.CATEGORICAL)
def test_accuracy_is_not_below_crowdkit(
    loaded: dict[str, datasets.Dataset], name: str, method: str
) -> None:
    data = loaded[name]
    result = get_aggregator(method)(data.answers)
    score = accuracy(result.labels, data.truth, data.scored_tasks())
    assert score >= floor(name, method) - TOLERANCE, f"{method} on {name}: {score:.4f}"


def test_scored_task_counts_match_the_readme(loaded: dict[str, datasets.Dataset]) -> None:
    # guards the accuracy denominator: "tasks with truth and answers" column of the README
    assert len(loaded["vldb_s_adult"].scored_tasks()) == 333
    assert len(loaded["bluebirds"].scored_tasks()) == 108
    assert loaded["zencrowd_us"].answers.n_answers == 11271  # duplicates kept


def test_median_tracks_the_true_emotion_scores() -> None:
    data = datasets.load_numeric("vldb_n_emotion")
    result = median(data.task, data.worker, data.value, n_tasks=data.n_tasks)
    known = ~np.isnan(data.truth)
    error = np.abs(result.values[known] - data.truth[known]).mean()
    # the baseline to beat is a single answer: 18.65 mean absolute error on this set
    single = np.abs(data.value - data.truth[data.task]).mean()
    assert error <= 0.75 * single, (error, single)
    # the truth is itself an average of scores, so the mean (MAE 12.0) fits it a little better
    # than the median (13.5); the median buys robustness to a wild answer, not accuracy here
    mean = np.bincount(data.task, weights=data.value) / np.bincount(data.task)
    assert error <= 1.15 * np.abs(mean - data.truth)[known].mean()
    assert np.corrcoef(result.values[known], data.truth[known])[0, 1] > 0.6
    assert (result.mad >= 0).all() and (result.iqr >= 0).all()
