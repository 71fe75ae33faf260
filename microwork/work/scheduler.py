"""Which task a worker gets next, and the row locks that keep overlap a hard limit.

Every lease of a task is written while holding that task's row lock, and the free-slot count
is re-read under the lock, so two claims can never fill the same last slot. On PostgreSQL the
candidate query takes the lock with `FOR UPDATE SKIP LOCKED`: concurrent claimers step over
each other's rows instead of queueing behind them. SQLite has one writer at a time (the
settings open every transaction IMMEDIATE), so the same code is serial there.

Tasks of a batch that has not been released yet are stepped over (`hold`, see releases.py):
the candidate query leaves them out with one uncorrelated subquery, which the database runs
once per claim.
"""

import random
from datetime import datetime

from django.db import connection
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from microwork.projects.models import Project, Task
from microwork.work.eligibility import control_exclusions
from microwork.work.models import Assignment
from microwork.work.releases import held_batches

# Unseen control tasks sampled per gold draw; the lot picks one of them.
GOLD_SAMPLE = 20
# A candidate can be filled between the scan and the lock; try a few more before giving up.
LOCK_ATTEMPTS = 5


def _open_leases(task_ref: OuterRef | F, now: datetime, exclude: int | None = None) -> Subquery:
    qs = Assignment.objects.filter(
        task=task_ref, status=Assignment.Status.LEASED, expires_at__gt=now
    )
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return Subquery(
        qs.order_by().values("task").annotate(n=Count("id")).values("n"),
        output_field=IntegerField(),
    )


def lock_rows(qs):
    if connection.features.has_select_for_update_skip_locked:
        return qs.select_for_update(skip_locked=True, of=("self",))
    return qs


def _ordering(project: Project) -> list:
    # Each ordering matches a partial index made by work's migrations, so the scan stops at
    # the first free task instead of sorting every open task of the project.
    if project.order == Project.Order.BREADTH_FIRST:
        return ["answers_count", "id"]
    if project.order == Project.Order.PRIORITY:
        return ["-priority", "-answers_count", "id"]
    return ["-answers_count", "id"]


def lock_ordinary_task(
    *, project: Project, worker_id: int, now: datetime, hold: str
) -> Task | None:
    """Lock and return the next ordinary task with a free slot for this worker, or None.
    `hold` says until when a release's tasks are held back (releases.HOLD_*)."""
    overlap = project.overlap
    base = (
        Task.objects.filter(project=project, is_gold=False, done=False, answers_count__lt=overlap)
        .exclude(batch_id__in=held_batches(project=project, now=now, until=hold))
        .exclude(Exists(Assignment.objects.filter(task=OuterRef("pk"), worker_id=worker_id)))
        # A review task is never handed to the worker whose answer it checks.
        .exclude(excluded_worker_id=worker_id)
        .alias(open_leases=Coalesce(_open_leases(OuterRef("pk"), now), Value(0)))
        .filter(Q(answers_count__lt=overlap - F("open_leases")))
        .order_by(*_ordering(project))
        .only("id", "answers_count", "project_id", "is_gold", "data", "done")
    )
    passes = [base]
    if project.order == Project.Order.BREADTH_FIRST:
        # Breadth first also spreads open leases: a task nobody holds comes before one that
        # is being answered right now.
        passes.insert(0, base.filter(open_leases=0))
    skip: list[int] = []
    for qs in passes:
        for _attempt in range(LOCK_ATTEMPTS):
            task = lock_rows(qs.exclude(pk__in=skip) if skip else qs).first()
            if task is None:
                break
            if has_free_slot(task_id=task.pk, overlap=overlap, now=now):
                return task
            skip.append(task.pk)
    return None


def free_places(*, project: Project, now: datetime, hold: str, limit: int) -> int:
    """At most how many leases of ordinary tasks could be handed out now (counted up to
    `limit`): a round stops trying once it has handed out that many, instead of trying ten
    more workers to find that nothing is left."""
    overlap = project.overlap
    places = (
        Task.objects.filter(project=project, is_gold=False, done=False, answers_count__lt=overlap)
        .exclude(batch_id__in=held_batches(project=project, now=now, until=hold))
        .alias(open_leases=Coalesce(_open_leases(OuterRef("pk"), now), Value(0)))
        .filter(Q(answers_count__lt=overlap - F("open_leases")))
        .annotate(places=overlap - F("answers_count") - F("open_leases"))
        .order_by()
        .values_list("places", flat=True)[:limit]
    )
    return min(limit, sum(places))


def has_free_slot(
    *,
    task_id: int,
    overlap: int,
    now: datetime,
    exclude_assignment: int | None = None,
    ignore_done: bool = False,
) -> bool:
    """Re-read under the task's row lock: accepted answers plus other open leases < overlap."""
    row = (
        Task.objects.filter(pk=task_id)
        .annotate(
            open_leases=Coalesce(_open_leases(OuterRef("pk"), now, exclude_assignment), Value(0))
        )
        .values("answers_count", "open_leases", "done", "is_gold")
        .first()
    )
    if row is None:
        return False
    if row["is_gold"]:
        return True
    if row["done"] and not ignore_done:
        return False
    return row["answers_count"] + row["open_leases"] < overlap


def pick_gold_task(
    *, project: Project, worker_id: int, rng: random.Random, now: datetime, hold: str
) -> Task | None:
    """A control task this worker has not seen, here or in a test or training (eligibility's
    CONTROL_EXCLUSIONS). Control tasks are outside overlap: every worker may answer each one
    once, and gold_rate bounds how often they come."""
    qs = (
        Task.objects.filter(project=project, is_gold=True)
        .exclude(batch_id__in=held_batches(project=project, now=now, until=hold))
        .exclude(Exists(Assignment.objects.filter(task=OuterRef("pk"), worker_id=worker_id)))
    )
    for excluded in control_exclusions(project=project, worker_id=worker_id):
        qs = qs.exclude(pk__in=excluded)
    ids = list(qs.order_by("id").values_list("id", flat=True)[:GOLD_SAMPLE])
    if not ids:
        return None
    return Task.objects.only("id", "answers_count", "project_id", "is_gold", "data", "done").get(
        pk=rng.choice(ids)
    )
