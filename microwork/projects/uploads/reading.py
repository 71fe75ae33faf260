"""Reading an uploaded task file: its format (CSV, a JSON array of objects, or JSON Lines)
from its name, type and first bytes, then its records one at a time as a stream, strictly
UTF-8, each with its row and line. Problems that stop the reading are FileProblems."""

import codecs
import csv
import json
import os
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

from microwork.lib.errors import ApplicationError
from microwork.lib.limits import InputLimitExceeded, check_depth, json_decoder, json_loads_limited

FORMATS = ("csv", "json", "jsonl")
EXTENSIONS = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl"}
CONTENT_TYPES = {
    "text/csv": "csv",
    "application/csv": "csv",
    "application/vnd.ms-excel": "csv",  # what some browsers send for .csv
    "application/json": "json",
    "text/json": "json",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/jsonlines": "jsonl",
    "application/x-jsonlines": "jsonl",
}
# Spreadsheets and archives are refused with a hint, not parsed as garbage.
SPREADSHEET_EXTENSIONS = {".xlsx", ".xls", ".xlsm", ".ods", ".numbers"}
READ_CHUNK = 64 * 1024


def max_columns() -> int:
    return int(settings.UPLOAD_MAX_COLUMNS)


def max_row_bytes() -> int:
    """One task's size in the file. It bounds the memory a row takes, and keeps every pass over
    a row (splitting lines, re-reading a JSON object cut by a chunk) linear in the file."""
    return int(settings.UPLOAD_MAX_ROW_BYTES)


def row_too_long(row: int | None, line: int | None) -> "FileProblem":
    return FileProblem(
        Problem(
            row,
            "row",
            _("Line %(line)d is longer than %(n)d bytes, the limit for one task.")
            % {"line": line or 0, "n": max_row_bytes()},
            line=line,
        )
    )


