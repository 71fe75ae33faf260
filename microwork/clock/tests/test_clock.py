from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from microwork.clock.jobs import PERIODIC_JOBS, Clock

T0 = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@pytest.fixture
def db_tasks(settings):
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": settings.TASK_QUEUES,
        }
    }


def test_every_job_is_due_on_the_first_tick_then_only_after_its_interval(db, db_tasks):
    clock = Clock(last={})
    assert sorted(clock.tick(T0)) == sorted(PERIODIC_JOBS)
    assert clock.tick(T0 + timedelta(seconds=1)) == []
    later = clock.tick(T0 + timedelta(seconds=31))
    # The jobs that run every 30 seconds: the housekeeping of leases and the live tasks' sweep.
    assert sorted(later) == ["live_sweep", "work_housekeeping"]
    assert DBTaskResult.objects.count() == len(PERIODIC_JOBS) + 2


def test_every_registered_job_names_a_task_that_runs(db, settings, tmp_path, monkeypatch):
    # The upload cleanup runs too: it must not touch the files of a development database.
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "spool")
    settings.TASKS = {
        "default": {
            "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
            "QUEUES": settings.TASK_QUEUES,
        }
    }
    # The immediate backend keeps a job's error in its result instead of raising it: keep
    # every result the clock's enqueues return, and look at each.
    results = {}

    class Recorded:
        def __init__(self, path):
            self.path = path

        def enqueue(self):
            results[self.path] = import_string(self.path).enqueue()
            return results[self.path]

    monkeypatch.setattr("microwork.clock.jobs.loaded", Recorded)
    Clock(last={}).tick(T0)
    assert sorted(results) == sorted(path for path, _every in PERIODIC_JOBS.values())
    for path, result in results.items():
        assert result.status == TaskResultStatus.SUCCESSFUL, (path, result.errors)


def test_clock_once_enqueues_everything(db, db_tasks, capsys):
    call_command("clock", "--once")
    assert "approve_due" in capsys.readouterr().out
    assert DBTaskResult.objects.count() == len(PERIODIC_JOBS)


def test_the_books_are_checked_on_the_clock_and_the_result_kept(db, settings):
    from microwork.ledger.models import LedgerCheckRun

    path, every = PERIODIC_JOBS["ledger_check"]
    assert path == "microwork.ledger.tasks.ledger_check_task"
    assert timedelta(minutes=15) <= every <= timedelta(days=1)
    settings.TASKS = {
        "default": {
            "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
            "QUEUES": settings.TASK_QUEUES,
        }
    }
    Clock(last={}).tick(T0, names=["ledger_check"])
    run = LedgerCheckRun.objects.get()
    assert run.ok and run.problems == []
