"""An upload's progress tells the truth: each phase (checking the file, storing the tasks)
is reported with its counts while it runs, the insert pass included, which runs inside one
transaction; the share done and the time left weigh the phases by the time they take."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from microwork.lib.progress import JobProgress, progress_view, read_progress
from microwork.projects.services import batch_runs, batches


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_phases_share_and_time_left_follow_the_weights(tmp_path):
    clock = Clock()
    job = JobProgress(tmp_path / "p.json", (("check", 1.0), ("insert", 4.0)), clock=clock)
    job.start("check", 1000)
    clock.now += 10
    job.advance("check", 500)
    view = read_progress(tmp_path / "p.json", clock=clock)
    assert view is not None
    # Half the check (a fifth of the job): 10 % done; the check needs 10 s more, the insert
    # four times the check's 20 s.
    assert view.percent == 10
    assert view.seconds_left == 10 + 80
    assert [p.state for p in view.phases] == ["running", "waiting"]

    clock.now += 10
    job.finish("check")
    job.start("insert", 100)
    clock.now += 40
    job.advance("insert", 50)
    view = read_progress(tmp_path / "p.json", clock=clock)
    assert view.current.key == "insert" and view.current.done == 50
    assert view.percent == 20 + 40
    assert view.seconds_left == 40
    job.finish("insert")
    assert read_progress(tmp_path / "p.json", clock=clock).percent == 100
    job.remove()
    assert read_progress(tmp_path / "p.json") is None


def test_a_phase_that_has_not_moved_gives_no_made_up_estimate():
    state = {
        "phases": [
            {"key": "check", "weight": 1, "done": 0, "total": 10, "started": 5.0, "ended": None},
            {"key": "insert", "weight": 4, "done": 0, "total": 0, "started": None, "ended": None},
        ]
    }
    view = progress_view(state, now=6.0)
    assert view.percent == 0 and view.seconds_left is None


def test_the_insert_pass_reports_its_rows_while_it_runs(
    project, rita, client, tmp_path, settings, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(batches, "INLINE_MAX_BYTES", 10)
    monkeypatch.setattr(batches, "INSERT_CHUNK", 100)
    content = b"text\n" + b"".join(b"row %d\n" % i for i in range(450))
    batch = batches.batch_upload(
        project=project,
        actor=rita,
        file=SimpleUploadedFile("big.csv", content, content_type="text/csv"),
        filename="big.csv",
        content_type="",
        size=len(content),
    ).batch
    client.force_login(rita)
    seen = []
    original = JobProgress.advance

    def watching(self, key, done):
        original(self, key, done)
        self._write(force=True)
        if key == "insert":
            # What the requester's page shows at this moment, from another request.
            html = client.get(reverse("projects:batch_progress", args=[batch.pk])).content
            seen.append((done, html.decode()))

    monkeypatch.setattr(JobProgress, "advance", watching)
    batch_runs.batch_process(batch_id=batch.pk)

    assert [done for done, _html in seen] == [100, 200, 300, 400, 450]
    done, html = seen[1]
    assert "Adding the tasks" in html and "200 of 450 tasks stored" in html
    assert "Checking the file" in html and "done" in html
    # The check is a fifth of the job: 200 of 450 rows stored is well short of 99 %.
    assert 'value="55"' in html
    assert "left" in html
    # Once over, the page shows the finished batch and the progress file is gone.
    final = client.get(reverse("projects:batch_progress", args=[batch.pk])).content.decode()
    assert "data-finished" in final
    assert not batch_runs.progress_path(batch).exists()


@pytest.mark.parametrize("seconds,words", [(30, "30 seconds"), (600, "10 minutes")])
def test_time_left_in_words(seconds, words):
    from microwork.lib.l10n import time_left_text

    assert words in time_left_text(seconds)


def test_an_aggregation_run_gives_its_time_left_at_its_pace(db):
    from datetime import timedelta

    from django.utils import timezone

    from microwork.aggregation.models import AggregationRun

    run = AggregationRun(
        status=AggregationRun.Status.RUNNING,
        progress=25,
        started_at=timezone.now() - timedelta(minutes=2),
    )
    # A quarter done in 2 minutes: 6 more.
    assert run.minutes_left == 6
    assert AggregationRun(status=AggregationRun.Status.RUNNING, progress=0).minutes_left is None
