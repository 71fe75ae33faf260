"""Dynamic overlap replayed on every categorical public data set, with no leaked answers.

Each set's real answers are replayed in a random order: the policy sees only the answers it
has drawn so far (see ``simulate_dynamic_overlap``). The headline uses the issue's rule,
posterior >= 0.95, at least 2 and at most 7 answers per task, and no gold. Other settings
below it are labelled. Run from the repository root:

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
    OverlapSimulation,
    replay_ranks,
    simulate_dynamic_overlap,
)

HEADLINE = {"target_posterior": 0.95, "min_answers": 2, "max_answers": 7}
SEEDS = (0, 1, 2, 3, 4)
GOLD_SHARE = 0.05


def ceiling(data: datasets.Dataset, seed: int, cap: int) -> tuple[float, float]:
    """DS on the first ``cap`` answers of every task in the replay order, and their share: what
    a policy that never stops early gets (dynamic overlap draws a subset of those answers)."""
    rank = replay_ranks(data.answers, seed)
    subset = data.answers.subset(rank < cap)
    labels = get_aggregator("ds")(subset).labels
    share = subset.n_answers / data.answers.n_answers
    return accuracy(labels, data.truth, data.scored_tasks()), share


def table(
    title: str,
    runs: dict[str, OverlapSimulation],
    ceilings: dict[str, tuple[float, float]] | None = None,
) -> None:
    print(title)
    header = (
        f"{'data set':16s} {'answers':>8s} {'per task':>8s} {'used':>7s} {'share':>6s} "
        f"{'accuracy':>8s} {'MV all':>7s} {'delta':>6s} {'MV same budget':>16s} {'goal':>5s}"
    )
    if ceilings:
        header += f" {'DS, first 7 (share)':>20s}"
    print(header)
    print("-" * len(header))
    for name, sim in runs.items():
        per_task = sim.answers_total / max(len(sim.drawn), 1)
        same = f"{sim.accuracy_mv_same_budget:.4f} (x{sim.fixed_overlap_same_budget})"
        line = (
            f"{name:16s} {sim.answers_total:8,d} {per_task:8.1f} {sim.answers_used:7,d} "
            f"{sim.share_used:6.1%} {sim.accuracy:8.4f} {sim.accuracy_mv_all:7.4f} "
            f"{(sim.accuracy - sim.accuracy_mv_all) * 100:+6.2f} {same:>16s} "
            f"{'yes' if sim.meets_goal else 'no':>5s}"
        )
        if ceilings:
            top, share = ceilings[name]
            line += f" {f'{top:.4f} ({share:.0%})':>20s}"
        print(line)
    met = sum(s.meets_goal for s in runs.values())
    print(f"goal met on {met} of {len(runs)} sets\n")


def main() -> int:
    if not datasets.available():
        print(f"data sets not found in {datasets.datasets_dir()}", file=sys.stderr)
        return 1
    started = time.perf_counter()
    loaded = {name: datasets.load(name) for name in datasets.CATEGORICAL}
    print(
        f"Dynamic overlap replay, {time.strftime('%Y-%m-%d')}; goal: accuracy >= majority vote "
        "on every answer, with <= 60 % of the answers\n"
    )
    headline = {
        name: simulate_dynamic_overlap(d.answers, d.truth, seed=0, **HEADLINE)
        for name, d in loaded.items()
    }
    cap = HEADLINE["max_answers"]
    ceilings = {name: ceiling(d, 0, cap) for name, d in loaded.items()}
    table("Headline: posterior >= 0.95, min 2, max 7, no gold, seed 0", headline, ceilings)
    print(
        "DS, first 7 = Dawid-Skene on the first 7 answers of every task in the same order, "
        "what a policy that never stops early gets (dynamic overlap draws a subset of these "
        "answers); where it is below MV all, the cap of 7 answers is in the way.\n"
    )

    per_seed = []
    for seed in SEEDS:
        runs = [
            simulate_dynamic_overlap(d.answers, d.truth, seed=seed, **HEADLINE)
            for d in loaded.values()
        ]
        per_seed.append(runs)
    print(f"Same rule, seeds {SEEDS[0]}-{SEEDS[-1]}:")
    for name_index, name in enumerate(loaded):
        runs = [seed_runs[name_index] for seed_runs in per_seed]
        accs = [r.accuracy for r in runs]
        print(
            f"  {name:16s} accuracy {min(accs):.4f}-{max(accs):.4f}, share "
            f"{min(r.share_used for r in runs):.1%}-{max(r.share_used for r in runs):.1%}, "
            f"goal met on {sum(r.meets_goal for r in runs)} of {len(runs)} seeds"
        )
    print()

    with_gold = {
        name: simulate_dynamic_overlap(
            d.answers, d.truth, seed=0, gold_share=GOLD_SHARE, **HEADLINE
        )
        for name, d in loaded.items()
    }
    table(
        f"Other setting: the same rule with {GOLD_SHARE:.0%} of the scored tasks as control "
        "tasks (truth given to the policy and the final fit, answered up to 7 times and "
        "counted in the budget, not scored; the MV baselines get no gold), seed 0",
        with_gold,
    )
    print(f"total {time.perf_counter() - started:.0f} s")

    summary = {
        "sets": len(headline),
        "sets_meeting_goal": sum(s.meets_goal for s in headline.values()),
        "mean_answer_share": round(float(np.mean([s.share_used for s in headline.values()])), 3),
        "mean_accuracy_delta": round(
            float(np.mean([s.accuracy - s.accuracy_mv_all for s in headline.values()])), 4
        ),
        "sets_not_worse_than_mv_same_budget": sum(
            s.accuracy >= s.accuracy_mv_same_budget for s in headline.values()
        ),
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
