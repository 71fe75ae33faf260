"""Tasks the platform makes itself, one at a time, rather than a requester's upload: a peer
review's task, added to its review project as the answer to check comes in."""

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F

from microwork.accounts.models import User
from microwork.lib.registry import run_hooks
from microwork.projects import hooks
from microwork.projects.models import Batch, Project, Task

# The batch that holds a project's platform-made tasks, one per project.
MADE_BATCH_FILENAME = "platform-made tasks"


def _made_batch(project: Project, actor: User) -> Batch:
    batch = Batch.objects.filter(project=project, filename=MADE_BATCH_FILENAME).first()
    if batch is None:
        batch = Batch.objects.create(
            project=project,
            uploaded_by=actor,
            filename=MADE_BATCH_FILENAME,
            file_format="json",
            status=Batch.Status.DONE,
        )
    return batch


@dataclass(frozen=True)
class RowReserved:
    batch: Batch
    row_number: int


def task_row_reserve(*, project: Project, actor: User) -> RowReserved:
    """The next row number of the project's platform-made batch. The counter is raised in
    place first: the update locks the batch's row until the transaction ends, so two tasks
    added at once read different numbers instead of both taking the highest plus one (and
    nobody reads every task of a batch that grows with each post). Called outside any
    transaction (a live post does, before its own), the lock lasts only this statement's
    transaction rather than the whole post's; a number then left unused is a gap, never a
    duplicate."""
    batch = _made_batch(project, actor)
    with transaction.atomic():
        made = Batch.objects.filter(pk=batch.pk)
        made.update(rows_seen=F("rows_seen") + 1, rows_added=F("rows_added") + 1)
        row_number = made.values_list("rows_added", flat=True).get()
    return RowReserved(batch=batch, row_number=row_number)


def task_add(
    *,
    project: Project,
    actor: User,
    data: dict[str, Any],
    external_id: str,
    excluded_worker: User | None = None,
    row: RowReserved | None = None,
) -> Task:
    """One task added to `project` (in the caller's transaction) and funded like an upload's
    (TASKS_ADDED): a live project without the funds refuses it. `excluded_worker` is never
    handed it. The caller makes `external_id` unique and checks `data`; `row` is a number it
    reserved beforehand (task_row_reserve), else one is taken here."""
    row = row or task_row_reserve(project=project, actor=actor)
    batch, row_number = row.batch, row.row_number
    task = Task.objects.create(
        project=project,
        batch=batch,
        row_number=row_number,
        external_id=external_id[:200],
        data=data,
        excluded_worker=excluded_worker,
    )
    run_hooks(hooks.TASKS_ADDED, project=project)
    return task
