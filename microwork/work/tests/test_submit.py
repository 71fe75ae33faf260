from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection

from microwork.lib.errors import ApplicationError
from microwork.projects.models import Task
from microwork.work import hooks
from microwork.work.models import Assignment, Submission
from microwork.work.services.claiming import assignment_claim
from microwork.work.services.giving_back import (
    assignment_return,
    assignment_skip,
    assignments_expire,
)
from microwork.work.services.submitting import (
    DRAFT_MAX_BYTES,
    assignment_save_draft,
    submission_create,
)
from microwork.work.tests.factories import add_tasks, live_project


@pytest.fixture
def leased(walt, project, tasks, t0):
    return assignment_claim(worker=walt, project=project, now=t0)


def test_submit_stores_the_answer_and_counts_it_once(walt, leased, t0):
    sub = submission_create(
        assignment=leased, worker=walt, answer="gory", active_ms=4000, now=t0 + timedelta(seconds=9)
    )
    assert sub.answer == "gory"
    assert sub.elapsed_ms == 9000
    assert sub.active_ms == 4000
    leased.refresh_from_db()
    assert leased.status == Assignment.Status.SUBMITTED
    assert Task.objects.get(pk=leased.task_id).answers_count == 1


def test_a_repeated_submit_returns_the_first_and_counts_nothing_twice(walt, leased, t0):
    first = submission_create(assignment=leased, worker=walt, answer="ok", now=t0)
    again = submission_create(
        assignment=leased, worker=walt, answer="gory", now=t0 + timedelta(seconds=3)
    )
    assert again.pk == first.pk and again.answer == "ok"
    assert Submission.objects.count() == 1
    assert Task.objects.get(pk=leased.task_id).answers_count == 1


def test_an_answer_that_does_not_fit_is_refused_naming_the_field(walt, leased, t0):
    with pytest.raises(ApplicationError) as exc:
        submission_create(assignment=leased, worker=walt, answer="maybe", now=t0)
    assert exc.value.field == "label"
    assert "ok, gory" in exc.value.message
    assert not Submission.objects.exists()
    assert Task.objects.get(pk=leased.task_id).answers_count == 0
    leased.refresh_from_db()
    assert leased.status == Assignment.Status.LEASED


def test_negative_active_time_is_refused(walt, leased, t0):
    with pytest.raises(ApplicationError) as exc:
        submission_create(assignment=leased, worker=walt, answer="ok", active_ms=-5, now=t0)
    assert exc.value.field == "active_ms"
    assert not Submission.objects.exists()


def test_submitting_to_someone_elses_assignment_changes_nothing(nina, leased, t0):
    # Nina must never answer for Walt.
    with pytest.raises(ApplicationError) as exc:
        submission_create(assignment=leased, worker=nina, answer="ok", now=t0)
    assert exc.value.code == "not_your_assignment"
    assert not Submission.objects.exists()
    leased.refresh_from_db()
    assert leased.status == Assignment.Status.LEASED


def test_late_submit_is_accepted_while_the_slot_is_still_free(walt, leased, t0):
    late = t0 + timedelta(seconds=leased.project.time_limit_seconds + 30)
    sub = submission_create(assignment=leased, worker=walt, answer="ok", now=late)
    assert sub.pk is not None
    assert leased.events.filter(reason="submitted_late").exists()


def test_late_submit_is_refused_once_the_slot_went_to_someone_else(walt, nina, rita, t0):
    project = live_project(rita, overlap=1, time_limit_seconds=60)
    add_tasks(project, 1)
    mine = assignment_claim(worker=walt, project=project, now=t0)
    theirs = assignment_claim(worker=nina, project=project, now=t0 + timedelta(seconds=61))
    assert theirs.task_id == mine.task_id
    with pytest.raises(ApplicationError) as exc:
        submission_create(assignment=mine, worker=walt, answer="ok", now=t0 + timedelta(seconds=62))
    assert exc.value.code == "lease_lost"
    assert "given to someone else after your time ran out" in exc.value.message
    assert not Submission.objects.exists()


def test_overlap_holds_even_when_late_submits_race_new_leases(walt, nina, wendy, rita, t0):
    project = live_project(rita, overlap=1, time_limit_seconds=60)
    add_tasks(project, 1)
    a = assignment_claim(worker=walt, project=project, now=t0)
    b = assignment_claim(worker=nina, project=project, now=t0 + timedelta(seconds=61))
    submission_create(assignment=b, worker=nina, answer="ok", now=t0 + timedelta(seconds=62))
    with pytest.raises(ApplicationError):
        submission_create(assignment=a, worker=walt, answer="ok", now=t0 + timedelta(seconds=63))
    assert Task.objects.get(pk=a.task_id).answers_count == 1


