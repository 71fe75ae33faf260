"""Dynamic overlap replayed on every categorical public data set, with no leaked answers.

Each set's real answers are replayed in a random order (the seed): the policy sees only the
answers it has drawn so far (see ``simulate_dynamic_overlap``). The rule is the issue's:
posterior >= 0.95, at least 2 and at most 7 answers per task, no gold.

The headline baseline is what a requester would buy instead: fixed overlap with majority
vote at the same cap, every task's first 7 answers (or all it has) in the same replay order.
Goal: accuracy at least that baseline's, with at most 60 % of its answers. A second, stricter
baseline is majority vote on *every* answer of the set (up to 39 per task); its goal is the
same accuracy for at most 60 % of all the answers. Every figure is over seeds 0-4: the mean
and the worst case. Run from the repository root:

    .venv/bin/python bench/overlap.py

It prints the tables and, as the last line, one JSON object with the headline figures.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from microwork.aggregation.algorithms import datasets, get_aggregator  # noqa: E402
from microwork.aggregation.algorithms.metrics import accuracy  # noqa: E402
from microwork.aggregation.algorithms.overlap import (  # noqa: E402
    GOAL_ANSWER_SHARE,
    OverlapSimulation,
    replay_ranks,
    simulate_dynamic_overlap,
)

HEADLINE = {"target_posterior": 0.95, "min_answers": 2, "max_answers": 7}
SEEDS = (0, 1, 2, 3, 4)
GOLD_SHARE = 0.05


def ds_at_cap(data: datasets.Dataset, seed: int, cap: int) -> float:
    """DS on the fixed-overlap baseline's answers (every task's first ``cap`` in the replay
    order): what a better final model gets without stopping early."""
    subset = data.answers.subset(replay_ranks(data.answers, seed) < cap)
    return accuracy(get_aggregator("ds")(subset).labels, data.truth, data.scored_tasks())


def meets_on_mean(runs: list[OverlapSimulation], *, against_all: bool = False) -> bool:
    """The goal on the mean over the seeds (accuracy and share each averaged)."""
    acc = np.mean([r.accuracy for r in runs])
    if against_all:
        base = np.mean([r.accuracy_mv_all for r in runs])
        share = np.mean([r.share_used for r in runs])
    else:
        base = np.mean([r.accuracy_mv_fixed for r in runs])
        share = np.mean([r.share_of_fixed for r in runs])
    return bool(acc >= base and share <= GOAL_ANSWER_SHARE)


def seeds_table(
    title: str,
    runs: dict[str, list[OverlapSimulation]],
    ds7: dict[str, list[float]] | None,
    setting: str,
) -> None:
    print(title)
    header = (
        f"{'data set':16s} {'per task':>8s} | {'MV fixed 7':>10s} {'dynamic':>7s} "
        f"{'delta':>6s} {'worst':>6s} {'share':>6s} {'worst':>6s} {'goal':>7s} | "
        f"{'MV all':>7s} {'delta':>6s} {'share':>6s} {'goal':>7s}"
    )
    if ds7:
        header += f" | {'DS fixed 7':>10s}"
    print(header)
    print("-" * len(header))
    for name, sims in runs.items():
        per_task = sims[0].answers_total / max(int((sims[0].drawn > 0).sum()), 1)
        fixed_delta = [(r.accuracy - r.accuracy_mv_fixed) * 100 for r in sims]
        all_delta = [(r.accuracy - r.accuracy_mv_all) * 100 for r in sims]
        line = (
            f"{name:16s} {per_task:8.1f} | {np.mean([r.accuracy_mv_fixed for r in sims]):10.4f} "
            f"{np.mean([r.accuracy for r in sims]):7.4f} {np.mean(fixed_delta):+6.2f} "
            f"{min(fixed_delta):+6.2f} {np.mean([r.share_of_fixed for r in sims]):6.1%} "
            f"{max(r.share_of_fixed for r in sims):6.1%} "
            f"{f'{sum(r.meets_goal for r in sims)}/{len(sims)}':>7s} | "
            f"{np.mean([r.accuracy_mv_all for r in sims]):7.4f} {np.mean(all_delta):+6.2f} "
            f"{np.mean([r.share_used for r in sims]):6.1%} "
            f"{f'{sum(r.meets_goal_mv_all for r in sims)}/{len(sims)}':>7s}"
        )
        if ds7:
            line += f" | {np.mean(ds7[name]):10.4f}"
        print(line)
    on_mean = sum(meets_on_mean(s) for s in runs.values())
    every = sum(all(r.meets_goal for r in s) for s in runs.values())
    on_mean_all = sum(meets_on_mean(s, against_all=True) for s in runs.values())
    print(
        f"{setting}: goal against MV fixed 7 met on the mean of the seeds on {on_mean} of {len(runs)} "
        f"sets, on every seed on {every}; against MV on all answers: {on_mean_all} on the mean\n"
    )


def main() -> int:
    if not datasets.available():
        print(f"data sets not found in {datasets.datasets_dir()}", file=sys.stderr)
        return 1
    started = time.perf_counter()
    loaded = {name: datasets.load(name) for name in datasets.CATEGORICAL}
    cap = HEADLINE["max_answers"]
    print(
        f"Dynamic overlap replay, {time.strftime('%Y-%m-%d')}; rule: posterior >= 0.95, "
        f"min 2, max {cap} answers, no gold; seeds {SEEDS[0]}-{SEEDS[-1]}\n"
    )
    headline = {
        name: [simulate_dynamic_overlap(d.answers, d.truth, seed=s, **HEADLINE) for s in SEEDS]
        for name, d in loaded.items()
    }
    ds7 = {name: [ds_at_cap(d, s, cap) for s in SEEDS] for name, d in loaded.items()}
    seeds_table(
        f"Headline: against MV with fixed overlap {cap} (goal: accuracy >= it with <= 60 % of "
        "its answers); second block: against MV on every answer (goal: accuracy >= it with "
        "<= 60 % of all answers)",
        headline,
        ds7,
        "headline (no gold)",
    )
    print(
        f"MV fixed {cap} = majority vote on every task's first {cap} answers (or all it has) in "
        "the same replay order; share = answers drawn / that baseline's answers. delta = "
        "dynamic accuracy - baseline, in points; worst = the lowest delta and the highest "
        "share over the seeds; goal = seeds on which it is met. MV all = majority vote on "
        "every answer; its share is of all the answers. DS fixed 7 = Dawid-Skene on the "
        "baseline's answers.\n"
    )

    print("Seed 0 alone (the tests' replay):")
    for name, sims in headline.items():
        r = sims[0]
        print(
            f"  {name:16s} accuracy {r.accuracy:.4f}, MV fixed {cap} {r.accuracy_mv_fixed:.4f} "
            f"({r.answers_mv_fixed:,d} answers), used {r.answers_used:,d} = "
            f"{r.share_of_fixed:.1%} of them, {r.share_used:.1%} of all; MV all "
            f"{r.accuracy_mv_all:.4f}; MV same budget {r.accuracy_mv_same_budget:.4f} "
            f"(x{r.fixed_overlap_same_budget}); goal {'yes' if r.meets_goal else 'no'}, "
            f"against MV all {'yes' if r.meets_goal_mv_all else 'no'}"
        )
    print()

    with_gold = {
        name: [
            simulate_dynamic_overlap(d.answers, d.truth, seed=s, gold_share=GOLD_SHARE, **HEADLINE)
            for s in SEEDS
        ]
        for name, d in loaded.items()
    }
    seeds_table(
        f"Other setting: the same rule with {GOLD_SHARE:.0%} of the scored tasks as control "
        f"tasks (truth given to the policy and the final fit, answered up to {cap} times and "
        "counted in the budget, not scored; the MV baselines get no gold)",
        with_gold,
        None,
        f"with {GOLD_SHARE:.0%} gold",
    )
    print(f"total {time.perf_counter() - started:.0f} s")

    sims = [r for runs in headline.values() for r in runs]
    summary = {
        "baseline": f"mv_fixed_overlap_{cap}",
        "seeds": list(SEEDS),
        "sets": len(headline),
        "sets_meeting_goal": sum(meets_on_mean(runs) for runs in headline.values()),
        "sets_meeting_goal_every_seed": sum(
            all(r.meets_goal for r in runs) for runs in headline.values()
        ),
        "mean_answer_share": round(float(np.mean([r.share_of_fixed for r in sims])), 3),
        "mean_accuracy_delta": round(
            float(np.mean([r.accuracy - r.accuracy_mv_fixed for r in sims])), 4
        ),
        "worst_accuracy_delta": round(
            float(min(r.accuracy - r.accuracy_mv_fixed for r in sims)), 4
        ),
        "sets_meeting_goal_vs_mv_all": sum(
            meets_on_mean(runs, against_all=True) for runs in headline.values()
        ),
        "mean_answer_share_vs_mv_all": round(float(np.mean([r.share_used for r in sims])), 3),
        "mean_accuracy_delta_vs_mv_all": round(
            float(np.mean([r.accuracy - r.accuracy_mv_all for r in sims])), 4
        ),
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
