"""The JSON 1.1 protocol's pieces every operation shares: its errors, reading parameters
(each problem a ParameterValidationError naming the parameter), pagination tokens and
timestamps as boto3 parses them (seconds since the epoch)."""

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from microwork.accounts.models import Organisation, User
from microwork.mturk.models import AccessKey

MAX_RESULTS = 100
DEFAULT_RESULTS = 10


class MturkError(Exception):
    """An error as MTurk gives it: `__type` is what boto3 shows as the ClientError's code."""

    def __init__(self, code: str, message: str, *, status: int = 400, turk_code: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.turk_code = turk_code or code

    def body(self) -> dict[str, Any]:
        return {"__type": self.code, "Message": self.message, "TurkErrorCode": self.turk_code}


def invalid(field: str, message: str) -> MturkError:
    return MturkError("ParameterValidationError", f"{field}: {message}", turk_code=field)


def request_error(message: str, turk_code: str = "AWS.MechanicalTurk.RequestError") -> MturkError:
    return MturkError("RequestError", message, turk_code=turk_code)


@dataclass(frozen=True)
class Context:
    user: User
    organisation: Organisation
    key: AccessKey
    now: datetime


def text(
    params: Mapping[str, Any],
    name: str,
    *,
    required: bool = False,
    max_length: int = 2000,
    default: str = "",
) -> str:
    value = params.get(name)
    if value is None:
        if required:
            raise invalid(name, "is required.")
        return default
    if not isinstance(value, str):
        raise invalid(name, "must be a string.")
    if required and not value.strip():
        raise invalid(name, "may not be empty.")
    if len(value) > max_length:
        raise invalid(name, f"is longer than {max_length} characters.")
    return value


def whole(
    params: Mapping[str, Any],
    name: str,
    *,
    low: int,
    high: int,
    required: bool = False,
    default: int | None = None,
) -> int | None:
    value = params.get(name)
    if value is None:
        if required:
            raise invalid(name, "is required.")
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(name, "must be a whole number.")
    if not low <= value <= high:
        raise invalid(name, f"must be from {low} to {high}.")
    return value


def flag(params: Mapping[str, Any], name: str, default: bool = False) -> bool:
    value = params.get(name)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise invalid(name, "must be true or false.")
    return value


def amount(params: Mapping[str, Any], name: str) -> Decimal:
    raw = text(params, name, required=True, max_length=20)
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise invalid(name, f"{raw!r} is not an amount such as 0.50.") from None
    if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
        raise invalid(name, f"{raw!r} is not an amount such as 0.50 (dollars and cents).")
    return value


def moment(params: Mapping[str, Any], name: str) -> datetime:
    from datetime import UTC

    value = params.get(name)
    if value is None:
        raise invalid(name, "is required.")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise invalid(name, "must be a timestamp.")
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise invalid(name, "is out of range.") from None


def stamp(value: datetime | None) -> float | None:
    """A timestamp as the JSON protocol carries it (boto3 turns it into a datetime)."""
    return value.timestamp() if value is not None else None


def money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


def page(params: Mapping[str, Any]) -> tuple[int, int]:
    """(offset, size) from NextToken and MaxResults."""
    size = whole(params, "MaxResults", low=1, high=MAX_RESULTS, default=DEFAULT_RESULTS)
    assert size is not None
    token = params.get("NextToken")
    if token is None:
        return 0, size
    if not isinstance(token, str) or len(token) > 255:
        raise invalid("NextToken", "is not a token this service gave.")
    try:
        offset = json.loads(base64.urlsafe_b64decode(token.encode()))["o"]
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise invalid("NextToken", "is not a token this service gave.") from None
    if not isinstance(offset, int) or offset < 0:
        raise invalid("NextToken", "is not a token this service gave.")
    return offset, size


def paged(rows: Sequence[Any], offset: int, size: int, key: str, shape: Any) -> dict[str, Any]:
    """A page of `rows` (already sliced to offset..offset+size+1) in MTurk's shape."""
    items = [shape(r) for r in list(rows)[:size]]
    out: dict[str, Any] = {"NumResults": len(items), key: items}
    if len(rows) > size:
        out["NextToken"] = base64.urlsafe_b64encode(
            json.dumps({"o": offset + size}).encode()
        ).decode()
    return out