def test_skip_and_return(walt, project, tasks, t0):
    a = assignment_claim(worker=walt, project=project, now=t0)
    assignment_skip(assignment=a, worker=walt, now=t0)
    b = assignment_claim(worker=walt, project=project, now=t0)
    assignment_return(assignment=b, worker=walt, now=t0)
    assert {e.reason for e in b.events.all()} == {"claimed", "returned"}
    with pytest.raises(ApplicationError) as exc:
        assignment_return(assignment=b, worker=walt, now=t0)
    assert exc.value.code == "already_returned"
    assert "already returned" in exc.value.message
    with pytest.raises(ApplicationError):
        submission_create(assignment=a, worker=walt, answer="ok", now=t0)


def test_returned_task_frees_its_slot_at_once(walt, nina, rita, t0):
    project = live_project(rita, overlap=1)
    add_tasks(project, 1)
    a = assignment_claim(worker=walt, project=project, now=t0)
    assert assignment_claim(worker=nina, project=project, now=t0) is None
    assignment_return(assignment=a, worker=walt, now=t0)
    assert assignment_claim(worker=nina, project=project, now=t0).task_id == a.task_id


def test_gold_answers_are_judged(walt, rita, t0, rng):
    project = live_project(rita, gold_rate=Decimal("1"))
    add_tasks(project, 1, gold=2, gold_answer="ok")
    a = assignment_claim(worker=walt, project=project, now=t0, rng=rng)
    assert a.task.is_gold
    assert submission_create(assignment=a, worker=walt, answer="ok", now=t0).gold_correct
    b = assignment_claim(worker=walt, project=project, now=t0, rng=rng)
    sub = submission_create(assignment=b, worker=walt, answer="gory", now=t0)
    assert sub.gold_correct is False
    c = assignment_claim(worker=walt, project=project, now=t0, rng=rng)
    assert not c.task.is_gold
    assert submission_create(assignment=c, worker=walt, answer="ok", now=t0).gold_correct is None


def test_drafts_are_kept_and_size_limited(walt, leased, t0):
    assignment_save_draft(
        assignment=leased, worker=walt, draft="gory", active_ms=1500, now=t0 + timedelta(seconds=2)
    )
    leased.refresh_from_db()
    assert leased.draft == "gory" and leased.active_ms == 1500
    with pytest.raises(ApplicationError) as exc:
        assignment_save_draft(
            assignment=leased, worker=walt, draft="x" * (DRAFT_MAX_BYTES + 1), now=t0
        )
    assert exc.value.field == "draft" and exc.value.code == "draft_too_large"
    leased.refresh_from_db()
    assert leased.draft == "gory"


def test_active_time_adds_up_across_devices_and_retries(walt, leased, t0):
    # Phone counted 3 s; the same save retried; then the laptop continues from 3 s to 5 s.
    for _ in range(2):
        assignment_save_draft(
            assignment=leased,
            worker=walt,
            draft=None,
            active_ms=3000,
            now=t0 + timedelta(seconds=10),
        )
    assignment_save_draft(
        assignment=leased, worker=walt, draft="ok", active_ms=5000, now=t0 + timedelta(seconds=60)
    )
    sub = submission_create(
        assignment=leased, worker=walt, answer="ok", active_ms=0, now=t0 + timedelta(seconds=61)
    )
    assert sub.active_ms == 5000


def test_active_time_cannot_exceed_wall_clock(walt, leased, t0):
    sub = submission_create(
        assignment=leased, worker=walt, answer="ok", active_ms=10**8, now=t0 + timedelta(seconds=3)
    )
    assert sub.active_ms == 3000


def record(*, submission):
    # How deep in atomic blocks the hook runs: deeper than the caller means inside the
    # transaction that stores the answer.
    record.seen.append((submission.pk, len(connection.atomic_blocks)))


record.seen = []


def fail(*, submission):
    raise RuntimeError("ledger down")


def test_submission_hooks_run_inside_the_transaction(walt, leased, t0, monkeypatch):
    monkeypatch.setitem(hooks.SUBMISSION_HOOKS, "test", "microwork.work.tests.test_submit.record")
    outside = len(connection.atomic_blocks)
    sub = submission_create(assignment=leased, worker=walt, answer="ok", now=t0)
    pk, depth = record.seen[-1]
    assert pk == sub.pk
    assert depth > outside


def test_a_failing_hook_stores_nothing(walt, leased, t0, monkeypatch):
    monkeypatch.setitem(hooks.SUBMISSION_HOOKS, "test", "microwork.work.tests.test_submit.fail")
    with pytest.raises(RuntimeError):
        submission_create(assignment=leased, worker=walt, answer="ok", now=t0)
    assert not Submission.objects.exists()
    assert Task.objects.get(pk=leased.task_id).answers_count == 0


def test_sweeper_closes_old_leases_only(walt, nina, rita, t0):
    project = live_project(rita, time_limit_seconds=60)
    add_tasks(project, 2)
    a = assignment_claim(worker=walt, project=project, now=t0)
    b = assignment_claim(worker=nina, project=project, now=t0 + timedelta(minutes=30))
    closed = assignments_expire(now=t0 + timedelta(minutes=31))
    assert closed == 1
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.status == Assignment.Status.EXPIRED and b.status == Assignment.Status.LEASED
