"""Where a page may send the browser back to. Every `next`, `back` and Referer a view follows
goes through `safe_next_url`, so an attacker's link cannot turn one of our pages into a
bounce to their site (an open redirect that lends phishing our domain)."""

from urllib.parse import unquote, urlsplit

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

# Longer than any page of ours; a huge value is refused rather than echoed into a header.
MAX_NEXT_LENGTH = 2000


def safe_next_url(value: object, *, default: str = "") -> str:
    """`value` when it is a path on this site, otherwise `default`.

    Only a path that starts with exactly one `/` passes. Browsers read `\\` as `/` and drop
    tabs and newlines, so `/\\evil.example` and `/<tab>/evil.example` mean `//evil.example`
    (another host); those characters are refused outright, and so is their percent-encoded
    form, since some servers and proxies decode once more before the browser sees it."""
    if not isinstance(value, str) or not value or len(value) > MAX_NEXT_LENGTH:
        return default
    decoded = value
    # Twice: `%255C` is `%5C` after one decoding and `\` after the second.
    for _round in range(2):
        decoded = unquote(decoded)
    for candidate in (value, decoded):
        if not candidate.startswith("/") or candidate.startswith("//"):
            return default
        if "\\" in candidate or any(ord(c) < 0x20 or ord(c) == 0x7F for c in candidate):
            return default
    if not url_has_allowed_host_and_scheme(value, allowed_hosts=None):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value


def safe_referer_path(request: HttpRequest, *, default: str = "") -> str:
    """The page the browser came from, as a path, when it is one of ours; else `default`."""
    referer = request.META.get("HTTP_REFERER", "")
    if not referer:
        return default
    try:
        parts = urlsplit(referer)
    except ValueError:
        return default
    if parts.scheme not in ("http", "https") or parts.netloc != request.get_host():
        return default
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return safe_next_url(path, default=default)
