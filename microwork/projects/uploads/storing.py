"""Storing an upload: its bytes hashed, and a file too big to check in the request saved under
MEDIA_ROOT/uploads for the background job, within the size limit."""

import hashlib
import uuid
from pathlib import Path
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

from microwork.lib.errors import ApplicationError


def upload_max_bytes() -> int:
    return int(settings.MAX_UPLOAD_BYTES)


def file_hash(file: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while chunk := file.read(1024 * 1024):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def file_store(file: IO[bytes], fmt: str) -> tuple[str, str]:
    relative = f"uploads/{uuid.uuid4().hex}.{fmt}"
    path = Path(settings.MEDIA_ROOT) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    written = 0
    with path.open("wb") as out:
        while chunk := file.read(1024 * 1024):
            written += len(chunk)
            # The declared size can lie (a streamed body); the real bytes are what count.
            if written > upload_max_bytes():
                out.close()
                path.unlink(missing_ok=True)
                raise ApplicationError(
                    _("The file is bigger than the %(limit)d MB limit.")
                    % {"limit": upload_max_bytes() // (1024 * 1024)},
                    code="too_large",
                    field="file",
                )
            digest.update(chunk)
            out.write(chunk)
    return relative, digest.hexdigest()
