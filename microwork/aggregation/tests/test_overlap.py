"""Dynamic overlap: the decision rule on a tiny table, and replays of real data sets."""

from __future__ import annotations

import numpy as np
import pytest

from microwork.aggregation.algorithms import datasets
from microwork.aggregation.algorithms.overlap import overlap_decision, simulate_dynamic_overlap


def test_decision_waits_for_min_answers_and_stops_at_max() -> None:
    # task 0: one answer; task 1: two reliable agreeing answers; task 2: 3 answers, split
    task = [0, 1, 1, 2, 2, 2]
    worker = [0, 0, 1, 0, 1, 2]
    label = [1, 1, 1, 0, 1, 0]
    skills = np.array([0.99, 0.99, 0.6])
    decision = overlap_decision(
        task, worker, label, n_tasks=3, n_workers=3, n_classes=2,
        target_posterior=0.95, min_answers=2, max_answers=3, worker_skills=skills,
    )  # fmt: skip
    assert decision.need_more.tolist() == [True, False, False]
    assert decision.confidence[1] > 0.99
    assert decision.confidence[2] < 0.95  # done only because it reached max_answers
    split = overlap_decision(
        task, worker, label, n_tasks=3, n_workers=3, n_classes=2,
        min_answers=2, max_answers=7, worker_skills=skills,
    )  # fmt: skip
    assert split.need_more.tolist() == [True, False, True]


def test_decision_with_a_fitted_model_and_gold() -> None:
    decision = overlap_decision(
        [0, 0, 1, 1], [0, 1, 0, 1], [0, 1, 0, 1], n_tasks=2, n_workers=2, n_classes=2,
        method="mv", gold=[-1, 1],
    )  # fmt: skip
    # a 1-1 split is 50 % sure; the gold task is done whatever its answers say
    assert decision.need_more.tolist() == [True, False]


needs_data = pytest.mark.skipif(not datasets.available(), reason="public data sets not found")

# sets with at least 10 answers per task: room to save answers
DEEP_SETS = ("vldb_d_possent", "sp_amt", "rte", "dog", "bluebirds")


@needs_data
@pytest.mark.parametrize("name", DEEP_SETS)
def test_known_skills_reach_majority_vote_accuracy_with_under_60_percent_of_answers(
    name: str,
) -> None:
    data = datasets.load(name)
    sim = simulate_dynamic_overlap(
        data.answers, data.truth, seed=0, target_posterior=0.99, min_answers=2, max_answers=10
    )
    assert sim.share_used <= 0.6, sim
    assert sim.accuracy >= sim.accuracy_mv_all - 0.005, sim


@needs_data
@pytest.mark.parametrize("name", DEEP_SETS)
def test_online_skills_beat_a_fixed_overlap_of_the_same_budget(name: str) -> None:
    # Skills learned only from the answers drawn so far: cheaper, but short of the
    # all-answers majority vote on most sets (see docs/aggregation.md)
    data = datasets.load(name)
    sim = simulate_dynamic_overlap(
        data.answers, data.truth, seed=0, target_posterior=0.99, max_answers=10,
        skills_from="revealed",
    )  # fmt: skip
    assert sim.share_used <= 0.6, sim
    assert sim.accuracy >= sim.accuracy_mv_same_budget, sim
