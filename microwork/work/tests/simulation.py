"""A crowd competing for scarce work, to compare sharing rules. Plain Python, no database:
the "policy" side calls the very ranking function the sharing rounds use."""

import math
import random
from dataclasses import dataclass

from microwork.work.fairness import ROUND_SECONDS, gini, rank_requests


@dataclass(frozen=True)
class Result:
    shares: list[int]  # tasks per worker, workers ordered fastest click first

    @property
    def gini(self) -> float:
        return gini(self.shares)

    def decile_share(self, decile: int = 0) -> float:
        """Share of all tasks that went to one tenth of the workers (0: the fastest)."""
        n = len(self.shares)
        part = self.shares[decile * n // 10 : (decile + 1) * n // 10]
        return sum(part) / sum(self.shares)

    def fastest_decile_vs_fair(self) -> float:
        return self.decile_share(0) / 0.10


def latencies(workers: int, rng: random.Random) -> list[float]:
    """Seconds from "work appears" to a worker's click: fibre and scripts at a few tens of
    milliseconds, 2G phones at several seconds. Sorted fastest first."""
    return sorted(math.exp(rng.gauss(math.log(0.8), 1.2)) for _ in range(workers))


def simulate(
    *,
    rule: str,
    workers: int = 200,
    tasks: int = 1000,
    per_drop: int = 20,
    drop_every: float = 30.0,
    seed: int = 1,
) -> Result:
    """Tasks arrive `per_drop` at a time; every worker wants work all the time.

    - "fcfs": the first clicks after a drop win (arrival = drop + latency, plus jitter).
    - "policy": requests wait for the next round (every ROUND_SECONDS); a round serves the
      fewest-received first, ties by lot. A click that lands after the round waits for the
      next one, where it is ranked the same way."""
    rng = random.Random(seed)
    lat = latencies(workers, rng)
    # People also work at different speeds (15 s to 90 s a task), independent of their link.
    pace = [rng.uniform(15, 90) for _ in range(workers)]
    received = [0] * workers
    busy_until = [0.0] * workers
    given = 0
    t = 0.0
    while given < tasks:
        free = min(per_drop, tasks - given)
        # FCFS: each drop is a race, whoever sees it and clicks first. Rounds: a request stands
        # from the moment the worker asks (after their last task) until a round serves it, so
        # being slow only delays joining the line, once.
        start = [max(t, busy_until[w]) for w in range(workers)] if rule == "fcfs" else busy_until
        arrivals = [(start[w] + lat[w] * rng.uniform(0.7, 1.3), w) for w in range(workers)]
        winners = _choose(rule, arrivals, received, free, t, rng)
        for w, at in winners:
            received[w] += 1
            busy_until[w] = at + pace[w]
        given += free
        t += drop_every
    return Result(shares=received)


def _choose(
    rule: str,
    arrivals: list[tuple[float, int]],
    received: list[int],
    free: int,
    t: float,
    rng: random.Random,
) -> list[tuple[int, float]]:
    if rule == "fcfs":
        return [(w, at) for at, w in sorted(arrivals)[:free]]
    chosen: list[tuple[int, float]] = []
    round_at = t + ROUND_SECONDS
    pending = list(arrivals)
    while free > 0 and pending:
        here = [(w, at) for at, w in pending if at <= round_at]
        ranked = rank_requests([(w, received[w]) for w, _at in here], rng=rng)
        for r in ranked[:free]:
            chosen.append((r.key, round_at))  # type: ignore[arg-type]
        free -= min(free, len(ranked))
        served = {w for w, _ in chosen}
        pending = [(at, w) for at, w in pending if w not in served and at > round_at]
        round_at += ROUND_SECONDS
    return chosen
