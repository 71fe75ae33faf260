"""Label-by-label parity and calibration against crowd-kit 1.4.2 on the public data sets.

The first run creates ``.venv-crowdkit`` (a minute or two of pip) and runs crowd-kit once
per data set and method; later runs read the cached results.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from microwork.aggregation.algorithms import datasets, get_aggregator
from microwork.aggregation.algorithms.metrics import expected_calibration_error

from . import crowdkit_ref

pytestmark = [
    pytest.mark.skipif(not datasets.available(), reason="public data sets not found"),
    pytest.mark.skipif(crowdkit_ref.skip_reason() is not None, reason="MICROWORK_SKIP_CROWDKIT=1"),
]

# crowd-kit's GLAD takes under ~10 s on these; the others take up to minutes
GLAD_SETS = ("bluebirds", "sp_amt", "weather_cf_amt", "zencrowd_us", "zencrowd_in")


@pytest.fixture(scope="module")
def reference() -> object:
    try:
        crowdkit_ref.ensure_env()
    except crowdkit_ref.CrowdkitUnavailableError as error:
        if os.environ.get("CI"):
            # CI must show parity, not quietly skip it because pip could not reach the index.
            pytest.fail(f"crowd-kit's environment could not be made: {error}")
        pytest.skip(str(error))

    def fetch(name: str, method: str) -> tuple[datasets.Dataset, crowdkit_ref.CrowdkitRun]:
        data = datasets.load(name)
        methods = ["mv", "ds", "glad"] if name in GLAD_SETS else ["mv", "ds"]
        return data, crowdkit_ref.run(data.answers, methods, key=name)[method]

    return fetch


def agreement(ours: np.ndarray, theirs: np.ndarray) -> float:
    answered = theirs >= 0
    return float(np.mean(ours[answered] == theirs[answered]))


@pytest.mark.parametrize("method", ["mv", "ds"])
@pytest.mark.parametrize("name", datasets.CATEGORICAL)
def test_labels_agree_with_crowdkit(reference, name: str, method: str) -> None:
    data, theirs = reference(name, method)
    ours = get_aggregator(method)(data.answers)
    assert agreement(ours.labels, theirs.labels) >= 0.99


@pytest.mark.parametrize("name", GLAD_SETS)
def test_glad_labels_agree_with_crowdkit(reference, name: str) -> None:
    data, theirs = reference(name, "glad")
    ours = get_aggregator("glad")(data.answers)
    assert agreement(ours.labels, theirs.labels) >= 0.99


def chosen_label_ece(labels: np.ndarray, probas: np.ndarray, data: datasets.Dataset) -> float:
    tasks = data.scored_tasks()
    confidence = probas[tasks, labels[tasks]]
    return expected_calibration_error(confidence, labels[tasks] == data.truth[tasks])


@pytest.mark.parametrize("name", datasets.CATEGORICAL)
def test_dawid_skene_is_calibrated_at_least_as_well_as_crowdkit(reference, name: str) -> None:
    data, theirs = reference(name, "ds")
    ours = get_aggregator("ds")(data.answers)
    ours_ece = chosen_label_ece(ours.labels, ours.probas, data)
    theirs_ece = chosen_label_ece(theirs.labels, theirs.probas, data)
    assert ours_ece <= theirs_ece + 1e-4, (ours_ece, theirs_ece)
