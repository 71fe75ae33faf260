"""Random interleavings of claim, submit, skip, return, expiry, sweeping, rounds and dynamic
overlap, on a fake clock, checking after every step the rules that must never bend: once with
the worker loop alone, once with every app's submission hooks on a funded project (the
ledger's earning, quality, aggregation), where each answer must also be paid exactly once
and the books must balance."""

import contextlib
import random
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Count, Q
from hypothesis import HealthCheck, seed, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from microwork.ledger.models import Transaction
from microwork.ledger.services.check import ledger_check
from microwork.lib.errors import ApplicationError
from microwork.projects.models import Task
from microwork.projects.services.batches import batch_create_from_records
from microwork.projects.services.projects import project_set_status
from microwork.work.models import Assignment, Submission
from microwork.work.services.claiming import assignment_claim
from microwork.work.services.giving_back import (
    assignment_return,
    assignment_skip,
    assignments_expire,
)
from microwork.work.services.sharing import work_request_create, work_rounds_allocate
from microwork.work.services.submitting import submission_create
from microwork.work.tests.conftest import T0
from microwork.work.tests.factories import (
    add_tasks,
    funded_project,
    live_project,
    make_worker,
    upload_tasks,
)

WORKERS = 3
# Few tasks and slots for many workers, so leases collide, lapse and get re-let often.
SETTINGS = {"overlap": 2, "time_limit_seconds": 60, "gold_rate": Decimal("0.2")}


def plain_project(owner, _operator):
    project = live_project(owner, deposit=None, **SETTINGS)
    add_tasks(project, 2, gold=1)
    return project


def funded_live_project(owner, operator):
    project = funded_project(owner, operator, deposit="5", **SETTINGS)
    upload_tasks(project, 2)
    records = [{"id": "g", "text": "A control picture", "answer": "ok"}]
    batch_create_from_records(project=project, actor=owner, records=records)
    return project_set_status(project=project, actor=owner, status="live")


def build_machine(make_project, owner, operator, workers, books: bool, tally: Counter):
    """`tally` counts, across every run, the actions that went through and the leases each
    run ended with, so that the test can tell a run that kept the rules by doing things from
    one where every action was refused."""

    class WorkLoop(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            # Each run starts from a fresh project and rolls everything back at the end.
            self._atomic = transaction.atomic()
            self._atomic.__enter__()
            self.project = make_project(owner, operator)
            self.now = T0
            self.rng = random.Random(0)

        def teardown(self):
            tally.update(
                f"ended {status}"
                for status in Assignment.objects.filter(project=self.project).values_list(
                    "status", flat=True
                )
            )
            tally["answers stored"] += Submission.objects.filter(project=self.project).count()
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)

        def mine(self, w, index):
            # Mostly the worker's open leases (newest first), then older ones: a submit, skip
            # or return of a closed one must be refused too.
            rows = sorted(
                Assignment.objects.filter(worker=workers[w], project=self.project),
                key=lambda a: (a.status != "leased", -a.pk),
            )
            return rows[min(-1 - index, len(rows) - 1)] if rows else None

        @initialize()
        def everyone_starts(self):
            # Every run begins with each worker holding a task, so answers, skips, returns
            # and expiries have something to act on from the first step.
            for worker in workers:
                assignment_claim(worker=worker, project=self.project, now=self.now, rng=self.rng)

        @rule(w=st.integers(0, WORKERS - 1))
        def claim(self, w):
            before = set(Assignment.objects.values_list("pk", flat=True))
            a = assignment_claim(
                worker=workers[w], project=self.project, now=self.now, rng=self.rng
            )
            if a is not None and a.pk not in before:
                assert not Task.objects.get(pk=a.task_id).done, "a done task was handed out"
                tally["claim leased"] += 1

        @rule(w=st.integers(0, WORKERS - 1))
        def ask_fairly(self, w):
            tally["ask tried"] += 1
            with contextlib.suppress(ApplicationError):
                work_request_create(
                    worker=workers[w], project=self.project, now=self.now, rng=self.rng
                )
                tally["ask went through"] += 1

        @rule(
            w=st.integers(0, WORKERS - 1),
            i=st.integers(0, 3),
            answer=st.sampled_from(["ok", "gory", "ok", "nope"]),
            twice=st.booleans(),
        )
        def submit(self, w, i, answer, twice):
            a = self.mine(w, -1 - i)
            if a is None:
                return
            for _ in range(2 if twice else 1):
                tally["submit tried"] += 1
                with contextlib.suppress(ApplicationError):
                    submission_create(
                        assignment=a,
                        worker=workers[w],
                        answer=answer,
                        active_ms=500,
                        now=self.now,
                    )
                    tally["submit went through"] += 1

        @rule(w=st.integers(0, WORKERS - 1), i=st.integers(0, 3), give_back=st.booleans())
        def end(self, w, i, give_back):
            a = self.mine(w, -1 - i)
            if a is None:
                return
            action = assignment_return if give_back else assignment_skip
            tally["end tried"] += 1
            with contextlib.suppress(ApplicationError):
                action(assignment=a, worker=workers[w], now=self.now)
                tally["end went through"] += 1

        @rule(seconds=st.sampled_from([1, 20, 59, 61, 200, 1000]))
        def advance(self, seconds):
            self.now += timedelta(seconds=seconds)

        @rule()
        def sweep(self):
            assignments_expire(now=self.now)

        @rule()
        def round(self):
            work_rounds_allocate(project=self.project, now=self.now, rng=self.rng, force=True)

        @rule(i=st.integers(0, 5))
        def mark_done(self, i):
            ids = list(
                Task.objects.filter(project=self.project, is_gold=False).values_list(
                    "pk", flat=True
                )
            )
            Task.objects.filter(pk=ids[i % len(ids)]).update(done=True)

        @invariant()
        def overlap_is_a_hard_limit(self):
            rows = Task.objects.filter(project=self.project).annotate(
                subs=Count("submissions", distinct=True),
                open=Count(
                    "assignments",
                    filter=Q(assignments__status="leased", assignments__expires_at__gt=self.now),
                    distinct=True,
                ),
            )
            for t in rows:
                assert t.answers_count == t.subs
                if not t.is_gold:
                    assert t.subs <= self.project.overlap
                    assert t.subs + t.open <= self.project.overlap

        @invariant()
        def one_open_lease_per_worker(self):
            for worker in workers:
                assert (
                    Assignment.objects.filter(
                        worker=worker, status="leased", expires_at__gt=self.now
                    ).count()
                    <= self.project.max_open_per_worker
                )

        @invariant()
        def submissions_match_their_assignments(self):
            assert not Assignment.objects.filter(
                status="submitted", submission__isnull=True
            ).exists()
            assert not Submission.objects.exclude(assignment__status="submitted").exists()
            assert (
                Assignment.objects.values("task", "worker")
                .annotate(n=Count("id"))
                .filter(n__gt=1)
                .count()
                == 0
            )

        @invariant()
        def each_answer_is_paid_once_and_the_books_balance(self):
            if not books:
                return
            submitted = set(
                Submission.objects.filter(project=self.project).values_list("pk", flat=True)
            )
            earned = Counter(
                Transaction.objects.filter(
                    kind=Transaction.Kind.EARNING, project_id=self.project.pk
                ).values_list("submission_id", flat=True)
            )
            assert set(earned) == submitted and set(earned.values()) <= {1}
            report = ledger_check()
            assert report.ok, report.problems

    return WorkLoop


