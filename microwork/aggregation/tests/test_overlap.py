"""Dynamic overlap: the decision rule on a tiny table, and honest replays of real data sets."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from microwork.aggregation.algorithms import Answers, datasets, get_aggregator
from microwork.aggregation.algorithms.metrics import accuracy
from microwork.aggregation.algorithms.overlap import (
    leave_one_out_posterior,
    overlap_decision,
    replay_ranks,
    simulate_dynamic_overlap,
)


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


def test_two_agreeing_strangers_do_not_vouch_for_themselves() -> None:
    # workers 0 and 1 only ever answered task 0: their record elsewhere is the prior alone
    # (right 2 times in 3), so two agreeing answers give (2/3)^2 / ((2/3)^2 + (1/3)^2) = 0.8
    answers = Answers.from_arrays([0, 0], [0, 1], [1, 1], n_classes=2)
    posterior = leave_one_out_posterior(answers)
    assert posterior[0, 1] == pytest.approx(0.8, abs=1e-6)


def test_a_worker_proven_on_other_tasks_counts_more() -> None:
    # workers 0 and 1 agree with a third worker on eight other tasks; on task 8 they agree
    task = np.repeat(np.arange(8), 3).tolist() + [8, 8]
    worker = [0, 1, 2] * 8 + [0, 1]
    label = np.repeat([0, 1] * 4, 3).tolist() + [1, 1]
    answers = Answers.from_arrays(task, worker, label)
    posterior = leave_one_out_posterior(answers)
    assert posterior[8, 1] > 0.95  # each is right on 4 of 4 per class: odds 6 to 1 each
    gold = leave_one_out_posterior(answers, gold=[-1] * 8 + [0])
    assert gold[8].tolist() == [1.0, 0.0]  # a control task is observed truth


needs_data = pytest.mark.skipif(not datasets.available(), reason="public data sets not found")

# the rule: posterior >= 0.95, at least 2 and at most 7 answers
RULE = {"target_posterior": 0.95, "min_answers": 2, "max_answers": 7}


@pytest.fixture(scope="module")
def replays() -> dict[str, tuple[datasets.Dataset, object]]:
    out = {}
    for name in datasets.CATEGORICAL:
        data = datasets.load(name)
        out[name] = (data, simulate_dynamic_overlap(data.answers, data.truth, seed=0, **RULE))
    return out


@needs_data
def test_the_replay_never_looks_at_answers_it_has_not_drawn() -> None:
    data = datasets.load("dog")
    sim = simulate_dynamic_overlap(data.answers, data.truth, seed=0, **RULE)
    rank = replay_ranks(data.answers, 0)
    unseen = rank >= sim.drawn[data.answers.task]
    assert unseen.sum() == data.answers.n_answers - sim.answers_used
    # rewrite every answer never drawn; a policy that peeked would change its course
    label = data.answers.label.copy()
    label[unseen] = (label[unseen] + 1) % data.answers.n_classes
    changed = dataclasses.replace(data.answers, label=label)
    again = simulate_dynamic_overlap(changed, data.truth, seed=0, **RULE)
    assert again.drawn.tolist() == sim.drawn.tolist()
    assert again.accuracy == sim.accuracy


@needs_data
def test_the_fixed_overlap_baseline_is_majority_vote_on_each_tasks_first_7_answers(
    replays,
) -> None:
    data, sim = replays["dog"]
    first = data.answers.subset(replay_ranks(data.answers, 0) < 7)  # the replay's own order
    labels = get_aggregator("mv")(first).labels
    assert sim.accuracy_mv_fixed == accuracy(labels, data.truth, data.scored_tasks())
    counts = np.bincount(data.answers.task, minlength=data.answers.n_tasks)
    assert sim.answers_mv_fixed == int(np.minimum(counts, 7).sum()) == first.n_answers
    assert sim.fixed_overlap == 7
    assert sim.share_of_fixed == sim.answers_used / sim.answers_mv_fixed


@needs_data
@pytest.mark.parametrize("name", ["vldb_s_adult", "dog", "sp_amt"])
def test_seed_0_lock_fixed_overlap_accuracy_with_at_most_60_percent_of_its_answers(
    replays, name
) -> None:
    """A regression lock, not the goal: it locks today's seed-0 figures on the three sets
    where the headline goal (fixed-overlap accuracy with at most 60% of its answers) holds
    with that seed. bench/overlap.py prints every set's mean over five seeds and
    docs/aggregation.md says why the others fall short."""
    _, sim = replays[name]
    assert sim.share_of_fixed <= 0.6, sim
    assert sim.accuracy >= sim.accuracy_mv_fixed, sim
    assert sim.meets_goal


@needs_data
@pytest.mark.parametrize(
    "name", sorted(set(datasets.CATEGORICAL) - {"zencrowd_us", "weather_cf_amt"})
)
def test_seed_0_lock_dynamic_overlap_is_at_least_as_accurate_as_fixed_overlap_at_the_same_cap(
    replays, name
) -> None:
    """A regression lock on today's seed-0 figures, set by set."""
    # on zencrowd_us and weather_cf_amt Dawid-Skene on the drawn answers scores below majority
    # vote on 7, as it does on 7 answers per task without stopping early
    _, sim = replays[name]
    assert sim.accuracy >= sim.accuracy_mv_fixed, sim


@needs_data
@pytest.mark.parametrize("name", ["bluebirds", "sp_amt"])
def test_seed_0_lock_majority_vote_on_every_answer_matched_with_under_60_percent_of_them(
    replays, name
) -> None:
    """A regression lock, not the goal: the stricter baseline (majority vote on up to 39
    answers per task where the policy may use 7) is matched with seed 0 on these two sets
    only; it locks today's figures there."""
    _, sim = replays[name]
    assert sim.share_used <= 0.6, sim
    assert sim.accuracy >= sim.accuracy_mv_all, sim
    assert sim.meets_goal_mv_all


@needs_data
@pytest.mark.parametrize("name", datasets.CATEGORICAL)
def test_seed_0_lock_dynamic_overlap_beats_a_fixed_overlap_of_the_same_budget(
    replays, name
) -> None:
    """A regression lock on today's seed-0 figures, set by set."""
    _, sim = replays[name]
    assert sim.accuracy >= sim.accuracy_mv_same_budget, sim


@needs_data
def test_three_answers_per_task_cannot_save_forty_percent_with_a_minimum_of_two(
    replays,
) -> None:
    _, sim = replays["vldb_d_product"]
    # the fixed-overlap baseline takes all 3 answers; every task starts with 2 of them
    assert sim.answers_mv_fixed == sim.answers_total
    assert sim.share_of_fixed >= 2 / 3 - 1e-9
    assert sim.accuracy > sim.accuracy_mv_fixed  # yet beats majority vote on all three


@needs_data
def test_control_tasks_are_answered_in_full_and_never_scored() -> None:
    data = datasets.load("rte")
    sim = simulate_dynamic_overlap(data.answers, data.truth, seed=0, gold_share=0.05, **RULE)
    assert sim.gold_tasks == 40
    assert sim.scored_tasks == len(data.scored_tasks()) - 40
    assert (sim.drawn == 7).sum() >= 40
