"""Random interleavings of claim, submit, skip, return, expiry, sweeping, rounds and dynamic
overlap, on a fake clock, checking after every step the rules that must never bend."""

import contextlib
import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Count, Q
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from microwork.lib.errors import ApplicationError
from microwork.projects.models import Task
from microwork.work import services
from microwork.work.models import Assignment, Submission, WorkRequest
from microwork.work.tests.conftest import T0
from microwork.work.tests.factories import add_tasks, live_project, make_worker

WORKERS = 3


def build_machine(project, workers):
    class WorkLoop(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            Submission.objects.all().delete()
            WorkRequest.objects.all().delete()
            Assignment.objects.all().delete()
            Task.objects.filter(project=project).update(answers_count=0, done=False)
            self.now = T0
            self.rng = random.Random(0)

        def mine(self, w, index):
            rows = list(Assignment.objects.filter(worker=workers[w]).order_by("id"))
            return rows[max(index, -len(rows))] if rows else None

        @rule(w=st.integers(0, WORKERS - 1))
        def claim(self, w):
            before = set(Assignment.objects.values_list("pk", flat=True))
            a = services.assignment_claim(
                worker=workers[w], project=project, now=self.now, rng=self.rng
            )
            if a is not None and a.pk not in before:
                assert not Task.objects.get(pk=a.task_id).done, "a done task was handed out"

        @rule(w=st.integers(0, WORKERS - 1))
        def ask_fairly(self, w):
            with contextlib.suppress(ApplicationError):
                services.work_request_create(
                    worker=workers[w], project=project, now=self.now, rng=self.rng
                )

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
                with contextlib.suppress(ApplicationError):
                    services.submission_create(
                        assignment=a,
                        worker=workers[w],
                        answer=answer,
                        active_ms=500,
                        now=self.now,
                    )

        @rule(w=st.integers(0, WORKERS - 1), i=st.integers(0, 3), give_back=st.booleans())
        def end(self, w, i, give_back):
            a = self.mine(w, -1 - i)
            if a is None:
                return
            action = services.assignment_return if give_back else services.assignment_skip
            with contextlib.suppress(ApplicationError):
                action(assignment=a, worker=workers[w], now=self.now)

        @rule(seconds=st.sampled_from([1, 20, 59, 61, 200, 1000]))
        def advance(self, seconds):
            self.now += timedelta(seconds=seconds)

        @rule()
        def sweep(self):
            services.assignments_expire(now=self.now)

        @rule()
        def round(self):
            services.work_rounds_allocate(project=project, now=self.now, rng=self.rng, force=True)

        @rule(i=st.integers(0, 5))
        def mark_done(self, i):
            ids = list(
                Task.objects.filter(project=project, is_gold=False).values_list("pk", flat=True)
            )
            Task.objects.filter(pk=ids[i % len(ids)]).update(done=True)

        @invariant()
        def overlap_is_a_hard_limit(self):
            rows = Task.objects.filter(project=project).annotate(
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
                    assert t.subs <= project.overlap
                    assert t.subs + t.open <= project.overlap

        @invariant()
        def one_open_lease_per_worker(self):
            for worker in workers:
                assert (
                    Assignment.objects.filter(
                        worker=worker, status="leased", expires_at__gt=self.now
                    ).count()
                    <= project.max_open_per_worker
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

    return WorkLoop


@pytest.mark.slow
def test_random_interleavings_keep_the_rules(rita):
    # Few tasks and slots for many workers, so leases collide, lapse and get re-let often.
    project = live_project(rita, overlap=2, time_limit_seconds=60, gold_rate=Decimal("0.2"))
    add_tasks(project, 2, gold=1)
    workers = [make_worker(f"sm{i}") for i in range(WORKERS)]
    machine = build_machine(project, workers)
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=50,
            stateful_step_count=30,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        ),
    )
