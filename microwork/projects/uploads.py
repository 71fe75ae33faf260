"""Reading uploaded task files: CSV, a JSON array of objects, or JSON Lines.

A file is read twice, both times as a stream: the first pass checks every row and collects
problems (nothing is written), the second pass — only for a file without problems — inserts
the tasks in chunks inside one transaction. Holding no cleaned rows in memory between passes
keeps a 100,000-row file within a few megabytes, and the write lock is held only while
inserting.
"""

import codecs
import csv
import io
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

from microwork.lib.errors import ApplicationError
from microwork.lib.limits import InputLimitExceeded, check_depth, json_decoder, json_loads_limited
from microwork.projects.interfaces import TaskInterface, get_interface
from microwork.projects.interfaces.base import RowError
from microwork.projects.models import Project

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
MAX_ERRORS = 100
MAX_ROWS = settings.MAX_UPLOAD_ROWS
MAX_EXTERNAL_ID = 200
READ_CHUNK = 64 * 1024
PROGRESS_EVERY = 2_000


def max_columns() -> int:
    return int(settings.UPLOAD_MAX_COLUMNS)


def max_row_bytes() -> int:
    """One task's size in the file. It bounds the memory a row takes, and keeps every pass over
    a row (splitting lines, re-reading a JSON object cut by a chunk) linear in the file."""
    return int(settings.UPLOAD_MAX_ROW_BYTES)


def _row_too_long(row: int | None, line: int | None) -> "FileProblem":
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


ID_COLUMNS = ("id", "external_id")
ANSWER_COLUMNS = ("answer", "gold_answer")
RESERVED_COLUMNS = (*ID_COLUMNS, *ANSWER_COLUMNS, "explanation", "priority")


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


@dataclass(slots=True)
class CleanRow:
    row: int
    external_id: str
    data: dict[str, Any]
    is_gold: bool
    gold_answer: Any
    explanation: str
    priority: int


@dataclass
class CheckReport:
    rows: int = 0
    gold: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    errors_total: int = 0
    ignored_columns: list[str] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        self.errors_total += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(problem.as_dict())

    @property
    def ok(self) -> bool:
        return self.errors_total == 0


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


class _Reader:
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
                    raise _row_too_long(None, lineno)
                self.line_bytes = len(raw) + 1
                yield lineno, self._decode(raw + b"\n", offset, lineno)
                offset += len(raw) + 1
            if len(pending) > limit:
                raise _row_too_long(None, lineno + 1)
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


def _csv_records(reader: _Reader) -> tuple[list[str], Iterator[Record]]:
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
                    raise _row_too_long(row, line_numbers[0])
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


def _jsonl_records(reader: _Reader) -> Iterator[Record]:
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

    def __init__(self, reader: _Reader) -> None:
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


def _json_records(reader: _Reader) -> Iterator[Record]:
    return _JsonArray(reader).records()


