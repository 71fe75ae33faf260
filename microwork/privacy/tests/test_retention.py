"""The end of retention: a worker's personal data of a project is erased once the declared
number of days has passed since their last task there — not a minute before — with a record
of what went, and only once."""

from datetime import UTC, datetime, timedelta

import time_machine

from microwork.clock.jobs import PERIODIC_JOBS
from microwork.privacy.models import Deletion
from microwork.privacy.services.consent import consent_give
from microwork.privacy.services.retention import retention_sweep
from microwork.work.services.claiming import assignment_claim
from microwork.work.services.submitting import assignment_save_draft, submission_create

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _work(project, worker, *, draft: bool = False):
    consent_give(project=project, worker=worker)
    assignment = assignment_claim(worker=worker, project=project)
    if draft:
        assignment_save_draft(assignment=assignment, worker=worker, draft="ok")
        return assignment
    submission_create(assignment=assignment, worker=worker, answer="ok")
    return assignment


def test_retention_erases_on_time_and_not_before(walt, project, tasks, recorded_erasures):
    with time_machine.travel(T0, tick=False):
        done = _work(project, walt)
    last = done.submission.submitted_at
    with time_machine.travel(last + timedelta(days=30) - timedelta(minutes=1), tick=False):
        assert retention_sweep() == []
    assert recorded_erasures == []
    with time_machine.travel(last + timedelta(days=30), tick=False):
        [deletion] = retention_sweep()
    assert deletion.reason == Deletion.Reason.RETENTION
    assert deletion.worker == walt and deletion.project == project
    assert deletion.items == {"test": [done.task_id]}
    assert deletion.covers_until == last
    assert recorded_erasures == [{"project": project.pk, "worker": walt.pk, "reason": "retention"}]


def test_retention_is_idempotent_until_newer_work(walt, project, tasks, recorded_erasures):
    with time_machine.travel(T0, tick=False):
        _work(project, walt)
    with time_machine.travel(T0 + timedelta(days=31), tick=False):
        assert len(retention_sweep()) == 1
        assert retention_sweep() == []
    assert Deletion.objects.count() == 1 and len(recorded_erasures) == 1
    # Walt comes back and works again: that work has its own 30 days.
    with time_machine.travel(T0 + timedelta(days=40), tick=False):
        _work(project, walt)
    with time_machine.travel(T0 + timedelta(days=69), tick=False):
        assert retention_sweep() == []
    with time_machine.travel(T0 + timedelta(days=71), tick=False):
        assert len(retention_sweep()) == 1
    assert Deletion.objects.count() == 2


def test_retention_erases_drafts_left_on_a_lapsed_task(walt, project, tasks):
    with time_machine.travel(T0, tick=False):
        assignment = _work(project, walt, draft=True)
    with time_machine.travel(T0 + timedelta(days=31), tick=False):
        [deletion] = retention_sweep()
    assignment.refresh_from_db()
    assert assignment.draft is None
    assert deletion.items["drafts"] == [assignment.task_id]


def test_a_project_without_declaration_is_left_alone(walt, rita, recorded_erasures):
    from microwork.work.tests.factories import add_tasks, live_project

    plain = live_project(rita)
    add_tasks(plain, 1)
    with time_machine.travel(T0, tick=False):
        assignment_claim(worker=walt, project=plain)
    with time_machine.travel(T0 + timedelta(days=4000), tick=False):
        assert retention_sweep() == []
    assert recorded_erasures == []


def test_the_retention_job_runs_on_the_clock():
    path, every = PERIODIC_JOBS["personal_data_retention"]
    assert path == "microwork.privacy.tasks.retention_sweep_task"
    assert every <= timedelta(hours=1)
