"""Workers' files: a photo or a recording sent with an answer. A file arrives whole (one
multipart request) or in pieces (a resumable upload that survives a dropped connection: each
piece is stored as it comes, at the offset the server expects); once its last byte is in, the
task's kind checks it (`TaskInterface.check_file`) and it becomes a complete file with a `ref`
the answer may name. A refused file leaves nothing behind: its pieces are deleted and its row
says why.

Only the assignment's own worker sends files, and only while the lease is open. Deleting
files (consent withdrawn, retention over, never part of an answer) is in file_deletion.py."""

import hashlib
import secrets
import string
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from microwork.accounts.models import User
from microwork.lib.errors import ApplicationError, Conflict, TooLarge
from microwork.lib.limits import worker_file_max_bytes, worker_upload_chunk_max_bytes
from microwork.projects.interfaces import TaskInterface, get_interface
from microwork.work.models import Assignment, Submission, WorkerFile
from microwork.work.services.claiming import check_owner

# Storage folders: complete files, and the pieces of uploads still arriving. Neither is ever
# served by the generic media view (projects.media.addresses.PRIVATE_PREFIXES).
FILES_FOLDER = "worker-files"
PIECES_FOLDER = "worker-uploads"

Status = WorkerFile.Status


def _token() -> str:
    # 32 characters, the first a letter: a ref starting with "-" would be escaped as a formula
    # in the requester's CSV files, and would no longer match the file it names.
    return secrets.choice(string.ascii_letters) + secrets.token_urlsafe(24)[1:]


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}"


def _check_lease(assignment: Assignment, worker: User, now: datetime) -> None:
    check_owner(assignment, worker)
    if not assignment.is_open(now):
        raise Conflict(
            _("This task is no longer open, so no file can be sent for it."), code="not_open"
        )


def upload_field(interface: TaskInterface, config: Mapping[str, Any], field: str | None) -> str:
    """The answer field a file is for: the one named, or the kind's only file field."""
    fields = interface.file_fields_for(config)
    if not fields:
        raise ApplicationError(_("This task takes no file."), code="no_file_field", field="field")
    if not field:
        if len(fields) > 1:
            raise ApplicationError(
                _("Say which answer field the file is for: one of %(fields)s.")
                % {"fields": ", ".join(fields)},
                field="field",
            )
        return fields[0]
    if field not in fields:
        raise ApplicationError(
            _("%(field)s is not a file field of this task; use one of %(fields)s.")
            % {"field": field[:64], "fields": ", ".join(fields)},
            field="field",
        )
    return field


def _check_size(size: int, field: str) -> None:
    limit = worker_file_max_bytes()
    if size <= 0:
        raise ApplicationError(_("The file is empty."), code="empty_file", field=field)
    if size > limit:
        raise TooLarge(
            _("The file is bigger than the %(limit)s MB limit.") % {"limit": _mb(limit)},
            field=field,
        )


def _store_checked(
    interface: TaskInterface, config: Mapping[str, Any], field: str, content: bytes, name: str
) -> dict[str, Any]:
    """Check the bytes with the kind and store what it keeps; the row's new values. `name`,
    the worker's name for the file, is for the kind's messages only."""
    checked = interface.check_file(config, field, content, name)
    stored = default_storage.save(
        f"{FILES_FOLDER}/{secrets.token_hex(16)}.{checked.extension}",
        ContentFile(checked.content),
    )
    return {
        "storage_name": stored,
        "content_type": checked.content_type,
        "size_bytes": len(checked.content),
        "sha256": hashlib.sha256(checked.content).hexdigest(),
        "facts": checked.facts,
    }


def worker_file_upload(
    *,
    assignment: Assignment,
    worker: User,
    content: bytes,
    field: str | None = None,
    name: str = "",
    now: datetime | None = None,
) -> WorkerFile:
    """A file sent whole: checked, stored, and complete at once. The row is written after the
    file is stored; if writing it fails, the stored file is removed again."""
    now = now or timezone.now()
    _check_lease(assignment, worker, now)
    project = assignment.project
    interface = get_interface(project.interface)
    field = upload_field(interface, project.config, field)
    _check_size(len(content), field)
    values = _store_checked(interface, project.config, field, content, name)
    try:
        with transaction.atomic():
            return WorkerFile.objects.create(
                ref=_token(),
                upload_key=_token(),
                assignment=assignment,
                project=project,
                worker=worker,
                field=field,
                status=Status.COMPLETE,
                declared_bytes=len(content),
                received_bytes=len(content),
                created_at=now,
                updated_at=now,
                completed_at=now,
                **values,
            )
    except Exception:
        default_storage.delete(values["storage_name"])
        raise


@transaction.atomic
def worker_upload_start(
    *,
    assignment: Assignment,
    worker: User,
    size: Any,
    field: str | None = None,
    now: datetime | None = None,
) -> WorkerFile:
    """Begin a resumable upload of `size` bytes: its key, and offset 0."""
    now = now or timezone.now()
    _check_lease(assignment, worker, now)
    project = assignment.project
    interface = get_interface(project.interface)
    field = upload_field(interface, project.config, field)
    if isinstance(size, bool) or not isinstance(size, int):
        raise ApplicationError(
            _("size must be the file's length in bytes, a whole number."), field="size"
        )
    _check_size(size, "size")
    return WorkerFile.objects.create(
        ref=_token(),
        upload_key=_token(),
        assignment=assignment,
        project=project,
        worker=worker,
        field=field,
        status=Status.UPLOADING,
        declared_bytes=size,
        created_at=now,
        updated_at=now,
    )


