"""Storing the pictures, sounds and videos a requester uploads for a project's tasks.

Every file is typed from its bytes (projects/media/sniffing.py) and must be what its name says;
each kind has its size limit, counted on the bytes as they arrive, so a 2 GB video is refused
after the first bytes past the limit and never held in memory. The bytes go through Django's
storage API (local disk, or an S3-compatible bucket with MEDIA_STORAGE=s3). Nothing is
half-stored: when any file of a request is refused, every file that request wrote is deleted
and no row is kept."""

import contextlib
import hashlib
import re
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterable
from functools import partial
from typing import IO, Any, cast

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from microwork.accounts.models import User
from microwork.lib.errors import ApplicationError, Conflict
from microwork.projects.media import archives
from microwork.projects.media.sniffing import HEAD_BYTES, SniffError, accepted_extensions, sniff
from microwork.projects.models import MediaFile, Project
from microwork.projects.services.batches import UploadOutcome

SAFE = re.compile(r"[^A-Za-z0-9._-]+")
CHUNK = 1024 * 1024
KIND_NAMES = {
    "image": gettext_lazy("pictures"),
    "audio": gettext_lazy("sound files"),
    "video": gettext_lazy("videos"),
}


def kind_max_bytes(kind: str) -> int:
    return int(settings.MEDIA_MAX_BYTES[kind])


def _mb(n: int) -> int:
    return n // (1024 * 1024)


class MediaTooLarge(ApplicationError):
    status = 413
    default_code = "too_large"


class _TooBig(Exception):
    pass


class _Capped:
    """A read-only stream of `head` then the rest of `stream`, hashed as it is read, that
    stops with _TooBig once more than `limit` bytes have come. Not seekable, so storages read
    it once, in chunks."""

    def __init__(self, head: bytes, stream: IO[bytes], limit: int) -> None:
        self.head = head
        self.stream = stream
        self.limit = limit
        self.size = 0
        self.digest = hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        if self.head:
            chunk, self.head = self.head, b""
        else:
            chunk = self.stream.read(CHUNK if n is None or n < 0 else min(n, CHUNK))
        self.size += len(chunk)
        if self.size > self.limit:
            raise _TooBig
        self.digest.update(chunk)
        return chunk

    closed = False

    def seekable(self) -> bool:
        return False

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        pass


def _storage_name(project: Project, name: str) -> str:
    base = name.rsplit("/", 1)[-1]
    safe = SAFE.sub("-", base).strip(".-")[-80:] or "file"
    return f"projects/{project.pk}/{uuid.uuid4().hex[:16]}-{safe}"


def _refuse(message: str, *, code: str, field: str) -> ApplicationError:
    return ApplicationError(message, code=code, field=field)


def _type_error(exc: SniffError, name: str, field: str) -> ApplicationError:
    if exc.reason == "extension":
        return _refuse(
            _("%(name)s: this kind of file is not accepted; send one of %(exts)s.")
            % {"name": name, "exts": accepted_extensions()},
            code="media_type",
            field=field,
        )
    if exc.found:
        message = _("%(name)s: its name says %(expected)s but its bytes are %(found)s.")
    else:
        message = _("%(name)s: its name says %(expected)s but its bytes are not one.")
    return _refuse(
        message % {"name": name, "expected": exc.expected, "found": exc.found},
        code="media_type",
        field=field,
    )


def _too_big(name: str, kind: str, field: str) -> ApplicationError:
    return MediaTooLarge(
        _("%(name)s: %(kind)s may be at most %(mb)d MB.")
        % {"name": name, "kind": KIND_NAMES[kind], "mb": _mb(kind_max_bytes(kind))},
        field=field,
    )


def _damaged(name: str, exc: Exception, field: str) -> ApplicationError:
    return _refuse(
        _("%(name)s: this ZIP entry is damaged (%(reason)s).") % {"name": name, "reason": exc},
        code="bad_zip",
        field=field,
    )


def _write_one(
    *, project: Project, name: str, stream: IO[bytes], declared: int | None, field: str
) -> tuple[str, dict[str, Any]]:
    """Writes one file to the storage; its storage name and the row's fields."""
    try:
        head = stream.read(HEAD_BYTES)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise _damaged(name, exc, field) from None
    try:
        sniffed = sniff(name, head)
    except SniffError as exc:
        raise _type_error(exc, name, field) from None
    limit = kind_max_bytes(sniffed.kind)
    if declared is not None and declared > limit:
        # Refused on what the sender declared, before a byte more is read.
        raise _too_big(name, sniffed.kind, field)
    capped = _Capped(head, stream, limit)
    target = _storage_name(project, name)
    try:
        stored = default_storage.save(target, File(cast(IO[bytes], capped), name=target))
    except _TooBig:
        default_storage.delete(target)
        raise _too_big(name, sniffed.kind, field) from None
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        default_storage.delete(target)
        raise _damaged(name, exc, field) from None
    except BaseException:
        default_storage.delete(target)
        raise
    if declared is not None and capped.size != declared:
        default_storage.delete(stored)
        raise _refuse(
            _("%(name)s: it holds %(size)d bytes, not the %(declared)d it declares.")
            % {"name": name, "size": capped.size, "declared": declared},
            code="size_mismatch",
            field=field,
        )
    return stored, {
        "name": name,
        "content_type": sniffed.content_type,
        "kind": sniffed.kind,
        "size_bytes": capped.size,
        "sha256": capped.digest.hexdigest(),
    }


