"""The background side of batches: checking and adding a stored upload, settling a batch whose
job ended badly, and the periodic cleanup of stored files and lost jobs."""

import logging
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from microwork.lib.errors import ApplicationError
from microwork.lib.progress import JobProgress, ProgressView, read_progress
from microwork.lib.registry import loaded, run_hooks
from microwork.projects import hooks
from microwork.projects.models import Batch, Project, UploadCleanup
from microwork.projects.services.batches import (
    PROCESS_BATCH,
    UploadRefused,
    check_project_takes_uploads,
    existing_ids,
    tasks_insert,
)
from microwork.projects.uploads.checking import CheckReport, iter_clean_rows

logger = logging.getLogger(__name__)


# The upload's phases and the share of its time each usually takes: on a large file the insert
# pass takes about four fifths of the time, the check one fifth.
UPLOAD_PHASES = (("check", 1.0), ("insert", 4.0))


def progress_path(batch: Batch) -> Path:
    """Where a running upload writes its progress (lib/progress.py says why a file)."""
    return Path(settings.MEDIA_ROOT) / "progress" / f"batch-{batch.pk}.json"


def batch_progress_view(batch: Batch) -> ProgressView | None:
    """A running upload's phases, counts and time left; None once it is over or not begun."""
    if batch.is_finished:
        return None
    return read_progress(progress_path(batch))


def batch_process(*, batch_id: int) -> Batch:
    """Check and add a stored upload (the background job's body). Running it twice is harmless:
    only the run that moves the batch from pending to processing does anything, and its writes
    are guarded by its attempt number (see Batch.attempts)."""
    claimed = Batch.objects.filter(pk=batch_id, status=Batch.Status.PENDING).update(
        status=Batch.Status.PROCESSING, attempts=F("attempts") + 1
    )
    batch = Batch.objects.select_related("project").get(pk=batch_id)
    if claimed != 1:
        return batch
    path = Path(settings.MEDIA_ROOT) / batch.stored_path
    project = batch.project
    mine = Batch.objects.filter(
        pk=batch_id, status=Batch.Status.PROCESSING, attempts=batch.attempts
    )

    tracker = JobProgress(progress_path(batch), UPLOAD_PHASES)
    tracker.start("check", batch.size_bytes)

    def progress(rows: int, bytes_read: int) -> None:
        mine.update(rows_seen=rows, bytes_checked=bytes_read)
        tracker.advance("check", bytes_read)

    try:
        check_project_takes_uploads(project)
        report = CheckReport()
        with path.open("rb") as stream:
            for _row in iter_clean_rows(
                project=project,
                fmt=batch.file_format,
                stream=stream,
                size=batch.size_bytes,
                existing_ids=existing_ids(project),
                report=report,
                on_progress=progress,
            ):
                pass
        if not report.ok:
            raise UploadRefused(report)
        tracker.finish("check")
        tracker.start("insert", report.rows)
        _batch_insert_stored(
            batch=batch, path=path, on_progress=lambda n: tracker.advance("insert", n)
        )
        tracker.finish("insert")
    except ApplicationError as exc:
        refused = exc.report if isinstance(exc, UploadRefused) else None
        mine.update(
            status=Batch.Status.FAILED,
            errors=refused.errors
            if refused
            else [{"row": None, "field": exc.field or "file", "reason": exc.message}],
            errors_total=refused.errors_total if refused else 1,
            finished_at=timezone.now(),
        )
    except BatchRunSuperseded:
        logger.warning("batch %s: run %d was superseded", batch_id, batch.attempts)
    except Exception:
        logger.exception("batch %s failed", batch_id)
        mine.update(
            status=Batch.Status.FAILED,
            errors=[
                {
                    "row": None,
                    "field": "file",
                    "reason": _(
                        "The file could not be processed; nothing was added. Try again or contact support."
                    ),
                }
            ],
            errors_total=1,
            finished_at=timezone.now(),
        )
        raise
    finally:
        # Unless a later run of the batch is waiting for it (this one was taken for dead).
        later = Q(status=Batch.Status.PENDING) | (
            Q(status=Batch.Status.PROCESSING) & ~Q(attempts=batch.attempts)
        )
        if not Batch.objects.filter(later, pk=batch_id).exists():
            path.unlink(missing_ok=True)
            tracker.remove()
    batch.refresh_from_db()
    return batch


class BatchRunSuperseded(Exception):  # noqa: N818
    """A background run of a batch that another run (or a failure) has replaced."""


