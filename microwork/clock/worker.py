"""The background worker `microwork db_worker` runs: django_tasks_db's worker, plus

- a time limit per queue (settings.JOB_TIME_LIMITS): a job past it is interrupted and fails
  with a reason the requester sees; one that cannot be interrupted (stuck inside C code) ends
  the process JOB_HARD_STOP_GRACE seconds later, and is recovered like any dead worker's job;
- a heartbeat row (WorkerHeartbeat) other workers read to tell a live worker from a dead one;
- a sweep at start-up and every few seconds that settles dead workers' jobs (recovery.py);
- fair service of several queues: after a job, the queue it came from goes to the back.
"""

import logging
import os
import random
import signal
import socket
import threading
import time
from collections import deque
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import close_old_connections, connection
from django.db.utils import OperationalError
from django.utils import timezone
from django_tasks_db.compat import TaskContext, task_finished, task_started
from django_tasks_db.management.commands.db_worker import Worker as TasksWorker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from microwork.clock.models import WorkerHeartbeat
from microwork.clock.recovery import (
    JobTimeLimit,
    job_ended_badly,
    job_failed_reason,
    jobs_recover_abandoned,
    time_limit_for,
)

logger = logging.getLogger("django_tasks_db")

# Exit status of a worker that ended itself because a job would not stop.
HARD_STOP_EXIT = 70


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Raise JobTimeLimit in the main thread after `seconds`; a no-op elsewhere (signals only
    reach the main thread), where the watchdog is the only bound."""
    if threading.current_thread() is not threading.main_thread() or seconds <= 0:
        yield
        return

    def expired(signum: int, frame: FrameType | None) -> None:
        raise JobTimeLimit(seconds)

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class Worker(TasksWorker):
    def __init__(self, *, all_queues: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        names = all_queues if self.process_all_queues else self.queue_names
        self.queues = deque(q for q in names if q not in self.excluded_queue_names)
        self.heartbeat_every = float(settings.WORKER_HEARTBEAT_SECONDS)
        self.grace = int(settings.JOB_HARD_STOP_GRACE)
        self.stopped = threading.Event()
        # (monotonic start, limit) of the job running now, for the watchdog.
        self.current: tuple[float, int] | None = None
        self.next_sweep = 0.0

    # --- liveness -------------------------------------------------------------------------

    def register(self) -> None:
        now = timezone.now()
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={
                "hostname": socket.gethostname(),
                "pid": os.getpid(),
                "queues": ",".join(self.queues)[:255],
                "started_at": now,
                "seen_at": now,
            },
        )

    def beat(self) -> None:
        """The heartbeat thread; also the watchdog of a job that ignores its time limit."""
        try:
            while not self.stopped.wait(self.heartbeat_every):
                current = self.current
                if current is not None and time.monotonic() - current[0] > current[1] + self.grace:
                    logger.critical(
                        "A job ran %d s past its %d s limit and could not be stopped; "
                        "ending worker %s so that it can be recovered.",
                        self.grace,
                        current[1],
                        self.worker_id,
                    )
                    os._exit(HARD_STOP_EXIT)
                try:
                    if not WorkerHeartbeat.objects.filter(worker_id=self.worker_id).update(
                        seen_at=timezone.now()
                    ):
                        # Taken for dead during a long pause: say again that we are here.
                        self.register()
                except Exception:
                    # A busy SQLite file or a database restart: the next beat tries again.
                    logger.warning("heartbeat of worker %s failed", self.worker_id, exc_info=True)
                    close_old_connections()
        finally:
            connection.close()

    def sweep(self) -> None:
        try:
            jobs_recover_abandoned(me=self.worker_id)
        except OperationalError as exc:
            if not is_locked_database_exception(exc):
                raise
        self.next_sweep = time.monotonic() + self.heartbeat_every

    # --- the loop -------------------------------------------------------------------------

    def claim_next(self) -> tuple[DBTaskResult | None, bool]:
        """The next ready job, taking the queues in turn; (job, whether the database answered)."""
        for queue in list(self.queues):
            tasks = DBTaskResult.objects.ready().filter(
                backend_name=self.backend_name, queue_name=queue
            )
            try:
                with exclusive_transaction(tasks.db):
                    result = tasks.get_locked()
                    if result is not None:
                        result.claim(self.worker_id)
            except OperationalError as exc:
                if is_locked_database_exception(exc):
                    return None, False
                raise
            if result is not None:
                self.queues.remove(queue)
                self.queues.append(queue)
                return result, True
        return None, True

    def run(self) -> None:
        logger.info("Starting worker worker_id=%s queues=%s", self.worker_id, ",".join(self.queues))
        if self.startup_delay and self.interval:
            # Workers started together should not poll in step.
            time.sleep(random.random())  # noqa: S311
        self.register()
        self.sweep()
        heart = threading.Thread(target=self.beat, name="heartbeat", daemon=True)
        heart.start()
        try:
            self.loop()
        finally:
            self.stopped.set()
            try:
                WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
            except Exception:
                logger.warning("could not remove the heartbeat of %s", self.worker_id)

    def loop(self) -> None:
        while self.running:
            close_old_connections()
            if time.monotonic() >= self.next_sweep:
                self.sweep()
            task_result, answered = self.claim_next()
            if task_result is not None:
                self.run_task(task_result)
            if self.batch and answered and task_result is None:
                logger.info("No more tasks to run for worker_id=%s - exiting.", self.worker_id)
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                logger.info("Ran %d tasks on worker=%s - exiting.", self._run_tasks, self.worker_id)
                return
            close_old_connections()
            if self.running and not task_result:
                time.sleep(self.interval)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        """django_tasks_db's run_task inside the queue's time limit; a job that fails or is
        stopped gets its recovery hook, so the requester sees why."""
        limit = time_limit_for(db_task_result.queue_name)
        try:
            self.running_task = True
            task = db_task_result.task
            task_result = db_task_result.task_result
            backend_type = task.get_backend()
            task_started.send(sender=backend_type, task_result=task_result)
            self.current = (time.monotonic(), limit)
            try:
                with time_limit(limit):
                    if task.takes_context:
                        return_value = task.call(
                            TaskContext(task_result=task_result),
                            *task_result.args,
                            **task_result.kwargs,
                        )
                    else:
                        return_value = task.call(*task_result.args, **task_result.kwargs)
            finally:
                self.current = None
            db_task_result.set_successful(return_value)
            task_finished.send(sender=backend_type, task_result=db_task_result.task_result)
        except BaseException as exc:
            if isinstance(exc, JobTimeLimit) and not connection.in_atomic_block:
                # Stopped anywhere, perhaps mid-query: start again from a clean connection.
                connection.close()
            self.record_failure(db_task_result, exc)
        finally:
            self.running_task = False
            self._run_tasks += 1

    def record_failure(self, db_task_result: DBTaskResult, exc: BaseException) -> None:
        db_task_result.set_failed(exc)
        reason = str(exc) if isinstance(exc, JobTimeLimit) else job_failed_reason()
        args_kwargs: Mapping[str, Any] = db_task_result.args_kwargs or {}
        job_ended_badly(
            task_path=db_task_result.task_path,
            args=list(args_kwargs.get("args", [])),
            kwargs=dict(args_kwargs.get("kwargs", {})),
            reason=reason,
            retry=False,
        )
        try:
            sender = type(db_task_result.task.get_backend())
            task_result = db_task_result.task_result
        except (ImportError, SuspiciousOperation):
            logger.exception("Task id=%s failed unexpectedly", db_task_result.id)
        else:
            task_finished.send(sender=sender, task_result=task_result)
