"""Typed readers for settings that come from the environment."""

import os
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ImproperlyConfigured


def envstr(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return int(value)


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def envdecimal(name: str, default: str, *, maximum: Decimal) -> Decimal:
    """A non-negative decimal such as 8.00, refused at start-up when it is not a plain finite
    number at most `maximum`: a typo must stop the site, not reach every page as a 500."""
    raw = os.environ.get(name) or default
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value < 0 or value > maximum or "e" in raw.lower():
        raise ImproperlyConfigured(f"{name} must be a decimal from 0 to {maximum}, not {raw!r}.")
    return value