def batch_recover(*, batch_id: int, reason: str, retry: bool) -> Batch | None:
    """Settle a batch whose job ended badly (microwork/clock/recovery.py). A run that never
    finished because its worker died is run again while attempts remain and the stored file is
    there; otherwise the batch fails with the reason, so the project can go live without it and
    the same file can be sent again."""
    batch = Batch.objects.filter(pk=batch_id).first()
    if batch is None or batch.is_finished:
        return batch
    path = Path(settings.MEDIA_ROOT) / batch.stored_path if batch.stored_path else None
    unfinished = Batch.objects.filter(
        pk=batch_id,
        status__in=[Batch.Status.PENDING, Batch.Status.PROCESSING],
        attempts=batch.attempts,
    )
    if retry and batch.attempts < settings.BATCH_MAX_ATTEMPTS and path and path.exists():
        with transaction.atomic():
            if unfinished.update(status=Batch.Status.PENDING, rows_seen=0, bytes_checked=0):
                transaction.on_commit(lambda: loaded(PROCESS_BATCH).enqueue(batch_id=batch_id))
        batch.refresh_from_db()
        return batch
    if retry:
        reason = _(
            "%(reason)s It was tried %(n)d times. Nothing was added; upload the file again, "
            "or split it into smaller files."
        ) % {"reason": reason, "n": batch.attempts}
    else:
        reason = _("%(reason)s Nothing was added; split the file or upload it again.") % {
            "reason": reason
        }
    if (
        unfinished.update(
            status=Batch.Status.FAILED,
            errors=[{"row": None, "field": "file", "reason": reason}],
            errors_total=1,
            stored_path="",
            finished_at=timezone.now(),
        )
        and path is not None
    ):
        path.unlink(missing_ok=True)
    batch.refresh_from_db()
    return batch


@transaction.atomic
def _batch_insert_stored(
    *, batch: Batch, path: Path, on_progress: Callable[[int], None] | None = None
) -> None:
    project = Project.objects.select_for_update().get(pk=batch.project_id)
    mine = Batch.objects.filter(
        pk=batch.pk, status=Batch.Status.PROCESSING, attempts=batch.attempts
    )
    if not mine.exists():
        # This run was taken for dead and the batch settled or handed to another run.
        raise BatchRunSuperseded(batch.pk)
    report = CheckReport()
    with path.open("rb") as stream:
        tasks_insert(
            project,
            batch,
            iter_clean_rows(
                project=project,
                fmt=batch.file_format,
                stream=stream,
                size=batch.size_bytes,
                existing_ids=existing_ids(project),
                report=report,
            ),
            report,
            on_progress=on_progress,
        )
    mine.update(
        status=Batch.Status.DONE,
        rows_seen=report.rows,
        rows_added=report.rows,
        gold_added=report.gold,
        bytes_checked=batch.size_bytes,
        ignored_columns=report.ignored_columns,
        stored_path="",
        finished_at=timezone.now(),
    )
    run_hooks(hooks.BATCH_DONE, batch=batch)


CLEANUP_RECORDS_KEPT = timedelta(days=30)
LOST_JOB_AFTER = timedelta(hours=1)


def _old_files(folder: Path, *, before: float) -> Iterator[Path]:
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < before:
                yield path
        except FileNotFoundError:
            continue


def uploads_cleanup(*, now: datetime | None = None) -> UploadCleanup:
    """The periodic cleanup: stored uploads no unfinished batch needs, temporary upload files
    of requests that crashed, and waiting batches whose job was lost (run again, or failed).
    Leaves one record per run; records older than a month are dropped."""
    now = now or timezone.now()
    before = (now - timedelta(hours=settings.UPLOAD_ORPHAN_HOURS)).timestamp()
    record = UploadCleanup(at=now)

    waiting = Batch.objects.filter(status__in=[Batch.Status.PENDING, Batch.Status.PROCESSING])
    needed = set(waiting.exclude(stored_path="").values_list("stored_path", flat=True))
    folders = [Path(settings.MEDIA_ROOT) / "uploads"]
    if settings.FILE_UPLOAD_TEMP_DIR:
        folders.append(Path(settings.FILE_UPLOAD_TEMP_DIR))
    for folder in folders:
        for path in _old_files(folder, before=before):
            if f"uploads/{path.name}" in needed and folder.name == "uploads":
                continue
            size = path.stat().st_size
            path.unlink(missing_ok=True)
            record.files_removed += 1
            record.bytes_removed += size
            if len(record.removed) < 100:
                record.removed.append(path.name)

    # A pending batch with no job to run it: the process died between commit and enqueue.
    if _tasks_are_stored():
        from django_tasks_db.compat import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        live = DBTaskResult.objects.filter(
            task_path=PROCESS_BATCH,
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
        )
        live_ids = {
            (r.get("kwargs") or {}).get("batch_id")
            for r in live.values_list("args_kwargs", flat=True)
        }
        for batch in waiting.filter(
            status=Batch.Status.PENDING, created_at__lt=now - LOST_JOB_AFTER
        ):
            if batch.pk in live_ids:
                continue
            settled = batch_recover(
                batch_id=batch.pk, reason=_("The job checking this file was lost."), retry=True
            )
            if settled is not None and settled.status == Batch.Status.FAILED:
                record.batches_failed += 1
            else:
                record.batches_requeued += 1
    record.save()
    UploadCleanup.objects.filter(at__lt=now - CLEANUP_RECORDS_KEPT).delete()
    return record


def _tasks_are_stored() -> bool:
    from django.tasks import task_backends

    return task_backends["default"].__class__.__module__.startswith("django_tasks_db")
