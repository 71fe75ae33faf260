"""Big files go to the background job; the job is the same code as the inline path."""

import json
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.test import override_settings

from microwork.projects.models import Batch, Task
from microwork.projects.services import batch_runs, batches
from microwork.projects.services.projects import project_set_status

IMMEDIATE = {
    "default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "uploads", "aggregation"],
    }
}


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _upload(project, user, content, name="big.csv"):
    f = SimpleUploadedFile(name, content, content_type="text/csv")
    return batches.batch_upload(
        project=project, actor=user, file=f, filename=name, content_type="", size=len(content)
    )


@override_settings(TASKS=IMMEDIATE)
def test_big_file_is_queued_then_added_by_the_job(
    project, rita, media, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(batches, "INLINE_MAX_BYTES", 10)
    content = ("text,answer\n" + "".join(f"row {i},\n" for i in range(50)) + "g,ok\n").encode()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        outcome = _upload(project, rita, content)
    batch = outcome.batch
    assert outcome.queued and batch.status == "pending" and not Task.objects.exists()
    assert (media / batch.stored_path).exists()
    for callback in callbacks:
        callback()
    batch.refresh_from_db()
    assert (batch.status, batch.rows_added, batch.gold_added) == ("done", 51, 1)
    assert batch.percent_checked == 100
    assert not list((media / "uploads").iterdir()), "the stored file is removed"


@override_settings(TASKS=IMMEDIATE)
def test_a_refused_big_file_keeps_its_errors_on_the_batch(
    project, rita, media, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(batches, "INLINE_MAX_BYTES", 10)
    with django_capture_on_commit_callbacks(execute=True):
        batch = _upload(project, rita, b"text,answer\nfine,\nbad,maybe\n").batch
    batch.refresh_from_db()
    assert batch.status == "failed"
    assert batch.errors[0]["row"] == 2 and batch.errors[0]["field"] == "answer"
    assert not Task.objects.exists()


def test_processing_twice_counts_once(project, rita, media, monkeypatch):
    monkeypatch.setattr(batches, "INLINE_MAX_BYTES", 10)
    batch = _upload(project, rita, b"text\none\ntwo\n").batch
    batch_runs.batch_process(batch_id=batch.pk)
    batch_runs.batch_process(batch_id=batch.pk)
    assert Task.objects.count() == 2
    assert Batch.objects.get(pk=batch.pk).rows_added == 2


@pytest.mark.slow
@override_settings(TASKS=IMMEDIATE)
def test_a_hundred_thousand_rows(
    relevance_project, rita, media, django_capture_on_commit_callbacks
):
    n = 100_000
    lines = [
        json.dumps({"id": f"r{i}", "query": f"query {i}", "result_title": f"title {i}"})
        for i in range(n)
    ]
    content = ("\n".join(lines) + "\n").encode()
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        outcome = _upload(relevance_project, rita, content, name="big.jsonl")
    assert outcome.queued, "a big file must not be processed inside the web request"
    batch = Batch.objects.get(pk=outcome.batch.pk)
    assert (batch.status, batch.rows_added) == ("done", n), batch.errors
    assert Task.objects.filter(project=relevance_project).count() == n
    assert Task.objects.get(external_id="r99999").data["query"] == "query 99999"
    print(f"100k rows in {time.monotonic() - started:.1f}s")


def test_a_big_json_array_is_checked_and_added_by_the_job(project, rita, media):
    rows = (
        json.dumps({"id": f"r{i}", "text": f"Row {i}", "note": "x" * 40}) for i in range(60_000)
    )
    content = ("[\n" + ",\n".join(rows) + "\n]\n").encode()
    assert len(content) > batches.INLINE_MAX_BYTES
    batch = _upload(project, rita, content, name="big.json").batch
    batch_runs.batch_process(batch_id=batch.pk)
    batch.refresh_from_db()
    assert (batch.status, batch.rows_added, batch.ignored_columns) == ("done", 60_000, ["note"])
    assert Task.objects.get(external_id="r59999").row_number == 60_000


# --- time limits, dead workers, cleanup ------------------------------------------------------


@pytest.fixture
def db_worker(settings, monkeypatch):
    """An in-process microwork worker on the database queue, as `microwork db_worker` runs."""
    from microwork.clock import worker as worker_module

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}
    }
    settings.WORKER_HEARTBEAT_SECONDS = 3600
    # The worker closes connections between jobs; the test's own must stay open.
    monkeypatch.setattr(worker_module, "close_old_connections", lambda: None)

    def run() -> None:
        worker_module.Worker(
            all_queues=list(settings.TASK_QUEUES),
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="test-worker",
            excluded_queue_names=[],
        ).run()

    return run