def media_files_store(
    *,
    project: Project,
    actor: User,
    files: Iterable[tuple[str, IO[bytes], int | None]],
    field: str = "files",
) -> list[MediaFile]:
    """Stores every (name, stream, declared size or None) of `files` for `project`, in order,
    and returns their rows. A name already in the project with the same bytes is the file
    already there (a retried upload); with other bytes it is refused. On any refusal nothing
    of this call is kept."""
    written: list[str] = []
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    try:
        for count, (raw_name, stream, declared) in enumerate(files, start=1):
            name = raw_name.strip()[:255]
            if count > settings.MEDIA_ZIP_MAX_FILES:
                raise _refuse(
                    _("Send at most %(n)d files at once.") % {"n": settings.MEDIA_ZIP_MAX_FILES},
                    code="too_many_files",
                    field=field,
                )
            if not name:
                raise _refuse(_("Every file needs a name."), code="invalid", field=field)
            if name in seen:
                raise _refuse(
                    _("%(name)s: two files have this name.") % {"name": name},
                    code="duplicate_name",
                    field=field,
                )
            seen.add(name)
            stored, row = _write_one(
                project=project, name=name, stream=stream, declared=declared, field=field
            )
            written.append(stored)
            rows.append({**row, "storage_name": stored})
        if not rows:
            raise _refuse(_("Send at least one file."), code="empty", field=field)
        return _rows_create(project=project, actor=actor, rows=rows, field=field, written=written)
    except BaseException:
        media_storage_delete(written)
        raise


@transaction.atomic
def _rows_create(
    *,
    project: Project,
    actor: User,
    rows: list[dict[str, Any]],
    field: str,
    written: list[str],
) -> list[MediaFile]:
    existing = {
        media.name: media
        for media in MediaFile.objects.select_for_update().filter(
            project=project, name__in=[row["name"] for row in rows]
        )
    }
    out: list[MediaFile] = []
    for row in rows:
        earlier = existing.get(row["name"])
        if earlier is not None:
            if earlier.sha256 != row["sha256"]:
                raise Conflict(
                    _(
                        "%(name)s: another file of this name is already in the project; "
                        "rename the new one."
                    )
                    % {"name": row["name"]},
                    code="name_taken",
                    field=field,
                )
            # The same file again: keep the one tasks may already use, drop the new copy
            # once the rows are saved.
            transaction.on_commit(partial(default_storage.delete, row["storage_name"]))
            out.append(earlier)
            continue
        out.append(
            MediaFile(
                organisation_id=project.organisation_id, project=project, uploaded_by=actor, **row
            )
        )
    try:
        with transaction.atomic():
            for media in out:
                if media.pk is None:
                    media.save()
                    media._fresh = True
    except IntegrityError:
        raise Conflict(
            _("Another upload of the same names is running; try again."),
            code="name_taken",
            field=field,
        ) from None
    return out


def media_file_store(
    *, project: Project, actor: User, name: str, file: IO[bytes], size: int | None = None
) -> MediaFile:
    """Stores one file (see media_files_store)."""
    return media_files_store(project=project, actor=actor, files=[(name, file, size)])[0]


def media_files_store_zip(
    *, project: Project, actor: User, file: IO[bytes], size: int
) -> list[MediaFile]:
    """Stores the media files of an uploaded ZIP (archives.py says which it accepts)."""
    if size > settings.MEDIA_ZIP_MAX_BYTES:
        raise MediaTooLarge(
            _("The ZIP is %(size)d MB; the limit is %(mb)d MB. Split it into several uploads.")
            % {"size": _mb(size), "mb": _mb(settings.MEDIA_ZIP_MAX_BYTES)},
            field="media_zip",
        )
    return media_files_store(
        project=project, actor=actor, files=archives.iter_zip(file), field="media_zip"
    )


def media_files_discard(*, media_files: Iterable[MediaFile]) -> None:
    """Undoes a store whose request failed later (the tasks file beside the ZIP was refused):
    the rows made for it and their bytes. Files that were already there before are kept."""
    fresh = [media for media in media_files if getattr(media, "_fresh", False)]
    MediaFile.objects.filter(pk__in=[media.pk for media in fresh]).delete()
    media_storage_delete([media.storage_name for media in fresh])


def media_storage_delete(names: Iterable[str]) -> None:
    for name in names:
        # Cleaning up after a refusal must not hide the refusal.
        with contextlib.suppress(Exception):
            default_storage.delete(name)


def batch_upload_with_media(
    *, project: Project, actor: User, media: Any, upload: Callable[[], UploadOutcome]
) -> tuple[UploadOutcome, list[MediaFile]]:
    """The upload page's ZIP of media beside the tasks file: the ZIP's files are stored first,
    so the rows can name them; when the tasks file is then refused, the files this request
    stored are removed again. `upload` adds the tasks (batches.batch_upload)."""
    stored: list[MediaFile] = []
    if media is not None:
        stored = media_files_store_zip(
            project=project, actor=actor, file=media, size=media.size or 0
        )
    try:
        return upload(), stored
    except BaseException:
        media_files_discard(media_files=stored)
        raise
