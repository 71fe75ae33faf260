"""Task media and uploaded files, behind signed addresses.

Nothing under MEDIA_ROOT (or in the media bucket) is served by its name alone. A page or API
response that shows a file (a task's picture) asks `media_url` for an address made for the
person viewing it: the file's name and that person's id, signed with the site's secret and a
timestamp. The address works for that person only (their session or their API token) and for
MEDIA_URL_MAX_AGE seconds.

Who may see a file a requester uploaded (a `MediaFile`) is checked twice: where the address is
made and again where the file is served — the members of the organisation that owns it,
operators, and the workers holding a task (an assignment) whose data uses it. Files the platform
wrote itself (the demo's pictures) carry the rule of the page that showed them: whoever builds
an address must first have let the viewer see the object that uses the file.

Task data refers to a platform file by its path under MEDIA_URL ("/media/demo/x.png"); any
other value (an https URL of the requester's own server) is shown as it is.

- addresses.py: names, signed addresses, the access check where they are made;
- serving.py: the view (signature, viewer, access again, ranges, strict headers; local disk or
  an S3-compatible bucket);
- sniffing.py: what a file is, from its first bytes;
- archives.py: the files of a ZIP, within the limits (count, sizes, ratio, names)."""

from microwork.projects.media.addresses import (
    clean_name,
    media_prefix,
    media_url,
    storage_name,
    task_data_for,
)
from microwork.projects.media.serving import serve_media, stored_file_response

__all__ = [
    "clean_name",
    "media_prefix",
    "media_url",
    "serve_media",
    "storage_name",
    "stored_file_response",
    "task_data_for",
]
