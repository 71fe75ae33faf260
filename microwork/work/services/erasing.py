"""Erasing a worker's personal data held by the work app, for the privacy app's erasers
(microwork/privacy/erasure.py ERASERS)."""

from typing import Any

from django.db import transaction

from microwork.accounts.models import User
from microwork.projects.models import Project
from microwork.work.models import Assignment
from microwork.work.services.file_deletion import worker_files_delete


@transaction.atomic
def drafts_erase(*, project: Project, worker: User, reason: str) -> list[int]:
    """The worker's saved half-answers in the project: a draft of a recording or a form holds
    the same personal data as the answer would. Returns the tasks whose draft went."""
    drafts = Assignment.objects.filter(project=project, worker=worker, draft__isnull=False)
    task_ids: list[Any] = list(drafts.values_list("task_id", flat=True))
    drafts.update(draft=None, draft_saved_at=None)
    return task_ids


def files_erase(*, project: Project, worker: User, reason: str) -> list[int]:
    """The worker's own files of the project (recordings, photos, uploads still arriving),
    removed from storage. Returns the tasks whose file went."""
    return [
        deleted.task_id
        for deleted in worker_files_delete(project=project, worker=worker, reason=reason)
    ]
