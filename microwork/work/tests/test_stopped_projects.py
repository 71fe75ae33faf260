"""When the requester pauses, completes or archives a project while workers are on its tasks:
no new lease after the pause is visible, answers in time are still taken and paid, archived
projects take nothing."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from microwork.ledger.models import Transaction
from microwork.lib.errors import ApplicationError
from microwork.projects.models import Project, Task
from microwork.projects.services.projects import project_set_status
from microwork.work.models import Assignment, Submission, WorkRequest
from microwork.work.services.claiming import assignment_claim
from microwork.work.services.sharing import work_request_create, work_rounds_allocate
from microwork.work.services.submitting import submission_create
from microwork.work.tests.factories import funded_project, make_worker, upload_tasks

T = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def live(rita, omar):
    # Rita's funded project, live for a while (its opening round is over).
    with time_machine.travel(T - timedelta(hours=1), tick=False):
        project = funded_project(rita, omar, overlap=2)
        upload_tasks(project, 4)
        return project_set_status(project=project, actor=rita, status="live")


def stop(project, status):
    return project_set_status(project=project, actor=project.created_by, status=status)


def test_a_claim_holding_an_old_copy_of_the_project_is_refused_after_a_pause(live, walt):
    stale = Project.objects.get(pk=live.pk)
    stop(live, "paused")
    assert stale.status == "live"
    with pytest.raises(ApplicationError) as info:
        assignment_claim(worker=walt, project=stale, now=T)
    assert info.value.code == "project_paused"
    assert not Assignment.objects.exists()


def test_a_round_started_from_an_old_copy_serves_nobody_after_a_pause(live, walt, nina, rng):
    blocker = make_worker("blocker")
    held = assignment_claim(worker=blocker, project=live, now=T)
    # Every other place is taken: Walt waits for the blocker's task to come back.
    Task.objects.filter(project=live).exclude(pk=held.task_id).update(answers_count=2)
    Task.objects.filter(pk=held.task_id).update(answers_count=1)
    request = work_request_create(worker=walt, project=live, now=T, rng=rng)
    assert isinstance(request, WorkRequest)
    stale = request.project
    stop(live, "paused")
    Assignment.objects.filter(worker=blocker).update(status="returned")
    work_rounds_allocate(project=stale, now=T + timedelta(seconds=6), rng=rng)
    request.refresh_from_db()
    assert request.status == WorkRequest.Status.CANCELLED
    assert "paused" in request.refusal
    assert not Assignment.objects.filter(worker=walt).exists()


@pytest.mark.parametrize("status", ["paused", "completed"])
def test_answers_in_time_are_taken_and_paid_after_a_stop(live, walt, status):
    lease = assignment_claim(worker=walt, project=live, now=T)
    stop(live, status)
    submission = submission_create(
        assignment=lease, worker=walt, answer="ok", now=T + timedelta(minutes=2)
    )
    assert Transaction.objects.filter(kind="earning", submission_id=submission.pk).count() == 1


def test_late_answers_after_a_stop_are_refused_with_the_reason(live, walt):
    lease = assignment_claim(worker=walt, project=live, now=T)
    stop(live, "paused")
    with pytest.raises(ApplicationError) as info:
        submission_create(
            assignment=lease, worker=walt, answer="ok", now=lease.expires_at + timedelta(seconds=1)
        )
    assert info.value.code == "project_stopped"
    assert "your time for this task ran out" in info.value.message
    assert not Submission.objects.exists()


def test_an_archived_project_takes_no_answer_and_changes_nothing(live, walt, client):
    lease = assignment_claim(worker=walt, project=live, now=T)
    stop(live, "paused")
    stop(live, "archived")
    with pytest.raises(ApplicationError) as info:
        submission_create(assignment=lease, worker=walt, answer="ok", now=T)
    assert info.value.code == "project_archived"
    assert not Submission.objects.exists()
    assert Task.objects.get(pk=lease.task_id).answers_count == 0
    assert Assignment.objects.get(pk=lease.pk).status == "leased"
    # The task page says so on the work page instead of offering the form again.
    client.force_login(walt)
    r = client.post(f"/work/a/{lease.pk}/", {"label": "ok"}, follow=True)
    assert "archived this project" in r.content.decode()
    assert r.redirect_chain[-1][0] == "/work/"
