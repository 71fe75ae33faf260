"""Checking an upload's records against its project: each record becomes a task's fields
(a CleanRow) or problems naming the row, the field and the reason, collected in a
CheckReport so that one pass finds them all."""

import io
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

from microwork.lib.errors import ApplicationError
from microwork.lib.limits import InputLimitExceeded, json_loads_limited
from microwork.projects.interfaces import TaskInterface, get_interface
from microwork.projects.interfaces.base import RowError
from microwork.projects.models import Project
from microwork.projects.selectors import media_refs_by_name
from microwork.projects.uploads.reading import (
    FileProblem,
    Problem,
    Reader,
    Record,
    csv_records,
    json_records,
    jsonl_records,
    max_columns,
    max_row_bytes,
    row_too_long,
)

MAX_ERRORS = 100
MAX_ROWS = settings.MAX_UPLOAD_ROWS
MAX_EXTERNAL_ID = 200
PROGRESS_EVERY = 2_000
ID_COLUMNS = ("id", "external_id")
ANSWER_COLUMNS = ("answer", "gold_answer")
RESERVED_COLUMNS = (*ID_COLUMNS, *ANSWER_COLUMNS, "explanation", "priority")


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


class RowChecker:
    """Turns one record into a task's fields, or problems naming the field and the reason."""

    def __init__(self, project: Project, *, existing_ids: set[str]) -> None:
        self.interface: TaskInterface = get_interface(project.interface)
        self.config = project.config
        self.existing_ids = existing_ids
        self.seen_ids: dict[str, int] = {}
        self.required = self.interface.input_fields_for(self.config)
        self.known = {*self.required, *self.interface.optional_fields_for(self.config)}
        # A row may name one of the project's uploaded files ("cat-17.png", as in the ZIP
        # sent beside the file); it stands for that file's ref.
        self.media_refs = media_refs_by_name(project=project)

    def required_columns(self, columns: Iterable[str]) -> list[Problem]:
        present = set(columns)
        missing = [name for name in self.required if name not in present]
        problems = [
            Problem(None, name, _("Missing column %(name)s.") % {"name": name}, line=1)
            for name in missing
        ]
        groups = self.interface.input_groups_for(self.config)
        if groups and not any(all(name in present for name in group) for group in groups):
            names = list(dict.fromkeys(name for group in groups for name in group))
            # Named by the first column missing from the nearest alternative (a file with
            # a_text but no side B is missing b_text, not a_text).
            nearest = max(groups, key=lambda group: sum(name in present for name in group))
            problems.append(
                Problem(
                    None,
                    next(name for name in nearest if name not in present),
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
        if self.media_refs:
            record = {
                k: v if k in RESERVED_COLUMNS else self._media_ref(v) for k, v in record.items()
            }
        problems: list[Problem] = []

        data: dict[str, Any] = {}
        missing = [n for n in self.required if n not in record]
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

    def _media_ref(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.media_refs.get(value.strip(), value)
        return value

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
            raise row_too_long(None, 1)
        csv_records(Reader(io.BytesIO(first + b"\n")))
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
    reader = Reader(stream)
    try:
        records: Iterator[Record]
        if fmt == "csv":
            header, records = csv_records(reader)
            missing = checker.required_columns(header)
            if missing:
                raise FileProblem(*missing)
            report.ignored_columns = checker.ignored(header)
        elif fmt == "jsonl":
            records = jsonl_records(reader)
        else:
            records = json_records(reader)
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
