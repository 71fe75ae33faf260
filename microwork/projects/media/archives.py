"""The files of an uploaded ZIP, checked before any is read: not too many, no name that leaves
the folder, no entry that claims more than the limits or swells out of all proportion to its
compressed size (a "zip bomb"), no encrypted entry. Reading an entry then stops at its declared
size, so what it claims is what it holds."""

import posixpath
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

from microwork.lib.errors import ApplicationError

# Entries below this size are never judged by their ratio (a tiny header compresses well).
RATIO_FLOOR = 64 * 1024
# Left out of a ZIP silently: what archivers and file managers add beside the files.
SKIPPED_PREFIXES = ("__MACOSX/",)


@dataclass(frozen=True)
class Entry:
    name: str
    size: int
    info: zipfile.ZipInfo


def _refuse(message: str, code: str = "zip_refused") -> ApplicationError:
    return ApplicationError(message, code=code, field="media_zip")


def safe_member_name(raw: str) -> str | None:
    """A ZIP entry's name when it is a plain relative path that stays inside the folder, else
    None (absolute, "..", a drive letter, backslashes, control characters)."""
    if not raw or raw.startswith("/") or "\\" in raw or any(ord(c) < 32 for c in raw):
        return None
    if len(raw) > 1 and raw[1] == ":":
        return None
    parts = raw.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return None
    if posixpath.normpath(raw) != raw or len(raw) > 255:
        return None
    return raw


def _skipped(name: str) -> bool:
    return name.startswith(SKIPPED_PREFIXES) or any(
        part.startswith(".") for part in name.split("/")
    )


def zip_entries(archive: zipfile.ZipFile) -> list[Entry]:
    """The media files a ZIP holds, or ApplicationError (field "media_zip") naming the entry at
    fault. Only the central directory is read here, in one pass."""
    infos = archive.infolist()
    max_files = settings.MEDIA_ZIP_MAX_FILES
    entries: list[Entry] = []
    total = 0
    for info in infos:
        if info.is_dir():
            continue
        name = safe_member_name(info.filename)
        if name is None:
            raise _refuse(
                _("%(name)s: a name in the ZIP must stay inside it (no /, .. or drive letters).")
                % {"name": info.filename[:200]},
                code="zip_path",
            )
        if _skipped(name):
            continue
        if info.flag_bits & 0x1:
            raise _refuse(
                _("%(name)s: the ZIP entry is encrypted; send it without a password.")
                % {"name": name}
            )
        if len(entries) >= max_files:
            raise _refuse(
                _("The ZIP holds more than %(n)d files; split it into several uploads.")
                % {"n": max_files},
                code="too_many_files",
            )
        if (
            info.file_size > RATIO_FLOOR
            and info.file_size > info.compress_size * settings.MEDIA_ZIP_MAX_RATIO
        ):
            raise _refuse(
                _(
                    "%(name)s: it unpacks to more than %(ratio)d times its packed size; "
                    "the ZIP was refused."
                )
                % {"name": name, "ratio": settings.MEDIA_ZIP_MAX_RATIO},
                code="zip_bomb",
            )
        total += info.file_size
        if total > settings.MEDIA_ZIP_MAX_UNPACKED_BYTES:
            raise _refuse(
                _("The ZIP unpacks to more than %(mb)d MB; split it into several uploads.")
                % {"mb": settings.MEDIA_ZIP_MAX_UNPACKED_BYTES // (1024 * 1024)},
                code="zip_bomb",
            )
        entries.append(Entry(name=name, size=info.file_size, info=info))
    if not entries:
        raise _refuse(_("The ZIP holds no files."), code="empty")
    return entries


def open_zip(file: IO[bytes]) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(file)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _refuse(_("The media file is not a readable ZIP."), code="bad_zip") from None


def iter_zip(file: IO[bytes]) -> Iterator[tuple[str, IO[bytes], int]]:
    """(name, stream, declared size) of each media file of the ZIP, opened one at a time."""
    archive = open_zip(file)
    with archive:
        for entry in zip_entries(archive):
            try:
                stream = archive.open(entry.info)
            except (zipfile.BadZipFile, NotImplementedError, OSError, ValueError):
                raise _refuse(
                    _("%(name)s: this ZIP entry cannot be read.") % {"name": entry.name},
                    code="bad_zip",
                ) from None
            with stream:
                yield entry.name, stream, entry.size