def _too_many_columns(count: int, line: int | None = 1) -> "FileProblem":
    return FileProblem(
        Problem(
            None,
            "columns",
            _(
                "The header has %(count)d columns; the limit is %(n)d. Remove the columns you do not need."
            )
            % {"count": count, "n": max_columns()},
            line=line,
        )
    )


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason a file is refused. `row` counts tasks from 1 (a CSV header is not a row);
    `line` is the line in the file where it is known; both are None for whole-file problems."""

    row: int | None
    field: str
    reason: str
    line: int | None = None

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"row": self.row, "field": self.field, "reason": self.reason}
        if self.line is not None:
            body["line"] = self.line
        return body


class FileProblem(Exception):
    """A problem that stops reading the file (encoding, syntax, missing columns)."""

    def __init__(self, *problems: Problem) -> None:
        super().__init__(problems[0].reason)
        self.problems = list(problems)


def refuse_file(message: str, *, code: str, field: str = "file") -> ApplicationError:
    return ApplicationError(message, code=code, field=field)


def detect_format(*, filename: str, content_type: str, head: bytes) -> str:
    """csv, json or jsonl from the extension, then the content type, then the first bytes; the
    content has the last word when it plainly contradicts the name (JSON Lines saved as .json)."""
    ext = os.path.splitext(filename or "")[1].lower()
    if (
        ext in SPREADSHEET_EXTENSIONS
        or head.startswith(b"PK\x03\x04")
        or head.startswith(b"\xd0\xcf\x11\xe0")
    ):
        raise refuse_file(
            _("This looks like a spreadsheet or archive. Save it as CSV (UTF-8) and upload that."),
            code="unsupported_format",
        )
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in head[:4096]:
        raise refuse_file(
            _("The file is not UTF-8 (it looks like UTF-16). Save it as UTF-8 and upload again."),
            code="not_utf8",
        )
    fmt = EXTENSIONS.get(ext) or CONTENT_TYPES.get((content_type or "").split(";")[0].strip())
    start = head.removeprefix(codecs.BOM_UTF8).lstrip()[:1]
    if fmt in ("json", "jsonl", None) and start == b"[":
        return "json"
    if fmt in ("json", None) and start == b"{":
        return "jsonl"
    if fmt is None:
        if ext in ("", ".txt", ".tsv") and start and start not in (b"[", b"{"):
            return "csv"
        raise refuse_file(
            _(
                "Unsupported file type %(name)s. Upload CSV, JSON (an array of objects) or JSON Lines."
            )
            % {"name": filename or content_type or "?"},
            code="unsupported_format",
        )
    return fmt


class Reader:
    """Binary chunks → decoded lines, strictly UTF-8 (a BOM is allowed), counting bytes so a
    background job can show progress and a bad byte can be located."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.bytes_read = 0
        # Bytes of the line `lines()` yielded last.
        self.line_bytes = 0

    def chunks(self) -> Iterator[bytes]:
        while True:
            chunk = self.stream.read(READ_CHUNK)
            if not chunk:
                return
            self.bytes_read += len(chunk)
            yield chunk

    def lines(self) -> Iterator[tuple[int, str]]:
        """Lines of at most `max_row_bytes()`: a longer one ends the file there, before an
        endless line makes every chunk re-copy and re-split everything read so far."""
        limit = max_row_bytes()
        offset = 0
        lineno = 0
        pending = b""
        first = True
        for chunk in self.chunks():
            pending += chunk
            if first and len(pending) >= 3:
                first = False
                if pending.startswith(codecs.BOM_UTF8):
                    pending = pending[3:]
                    offset = 3
            *complete, pending = pending.split(b"\n")
            for raw in complete:
                lineno += 1
                if len(raw) > limit:
                    raise row_too_long(None, lineno)
                self.line_bytes = len(raw) + 1
                yield lineno, self._decode(raw + b"\n", offset, lineno)
                offset += len(raw) + 1
            if len(pending) > limit:
                raise row_too_long(None, lineno + 1)
        if pending:
            if first and pending.startswith(codecs.BOM_UTF8):
                pending = pending[3:]
                offset = 3
            lineno += 1
            self.line_bytes = len(pending)
            yield lineno, self._decode(pending, offset, lineno)

    def texts(self) -> Iterator[str]:
        """The file as decoded pieces of text, each at most a chunk long, strictly UTF-8."""
        decoder = codecs.getincrementaldecoder("utf-8")()
        offset = 0  # bytes of the file before `chunk`
        newlines = 0
        head = b""
        for chunk in self.chunks():
            if offset == 0 and len(head) + len(chunk) < 3:
                head += chunk
                continue
            chunk, head = head + chunk, b""
            if offset == 0 and chunk.startswith(codecs.BOM_UTF8):
                chunk, offset = chunk[3:], 3
            pending = decoder.getstate()[0]
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                data = pending + chunk
                byte = offset - len(pending) + exc.start
                raise _not_utf8(byte, newlines + data.count(b"\n", 0, exc.start) + 1) from None
            offset += len(chunk)
            newlines += chunk.count(b"\n")
            if text:
                yield text
        try:
            text = decoder.decode(head.removeprefix(codecs.BOM_UTF8), final=True)
        except UnicodeDecodeError:
            raise _not_utf8(max(offset - len(decoder.getstate()[0]), 0), newlines + 1) from None
        if text:
            yield text

    @staticmethod
    def _decode(raw: bytes, offset: int, lineno: int) -> str:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _not_utf8(offset + exc.start, lineno) from None


def _not_utf8(byte: int, line: int) -> FileProblem:
    return FileProblem(
        Problem(
            None,
            "file",
            _(
                "The file is not UTF-8: byte %(byte)d (line %(line)d) is not valid UTF-8. "
                "Save it as “CSV UTF-8” and upload again."
            )
            % {"byte": byte, "line": line},
            line=line,
        )
    )


Record = tuple[int, int | None, Mapping[str, Any]]  # row, line, values


