"""Tasks the platform makes itself, one at a time, rather than a requester's upload: a peer
review's task, added to its review project as the answer to check comes in."""

from typing import Any

from django.db.models import Max

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
    last = Task.objects.filter(batch=batch).aggregate(n=Max("row_number"))["n"] or 0
    task = Task.objects.create(
        project=project,
        batch=batch,
        row_number=last + 1,
        external_id=external_id[:200],
        data=data,
        excluded_worker=excluded_worker,
    )
    Batch.objects.filter(pk=batch.pk).update(rows_seen=last + 1, rows_added=last + 1)
    run_hooks(hooks.TASKS_ADDED, project=project)
    return task