def _wrong_offset(upload: WorkerFile) -> Conflict:
    return Conflict(
        _("The upload is at byte %(offset)d; send the piece that starts there.")
        % {"offset": upload.received_bytes},
        code="wrong_offset",
        field="offset",
        details={"offset": upload.received_bytes},
    )


def worker_upload_append(
    *,
    upload: WorkerFile,
    worker: User,
    offset: int,
    piece: bytes,
    now: datetime | None = None,
) -> WorkerFile:
    """Add the piece that starts at `offset`. A piece at any other offset is refused with the
    current one (409), so a retried piece is never stored twice and a lost one is sent again.
    With the last byte in, the file is checked and becomes complete, or is refused whole."""
    now = now or timezone.now()
    check_owner(upload.assignment, worker)
    if not piece:
        raise ApplicationError(_("The piece is empty."), code="empty_piece", field="offset")
    if len(piece) > worker_upload_chunk_max_bytes():
        raise TooLarge(
            _("A piece may be at most %(limit)d bytes.")
            % {"limit": worker_upload_chunk_max_bytes()},
            field="offset",
        )
    with transaction.atomic():
        locked = (
            WorkerFile.objects.select_for_update()
            .select_related("assignment", "project")
            .get(pk=upload.pk)
        )
        if locked.status != Status.UPLOADING:
            if locked.status == Status.COMPLETE and offset == locked.declared_bytes:
                # The last piece again (its answer was lost on the way): the file is in.
                return locked
            raise Conflict(
                _("This upload is over; start a new one."), code="upload_closed", field="offset"
            )
        _check_lease(locked.assignment, worker, now)
        if offset != locked.received_bytes:
            raise _wrong_offset(locked)
        if offset + len(piece) > locked.declared_bytes:
            raise ApplicationError(
                _("The piece goes past the %(size)d bytes the upload declared.")
                % {"size": locked.declared_bytes},
                code="past_declared_size",
                field="offset",
            )
        name = default_storage.save(
            f"{PIECES_FOLDER}/{locked.upload_key}/{offset:012d}", ContentFile(piece)
        )
        locked.chunks = [*locked.chunks, name]
        locked.received_bytes = offset + len(piece)
        locked.updated_at = now
        locked.save(update_fields=["chunks", "received_bytes", "updated_at"])
    if locked.received_bytes < locked.declared_bytes:
        return locked
    return _finish(locked, now)


def _read_pieces(upload: WorkerFile) -> bytes:
    parts = []
    for name in upload.chunks:
        with default_storage.open(name, "rb") as part:
            parts.append(part.read())
    return b"".join(parts)


def _delete_pieces(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _finish(upload: WorkerFile, now: datetime) -> WorkerFile:
    """The whole file is in: check it with the kind, store it, drop the pieces."""
    project = upload.project
    interface = get_interface(project.interface)
    content = _read_pieces(upload)
    try:
        if len(content) != upload.declared_bytes:
            raise ApplicationError(
                _("Part of the file is missing; send it again."),
                code="upload_incomplete",
                field=upload.field,
            )
        values = _store_checked(interface, project.config, upload.field, content, "")
    except ApplicationError:
        _refuse(upload, now)
        raise
    with transaction.atomic():
        locked = WorkerFile.objects.select_for_update().get(pk=upload.pk)
        if locked.status != Status.UPLOADING:
            # A concurrent request finished it first; this copy is not needed.
            default_storage.delete(values["storage_name"])
            return locked
        pieces = locked.chunks
        for key, value in values.items():
            setattr(locked, key, value)
        locked.status = Status.COMPLETE
        locked.chunks = []
        locked.completed_at = now
        locked.updated_at = now
        locked.save(
            update_fields=[
                *values,
                "status",
                "chunks",
                "completed_at",
                "updated_at",
            ]
        )
    # The whole file is stored and its row says so: the pieces are no longer needed.
    _delete_pieces(pieces)
    return locked


def _refuse(upload: WorkerFile, now: datetime) -> None:
    with transaction.atomic():
        locked = WorkerFile.objects.select_for_update().get(pk=upload.pk)
        pieces = locked.chunks
        locked.status = Status.DELETED
        locked.chunks = []
        locked.deleted_at = now
        locked.updated_at = now
        locked.deletion_reason = "refused"
        locked.save(
            update_fields=["status", "chunks", "deleted_at", "updated_at", "deletion_reason"]
        )
    _delete_pieces(pieces)


def answer_files_check(
    *, assignment: Assignment, interface: TaskInterface, config: Mapping[str, Any], answer: Any
) -> list[WorkerFile]:
    """The files a checked answer names, each a complete file of this assignment sent for
    that field; ApplicationError naming the field otherwise. Called in the submit's
    transaction, which then attaches them to the submission."""
    fields = interface.file_fields_for(config)
    if not fields:
        return []
    values = answer if isinstance(answer, Mapping) else {}
    found = []
    for field in fields:
        ref = values.get(field)
        if ref in (None, ""):
            continue
        file = (
            WorkerFile.objects.select_for_update()
            .filter(ref=str(ref), assignment=assignment, field=field)
            .first()
        )
        if file is None or file.status != Status.COMPLETE:
            raise ApplicationError(
                _(
                    "%(field)s: the file has not finished uploading (or is not one sent for "
                    "this task); wait until it is in, then send the answer."
                )
                % {"field": field},
                code="file_not_complete",
                field=field,
            )
        found.append(file)
    return found


def answer_files_attach(*, submission: Submission, files: list[WorkerFile]) -> None:
    WorkerFile.objects.filter(pk__in=[f.pk for f in files]).update(submission=submission)
