"""Bounds on what a user may send, checked in linear time before anything is stored.

Python's own parsers are not safe on hostile input: `json.loads` recurses once per level of
nesting (a deep enough document ends in RecursionError, a 500), `int()` of a long digit string
costs time quadratic in its length (CPython refuses more than 4,300 digits with a bare
ValueError), and a number that parses may still be too large for the database. Every JSON that
comes from outside — an API body, an uploaded file, an answer typed into a cell — goes through
`json_loads_limited`, which refuses these with a reason that says what was wrong.

The limits are settings (config/settings.py) so an operator can move them; the defaults are far
above what a real task needs.
"""

import json
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from ninja.parser import Parser

# A live task's deadline, the time a requester's system waits for a human answer: long
# enough for a person to read, accept and answer, short enough that a held connection is not a
# parked one (docs/live.md).
LIVE_DEADLINE_MIN_SECONDS = 5
LIVE_DEADLINE_MAX_SECONDS = 300
# What a live project's set-up may say about where its answers go.
LIVE_STATEMENT_MIN_CHARS = 20
LIVE_STATEMENT_MAX_CHARS = 2000


class InputLimitExceeded(ValueError):
    """A value is too deep, too long or too big, or holds what no text may; the message is
    shown to the sender, with the field when it is known."""

    def __init__(self, message: str, *, field: str = "body", code: str = "too_large") -> None:
        super().__init__(message)
        self.field = field
        self.code = code


def max_json_depth() -> int:
    return int(settings.JSON_MAX_DEPTH)


def max_number_digits() -> int:
    return int(settings.JSON_MAX_NUMBER_DIGITS)


def worker_file_max_bytes() -> int:
    """The largest file a worker may send with an answer (a photo, a recording)."""
    return int(settings.WORKER_FILE_MAX_BYTES)


def worker_upload_chunk_max_bytes() -> int:
    """The largest piece of a resumable upload one request may carry; below Django's body
    limit, so a piece is read whole without spooling."""
    return int(settings.WORKER_UPLOAD_CHUNK_MAX_BYTES)


def worker_upload_abandon_hours() -> int:
    """Hours an unfinished upload is kept for its page to resume it."""
    return int(settings.WORKER_UPLOAD_ABANDON_HOURS)


def _too_many_digits(text: str) -> InputLimitExceeded:
    limit = max_number_digits()
    return InputLimitExceeded(
        _("A number has more than %(n)d digits (it starts %(start)s…).")
        % {"n": limit, "start": text[:12]}
    )


def _number_parsers(digits: int) -> tuple[Callable[[str], int], Callable[[str], float]]:
    # The scanner hands each number over as its text, so the length is checked before any
    # conversion does quadratic work on it.
    def parse_int(text: str) -> int:
        if len(text) > digits + 1:  # one more for a sign
            raise _too_many_digits(text)
        return int(text)

    def parse_float(text: str) -> float:
        if len(text) > digits + 8:  # room for the sign, the point and an exponent
            raise _too_many_digits(text)
        value = float(text)
        if value in (float("inf"), float("-inf")):
            raise InputLimitExceeded(_("A number is too large: %(start)s…") % {"start": text[:12]})
        return value

    return parse_int, parse_float


def _refuse_constant(name: str) -> Any:
    # NaN and Infinity are not JSON, and PostgreSQL's jsonb refuses them.
    raise InputLimitExceeded(_("%(name)s is not a number JSON allows.") % {"name": name})


def _path(link: tuple[Any, ...] | None) -> str:
    keys: list[str] = []
    while link is not None:
        link, key = link
        keys.append(str(key))
    return ".".join(reversed(keys)) or "body"


def check_depth(value: Any, *, limit: int | None = None) -> None:
    """Refuse containers nested deeper than the limit, and text holding the NUL character
    (no database text column stores it: PostgreSQL refuses it outright); a walk without
    recursion, linear in the number of values. A value's path is a linked pair, built into
    words only for the refusal."""
    limit = max_json_depth() if limit is None else limit
    stack: list[tuple[Any, int, tuple[Any, ...] | None]] = [(value, 1, None)]
    while stack:
        item, depth, path = stack.pop()
        children: Iterable[tuple[Any, Any]]
        if isinstance(item, str):
            if "\x00" in item:
                raise InputLimitExceeded(
                    _("%(field)s: text may not contain the NUL character (\\u0000).")
                    % {"field": _path(path)},
                    field=_path(path),
                    code="invalid_text",
                )
            continue
        if isinstance(item, dict):
            for key in item:
                if isinstance(key, str) and "\x00" in key:
                    raise InputLimitExceeded(
                        _("A field name may not contain the NUL character (\\u0000)."),
                        field=_path(path),
                        code="invalid_text",
                    )
            children = item.items()
        elif isinstance(item, list | tuple):
            children = enumerate(item)
        else:
            continue
        if depth > limit:
            raise InputLimitExceeded(
                _("The JSON is nested more than %(n)d levels deep.") % {"n": limit}
            )
        stack.extend((child, depth + 1, (path, key)) for key, child in children)


def json_decoder() -> json.JSONDecoder:
    """A decoder whose numbers are bounded; pair it with `check_depth` on each value it returns."""
    parse_int, parse_float = _number_parsers(max_number_digits())
    return json.JSONDecoder(
        parse_int=parse_int, parse_float=parse_float, parse_constant=_refuse_constant
    )


def json_loads_limited(text: str | bytes) -> Any:
    """`json.loads` within the limits; raises json.JSONDecodeError for bad syntax and
    InputLimitExceeded for a document that is valid but out of bounds."""
    if isinstance(text, bytes | bytearray):
        text = text.decode("utf-8")
    try:
        value = json_decoder().decode(text)
    except RecursionError:
        raise InputLimitExceeded(
            _("The JSON is nested more than %(n)d levels deep.") % {"n": max_json_depth()}
        ) from None
    check_depth(value)
    return value


class LimitedJSONParser(Parser):
    """The API's body parser: the same bounds for every endpoint that takes JSON."""

    def parse_body(self, request: Any) -> Any:
        if not request.body:
            # No body at all (curl -X POST, a client's bare post): an endpoint whose body is
            # optional takes its defaults; one that needs a body says which fields are missing.
            return {}
        return json_loads_limited(request.body)
