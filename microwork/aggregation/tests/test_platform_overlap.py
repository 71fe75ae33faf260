"""Dynamic overlap through the real worker loop: easy tasks stop early, contested ones do not."""

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import cycle

import pytest

from microwork.aggregation.models import AggregationRun, TaskAggregate
from microwork.aggregation.services import runs
from microwork.aggregation.services import settings as aggregation_settings
from microwork.projects.models import Task
from microwork.webhooks.events import PROJECT_COMPLETED, TASK_COMPLETED
from microwork.webhooks.models import Event
from microwork.webhooks.services.subscriptions import subscription_create
from microwork.work import hooks
from microwork.work.models import Assignment, Submission
from microwork.work.services.claiming import assignment_claim
from microwork.work.services.submitting import submission_create
from microwork.work.tests.factories import add_tasks, live_project, make_worker

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
OVERLAP = 5
EASY = 10
CONTESTED = 4
GOLD = 5


@pytest.fixture(autouse=True)
def aggregation_hook_only(monkeypatch):
    # Only aggregation's hook: earnings and gold feedback are tested by their own apps.
    monkeypatch.setattr(
        hooks,
        "SUBMISSION_HOOKS",
        {"aggregation": "microwork.aggregation.services.live.submission_aggregate"},
    )


@pytest.fixture
def project(rita):
    # Rita's live project with dynamic overlap: 2 answers at least, 5 at most, target 0.95.
    return live_project(
        rita,
        overlap=OVERLAP,
        dynamic_overlap=True,
        min_overlap=2,
        target_confidence=Decimal("0.950"),
        max_open_per_worker=1,
    )


@pytest.fixture
def crowd(db):
    # Eight careful workers.
    return [make_worker(f"careful{i}") for i in range(8)]


def _calibrate(project, crowd, rng, clock):
    """Every worker first answers every control task right (gold_rate 1 serves them first)."""
    project.gold_rate = Decimal("1")
    project.save(update_fields=["gold_rate"])
    for worker in crowd:
        for _ in range(GOLD):
            now = next(clock)
            assignment = assignment_claim(worker=worker, project=project, now=now, rng=rng)
            assert assignment.task.is_gold
            submission_create(assignment=assignment, worker=worker, answer="ok", now=now)
    project.gold_rate = Decimal("0")
    project.save(update_fields=["gold_rate"])


def _ticks():
    step = 0
    while True:
        step += 1
        yield T0 + timedelta(seconds=step)


def test_easy_tasks_stop_at_two_or_three_answers_and_contested_ones_collect_five(project, crowd):
    rng = random.Random(3)
    clock = _ticks()
    easy = add_tasks(project, EASY)
    contested = add_tasks(project, CONTESTED)
    add_tasks(project, 0, gold=GOLD, gold_answer="ok")
    truth = {t.pk: ("ok" if i % 2 else "gory") for i, t in enumerate(easy)}
    contested_ids = {t.pk for t in contested}
    _calibrate(project, crowd, rng, clock)
    assert Submission.objects.filter(gold_correct=True).count() == len(crowd) * GOLD

    def answer(assignment):
        if assignment.task_id in contested_ids:
            # The crowd splits on these: each answer contradicts the one before.
            given = Task.objects.get(pk=assignment.task_id).answers_count
            return ["ok", "gory"][given % 2]
        return truth[assignment.task_id]

    # Workers take turns; one lease is always still open while the next worker claims, as on
    # a busy project, so a task can get one more answer after it was closed.
    in_flight = None
    idle = 0
    for worker in cycle(crowd):
        now = next(clock)
        assignment = assignment_claim(worker=worker, project=project, now=now, rng=rng)
        if in_flight is not None:
            submission_create(
                assignment=in_flight,
                worker=in_flight.worker,
                answer=answer(in_flight),
                now=now,
            )
        in_flight = assignment
        idle = 0 if assignment else idle + 1
        if idle > len(crowd) and in_flight is None:
            break

    counts = {t.pk: Submission.objects.filter(task=t).count() for t in [*easy, *contested]}
    for task in easy:
        task.refresh_from_db()
        aggregate = TaskAggregate.objects.get(task=task)
        assert 2 <= counts[task.pk] <= 3, (task.pk, counts[task.pk])
        assert task.done and aggregate.stop_rule == "target_reached"
        assert aggregate.label == truth[task.pk] and aggregate.confidence >= Decimal("0.95")
        assert aggregate.stop_details["confidence"] >= 0.95
        # Once closed, nobody was given the task again.
        assert not Assignment.objects.filter(
            task=task, first_leased_at__gt=aggregate.stopped_at
        ).exists()
    for task in contested:
        task.refresh_from_db()
        assert counts[task.pk] == OVERLAP
        assert not task.done and TaskAggregate.objects.get(task=task).stop_rule == ""

    spent = sum(counts.values())
    fixed = OVERLAP * (EASY + CONTESTED)
    assert spent < fixed
    assert spent <= EASY * 3 + CONTESTED * OVERLAP
    # A newcomer finds nothing to do: every task is closed or has all its answers.
    late = make_worker("late")
    assert assignment_claim(worker=late, project=project, now=next(clock), rng=rng) is None


