"""Approving every pending answer of a big project runs in the background and tells the
truth while the requester waits: each phase, how many answers of how many, the time left."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from microwork.lib.progress import JobProgress
from microwork.payments.tests.conftest import (  # noqa: F401 - fixtures
    _money_settings,
    acme,
    answer,
    go_live,
    make_project,
    rich_acme,
)
from microwork.review import approvals
from microwork.review.tasks import approve_all_task, approve_all_task_recover
from microwork.work.models import Submission


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def many_pending(request, rita, walt, nina):
    # Walt and Nina answered 3 tasks of Rita's funded project each; all 6 wait for review.
    organisation = request.getfixturevalue("rich_acme")
    project = make_project(organisation, rita, tasks=10, reward="0.05", seconds=20)
    go_live(project, rita)
    for worker in (walt, nina):
        for d in (1, 2, 3):
            answer(project, worker, active_ms=15_000, at=timezone.now() - timedelta(hours=d))
    return project


def test_few_pending_answers_are_approved_at_once(client, rita, many_pending, monkeypatch):
    monkeypatch.setattr(approvals, "APPROVE_AT_ONCE", 10)
    client.force_login(rita)
    r = client.post(
        reverse("review:act", args=[many_pending.pk]), {"action": "approve_all"}, follow=True
    )
    assert "6 answers approved." in r.content.decode()
    assert not Submission.objects.filter(project=many_pending, status="pending").exists()
    assert not approvals.approve_progress_path(many_pending).exists()


def test_many_pending_answers_are_approved_by_a_job_that_reports_each_phase_with_counts(
    client, rita, many_pending, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(approvals, "APPROVE_AT_ONCE", 2)
    client.force_login(rita)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        r = client.post(
            reverse("review:act", args=[many_pending.pk]), {"action": "approve_all"}, follow=True
        )
    assert len(queued) == 1, "one job queued"
    page = r.content.decode()
    assert "are being approved" in page and "Approving all pending answers" in page
    assert "Counting the pending answers: waiting" in page
    assert Submission.objects.filter(project=many_pending, status="pending").count() == 6
    # Asking again while it waits queues nothing more.
    with django_capture_on_commit_callbacks(execute=False) as again:
        client.post(reverse("review:act", args=[many_pending.pk]), {"action": "approve_all"})
    assert again == []

    # The job reports as it goes: every write is kept to look at afterwards.
    reports: list[dict] = []
    write = JobProgress._write

    def keep(self, force=False):
        reports.append(
            {p["key"]: (p["done"], p["total"], p["ended"]) for p in self.state["phases"]}
        )
        write(self, force=True)

    monkeypatch.setattr(JobProgress, "_write", keep)
    assert approve_all_task.call(project_id=many_pending.pk, actor_id=rita.pk) == 6
    approving = [rep["approve"] for rep in reports if rep["approve"][1]]
    assert [done for done, _total, _end in approving] == [0, 1, 2, 3, 4, 5, 6, 6]
    assert {total for _done, total, _end in approving} == {6}
    assert reports[0]["count"][2] is None and reports[1]["count"][2] is not None
    assert not Submission.objects.filter(project=many_pending, status="pending").exists()
    # Over: the page no longer shows it.
    assert not approvals.approve_progress_path(many_pending).exists()
    fragment = client.get(reverse("review:approve_progress", args=[many_pending.pk]))
    assert "data-finished" in fragment.content.decode()


def test_the_page_shows_the_count_so_far_and_the_time_left(client, rita, many_pending):
    now = [1000.0]
    tracker = JobProgress(
        approvals.approve_progress_path(many_pending),
        approvals.APPROVE_PHASES,
        clock=lambda: now[0],
    )
    tracker.start("count", 1)
    tracker.finish("count")
    tracker.start("approve", 600)
    now[0] += 60
    tracker.advance("approve", 200)
    client.force_login(rita)
    html = client.get(reverse("review:approve_progress", args=[many_pending.pk])).content.decode()
    assert "Counting the pending answers: done" in html
    assert "Approving and paying: 33 %" in html and "200 of 600 answers approved" in html
    assert "left" in html and "data-finished" not in html


def test_a_job_that_will_not_run_again_leaves_no_progress(many_pending, rita):
    path = approvals.approve_progress_path(many_pending)
    JobProgress(path, approvals.APPROVE_PHASES).announce()
    approve_all_task_recover(project_id=many_pending.pk, actor_id=rita.pk, reason="x", retry=True)
    assert path.exists()
    approve_all_task_recover(project_id=many_pending.pk, actor_id=rita.pk, reason="x", retry=False)
    assert not path.exists()
