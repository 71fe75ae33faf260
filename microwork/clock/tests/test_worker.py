"""microwork's background worker: queues served in turn, a time limit per queue, a heartbeat,
and the jobs of a dead worker settled by the next one."""

import re
import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.management import get_commands
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from microwork.clock import worker as worker_module
from microwork.clock.models import WorkerHeartbeat
from microwork.clock.recovery import jobs_recover_abandoned
from microwork.clock.tests import jobs
from microwork.clock.worker import Worker

ROOT = Path(django_settings.BASE_DIR)


@pytest.fixture(autouse=True)
def db_tasks(settings, monkeypatch):
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": django_settings.TASK_QUEUES,
        }
    }
    # No heartbeat thread at work inside a test's transaction, and the test's connection kept
    # (the worker closes connections between jobs, as a web server does between requests).
    settings.WORKER_HEARTBEAT_SECONDS = 3600
    monkeypatch.setattr(worker_module, "close_old_connections", lambda: None)
    cache.delete("ran")


def _worker(queues: str = "*", **kwargs) -> Worker:
    options = {
        "queue_names": queues.split(","),
        "interval": 0,
        "batch": True,
        "backend_name": "default",
        "startup_delay": False,
        "max_tasks": None,
        "worker_id": "test-worker",
        "excluded_queue_names": [],
        **kwargs,
    }
    return Worker(all_queues=list(django_settings.TASK_QUEUES), **options)


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_microwork_runs_its_own_worker_command():
    assert get_commands()["db_worker"] == "microwork.clock"


def test_a_periodic_job_is_not_stuck_behind_a_row_of_uploads(db):
    for n in range(3):
        jobs.upload_job.enqueue(n)
    jobs.periodic_job.enqueue()
    _worker(max_tasks=2).run()
    assert "default" in cache.get("ran"), cache.get("ran")


def test_a_job_past_its_time_limit_fails_with_the_reason(db, settings):
    settings.JOB_TIME_LIMITS = {"default": 1}
    result = jobs.endless_job.enqueue()
    _worker(queues="default").run()
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "FAILED"
    assert row.exception_class_path == "microwork.clock.recovery.JobTimeLimit"
    assert "1-second limit" in row.traceback


def test_a_worker_leaves_no_heartbeat_when_it_stops(db):
    _worker().run()
    assert not WorkerHeartbeat.objects.exists()


def _running_job_of(worker_id: str, **heartbeat) -> DBTaskResult:
    result = jobs.periodic_job.enqueue()
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim(worker_id)
    if heartbeat:
        now = timezone.now()
        WorkerHeartbeat.objects.create(
            worker_id=worker_id, queues="default", started_at=now, **{"seen_at": now, **heartbeat}
        )
    return row


def test_the_job_of_a_dead_process_on_this_machine_is_failed_with_the_reason(db):
    row = _running_job_of("killed", hostname=socket.gethostname(), pid=_dead_pid())
    assert jobs_recover_abandoned(me="me") == [str(row.pk)]
    row.refresh_from_db()
    assert row.status == "FAILED" and row.exception_class_path.endswith("WorkerLost")
    assert "stopped before it finished" in row.traceback
    assert not WorkerHeartbeat.objects.filter(worker_id="killed").exists()


def test_a_live_process_keeps_its_job_however_late_its_heartbeat(db):
    import os

    late = timezone.now() - timedelta(hours=1)
    row = _running_job_of("busy", hostname=socket.gethostname(), pid=os.getpid(), seen_at=late)
    assert jobs_recover_abandoned(me="me") == []
    row.refresh_from_db()
    assert row.status == "RUNNING"


def test_a_silent_worker_on_another_machine_is_dead_after_the_stale_window(db, settings):
    settings.WORKER_STALE_SECONDS = 30
    fresh = _running_job_of("elsewhere-alive", hostname="other-host", pid=1)
    stale = _running_job_of(
        "elsewhere-dead",
        hostname="other-host",
        pid=1,
        seen_at=timezone.now() - timedelta(seconds=31),
    )
    assert jobs_recover_abandoned(me="me") == [str(stale.pk)]
    fresh.refresh_from_db()
    assert fresh.status == "RUNNING"


def test_a_job_of_a_worker_without_heartbeat_is_settled_once_past_every_limit(db, settings):
    row = _running_job_of("plain-worker")
    assert jobs_recover_abandoned(me="me") == []
    longest = max(settings.JOB_TIME_LIMITS.values()) + settings.JOB_HARD_STOP_GRACE
    DBTaskResult.objects.filter(pk=row.pk).update(
        started_at=timezone.now() - timedelta(seconds=longest + settings.WORKER_STALE_SECONDS + 1)
    )
    assert jobs_recover_abandoned(me="me") == [str(row.pk)]


def test_a_starting_worker_settles_the_jobs_of_the_one_it_replaces(db):
    row = _running_job_of("killed", hostname=socket.gethostname(), pid=_dead_pid())
    _worker().run()
    row.refresh_from_db()
    assert row.status == "FAILED"


def _worker_commands(text: str) -> list[set[str]]:
    found = []
    for match in re.finditer(r"db_worker\b([^\n`]*)", text):
        queues = re.search(r"--queue-name[ =]+([\w,*]+)", match.group(1))
        found.append(set(queues.group(1).split(",")) if queues else {"*"})
    return found


@pytest.mark.parametrize("path", ["scripts/dev.sh", "README.md", "docs/projects.md"])
def test_every_queue_has_a_worker_wherever_workers_are_started(path):
    started = _worker_commands((ROOT / path).read_text())
    assert started, f"{path} starts no worker"
    served = set().union(*started)
    assert "*" in served or set(django_settings.TASK_QUEUES) <= served, (path, started)
