"""Every method on tiny tables whose right answer is known by hand."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse
from hypothesis import given, settings
from hypothesis import strategies as st

from microwork.aggregation.algorithms import (
    NO_LABEL,
    AggregationInputError,
    Answers,
    encode_rows,
    get_aggregator,
    names,
)
from microwork.aggregation.algorithms.bradley_terry import Comparisons, bradley_terry
from microwork.aggregation.algorithms.majority import answer_correlation
from microwork.aggregation.algorithms.metrics import expected_calibration_error
from microwork.aggregation.algorithms.numeric import median
from microwork.aggregation.algorithms.registry import UnknownAggregatorError, kind_of
from microwork.aggregation.algorithms.text import edit_distance, text_medoid

CATEGORICAL = [name for name in names() if kind_of(name) == "categorical"]


def answers(rows: list[tuple[int, int, int]], **sizes: int) -> Answers:
    """rows of (task, worker, label)."""
    task, worker, label = (list(col) for col in zip(*rows, strict=True)) if rows else ([], [], [])
    return Answers.from_arrays(task, worker, label, **sizes)


def planted(
    seed: int = 0, n_tasks: int = 300, n_workers: int = 12, k: int = 3, spam: str = "random"
) -> tuple[Answers, np.ndarray]:
    """Tasks answered by 5 workers; workers 0-3 are good (90 % right), 4-7 fair (60 %), 8-11
    spammers who answer at random (``spam="random"``) or always 0 (``spam="constant"``)."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n_tasks)
    accuracy = np.array([0.9] * 4 + [0.6] * 4 + [0.0] * 4)
    rows = []
    for t in range(n_tasks):
        for w in rng.choice(n_workers, 5, replace=False):
            if w >= 8:
                label = 0 if spam == "constant" else rng.integers(0, k)
            elif rng.random() < accuracy[w]:
                label = truth[t]
            else:
                label = (truth[t] + rng.integers(1, k)) % k
            rows.append((t, int(w), int(label)))
    return answers(rows, n_tasks=n_tasks, n_workers=n_workers, n_classes=k), truth


# --- majority vote and ties -------------------------------------------------------------


def test_majority_vote_picks_the_most_frequent_answer() -> None:
    data = answers([(0, 0, 1), (0, 1, 1), (0, 2, 0), (1, 0, 2), (1, 1, 2)], n_classes=3)
    result = get_aggregator("mv")(data)
    assert result.labels.tolist() == [1, 2]
    np.testing.assert_allclose(result.extras["vote_shares"][0], [1 / 3, 2 / 3, 0])
    assert result.probas[0].argmax() == 1


def test_majority_vote_confidence_is_a_one_coin_posterior_not_the_vote_share() -> None:
    # 3 workers agree on all 4 tasks except one dissent: pairs agree 10 times in 12
    rows = [(t, w, 0) for t in range(4) for w in range(3)]
    rows[-1] = (3, 2, 1)
    result = get_aggregator("mv")(answers(rows, n_classes=2))
    # smoothed towards two pairs agreeing 5 times in 9 (a 2/3-accurate stranger)
    rate = (10 + 2 * 5 / 9) / (12 + 2)
    p = (1 + np.sqrt(1 - 2 + 2 * rate)) / 2
    assert result.extras["common_accuracy"] == pytest.approx(p)
    odds = (p / (1 - p)) ** 3  # three agreeing votes
    assert result.probas[0, 0] == pytest.approx(odds / (1 + odds))
    assert result.probas[3, 0] == pytest.approx(p)  # 2 against 1: one vote's worth
    assert result.extras["vote_shares"][0, 0] == 1.0  # what the raw share would claim


def test_answers_that_agree_beyond_chance_count_as_fewer_independent_votes() -> None:
    # every pair agrees on every task, half the tasks say 0 and half say 1: Fleiss' kappa is
    # high, so each task's two votes weigh 2 / (1 + kappa) votes, not 2
    rows = [(t, w, int(t >= 2)) for t in range(4) for w in range(2)]
    result = get_aggregator("mv")(answers(rows, n_classes=2))
    rate = (4 + 2 * 5 / 9) / (4 + 2)  # agreeing pairs, smoothed as for p
    kappa = (rate - 0.5) / (1 - 0.5)  # chance agreement with two equal classes is 1/2
    p = (1 + np.sqrt(1 - 2 + 2 * rate)) / 2
    assert result.extras["answer_correlation"] == pytest.approx(kappa)
    log_odds = 2 * np.log(p / (1 - p)) / (1 + kappa)
    assert result.probas[0, 0] == pytest.approx(1 / (1 + np.exp(-log_odds)))
    assert result.probas[0, 0] < 0.95  # two agreeing answers are far from certainty
    assert result.labels.tolist() == [0, 0, 1, 1]