class RowChecker:
    """Turns one record into a task's fields, or problems naming the field and the reason."""

    def __init__(self, project: Project, *, existing_ids: set[str]) -> None:
        self.interface: TaskInterface = get_interface(project.interface)
        self.config = project.config
        self.existing_ids = existing_ids
        self.seen_ids: dict[str, int] = {}
        self.known = {*self.interface.input_fields, *self.interface.optional_fields}

    def required_columns(self, columns: Iterable[str]) -> list[Problem]:
        present = set(columns)
        missing = [name for name in self.interface.input_fields if name not in present]
        problems = [
            Problem(None, name, _("Missing column %(name)s.") % {"name": name}, line=1)
            for name in missing
        ]
        groups = self.interface.input_groups
        if groups and not any(all(name in present for name in group) for group in groups):
            names = [name for group in groups for name in group]
            problems.append(
                Problem(
                    None,
                    names[0],
                    _("Missing column: the file needs %(names)s.") % {"names": " or ".join(names)},
                    line=1,
                )
            )
        return problems

    def ignored(self, columns: Iterable[str]) -> list[str]:
        return [c for c in columns if c and c not in self.known and c not in RESERVED_COLUMNS]

    def check(
        self, row: int, line: int | None, record: Any
    ) -> tuple[CleanRow | None, list[Problem]]:
        def problem(name: str, reason: str) -> Problem:
            return Problem(row, name, str(reason), line=line)

        if isinstance(record, Mapping) and "__width__" in record:
            return None, [problem("row", record["__width__"])]
        if isinstance(record, Mapping) and "__json__" in record:
            return None, [problem("row", record["__json__"])]
        if not isinstance(record, Mapping):
            return None, [problem("row", _("must be an object with named fields"))]
        if len(record) > max_columns():
            return None, [
                problem(
                    "row",
                    _("has %(count)d fields; the limit is %(n)d")
                    % {"count": len(record), "n": max_columns()},
                )
            ]
        record = {str(k).strip().lower(): v for k, v in record.items()}
        problems: list[Problem] = []

        data: dict[str, Any] = {}
        missing = [n for n in self.interface.input_fields if n not in record]
        if missing:
            problems.extend(problem(n, _("is missing")) for n in missing)
        else:
            try:
                data = self.interface.check_input(self.config, _as_text(record))
            except RowError as exc:
                problems.append(problem(exc.field, exc.reason))

        external_id = _first(record, ID_COLUMNS)
        external_id = "" if external_id is None else str(external_id).strip()
        if len(external_id) > MAX_EXTERNAL_ID:
            problems.append(
                problem("id", _("is longer than %(n)d characters") % {"n": MAX_EXTERNAL_ID})
            )
        elif external_id:
            if external_id in self.seen_ids:
                problems.append(
                    problem(
                        "id",
                        _("%(id)s is also the id of row %(other)d")
                        % {"id": external_id, "other": self.seen_ids[external_id]},
                    )
                )
            elif external_id in self.existing_ids:
                problems.append(
                    problem(
                        "id",
                        _("%(id)s is already the id of a task in this project")
                        % {"id": external_id},
                    )
                )
            else:
                self.seen_ids[external_id] = row

        priority = 0
        raw_priority = record.get("priority")
        if raw_priority not in (None, ""):
            try:
                if isinstance(raw_priority, (bool, float)):
                    raise ValueError
                priority = int(str(raw_priority).strip())
                if not -1_000_000 <= priority <= 1_000_000:
                    raise ValueError
            except ValueError:
                problems.append(
                    problem("priority", _("must be a whole number between -1000000 and 1000000"))
                )

        gold_answer: Any = None
        raw_answer = _first(record, ANSWER_COLUMNS)
        is_gold = raw_answer is not None and raw_answer != ""
        if is_gold and data:
            try:
                gold_answer = self._answer(data, raw_answer)
            except ApplicationError as exc:
                problems.append(problem("answer", exc.message))
        explanation = str(record.get("explanation") or "").strip()
        if explanation and not is_gold:
            problems.append(problem("explanation", _("is only for gold rows (give an answer too)")))

        if problems:
            return None, problems
        return (
            CleanRow(row, external_id, data, is_gold, gold_answer, explanation, priority),
            [],
        )

    def _answer(self, data: dict[str, Any], raw: Any) -> Any:
        if isinstance(raw, str):
            text = raw.strip()
            if text[:1] in ("[", "{"):
                try:
                    raw = json_loads_limited(text)
                except json.JSONDecodeError:
                    raw = text
                except InputLimitExceeded as exc:
                    raise ApplicationError(str(exc), field="answer") from None
            else:
                raw = text
        try:
            return self.interface.check_answer(self.config, data, raw)
        except ApplicationError:
            # "a|b" is how a spreadsheet writes a multiple-choice answer.
            if isinstance(raw, str) and "|" in raw:
                parts = [p.strip() for p in raw.split("|") if p.strip()]
                return self.interface.check_answer(self.config, data, parts)
            raise


