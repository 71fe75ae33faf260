"""Task media and uploaded files, behind signed addresses.

Nothing under MEDIA_ROOT is served by its name alone. A page or API response that shows a
file (a task's picture) asks `media_url` for an address made for the person viewing it: the
file's name and that person's id, signed with the site's secret and a timestamp. The address
works for that person only (their session or their API token) and for MEDIA_URL_MAX_AGE
seconds. Whoever builds one must first have let the viewer see the object that uses the file
(the access helpers), so the rule "only the project's requesters and the workers holding a
task that uses it" is enforced where the task is shown, and the signature carries it to the
file.

Task data refers to a platform file by its path under MEDIA_URL ("/media/demo/x.png"); any
other value (an https URL of the requester's own server) is shown as it is."""

import mimetypes
import posixpath
import re
from collections.abc import Iterator
from typing import IO, Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from microwork.accounts.models import User
from microwork.accounts.selectors import api_token_by_key

SALT = "microwork.media"
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


def media_prefix() -> str:
    return "/" + settings.MEDIA_URL.strip("/") + "/"


def storage_name(value: Any) -> str | None:
    """The storage name a task's value refers to ("/media/demo/a.png" → "demo/a.png"), or
    None when it is not one of the platform's files (an outside URL, text, a number)."""
    if not isinstance(value, str) or not value.startswith(media_prefix()):
        return None
    name = value[len(media_prefix()) :].split("?", 1)[0].split("#", 1)[0]
    return clean_name(name)


def clean_name(name: str) -> str | None:
    """`name` if it is a plain relative path inside the storage, else None."""
    if not name or "\\" in name or "\x00" in name or name.startswith("/"):
        return None
    parts = name.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return None
    if posixpath.normpath(name) != name:
        return None
    return name


def media_url(value: Any, *, user: Any) -> Any:
    """What a page or an API response shows `user` for a task's value: a signed address
    when it names one of the platform's files; any other value unchanged. Call it only
    after an access helper has let `user` see the task (or answer) the value belongs to."""
    name = storage_name(value)
    if name is None:
        return value
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    token = signing.dumps([user.pk, name], salt=SALT, compress=True)
    return f"{reverse('media', kwargs={'path': name})}?t={token}"


def task_data_for(data: Any, *, user: Any) -> Any:
    """A task's data as `user` may see it: every platform file it names becomes a signed
    address (for API responses; templates use the `media_url` tag)."""
    if isinstance(data, dict):
        return {key: task_data_for(value, user=user) for key, value in data.items()}
    if isinstance(data, list):
        return [task_data_for(value, user=user) for value in data]
    return media_url(data, user=user)


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
    try:
        size = default_storage.size(name)
        file = default_storage.open(name, "rb")
    except (OSError, SuspiciousFileOperation):
        return _refused(404, _("No such file."))
    guessed, encoding = mimetypes.guess_type(name)
    inline = guessed in INLINE_TYPES and encoding is None
    content_type = guessed if inline and guessed else "application/octet-stream"
    wanted = _byte_range(request.headers.get("Range", ""), size)
    response: HttpResponseBase
    if wanted is False:
        file.close()
        response = _refused(416, _("That part of the file does not exist."))
        response["Content-Range"] = f"bytes */{size}"
        return response
    if isinstance(wanted, tuple):
        start, end = wanted
        response = StreamingHttpResponse(
            _chunks(file, start, end - start + 1), status=206, content_type=content_type
        )
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    else:
        response = FileResponse(file, content_type=content_type)
        response["Content-Length"] = str(size)
    response["Accept-Ranges"] = "bytes"
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=not inline, filename=posixpath.basename(name))
        or "attachment"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = MEDIA_CSP
    # The address is personal and short-lived: the viewer's browser may keep the file for
    # that long, no shared cache may.
    response["Cache-Control"] = f"private, max-age={settings.MEDIA_URL_MAX_AGE}"
    return response
