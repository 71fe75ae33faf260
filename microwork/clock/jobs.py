"""Periodic jobs: the one registry of what must happen on a timer, and how often, and the
registry of what to do when a background job ends badly.

PERIODIC_JOBS: name → (dotted path of a django.tasks task taking no arguments, interval).
The `microwork clock` process enqueues each when it falls due; `microwork db_worker` runs
them. Every job is idempotent, so a clock restarted early, or two clocks by mistake, do no
harm, and their order is only the order of the first tick."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from microwork.lib.registry import loaded

PERIODIC_JOBS: dict[str, tuple[str, timedelta]] = {
    # Expired leases are honoured at claim time; this only tidies and runs waiting rounds.
    "work_housekeeping": ("microwork.work.tasks.housekeeping", timedelta(seconds=30)),
    # Pending earnings past their project's auto-approval delay become available.
    "approve_due": ("microwork.payments.tasks.approve_due_task", timedelta(minutes=5)),
    # Measured working time against the pay floor: live projects, and recently active ones
    # that are not (their workers are topped up all the same).
    "pay_floor_check": ("microwork.payments.tasks.pay_floor_check_all_task", timedelta(minutes=15)),
    # Rules, appeal deadlines and escalations, paid tests that were owed.
    "quality_sweep": ("microwork.quality.tasks.quality_sweep_task", timedelta(minutes=5)),
    # Payouts waiting for their provider, and recovery of any left half-way.
    "payouts_process": ("microwork.ledger.tasks.payouts_process_due_task", timedelta(minutes=2)),
    # Prove the books (one read-only snapshot, so beside live traffic) and keep the result for
    # the operators: hourly, so a mismatch is seen the same hour it appears.
    "ledger_check": ("microwork.ledger.tasks.ledger_check_task", timedelta(hours=1)),
    # Stored uploads no batch waits for, temporary upload files left by a crashed request, and
    # batches whose job was lost; each run leaves a record.
    "uploads_cleanup": ("microwork.projects.tasks.uploads_cleanup_task", timedelta(minutes=15)),
    # Workers' files that are no part of an answer: uploads left half-way past the time a
    # page may resume them, and files of tasks that ended without naming them.
    "worker_files_sweep": ("microwork.work.tasks.worker_files_sweep_task", timedelta(minutes=15)),
    # Workers' personal data past its project's retention period is erased, each erasure
    # recorded; hourly, so nothing is kept more than an hour past the declared day.
    "personal_data_retention": (
        "microwork.privacy.tasks.retention_sweep_task",
        timedelta(hours=1),
    ),
    # Webhook deliveries whose back-off is over (and first attempts whose queued job was
    # lost): each minute, so a retry is at most a minute later than its back-off says.
    "webhook_retries": (
        "microwork.webhooks.tasks.webhook_deliveries_due_task",
        timedelta(minutes=1),
    ),
    # Live tasks nobody's open connection moved on (deadlines, lapsed offers, hand-overs) and
    # standby of pages gone quiet, ended and paid. Held connections do this within a second;
    # this is for when none is open.
    "live_sweep": ("microwork.live.tasks.live_sweep_task", timedelta(seconds=30)),
}

# What to do, beyond failing the task result with the reason, when a job ends badly: its
# worker died (`retry=True`: it may run again) or it failed or overran its time limit
# (`retry=False`). Task path → dotted path of the recovery hook, called by the worker's sweep
# (microwork/clock/recovery.py) with the job's own arguments plus `reason` and `retry`; the
# jobs listed here are enqueued by keyword, so their hooks take keyword arguments only. It
# settles what the requester is waiting for. Periodic jobs need none: the clock runs them
# again on their next tick.
JOB_RECOVERY: dict[str, str] = {
    "microwork.projects.tasks.process_batch": "microwork.projects.tasks.process_batch_recover",
    "microwork.aggregation.tasks.aggregate_project": (
        "microwork.aggregation.tasks.aggregate_project_recover"
    ),
    "microwork.review.tasks.approve_all_task": "microwork.review.tasks.approve_all_task_recover",
}


@dataclass
class Clock:
    """Remembers when each job was last enqueued; everything is due on the first tick."""

    last: dict[str, datetime]

    def due(self, now: datetime) -> list[str]:
        return [
            name
            for name, (_path, every) in PERIODIC_JOBS.items()
            if name not in self.last or now - self.last[name] >= every
        ]

    def tick(self, now: datetime, names: Iterable[str] | None = None) -> list[str]:
        enqueued = []
        for name in self.due(now) if names is None else names:
            path, _every = PERIODIC_JOBS[name]
            loaded(path).enqueue()
            self.last[name] = now
            enqueued.append(name)
        return enqueued
