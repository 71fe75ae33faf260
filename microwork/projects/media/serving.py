"""The media view: a file for the one person its address was signed for, checked again.

Local disk: the file is opened and sent, whole or the asked range. An S3-compatible bucket
(MEDIA_STORAGE=s3): the same view streams the object through the site, asking the bucket for
just the range the player wants; the bucket stays private and pages keep their strict policy
(sound and video under `default-src 'self'`), which a redirect to the bucket's own address
would break."""

import mimetypes
import posixpath
import re
from collections.abc import Iterator
from typing import IO, Any

from botocore.exceptions import ClientError
from django.conf import settings
from django.core import signing
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import Storage, default_storage
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from microwork.accounts.models import User
from microwork.accounts.selectors import api_token_by_key
from microwork.projects.access import access_media_visible
from microwork.projects.media.addresses import SALT, clean_name

CHUNK = 64 * 1024

# Shown in the page (inline); any other type is sent as a download so that a file named
# x.html or x.svg can never run as a page of this site.
INLINE_TYPES = {
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/avif",
    "audio/mpeg",
    "audio/mp4",
    "audio/ogg",
    "audio/wav",
    "audio/webm",
    "video/mp4",
    "video/webm",
    "video/ogg",
    "text/plain",
    "application/pdf",
}
# Even a file shown inline runs nothing and loads nothing: a sandboxed document.
MEDIA_CSP = (
    "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox"
)
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _viewer(request: HttpRequest) -> User | None:
    user = getattr(request, "user", None)
    if isinstance(user, User) and user.is_authenticated:
        return user
    # An app that calls the API fetches the picture with the same bearer token.
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        token = api_token_by_key(key=header[7:].strip())
        if token is not None:
            return token.user
    return None


def _refused(status: int, message: str) -> HttpResponse:
    response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _chunks(file: IO[bytes], start: int, length: int) -> Iterator[bytes]:
    try:
        file.seek(start)
        left = length
        while left > 0:
            chunk = file.read(min(CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            yield chunk
    finally:
        file.close()


def _byte_range(header: str, size: int) -> tuple[int, int] | None | bool:
    """(first, last) of a single `bytes=` range; None to send the whole file (no header, or
    one we do not serve in part); False when the range lies outside the file."""
    match = RANGE.match(header.strip())
    if not match or (not match.group(1) and not match.group(2)):
        return None
    first, last = match.group(1), match.group(2)
    if not first:
        # "bytes=-500": the last 500 bytes.
        length = int(last)
        if length == 0:
            return False
        return max(size - length, 0), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or end < start:
        return False
    return start, end


def _bucket_key(storage: Storage, name: str) -> tuple[Any, str] | None:
    """The S3 client and object key when `storage` is django-storages' S3 backend."""
    if not hasattr(storage, "bucket_name") or not hasattr(storage, "connection"):
        return None
    key = storage._normalize_name(name)  # type: ignore[attr-defined]
    return storage.connection.meta.client, key


def _object_chunks(body: Any) -> Iterator[bytes]:
    try:
        yield from body.iter_chunks(CHUNK)
    finally:
        body.close()


def _open_part(storage: Storage, name: str, start: int, end: int) -> Iterator[bytes]:
    bucket = _bucket_key(storage, name)
    if bucket is not None:
        client, key = bucket
        got = client.get_object(
            Bucket=storage.bucket_name,  # type: ignore[attr-defined]
            Key=key,
            Range=f"bytes={start}-{end}",
        )
        return _object_chunks(got["Body"])
    return _chunks(storage.open(name, "rb"), start, end - start + 1)


def _open_whole(storage: Storage, name: str, size: int) -> IO[bytes] | Iterator[bytes]:
    bucket = _bucket_key(storage, name)
    if bucket is not None:
        # Streamed as it arrives: a 500 MB video is never held whole by the site.
        client, key = bucket
        got = client.get_object(Bucket=storage.bucket_name, Key=key)  # type: ignore[attr-defined]
        return _object_chunks(got["Body"])
    return storage.open(name, "rb")


@require_safe
def serve_media(request: HttpRequest, path: str) -> HttpResponseBase:
    try:
        user_id, signed_name = signing.loads(
            request.GET.get("t", ""), salt=SALT, max_age=settings.MEDIA_URL_MAX_AGE
        )
    except signing.SignatureExpired:
        return _refused(403, _("This link has expired; reload the page for a new one."))
    except (signing.BadSignature, TypeError, ValueError):
        return _refused(403, _("This file is not yours to see."))
    viewer = _viewer(request)
    if signed_name != path or viewer is None or viewer.pk != user_id:
        return _refused(403, _("This file is not yours to see."))
    name = clean_name(path)
    if name is None:
        return _refused(404, _("No such file."))
    if not access_media_visible(user=viewer, name=name):
        # The address was good when it was made; the viewer has lost the right since (left
        # the organisation, gave the task back).
        return _refused(403, _("This file is not yours to see."))
    guessed, encoding = mimetypes.guess_type(name)
    return stored_file_response(
        request,
        name,
        content_type=guessed if encoding is None else None,
        filename=posixpath.basename(name),
    )


def stored_file_response(
    request: HttpRequest, name: str, *, content_type: str | None, filename: str
) -> HttpResponseBase:
    """A stored file, whole or the asked range, with the strict headers; for a caller that has
    checked the viewer. Only INLINE_TYPES are shown in the page, anything else is a download."""
    storage = default_storage
    try:
        size = storage.size(name)
    except (OSError, SuspiciousFileOperation, ClientError):
        return _refused(404, _("No such file."))
    inline = content_type in INLINE_TYPES
    content_type = content_type if inline and content_type else "application/octet-stream"
    wanted = _byte_range(request.headers.get("Range", ""), size)
    response: HttpResponseBase
    if wanted is False:
        response = _refused(416, _("That part of the file does not exist."))
        response["Content-Range"] = f"bytes */{size}"
        return response
    if isinstance(wanted, tuple):
        start, end = wanted
        try:
            part = _open_part(storage, name, start, end)
        except (OSError, SuspiciousFileOperation, ClientError):
            return _refused(404, _("No such file."))
        response = StreamingHttpResponse(part, status=206, content_type=content_type)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    else:
        try:
            whole = _open_whole(storage, name, size)
        except (OSError, SuspiciousFileOperation, ClientError):
            return _refused(404, _("No such file."))
        if isinstance(whole, Iterator):
            response = StreamingHttpResponse(whole, content_type=content_type)
        else:
            response = FileResponse(whole, content_type=content_type)
        response["Content-Length"] = str(size)
    response["Accept-Ranges"] = "bytes"
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=not inline, filename=filename) or "attachment"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = MEDIA_CSP
    # The address is personal and short-lived: the viewer's browser may keep the file for
    # that long, no shared cache may.
    response["Cache-Control"] = f"private, max-age={settings.MEDIA_URL_MAX_AGE}"
    return response