def test_a_batch_past_its_time_limit_fails_with_the_reason_and_the_file_can_be_sent_again(
    project, rita, media, monkeypatch, settings, db_worker, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(batches, "INLINE_MAX_BYTES", 10)
    settings.JOB_TIME_LIMITS = {**settings.JOB_TIME_LIMITS, "uploads": 1}
    content = b"text\none\ntwo\n"
    with django_capture_on_commit_callbacks(execute=True):
        batch = _upload(project, rita, content).batch
    real_existing_ids = batch_runs.existing_ids

    def slow(project):
        time.sleep(5)  # any pure-Python stall the limit must cut
        return real_existing_ids(project)

    monkeypatch.setattr(batch_runs, "existing_ids", slow)
    db_worker()
    batch.refresh_from_db()
    assert batch.status == "failed"
    assert "1-second limit" in batch.errors[0]["reason"]
    assert "Nothing was added" in batch.errors[0]["reason"]
    assert not Task.objects.exists()
    assert not list((media / "uploads").iterdir())

    monkeypatch.setattr(batch_runs, "existing_ids", real_existing_ids)
    with django_capture_on_commit_callbacks(execute=True):
        again = _upload(project, rita, content)
    assert not again.duplicate and again.batch.pk != batch.pk
    db_worker()
    again.batch.refresh_from_db()
    assert (again.batch.status, again.batch.rows_added) == ("done", 2)


def _killed_mid_run(batch, worker_id="killed"):
    """What a SIGKILLed worker leaves: the batch processing, its job running, a heartbeat."""
    import socket
    import subprocess
    import sys

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from microwork.clock.models import WorkerHeartbeat

    Batch.objects.filter(pk=batch.pk).update(status="processing", attempts=F("attempts") + 1)
    row = DBTaskResult.objects.filter(task_path="microwork.projects.tasks.process_batch").latest(
        "enqueued_at"
    )
    row.claim(worker_id)
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id=worker_id,
        hostname=socket.gethostname(),
        pid=proc.pid,
        queues="uploads",
        started_at=now,
        seen_at=now,
    )


def test_a_dead_workers_batch_runs_again_then_fails_with_the_reason(
    project, rita, media, monkeypatch, settings, db_worker, django_capture_on_commit_callbacks
):
    from microwork.clock.recovery import jobs_recover_abandoned

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}
    }
    settings.BATCH_MAX_ATTEMPTS = 2
    monkeypatch.setattr(batches, "INLINE_MAX_BYTES", 10)
    content = b"text\none\ntwo\n"
    with django_capture_on_commit_callbacks(execute=True):
        batch = _upload(project, rita, content).batch

    _killed_mid_run(batch, "first")
    with django_capture_on_commit_callbacks(execute=True):
        jobs_recover_abandoned(me="me")
    batch.refresh_from_db()
    assert (batch.status, batch.attempts) == ("pending", 1), "run again: one attempt is left"
    assert (media / batch.stored_path).exists()

    _killed_mid_run(batch, "second")
    with django_capture_on_commit_callbacks(execute=True):
        jobs_recover_abandoned(me="me")
    batch.refresh_from_db()
    assert batch.status == "failed"
    assert "stopped before it finished" in batch.errors[0]["reason"]
    assert "tried 2 times" in batch.errors[0]["reason"]
    assert not list((media / "uploads").iterdir())
    assert not Task.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        again = _upload(project, rita, content)
    db_worker()
    again.batch.refresh_from_db()
    assert (again.batch.status, again.batch.rows_added) == ("done", 2)
    project_set_status(project=project, actor=rita, status="live")


def test_a_run_taken_for_dead_adds_nothing_when_it_wakes_up(project, rita, media, monkeypatch):
    monkeypatch.setattr(batches, "INLINE_MAX_BYTES", 10)
    batch = _upload(project, rita, b"text\none\ntwo\n").batch
    real_insert = batch_runs._batch_insert_stored

    def overtaken(*, batch, path, **progress):
        # Meanwhile the run was taken for dead, and a second run claimed the batch.
        Batch.objects.filter(pk=batch.pk).update(attempts=F("attempts") + 1)
        return real_insert(batch=batch, path=path, **progress)

    monkeypatch.setattr(batch_runs, "_batch_insert_stored", overtaken)
    batch_runs.batch_process(batch_id=batch.pk)
    assert not Task.objects.exists()
    batch.refresh_from_db()
    assert batch.status == "processing", "left to the run that replaced it"
    assert (media / batch.stored_path).exists(), "the later run still needs the file"


def test_cleanup_removes_orphaned_and_temporary_upload_files_and_keeps_a_record(
    project, rita, media, monkeypatch, settings, tmp_path
):
    import os

    from microwork.projects.models import UploadCleanup

    monkeypatch.setattr(batches, "INLINE_MAX_BYTES", 10)
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "spool")
    os.makedirs(settings.FILE_UPLOAD_TEMP_DIR)
    waiting = _upload(project, rita, b"text\none\ntwo\n").batch
    uploads = media / "uploads"
    orphan = uploads / "0123abcd.csv"
    orphan.write_bytes(b"text\nlost\n")
    spooled = tmp_path / "spool" / "tmpx1y2.upload.csv"
    spooled.write_bytes(b"half a request")
    fresh = uploads / "fresh.csv"
    fresh.write_bytes(b"being written")
    two_hours_ago = time.time() - 2 * 3600
    for path in (orphan, spooled, media / waiting.stored_path):
        os.utime(path, (two_hours_ago, two_hours_ago))

    record = batch_runs.uploads_cleanup()

    assert not orphan.exists() and not spooled.exists()
    assert (media / waiting.stored_path).exists(), "a waiting batch keeps its file"
    assert fresh.exists(), "a file younger than the grace period may be a batch being created"
    assert (record.files_removed, record.bytes_removed) == (2, 10 + 14)
    assert sorted(record.removed) == ["0123abcd.csv", "tmpx1y2.upload.csv"]
    assert UploadCleanup.objects.get() == record


def test_cleanup_runs_again_a_waiting_batch_whose_job_was_lost(
    project, rita, media, monkeypatch, settings, time_machine, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}
    }
    monkeypatch.setattr(batches, "INLINE_MAX_BYTES", 10)
    # The web process died between saving the batch and handing it to the queue.
    batch = _upload(project, rita, b"text\none\ntwo\n").batch
    assert not DBTaskResult.objects.exists()
    time_machine.move_to(timezone.now() + timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        record = batch_runs.uploads_cleanup()
    assert record.batches_requeued == 1
    assert DBTaskResult.objects.filter(task_path="microwork.projects.tasks.process_batch").exists()
    batch.refresh_from_db()
    assert batch.status == "pending"
