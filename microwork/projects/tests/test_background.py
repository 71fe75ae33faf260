"""Big files go to the background job; the job is the same code as the inline path."""

import json
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from microwork.projects import services
from microwork.projects.models import Batch, Task

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
    return services.batch_upload(
        project=project, actor=user, file=f, filename=name, content_type="", size=len(content)
    )


@override_settings(TASKS=IMMEDIATE)
def test_big_file_is_queued_then_added_by_the_job(
    project, rita, media, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "INLINE_MAX_BYTES", 10)
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
    monkeypatch.setattr(services, "INLINE_MAX_BYTES", 10)
    with django_capture_on_commit_callbacks(execute=True):
        batch = _upload(project, rita, b"text,answer\nfine,\nbad,maybe\n").batch
    batch.refresh_from_db()
    assert batch.status == "failed"
    assert batch.errors[0]["row"] == 2 and batch.errors[0]["field"] == "answer"
    assert not Task.objects.exists()


def test_processing_twice_counts_once(project, rita, media, monkeypatch):
    monkeypatch.setattr(services, "INLINE_MAX_BYTES", 10)
    batch = _upload(project, rita, b"text\none\ntwo\n").batch
    services.batch_process(batch_id=batch.pk)
    services.batch_process(batch_id=batch.pk)
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
    assert len(content) > services.INLINE_MAX_BYTES
    batch = _upload(project, rita, content, name="big.json").batch
    services.batch_process(batch_id=batch.pk)
    batch.refresh_from_db()
    assert (batch.status, batch.rows_added, batch.ignored_columns) == ("done", 60_000, ["note"])
    assert Task.objects.get(external_id="r59999").row_number == 60_000
