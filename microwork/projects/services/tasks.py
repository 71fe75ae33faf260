"""Tasks the platform makes itself, one at a time, rather than a requester's upload: a peer
review's task, added to its review project as the answer to check comes in."""

from typing import Any

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


def task_add(
    *,
    project: Project,
    actor: User,
    data: dict[str, Any],
    external_id: str,
    excluded_worker: User | None = None,
) -> Task:
    """One task added to `project` (in the caller's transaction) and funded like an upload's
    (TASKS_ADDED): a live project without the funds refuses it. `excluded_worker` is never
    handed it. The caller makes `external_id` unique and checks `data`."""
    batch = _made_batch(project, actor)
    # The batch's counter is raised in place first: the update locks its row until this
    # transaction ends, so two tasks added at once (two live posts) read different numbers
    # instead of both taking the highest row number plus one. It also spares reading every
    # task of a batch that grows by one with each post.
    made = Batch.objects.filter(pk=batch.pk)
    made.update(rows_seen=F("rows_seen") + 1, rows_added=F("rows_added") + 1)
    row_number = made.values_list("rows_added", flat=True).get()
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
