"""Erasing a worker's personal data of one project through every registered eraser, with the
record of what went, and telling the project's requester which items."""

from datetime import datetime

from microwork.accounts.models import User
from microwork.accounts.selectors import organisation_members
from microwork.inbox.services import inbox_notify
from microwork.privacy.erasure import erase_all
from microwork.privacy.models import Deletion
from microwork.projects.models import Project


def deletion_run(
    *,
    project: Project,
    worker: User,
    reason: str,
    now: datetime,
    covers_until: datetime | None = None,
    notify: bool = True,
) -> Deletion:
    """Call the erasers and record the deletion, in the caller's transaction. The requester's
    organisation is told which tasks' items went (the answers and the payment stay)."""
    items = erase_all(project=project, worker=worker, reason=reason)
    deletion = Deletion.objects.create(
        worker=worker,
        project=project,
        reason=reason,
        items=items,
        covers_until=covers_until or now,
        at=now,
    )
    if notify:
        tasks = deletion.task_ids
        inbox_notify(
            users=organisation_members(organisation_id=project.organisation_id),
            kind="personal_data_deleted",
            params={
                "deletion_id": deletion.pk,
                "project_id": project.pk,
                "project": project.name,
                "worker": worker.pk,
                "reason": reason,
                "tasks": tasks[:200],
                "count": len(tasks),
            },
            now=now,
        )
    return deletion