def test_answer_correlation_is_fleiss_kappa() -> None:
    # Fleiss (1971)'s worked example as reproduced in most textbooks: 10 subjects, 14 raters,
    # 5 categories, kappa = 0.210 (the smoothing of the agreement moves it by < 0.001)
    table = [
        [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
    ]  # fmt: skip
    rows = []
    for task, counts in enumerate(table):
        labels = [c for c, n in enumerate(counts) for _ in range(n)]
        rows += [(task, worker, label) for worker, label in enumerate(labels)]
    data = answers(rows, n_classes=5)
    assert answer_correlation(data) == pytest.approx(0.210, abs=0.001)
    assert get_aggregator("mv")(data).extras["answer_correlation"] == answer_correlation(data)


def test_answers_no_more_alike_than_chance_are_not_tempered() -> None:
    # three tasks split 1-1: agreement below chance, kappa clamps at 0
    rows = [(t, 0, 0) for t in range(3)] + [(t, 1, 1) for t in range(3)]
    assert answer_correlation(answers(rows, n_classes=2)) == 0.0
    only_one_class = answers([(0, 0, 1), (0, 1, 1)], n_classes=2)
    assert answer_correlation(only_one_class) == 0.0


def test_weighted_majority_vote_keeps_its_labels_under_the_calibrated_posterior() -> None:
    data = answers([(0, 0, 1), (0, 1, 0), (0, 2, 0), (1, 0, 1), (1, 1, 1)], n_classes=2)
    gold = [-1, 1]
    result = get_aggregator("wmv")(data, gold)
    shares = result.extras["vote_shares"]
    assert result.labels.tolist() == shares.argmax(axis=1).tolist()
    assert (result.probas.argmax(axis=1) == result.labels).all()


def test_a_tie_goes_to_the_lowest_class() -> None:
    data = answers([(0, 0, 2), (0, 1, 1), (1, 0, 0), (1, 1, 2)])
    for name in ("mv", "wmv", "wawa"):
        assert get_aggregator(name)(data).labels.tolist() == [1, 0], name


def test_a_task_without_answers_gets_no_label_and_a_flat_posterior() -> None:
    data = answers([(0, 0, 1), (2, 0, 1)], n_tasks=3, n_classes=2)
    for name in CATEGORICAL:
        result = get_aggregator(name)(data)
        assert result.labels[1] == NO_LABEL, name
        assert result.labels[0] == 1 and result.labels[2] == 1, name
        assert result.confidence()[1] == 0.0


def test_gold_weighted_vote_trusts_the_worker_who_is_right_on_gold() -> None:
    # Tasks 0 and 1 are gold (truth 1): worker 0 is right twice, workers 1 and 2 wrong twice.
    # Smoothed accuracies are 3/4 and 1/4, so on task 2 worker 0 outweighs the other two.
    rows = [(t, w, 1 if w == 0 else 0) for t in range(3) for w in range(3)]
    data = answers(rows)
    gold = np.array([1, 1, -1])
    result = get_aggregator("wmv")(data, gold, prior_hits=1, prior_misses=1)
    np.testing.assert_allclose(result.skills, [0.75, 0.25, 0.25])
    assert result.labels[2] == 1
    # without gold every weight is the prior mean: plain majority vote
    assert get_aggregator("wmv")(data).labels[2] == 0


def test_wawa_weights_workers_by_agreement_with_the_majority() -> None:
    data, truth = planted(seed=3)
    mv = get_aggregator("mv")(data)
    wawa = get_aggregator("wawa")(data)
    assert wawa.skills[:4].mean() > wawa.skills[8:].mean()
    assert np.mean(wawa.labels == truth) >= np.mean(mv.labels == truth)


# --- probabilistic models -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["ds", "onecoin", "glad", "mace"])
def test_models_beat_majority_vote_when_some_workers_spam(name: str) -> None:
    data, truth = planted(seed=1, n_tasks=600)
    mv_accuracy = np.mean(get_aggregator("mv")(data).labels == truth)
    accuracy = np.mean(get_aggregator(name)(data).labels == truth)
    assert accuracy > mv_accuracy + 0.03, (name, accuracy, mv_accuracy)


def test_dawid_skene_learns_that_spammers_always_answer_zero() -> None:
    data, _ = planted(seed=2, spam="constant")
    confusion = get_aggregator("ds")(data).skills  # [worker, true, given]
    assert confusion.shape == (12, 3, 3)
    np.testing.assert_allclose(confusion.sum(axis=2), 1.0)
    assert confusion[9, 2, 0] > 0.95  # a spammer says 0 when the truth is 2
    assert confusion[1, 2, 2] > 0.8  # a good worker says 2


def test_dawid_skene_clamps_gold_tasks_to_their_gold_label() -> None:
    data = answers([(0, 0, 0), (0, 1, 0), (1, 0, 1), (1, 1, 1)])
    gold = np.array([1, -1])
    result = get_aggregator("ds")(data, gold)
    assert result.labels[0] == 1
    np.testing.assert_allclose(result.probas[0], [0, 1])


def test_gold_task_without_answers_takes_its_gold_label() -> None:
    data = answers([(0, 0, 0), (0, 1, 0)], n_tasks=2, n_classes=2)
    assert get_aggregator("ds")(data, np.array([-1, 1])).labels.tolist() == [0, 1]


def test_glad_gives_the_reliable_worker_the_higher_ability() -> None:
    data, truth = planted(seed=4, k=2)
    result = get_aggregator("glad")(data)
    assert result.skills[:4].mean() > result.skills[4:8].mean() > result.skills[8:].mean()
    assert result.extras["log_beta"].shape == (data.n_tasks,)


def test_mace_marks_constant_answerers_as_spammers() -> None:
    data, _ = planted(seed=5)
    result = get_aggregator("mace")(data)
    assert result.skills[:4].min() > 0.7
    assert result.skills[8:].max() < 0.3


def test_mace_learns_the_class_prior_of_an_imbalanced_set() -> None:
    # 10 % positives; six workers are 80 % right, four guess "1" one time in five. With the
    # paper's uniform class prior a lone "1" outweighs two guessed "0"s and MACE labels far
    # too many tasks positive; the learned prior (the default) does not.
    rng = np.random.default_rng(0)
    truth = (rng.random(1000) < 0.1).astype(int)
    rows = []
    for t in range(1000):
        for w in rng.choice(10, 3, replace=False):
            if w >= 6:
                label = int(rng.random() < 0.2)
            else:
                label = truth[t] if rng.random() < 0.8 else 1 - truth[t]
            rows.append((t, int(w), int(label)))
    data = answers(rows, n_classes=2)
    learned = get_aggregator("mace")(data)
    paper = get_aggregator("mace")(data, class_prior="uniform", beta=0.5, strategy_prior=10.0)
    mv_accuracy = np.mean(get_aggregator("mv")(data).labels == truth)
    assert np.mean(learned.labels == truth) >= mv_accuracy
    assert np.mean(learned.labels == truth) > np.mean(paper.labels == truth) + 0.1
    assert learned.extras["class_prior"][0] > 0.7


# --- edge cases every categorical method must handle ---------------------------------------


@pytest.mark.parametrize("name", CATEGORICAL)
def test_empty_input_gives_empty_results(name: str) -> None:
    result = get_aggregator(name)(answers([], n_tasks=0, n_workers=0, n_classes=2))
    assert result.labels.shape == (0,) and result.probas.shape == (0, 2)


@pytest.mark.parametrize("name", CATEGORICAL)
def test_single_answers_and_an_unchosen_class(name: str) -> None:
    # task 0 and worker 2 have one answer each; class 2 was declared but nobody chose it
    data = answers([(0, 2, 1), (1, 0, 0), (1, 1, 0), (2, 0, 1), (2, 1, 1)], n_classes=3)
    result = get_aggregator(name)(data)
    assert result.labels.tolist() == [1, 0, 1]
    assert result.probas.shape == (3, 3)
    np.testing.assert_allclose(result.probas.sum(axis=1), 1.0)
    assert (result.probas[:, 2] < 1e-6).all()
    assert not np.isnan(result.probas).any()


@pytest.mark.parametrize("name", CATEGORICAL)
def test_results_are_deterministic(name: str) -> None:
    data, _ = planted(seed=6)
    first, second = get_aggregator(name)(data), get_aggregator(name)(data)
    np.testing.assert_array_equal(first.labels, second.labels)
    np.testing.assert_array_equal(first.probas, second.probas)


@pytest.mark.parametrize("name", CATEGORICAL)
def test_posteriors_are_distributions(name: str) -> None:
    data, _ = planted(seed=7)
    result = get_aggregator(name)(data)
    np.testing.assert_allclose(result.probas.sum(axis=1), 1.0, atol=1e-9)
    chosen = result.probas[np.arange(data.n_tasks), result.labels]
    np.testing.assert_allclose(chosen, result.probas.max(axis=1))


# --- bad input -----------------------------------------------------------------------------


def test_label_outside_the_declared_classes_is_rejected() -> None:
    with pytest.raises(AggregationInputError, match=r"label\[1\] = 3 is outside"):
        answers([(0, 0, 1), (0, 1, 3)], n_classes=2)


def test_nan_is_rejected() -> None:
    with pytest.raises(AggregationInputError, match="label contains NaN at index 1"):
        Answers.from_arrays([0, 0], [0, 1], [1.0, np.nan])


def test_mismatched_lengths_are_rejected() -> None:
    with pytest.raises(AggregationInputError, match="same length, got 2, 2 and 1"):
        Answers.from_arrays([0, 0], [0, 1], [1])


def test_gold_for_an_unknown_task_is_rejected() -> None:
    data = answers([(0, 0, 1)], n_tasks=1, n_classes=2)
    with pytest.raises(AggregationInputError, match="gold label for unknown task 2"):
        get_aggregator("ds")(data, np.array([1, -1, 0]))
    with pytest.raises(AggregationInputError, match="outside the declared classes"):
        get_aggregator("wmv")(data, np.array([5]))


def test_unknown_method_names_the_known_ones() -> None:
    with pytest.raises(UnknownAggregatorError, match="known: mv, wmv"):
        get_aggregator("nope")


# --- encoding ------------------------------------------------------------------------------


def test_encoding_is_stable_and_reversible() -> None:
    workers = ["bob", "amy", "bob", "cat"]
    tasks = ["t9", "t9", "t1", "t1"]
    labels = ["10", "9", "2", "10"]
    data, book = encode_rows(workers, tasks, labels)
    assert book.classes.tolist() == ["2", "9", "10"]  # numeric order, not "10" < "2"
    assert book.tasks.tolist() == ["t9", "t1"]  # first seen
    assert book.workers.tolist() == ["bob", "amy", "cat"]
    assert book.decode_labels(data.label) == labels
    _, by_name = encode_rows(workers, tasks, labels, task_order="sorted")
    assert by_name.tasks.tolist() == ["t1", "t9"]
    assert book.decode_labels([-1, 0]) == [None, "2"]


def test_declared_classes_keep_an_unchosen_class_and_reject_strangers() -> None:
    data, book = encode_rows(["a"], ["t"], ["yes"], classes=["no", "yes", "maybe"])
    assert data.n_classes == 3 and data.label.tolist() == [1]
    with pytest.raises(AggregationInputError, match="outside the declared classes: 'nah'"):
        encode_rows(["a"], ["t"], ["nah"], classes=["no", "yes"])
    with pytest.raises(AggregationInputError, match="unknown task 'zzz'"):
        book.encode_gold(["zzz"], ["yes"])
    assert book.encode_gold(["t"], ["no"]).tolist() == [0]


# --- pairwise, text, numeric ---------------------------------------------------------------


def test_bradley_terry_ranks_by_wins_and_stays_finite_for_an_unbeaten_item() -> None:
    # item 0 beats everyone, 1 beats 2, 3 was never compared
    left = [0, 0, 1, 1, 0]
    right = [1, 2, 2, 2, 1]
    winner = [0, 0, 1, 1, 0]
    comp = Comparisons.from_arrays([0, 1, 0, 1, 2], left, right, winner, n_items=4)
    result = bradley_terry(comp)
    assert result.ranking.tolist()[:1] == [0]
    assert result.scores[0] > result.scores[1] > result.scores[2]
    assert np.isfinite(result.scores).all()
    assert result.win_probability(0, 2) > 0.5 > result.win_probability(2, 0)
    np.testing.assert_allclose(result.probas.sum(), 1.0)


def test_bradley_terry_rejects_a_winner_outside_the_pair() -> None:
    with pytest.raises(AggregationInputError, match="neither left nor right"):
        Comparisons.from_arrays([0], [0], [1], [2], n_items=3)


def test_text_medoid_picks_the_central_transcription() -> None:
    rows = ["the cat sat", "The cat  sat", "the cat sad", "dog"]
    data, book = encode_rows(["a", "b", "c", "d"], ["t"] * 4, rows)
    result = text_medoid(data, book.classes.tolist())
    assert book.decode_labels(result.labels)[0].casefold().split() == ["the", "cat", "sat"]
    assert 0.5 < result.probas.toarray().max() < 1.0
    assert result.skills[book.workers.tolist().index("d")] < 0.3


def test_text_medoid_probas_are_sparse_with_one_entry_per_task_as_the_contract_says() -> None:
    data, book = encode_rows(["a", "b", "c", "a"], ["t1", "t1", "t1", "t2"],
                             ["hello", "hello", "help", "x"])  # fmt: skip
    result = text_medoid(data, book.classes.tolist())
    assert scipy.sparse.issparse(result.probas)
    assert result.probas.shape == (2, 3) and result.probas.nnz == 2
    np.testing.assert_allclose(result.confidence(), result.extras["confidence"])
    # "help" is 2 edits from "hello", normalised by 5 characters: similarity 0.6
    np.testing.assert_allclose(result.confidence(), [(1 + 1 + 0.6) / 3, 1.0])


def _reference_edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abcé ", max_size=12), st.text(alphabet="abcé ", max_size=12))
def test_edit_distance_matches_the_textbook_recurrence(a: str, b: str) -> None:
    assert edit_distance(a, b) == _reference_edit_distance(a, b)


def test_median_with_spread() -> None:
    result = median([0, 0, 0, 0, 1], [0, 1, 2, 3, 0], [1.0, 2.0, 3.0, 100.0, 7.0], n_tasks=3)
    assert result.values[:2].tolist() == [2.5, 7.0]
    assert np.isnan(result.values[2]) and result.counts.tolist() == [4, 1, 0]
    assert result.mad[0] == 1.0  # deviations 1.5, 0.5, 0.5, 97.5
    assert result.iqr[0] == pytest.approx(27.25 - 1.75)
    with pytest.raises(AggregationInputError, match="NaN"):
        median([0], [0], [np.nan])


def test_expected_calibration_error_of_a_known_case() -> None:
    # all in the 0.9 bin, 60 % right: |0.6 - 0.9| = 0.3
    assert expected_calibration_error(np.full(10, 0.9), np.arange(10) < 6) == pytest.approx(0.3)
    assert expected_calibration_error(np.array([1.0, 1.0]), np.array([1, 1])) == 0.0


@pytest.mark.parametrize("smoothing", [0.0, 1.0, 3.0])
def test_dawid_skene_smoothing_adds_pseudo_counts_to_every_confusion_cell(smoothing) -> None:
    # worker 0 answered only the control task 0 (truth 0) and said 0; workers 1 and 2 answer
    # everything else, so worker 0's matrix holds exactly one observed answer
    rows = [(0, 0, 0), (0, 1, 0), (0, 2, 0), (1, 1, 1), (1, 2, 1), (2, 1, 0), (2, 2, 1)]
    result = get_aggregator("ds")(answers(rows, n_classes=2), [0, -1, -1], smoothing=smoothing)
    confusion = result.skills  # [worker, true, given]
    s = smoothing
    expected_row = [1.0, 0.0] if s == 0 else [(1 + s) / (1 + 2 * s), s / (1 + 2 * s)]
    np.testing.assert_allclose(confusion[0, 0], expected_row, atol=1e-9)
    np.testing.assert_allclose(confusion[0, 1], [0.5, 0.5])  # never seen a true 1: the prior
    np.testing.assert_allclose(confusion.sum(axis=2), 1.0)
    if s:
        assert (confusion >= s / (3 + 2 * s) - 1e-12).all()  # nothing is ruled out
