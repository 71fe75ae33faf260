"""Jobs that ended badly: their worker died (kill -9, out of memory, a lost machine), or they
ran past their time limit. The task result is failed with the reason, and the job's recovery
hook (JOB_RECOVERY in microwork/clock/jobs.py) either runs it again or fails what the
requester waits for — a batch, an aggregation run — with that reason.

Every worker sweeps when it starts and every few seconds after, so a dead worker's jobs are
settled within WORKER_STALE_SECONDS of any worker being up."""

import logging
import os
import socket
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from microwork.clock.jobs import JOB_RECOVERY
from microwork.clock.models import WorkerHeartbeat
from microwork.lib.registry import loaded

logger = logging.getLogger(__name__)


class WorkerLost(Exception):  # noqa: N818 (the name is what the task result shows)
    """Recorded as a task result's exception when the worker running it died."""


class JobTimeLimit(BaseException):  # noqa: N818
    """Raised inside a job that ran past its queue's time limit. A BaseException, so that a
    job's own `except Exception` cannot swallow it and carry on."""

    def __init__(self, seconds: int) -> None:
        super().__init__(seconds)
        self.seconds = seconds

    def __str__(self) -> str:
        return time_limit_reason(self.seconds)


def time_limit_reason(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    if minutes and not rest:
        return _(
            "The job took longer than the %(n)d-minute limit for background work and was stopped."
        ) % {"n": minutes}
    return _(
        "The job took longer than the %(n)d-second limit for background work and was stopped."
    ) % {"n": seconds}


def worker_lost_reason() -> str:
    return _("The background worker running this job stopped before it finished.")


def job_failed_reason() -> str:
    return _("The job failed because of an error on our side; it has been logged.")


def time_limit_for(queue_name: str) -> int:
    limits: Mapping[str, int] = settings.JOB_TIME_LIMITS
    return int(limits.get(queue_name, limits.get("default", 600)))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def worker_alive(heartbeat: WorkerHeartbeat, *, now: datetime, hostname: str) -> bool:
    """On the same machine the process table is the truth (a SQLite write lock can hold a
    heartbeat back longer than any staleness window); elsewhere the heartbeat's age is."""
    if heartbeat.hostname == hostname:
        return _pid_alive(heartbeat.pid)
    return heartbeat.seen_at >= now - timedelta(seconds=settings.WORKER_STALE_SECONDS)


def job_ended_badly(
    *, task_path: str, args: list[Any], kwargs: dict[str, Any], reason: str, retry: bool
) -> None:
    """Run the job's recovery hook, if it has one. `retry` is True when the job never finished
    through no fault of its own (its worker died) and may run again."""
    path = JOB_RECOVERY.get(task_path)
    if path is None:
        return
    try:
        loaded(path)(*args, **kwargs, reason=reason, retry=retry)
    except Exception:
        logger.exception("recovery of %s(%s, %s) failed", task_path, args, kwargs)


def job_abandon(result: DBTaskResult, *, reason: str, now: datetime) -> bool:
    """Fail a running job whose worker is gone; False when another sweep got there first."""
    changed = DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
        traceback=reason,
        return_value=None,
    )
    if changed != 1:
        return False
    job_ended_badly(
        task_path=result.task_path,
        args=list(result.args_kwargs.get("args", [])),
        kwargs=dict(result.args_kwargs.get("kwargs", {})),
        reason=reason,
        retry=True,
    )
    return True


def jobs_recover_abandoned(*, me: str | None = None, now: datetime | None = None) -> list[str]:
    """Settle the running jobs of dead workers; returns the ids of the jobs it settled. `me`
    is the calling worker, never taken for dead."""
    now = now or timezone.now()
    hostname = socket.gethostname()
    heartbeats = {hb.worker_id: hb for hb in WorkerHeartbeat.objects.exclude(worker_id=me or "")}
    dead = {
        worker_id
        for worker_id, hb in heartbeats.items()
        if not worker_alive(hb, now=now, hostname=hostname)
    }
    # A job started by a worker that keeps no heartbeat (django_tasks_db's own command) is
    # only surely abandoned once it has outlived every time limit.
    longest = max(settings.JOB_TIME_LIMITS.values(), default=600) + settings.JOB_HARD_STOP_GRACE
    unwatched_before = now - timedelta(seconds=longest + settings.WORKER_STALE_SECONDS)
    settled: list[str] = []
    for result in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING):
        if not result.worker_ids:
            continue
        worker = result.worker_ids[-1]
        if worker == me:
            continue
        if worker in heartbeats:
            if worker not in dead:
                continue
        elif result.started_at is None or result.started_at > unwatched_before:
            continue
        if job_abandon(result, reason=worker_lost_reason(), now=now):
            logger.warning(
                "job %s (%s) of dead worker %s failed", result.pk, result.task_path, worker
            )
            settled.append(str(result.pk))
    if dead:
        WorkerHeartbeat.objects.filter(worker_id__in=dead).delete()
    return settled