def csv_records(reader: Reader) -> tuple[list[str], Iterator[Record]]:
    lines = reader.lines()
    line_numbers: list[int] = [0]
    # Bytes of the lines read since the last record: a quoted value may span lines.
    record_bytes: list[int] = [0]

    def texts() -> Iterator[str]:
        for lineno, text in lines:
            line_numbers[0] = lineno
            record_bytes[0] += reader.line_bytes
            yield text

    text_iter = texts()
    header_line = next((t for t in text_iter if t.strip()), None)
    if header_line is None:
        raise FileProblem(Problem(None, "file", _("The file is empty.")))
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    header_row = next(csv.reader([header_line], delimiter=delimiter))
    if len(header_row) > max_columns():
        raise _too_many_columns(len(header_row), line_numbers[0])
    header = [h.strip().lower() for h in header_row]
    # One pass with a counter: `header.count()` per column was quadratic (20,000 columns took
    # 17 seconds).
    seen = Counter(header)
    dupes = sorted(h for h, n in seen.items() if n > 1 and h)
    if dupes:
        raise FileProblem(
            Problem(
                None,
                dupes[0],
                _("Column %(name)s appears more than once in the header.") % {"name": dupes[0]},
                line=1,
            )
        )

    def records() -> Iterator[Record]:
        row = 0
        limit = max_row_bytes()
        try:
            record_bytes[0] = 0
            for values in csv.reader(text_iter, delimiter=delimiter, strict=True):
                size, record_bytes[0] = record_bytes[0], 0
                if not values or all(not v.strip() for v in values):
                    continue
                row += 1
                if size > limit:
                    raise row_too_long(row, line_numbers[0])
                if len(values) != len(header):
                    yield (
                        row,
                        line_numbers[0],
                        {
                            "__width__": _(
                                "has %(n)d values but the header has %(m)d columns "
                                "(a quote or a delimiter is probably missing)"
                            )
                            % {"n": len(values), "m": len(header)}
                        },
                    )
                    continue
                yield row, line_numbers[0], dict(zip(header, values, strict=True))
        except csv.Error as exc:
            raise FileProblem(
                Problem(
                    row + 1,
                    "file",
                    _("CSV syntax error: %(error)s") % {"error": exc},
                    line=line_numbers[0],
                )
            ) from None

    return header, records()


def jsonl_records(reader: Reader) -> Iterator[Record]:
    row = 0
    for lineno, text in reader.lines():
        if not text.strip():
            continue
        row += 1
        try:
            value = json_loads_limited(text)
        except json.JSONDecodeError as exc:
            yield row, lineno, {"__json__": _("is not valid JSON: %(error)s") % {"error": exc.msg}}
            continue
        except InputLimitExceeded as exc:
            yield row, lineno, {"__json__": str(exc)}
            continue
        yield row, lineno, value


_WHITESPACE = re.compile(r"[ \t\n\r]*")


