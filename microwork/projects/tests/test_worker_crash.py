"""The real background worker (`manage.py db_worker`, a child process on this test's database)
is killed with SIGKILL half-way through a large upload. Once a worker is back, the batch is
finished (or failed with a reason), never left "processing", and the project can go live."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django_tasks_db.models import DBTaskResult

from microwork.lib.tests.processes import child_env
from microwork.projects.models import Batch, Task
from microwork.projects.services import batches
from microwork.projects.services.projects import project_set_status
from microwork.projects.tests.factories import upload

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ROOT = Path(settings.BASE_DIR)
ROWS = 6_000


def _start_worker(var: Path) -> subprocess.Popen:
    env = child_env()
    # The child's MEDIA_ROOT is where this test stores the upload.
    env["MICROWORK_VAR_DIR"] = str(var)
    env["WORKER_HEARTBEAT_SECONDS"] = "1"
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--queue-name",
            "uploads",
            "--interval",
            "0.2",
            "--no-startup-delay",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(predicate, *, seconds: float, proc: subprocess.Popen):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if proc.poll() is not None:
            pytest.fail(f"the worker ended: {proc.stderr.read() if proc.stderr else ''}")
        time.sleep(0.05)
    return predicate()


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_a_batch_whose_worker_was_killed_finishes_after_restart_and_the_project_goes_live(
    project, rita, omar, acme, tmp_path, settings, monkeypatch
):
    from microwork.ledger.services.deposits import deposit_record

    # Enough for every task of the file to be published.
    deposit_record(
        organisation=acme, amount="5000", currency="USD", reference="crash-test", actor=omar
    )
    monkeypatch.setattr(batches, "INLINE_MAX_BYTES", 1024)
    var = tmp_path / "var"
    settings.MEDIA_ROOT = var / "media"
    rows = (
        json.dumps({"id": f"r{i}", "text": f"Row {i}", "answer": "ok" if i % 50 == 0 else ""})
        for i in range(ROWS)
    )
    content = ("\n".join(rows) + "\n").encode()
    batch = upload(project, rita, content, name="big.jsonl", content_type="").batch
    assert batch.status == "pending" and (settings.MEDIA_ROOT / batch.stored_path).exists()

    first = _start_worker(var)
    try:
        mid_way = _wait_for(
            lambda: Batch.objects.filter(
                pk=batch.pk, status="processing", rows_seen__gt=0
            ).exists(),
            seconds=40,
            proc=first,
        )
        assert mid_way, "the worker never started on the batch"
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert first.returncode == -signal.SIGKILL
    batch.refresh_from_db()
    assert batch.status == "processing", "killed half-way, the batch is left as it was"
    assert not Task.objects.exists()

    second = _start_worker(var)
    try:
        finished = _wait_for(
            lambda: Batch.objects.filter(pk=batch.pk, status__in=["done", "failed"]).exists(),
            seconds=45,
            proc=second,
        )
    finally:
        _stop(second)
    assert finished, (
        "the batch is still unfinished after a worker came back",
        Batch.objects.filter(pk=batch.pk).values("status", "attempts", "rows_seen").first(),
        list(DBTaskResult.objects.values("status", "queue_name", "worker_ids", "traceback")),
        second.stderr.read() if second.stderr else "",
    )

    batch.refresh_from_db()
    if batch.status == "done":
        assert (batch.rows_added, batch.attempts) == (ROWS, 2)
        assert Task.objects.filter(project=project).count() == ROWS
    else:
        assert batch.errors and batch.errors[0]["reason"], "a failed batch says why"
        assert not Task.objects.exists()
    [killed] = DBTaskResult.objects.filter(exception_class_path__endswith="WorkerLost")
    assert "stopped before it finished" in killed.traceback
    assert not (settings.MEDIA_ROOT / "uploads").exists() or not list(
        (settings.MEDIA_ROOT / "uploads").iterdir()
    ), "the stored file is removed once the batch is settled"

    if batch.status != "done":
        # The same file is taken again after a failure.
        upload(project, rita, b"text\none more\n")
    project_set_status(project=project, actor=rita, status="live")
    project.refresh_from_db()
    assert project.status == "live"
