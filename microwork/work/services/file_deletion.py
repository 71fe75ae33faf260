"""Deleting workers' files: a worker withdrawing consent for a project, the end of a project's
retention period (both decided by the privacy rules, which call these services), and the
sweep of what was never part of an answer (an upload left half-way, a photo taken again, a
task given back).

A deleted file keeps its row, without its bytes: which file, of which task, when and why. The
rows are marked first and the bytes removed last, in the same call; a failure on the way
undoes the marks, and calling again removes what is left (removing a missing file is no
error)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from microwork.accounts.models import User
from microwork.lib.limits import worker_upload_abandon_hours
from microwork.projects.models import Project
from microwork.work.models import Assignment, WorkerFile

Status = WorkerFile.Status


@dataclass(frozen=True)
class DeletedFile:
    """One file that went, for the message to the requester and the record kept."""

    ref: str
    task_id: int
    external_id: str
    worker_id: int
    field: str


def _delete(files: QuerySet[WorkerFile], *, reason: str, now: datetime) -> list[WorkerFile]:
    """Mark the files deleted, then remove their bytes; the rows as they were before."""
    rows = list(
        files.select_for_update(of=("self",))
        .select_related("assignment__task")
        .exclude(status=Status.DELETED)
        .order_by("pk")
    )
    names: list[str] = []
    for row in rows:
        if row.storage_name:
            names.append(row.storage_name)
        names.extend(row.chunks)
    WorkerFile.objects.filter(pk__in=[r.pk for r in rows]).update(
        status=Status.DELETED,
        chunks=[],
        deleted_at=now,
        updated_at=now,
        deletion_reason=reason,
    )
    for name in names:
        default_storage.delete(name)
    return rows


def _described(rows: list[WorkerFile]) -> list[DeletedFile]:
    return [
        DeletedFile(
            ref=r.ref,
            task_id=r.assignment.task_id,
            external_id=r.assignment.task.external_id,
            worker_id=r.worker_id,
            field=r.field,
        )
        for r in rows
        if r.status == Status.COMPLETE
    ]


@transaction.atomic
def worker_files_delete(
    *, project: Project, worker: User, reason: str, now: datetime | None = None
) -> list[DeletedFile]:
    """Remove every file `worker` sent for `project` (complete ones and uploads still
    arriving) from storage and mark them deleted with `reason` (a stable code: withdrawn,
    account_deleted…). Answers keep their refs; the files are gone. Returns the complete
    files that went, with their tasks, for telling the requester."""
    return _described(
        _delete(
            WorkerFile.objects.filter(project=project, worker=worker),
            reason=reason,
            now=now or timezone.now(),
        )
    )


@transaction.atomic
def worker_files_delete_older(
    *, project: Project, before: datetime, reason: str, now: datetime | None = None
) -> list[DeletedFile]:
    """Remove every file of `project` sent before `before` (the end of its retention)."""
    return _described(
        _delete(
            WorkerFile.objects.filter(project=project, created_at__lt=before),
            reason=reason,
            now=now or timezone.now(),
        )
    )


@transaction.atomic
def worker_files_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """The periodic job's part: uploads quiet for longer than the page may resume them, and
    complete files no answer names once their task has ended (taken again, skipped, given
    back, expired) — a worker's photo or voice is kept only as part of an answer."""
    now = now or timezone.now()
    quiet = now - timedelta(hours=worker_upload_abandon_hours())
    abandoned = _delete(
        WorkerFile.objects.filter(status=Status.UPLOADING, updated_at__lt=quiet),
        reason="abandoned",
        now=now,
    )
    ended = ~Q(assignment__status=Assignment.Status.LEASED) | Q(assignment__expires_at__lt=quiet)
    unused = _delete(
        WorkerFile.objects.filter(ended, status=Status.COMPLETE, submission__isnull=True),
        reason="not_in_answer",
        now=now,
    )
    return {"abandoned": len(abandoned), "not_in_answer": len(unused)}