# The runs are drawn from a fixed seed rather than `derandomize`, which seeds from the test's
# own source: any edit to this file (an import line) would draw other runs and move the
# figures asserted below.
RUNS_SEED = 4


def assert_the_runs_did_things(tally: Counter) -> None:
    """Refusals are part of the game (a submit on a closed lease must be refused), but the
    rules are only tested if most submits and a fair share of skips and returns went through
    and every way a lease ends was reached. The figures are about half of today's runs (drawn
    from a fixed seed), so a change that made the loop refuse everything fails here."""
    assert tally["answers stored"] >= 20, tally
    assert tally["submit went through"] >= tally["submit tried"] / 2, tally
    assert tally["end went through"] >= tally["end tried"] / 5, tally
    assert tally["ask went through"] >= tally["ask tried"] / 2, tally
    assert tally["claim leased"] >= 2, tally
    assert tally["ended skipped"] >= 5 and tally["ended returned"] >= 2, tally
    assert tally["ended expired"] >= 4, tally


@pytest.mark.slow
# The worker loop's own rules, on an unfunded project: the run below adds the hooks.
@pytest.mark.without_submission_hooks
def test_random_interleavings_keep_the_rules(rita):
    workers = [make_worker(f"sm{i}") for i in range(WORKERS)]
    tally: Counter = Counter()
    machine = build_machine(plain_project, rita, None, workers, books=False, tally=tally)
    machine = seed(RUNS_SEED)(machine)
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=50,
            stateful_step_count=30,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
    assert_the_runs_did_things(tally)


@pytest.mark.slow
def test_random_interleavings_keep_the_rules_and_the_books_with_every_hook(rita, omar):
    workers = [make_worker(f"sm{i}") for i in range(WORKERS)]
    tally: Counter = Counter()
    machine = build_machine(funded_live_project, rita, omar, workers, books=True, tally=tally)
    machine = seed(RUNS_SEED)(machine)
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=30,
            stateful_step_count=30,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
    assert_the_runs_did_things(tally)
