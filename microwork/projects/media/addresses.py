"""Platform file names in task data, and the signed, personal addresses pages show for them."""

import posixpath
from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse

from microwork.projects.access import access_media_visible

SALT = "microwork.media"
# Storage folders of files the generic media view never serves: workers' files (a photo, a
# recording) are served by the work app to their worker and the project's requester only.
PRIVATE_PREFIXES = ("worker-files/", "worker-uploads/")


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
    if name.startswith(PRIVATE_PREFIXES):
        return None
    return name


def sign(user_id: int, name: str) -> str:
    return signing.dumps([user_id, name], salt=SALT, compress=True)


def media_url(value: Any, *, user: Any) -> Any:
    """What a page or an API response shows `user` for a task's value: a signed address
    when it names one of the platform's files; any other value unchanged. Call it only
    after an access helper has let `user` see the task (or answer) the value belongs to; an
    uploaded file `user` may not see (another organisation's) gets no address at all ("")."""
    name = storage_name(value)
    if name is None:
        return value
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    if not access_media_visible(user=user, name=name):
        return ""
    return f"{reverse('media', kwargs={'path': name})}?t={sign(user.pk, name)}"


def task_data_for(data: Any, *, user: Any) -> Any:
    """A task's data as `user` may see it: every platform file it names becomes a signed
    address (for API responses; templates use the `media_url` tag)."""
    if isinstance(data, dict):
        return {key: task_data_for(value, user=user) for key, value in data.items()}
    if isinstance(data, list):
        return [task_data_for(value, user=user) for value in data]
    return media_url(data, user=user)