class _JsonArray:
    """The tasks of a top-level JSON array, one at a time: `json.JSONDecoder.raw_decode` over a
    buffer that holds the task being read and the rest of the current chunk, never the file.
    Tracks lines and columns so a syntax error is located in the file."""

    def __init__(self, reader: Reader) -> None:
        self.pieces = reader.texts()
        self.buffer = ""
        self.pos = 0
        self.eof = False
        self.line = 1  # the line of buffer[pos]
        self.column = 1  # and its column, counted in characters
        self.decoder = json_decoder()
        self.max_chars = max_row_bytes()

    def more(self) -> bool:
        """Drop what has been read, append the next piece; False at the end of the file."""
        if self.eof:
            return False
        piece = next(self.pieces, None)
        if piece is None:
            self.eof = True
            return False
        self.buffer = self.buffer[self.pos :] + piece
        self.pos = 0
        return True

    def advance(self, end: int) -> None:
        newlines = self.buffer.count("\n", self.pos, end)
        if newlines:
            self.line += newlines
            self.column = end - self.buffer.rfind("\n", self.pos, end)
        else:
            self.column += end - self.pos
        self.pos = end

    def where(self, index: int) -> tuple[int, int]:
        """Line and column of buffer[index] (index ≥ pos)."""
        newlines = self.buffer.count("\n", self.pos, index)
        if not newlines:
            return self.line, self.column + index - self.pos
        return self.line + newlines, index - self.buffer.rfind("\n", self.pos, index)

    def next_char(self) -> str:
        """The next character that is not whitespace ("" at the end), not consumed."""
        while True:
            blank = _WHITESPACE.match(self.buffer, self.pos)
            self.advance(blank.end() if blank else self.pos)
            if self.pos < len(self.buffer):
                return self.buffer[self.pos]
            if not self.more():
                return ""

    def value(self, row: int) -> Any:
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buffer, self.pos)
                check_depth(value)
            except (InputLimitExceeded, RecursionError) as exc:
                line, _column = self.where(self.pos)
                reason = (
                    str(exc)
                    if isinstance(exc, InputLimitExceeded)
                    else _("The JSON is nested too deeply.")
                )
                raise self.problem(row, reason, line=line, field="row") from None
            except json.JSONDecodeError as exc:
                # The task may only be cut by the end of the piece read so far: then the error
                # is at the end of the buffer, or is a string still open there.
                cut = exc.pos >= len(self.buffer) - 6 or exc.msg.startswith("Unterminated")
                if cut and len(self.buffer) - self.pos <= self.max_chars and self.more():
                    continue
                if cut and not self.eof:
                    raise self.problem(
                        row,
                        _("is longer than %(n)d characters, or its JSON is not closed")
                        % {"n": self.max_chars},
                        field="row",
                    ) from None
                line, column = self.where(exc.pos)
                raise self.problem(
                    row,
                    _("Not valid JSON at line %(line)d, column %(col)d: %(error)s")
                    % {"line": line, "col": column, "error": exc.msg},
                    line=line,
                ) from None
            # A number at the end of the buffer may go on in the next piece.
            if end == len(self.buffer) and self.more():
                continue
            self.advance(end)
            return value

    def problem(
        self, row: int | None, reason: str, *, line: int | None = None, field: str = "file"
    ) -> FileProblem:
        return FileProblem(Problem(row, field, reason, line=line or self.line))

    def records(self) -> Iterator[Record]:
        first = self.next_char()
        if first == "":
            raise FileProblem(Problem(None, "file", _("The file is empty.")))
        if first != "[":
            raise self.problem(None, _("A JSON file must be an array of objects: [{…}, {…}]."))
        self.advance(self.pos + 1)
        row = 0
        start = self.next_char()
        if start == "]":
            self.advance(self.pos + 1)
        elif start == "":
            raise self.problem(None, _("The JSON array is not closed: “]” is missing."))
        else:
            while True:
                line = self.line
                value = self.value(row + 1)
                row += 1
                yield row, line, value
                after = self.next_char()
                if after == "]":
                    self.advance(self.pos + 1)
                    break
                if after == "":
                    raise self.problem(
                        row,
                        _("The JSON array is not closed: “]” is missing after row %(row)d.")
                        % {"row": row},
                    )
                if after != ",":
                    raise self.problem(
                        row,
                        _(
                            "Expected “,” or “]” after row %(row)d, at line %(line)d, column %(col)d."
                        )
                        % {"row": row, "line": self.line, "col": self.column},
                    )
                self.advance(self.pos + 1)
                if self.next_char() in ("]", ""):
                    raise self.problem(
                        row,
                        _("Expected another task after row %(row)d and its “,”, at line %(line)d.")
                        % {"row": row, "line": self.line},
                    )
        if self.next_char() != "":
            raise self.problem(
                None,
                _("Unexpected text after the array, at line %(line)d, column %(col)d.")
                % {"line": self.line, "col": self.column},
            )


def json_records(reader: Reader) -> Iterator[Record]:
    return _JsonArray(reader).records()
