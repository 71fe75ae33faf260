"""The same comparison as the plain simulation, but through the real services and database:
workers who react at very different speeds compete for tasks released a few at a time."""

import heapq
import math
import random
from datetime import timedelta

import pytest

from microwork.work import services
from microwork.work.fairness import ROUND_SECONDS, gini
from microwork.work.models import Assignment, WorkRequest
from microwork.work.tests.conftest import T0
from microwork.work.tests.factories import add_tasks, live_project, make_worker

WORKERS = 40
DROPS = 20
PER_DROP = 5
DROP_EVERY = 10


def run_crowd(rita, rule: str, seed: int = 3) -> list[int]:
    rng = random.Random(seed)
    project = live_project(rita, name=f"crowd {rule}", overlap=1, time_limit_seconds=600)
    # Seconds between "work appears" and a worker looking: 0.3 s (a script) to 30 s (a phone
    # on 2G, checking now and then). Fastest first.
    react = sorted(math.exp(rng.uniform(math.log(0.3), math.log(30))) for _ in range(WORKERS))
    pace = [rng.uniform(15, 60) for _ in range(WORKERS)]
    workers = [make_worker(f"{rule}{i}") for i in range(WORKERS)]
    got = [0] * WORKERS
    events: list[tuple[float, int, int]] = [(react[i], 0, i) for i in range(WORKERS)]
    heapq.heapify(events)
    drops = [d * DROP_EVERY for d in range(DROPS)]
    holding: dict[int, Assignment] = {}
    end = DROPS * DROP_EVERY + 120
    while events:
        t, kind, i = heapq.heappop(events)
        if t > end:
            break
        while drops and drops[0] <= t:
            add_tasks(project, PER_DROP)
            drops.pop(0)
        now = T0 + timedelta(seconds=t)
        if kind == 1:  # finished the task in hand
            services.submission_create(
                assignment=holding.pop(i), worker=workers[i], answer="ok", now=now
            )
            heapq.heappush(events, (t + react[i], 0, i))
            continue
        if rule == "fcfs":
            outcome = services.assignment_claim(
                worker=workers[i], project=project, now=now, rng=rng
            )
            retry = react[i]  # checks again by hand
        else:
            outcome = services.work_request_create(
                worker=workers[i], project=project, now=now, rng=rng
            )
            retry = ROUND_SECONDS  # the waiting page checks in by itself
        if isinstance(outcome, Assignment) and i not in holding:
            holding[i] = outcome
            got[i] += 1
            heapq.heappush(events, (t + pace[i], 1, i))
        elif not isinstance(outcome, Assignment):
            heapq.heappush(events, (t + retry, 0, i))
        else:
            heapq.heappush(events, (t + pace[i], 1, i))
    return got


def decile(shares: list[int], k: int) -> float:
    n = len(shares)
    return sum(shares[k * n // 10 : (k + 1) * n // 10]) / max(1, sum(shares))


@pytest.mark.slow
def test_through_the_services_fast_clickers_do_not_take_the_work(rita):
    fcfs = run_crowd(rita, "fcfs")
    fair = run_crowd(rita, "rounds")
    print(
        f"\n{WORKERS} workers, {DROPS * PER_DROP} tasks ({PER_DROP} every {DROP_EVERY} s), real services:"
        f"\n  claim on click (FCFS): fastest 10 % {decile(fcfs, 0):.0%}, slowest 10 % "
        f"{decile(fcfs, 9):.0%}, Gini {gini(fcfs):.2f}"
        f"\n  waiting rounds:        fastest 10 % {decile(fair, 0):.0%}, slowest 10 % "
        f"{decile(fair, 9):.0%}, Gini {gini(fair):.2f}"
    )
    assert sum(fcfs) == sum(fair) == DROPS * PER_DROP
    assert decile(fcfs, 0) > 2 * decile(fcfs, 9)
    assert decile(fair, 0) <= 0.15
    assert gini(fair) < gini(fcfs) / 2
    assert WorkRequest.objects.filter(status=WorkRequest.Status.GRANTED).exists()
