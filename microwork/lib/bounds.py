"""Whole numbers a client sends, bounded where they are declared.

A number past what the database holds fails deep inside a query (PostgreSQL: bigint out of
range; SQLite: OverflowError above 2**63-1) and surfaces as a 500. Declaring the range on the
schema or parameter refuses it first, with a 422 that names it, and documents the range in the
OpenAPI document."""

import re
from typing import Annotated

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

# Primary keys are BigAutoField: positive, within a signed 64-bit integer.
MAX_ID = 2**63 - 1
# Counts, offsets and page numbers: anything a signed 32-bit column holds. No list the platform
# serves comes near it, and multiplied by a page size it stays far inside 64 bits.
MAX_COUNT = 2**31 - 1
# The most rows one page of a list returns.
MAX_PAGE_SIZE = 500
# The most ids one request may name: every id is a parameter of one SQL statement, and SQLite
# refuses a statement with more than 32,766.
MAX_IDS = 10_000

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
IdList = Annotated[list[Id], Field(max_length=MAX_IDS)]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
Offset = Annotated[int, Field(ge=0, le=MAX_COUNT)]
PageLimit = Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)]
PageNumber = Annotated[int, Field(ge=1, le=MAX_COUNT)]


class BoundedPageNumberPagination(PageNumberPagination):
    """ninja's page-number pagination with the page bounded: its own Input takes any page
    number, and (page - 1) × size becomes the SQL OFFSET. A page size above the endpoint's
    maximum is still cut down to it, as before."""

    class Input(Schema):
        page: PageNumber = 1
        page_size: Annotated[int, Field(ge=1, le=MAX_COUNT)] | None = None


_WHOLE = re.compile(r"-?[0-9]{1,19}")


def whole_number(value: object, *, low: int = 0, high: int = MAX_ID) -> int | None:
    """A whole number typed into a page's form or query string, or None when it is not one
    from `low` to `high` — for the views that read numbers without a Django form."""
    text = "" if value is None else str(value).strip()
    if not _WHOLE.fullmatch(text):
        return None
    number = int(text)
    return number if low <= number <= high else None