def _first(record: Mapping[str, Any], names: Iterable[str]) -> Any:
    for name in names:
        value = record.get(name)
        if value is not None and value != "":
            return value
    return None


def _as_text(record: Mapping[str, Any]) -> dict[str, Any]:
    return {k: ("" if v is None else v) for k, v in record.items()}


def check_csv_header(*, stream: IO[bytes], report: CheckReport) -> None:
    """The header's length and width, read before a big file is saved for the background job:
    a file refused for its shape is never stored. Leaves the stream where it was."""
    start = stream.tell()
    head = stream.read(max_row_bytes() + 4)
    stream.seek(start)
    first = head.split(b"\n", 1)[0]
    try:
        if len(first) > max_row_bytes():
            raise _row_too_long(None, 1)
        _csv_records(_Reader(io.BytesIO(first + b"\n")))
    except FileProblem as exc:
        for p in exc.problems:
            report.add(p)


def iter_clean_rows(
    *,
    project: Project,
    fmt: str,
    stream: IO[bytes],
    size: int,
    existing_ids: set[str],
    report: CheckReport,
    on_progress: Callable[[int, int], None] | None = None,
) -> Iterator[CleanRow]:
    """Yields every clean row and records every problem in `report`; raises nothing for row
    problems, so one pass finds them all. Whole-file problems end the pass (and are recorded)."""
    checker = RowChecker(project, existing_ids=existing_ids)
    reader = _Reader(stream)
    try:
        records: Iterator[Record]
        if fmt == "csv":
            header, records = _csv_records(reader)
            missing = checker.required_columns(header)
            if missing:
                raise FileProblem(*missing)
            report.ignored_columns = checker.ignored(header)
        elif fmt == "jsonl":
            records = _jsonl_records(reader)
        else:
            records = _json_records(reader)
        ignored: dict[str, None] = {}
        for row, line, record in records:
            if row > MAX_ROWS:
                raise FileProblem(
                    Problem(
                        row,
                        "file",
                        _("The file has more than %(n)d rows; split it into several uploads.")
                        % {"n": MAX_ROWS},
                        line=line,
                    )
                )
            report.rows = row
            if (
                fmt != "csv"
                and isinstance(record, Mapping)
                and len(ignored) < 20
                and len(record) <= max_columns()
            ):
                for name in checker.ignored(str(k).strip().lower() for k in record):
                    ignored.setdefault(name)
            clean, problems = checker.check(row, line, record)
            for p in problems:
                report.add(p)
            if clean is not None:
                if clean.is_gold:
                    report.gold += 1
                yield clean
            if on_progress is not None and row % PROGRESS_EVERY == 0:
                on_progress(row, reader.bytes_read)
        if fmt != "csv":
            report.ignored_columns = list(ignored)
        if report.rows == 0 and report.ok:
            raise FileProblem(Problem(None, "file", _("The file has no tasks in it.")))
    except FileProblem as exc:
        for p in exc.problems:
            report.add(p)
    if on_progress is not None:
        on_progress(report.rows, reader.bytes_read)


def iter_clean_records(
    *, project: Project, records: list[Any], existing_ids: set[str], report: CheckReport
) -> Iterator[CleanRow]:
    """The same checks for tasks sent as JSON in an API request body."""
    checker = RowChecker(project, existing_ids=existing_ids)
    if not records:
        report.add(Problem(None, "tasks", _("Send at least one task.")))
        return
    ignored: dict[str, None] = {}
    for row, record in enumerate(records, start=1):
        report.rows = row
        if isinstance(record, Mapping) and len(record) <= max_columns():
            for name in checker.ignored(str(k).strip().lower() for k in record):
                ignored.setdefault(name)
        clean, problems = checker.check(row, None, record)
        for p in problems:
            report.add(p)
        if clean is not None:
            if clean.is_gold:
                report.gold += 1
            yield clean
    report.ignored_columns = list(ignored)[:20]
