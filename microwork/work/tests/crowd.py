"""A crowd competing for scarce work, run through the real services and database on a moved
clock: the requester uploads batches through the projects service (whose hooks release them),
workers press Start, wait, check in, answer and ask to be told of new work through the work
services, exactly as the pages and the API do.

Two rules are compared on the same crowd and the same batches:

- "click": claim on click (`assignment_claim` when the worker looks), the first-come,
  first-served rule of the platforms the issue describes;
- "rounds": what microwork ships (`work_request_create`, `work_request_poll`, the rounds).
"""

import heapq
import math
import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import time_machine
from django.db.models import Count

from microwork.accounts.models import User, WorkerProfile
from microwork.inbox.models import Notification
from microwork.projects.services.projects import project_set_status
from microwork.work import releases
from microwork.work.fairness import check_in_after, gini
from microwork.work.models import Assignment, Submission, WorkRequest
from microwork.work.services.claiming import assignment_claim
from microwork.work.services.sharing import work_request_create, work_request_poll
from microwork.work.services.submitting import submission_create
from microwork.work.tests.factories import funded_project, upload_tasks

START = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
# Event kinds, in the order they happen at the same instant: the requester's release first.
RELEASE, LOOK, CHECK_IN, DONE = range(4)


@dataclass(frozen=True)
class Crowd:
    """Who clicks how fast and works how fast: the same people for both rules."""

    latency: list[float]  # seconds from "work appears" to the worker's click, fastest first
    pace: list[float]  # seconds a task takes them

    @classmethod
    def draw(cls, workers: int, seed: int) -> "Crowd":
        rng = random.Random(seed)
        # Scripts and fibre at a few tens of milliseconds, 2G phones at several seconds.
        latency = sorted(
            min(20.0, max(0.03, math.exp(rng.gauss(math.log(0.8), 1.2)))) for _ in range(workers)
        )
        # People also work at different speeds (15 s to 90 s a task), independent of their link.
        pace = [rng.uniform(15, 90) for _ in range(workers)]
        return cls(latency=latency, pace=pace)


@dataclass(frozen=True)
class Shares:
    tasks: list[int]  # tasks answered per worker, fastest click first
    calls: int  # service calls the run made

    @property
    def total(self) -> int:
        return sum(self.tasks)

    @property
    def gini(self) -> float:
        return gini(self.tasks)

    def decile(self, k: int) -> float:
        """Share of all tasks that went to one tenth of the crowd (0: the fastest clickers)."""
        n = len(self.tasks)
        return sum(self.tasks[k * n // 10 : (k + 1) * n // 10]) / max(1, self.total)

    @property
    def fastest_vs_fair(self) -> float:
        return self.decile(0) / 0.10

    @property
    def nothing(self) -> int:
        return sum(1 for t in self.tasks if t == 0)

    def line(self, label: str) -> str:
        return (
            f"  {label:<22} fastest 10 % {self.decile(0):6.1%} ({self.fastest_vs_fair:.2f}x fair)"
            f"  slowest 10 % {self.decile(9):6.1%}  min {min(self.tasks)}  max {max(self.tasks)}"
            f"  got nothing {self.nothing:3d}  Gini {self.gini:.3f}"
        )


def _workers(prefix: str, n: int) -> list[User]:
    users = User.objects.bulk_create(
        User(username=f"{prefix}{i:03d}", email=f"{prefix}{i}@example.org", password="!")
        for i in range(n)
    )
    if users[0].pk is None:  # databases that return no ids from a bulk insert
        users = list(User.objects.filter(username__startswith=prefix).order_by("username"))
    WorkerProfile.objects.bulk_create(
        WorkerProfile(user=u, country="NG", languages=["en"]) for u in users
    )
    return users


def run(
    *,
    rule: str,
    crowd: Crowd,
    owner: User,
    operator: User,
    batches: int,
    per_batch: int,
    every: float,
    seed: int = 1,
) -> Shares:
    rng = random.Random(seed)
    n = len(crowd.latency)
    workers = _workers(rule, n)
    index = {w.pk: i for i, w in enumerate(workers)}
    project = funded_project(
        owner, operator, name=f"crowd {rule}", overlap=1, deposit=str(batches * per_batch)
    )
    events: list[tuple[float, int, int, int]] = []
    seq = 0

    def push(t: float, kind: int, i: int) -> None:
        nonlocal seq
        seq += 1
        heapq.heappush(events, (t, kind, seq, i))

    for k in range(batches):
        push(k * every, RELEASE, k)
    holding: dict[int, Assignment] = {}
    waiting: dict[int, WorkRequest] = {}
    calls = 0
    # When newly released work is first shared out: it changes only at a release or when
    # that round has passed, so it is read again only then (the API reads it on every call).
    first_round: dict[str, datetime | None] = {"at": None, "read": None}

    def check_in_delay(now: datetime) -> int:
        at, read = first_round["at"], first_round["read"]
        if read is None or (at is not None and at <= now):
            first_round["at"] = releases.first_round_at(project=project, now=now)
            first_round["read"] = now
        return check_in_after(first_round["at"], now)

    with time_machine.travel(START, tick=False) as clock:
        while events:
            t, kind, _seq, i = heapq.heappop(events)
            now = START + timedelta(seconds=t)
            clock.move_to(now)
            if kind == RELEASE:
                upload_tasks(project, per_batch, start=i * per_batch)
                first_round["read"] = None
                if i == 0:
                    # The project goes live: everyone sees it on their work page.
                    project = project_set_status(project=project, actor=owner, status="live")
                    told = [w.pk for w in workers]
                else:
                    # Whoever asked to be told gets the message now.
                    told = Notification.objects.filter(
                        params__project_id=project.pk, created_at=now
                    ).values_list("user_id", flat=True)
                for worker_id in told:
                    w = index[worker_id]
                    push(t + crowd.latency[w] * rng.uniform(0.7, 1.3), LOOK, w)
                continue
            worker = workers[i]
            calls += 1
            if kind == DONE:
                submission_create(assignment=holding.pop(i), worker=worker, answer="ok", now=now)
                # "Submit" moves straight on to asking for the next task.
                push(t + crowd.latency[i] * rng.uniform(0.7, 1.3), LOOK, i)
                continue
            if rule == "click":
                outcome = assignment_claim(worker=worker, project=project, now=now, rng=rng)
            elif kind == CHECK_IN:
                outcome = work_request_poll(request=waiting.pop(i), worker=worker, now=now, rng=rng)
            else:
                outcome = work_request_create(worker=worker, project=project, now=now, rng=rng)
            if isinstance(outcome, Assignment):
                holding[i] = outcome
                push(t + crowd.pace[i], DONE, i)
            elif isinstance(outcome, WorkRequest):
                waiting[i] = outcome
                # The waiting page checks in when the claim endpoint says (every round, less
                # often while new work waits for its first round); a phone takes a moment.
                push(t + check_in_delay(now) + rng.uniform(0, 1), CHECK_IN, i)
            else:
                # Nothing for them now: they ask to be told, and look again when told.
                calls += 1
                releases.opening_subscribe(worker=worker, project=project, now=now)
    answered = Counter(
        dict(
            Submission.objects.filter(project=project)
            .values("worker_id")
            .annotate(n=Count("id"))
            .values_list("worker_id", "n")
        )
    )
    return Shares(tasks=[answered[w.pk] for w in workers], calls=calls)