def test_without_gold_calibration_two_agreeing_strangers_are_not_enough(project, crowd):
    [task] = add_tasks(project, 1)
    rng = random.Random(1)
    for worker in crowd[:2]:
        assignment = assignment_claim(worker=worker, project=project, rng=rng)
        submission_create(assignment=assignment, worker=worker, answer="ok")
    task.refresh_from_db()
    aggregate = TaskAggregate.objects.get(task=task)
    assert not task.done and aggregate.confidence < Decimal("0.95")


def test_a_full_run_closes_open_tasks_that_already_meet_the_rule(project, crowd):
    """Dynamic overlap switched on late: the next re-estimate closes what is already certain."""
    project.dynamic_overlap = False
    project.save(update_fields=["dynamic_overlap"])
    rng = random.Random(5)
    clock = _ticks()
    tasks = add_tasks(project, 3)
    add_tasks(project, 0, gold=GOLD, gold_answer="ok")
    _calibrate(project, crowd[:2], rng, clock)
    for worker in crowd[:2]:
        for _ in tasks:
            now = next(clock)
            assignment = assignment_claim(worker=worker, project=project, now=now, rng=rng)
            submission_create(assignment=assignment, worker=worker, answer="gory", now=now)
    assert not Task.objects.filter(done=True).exists()
    aggregation_settings.project_aggregation_configure(
        project=project, method="ds", dynamic_overlap=True, min_overlap=2, target_confidence="0.95"
    )
    subscription_create(
        organisation=project.organisation,
        url="http://127.0.0.1:9/hooks",
        events=[TASK_COMPLETED, PROJECT_COMPLETED],
    )
    run = AggregationRun.objects.create(project=project, method="ds", created_at=T0)
    assert runs.aggregation_run_execute(run_id=run.pk).status == "done"
    for task in tasks:
        task.refresh_from_db()
        aggregate = TaskAggregate.objects.get(task=task)
        assert task.done and aggregate.stop_details["trigger"] == "run"
        assert aggregate.label == "gory"
    # No answer closed them, yet the requester hears of each task and, once, of the project.
    completed = Event.objects.filter(name=TASK_COMPLETED).order_by("pk")
    assert sorted(e.payload["task_id"] for e in completed) == sorted(t.pk for t in tasks)
    assert Event.objects.filter(name=PROJECT_COMPLETED).count() == 1
    # A second run finds nothing open: nothing is sent again.
    again = AggregationRun.objects.create(project=project, method="ds", created_at=T0)
    assert runs.aggregation_run_execute(run_id=again.pk).status == "done"
    assert Event.objects.filter(name=TASK_COMPLETED).count() == len(tasks)
