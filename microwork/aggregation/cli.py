"""Aggregate a CSV of answers from the command line: ``python -m microwork.aggregation.cli``.

:func:`run_aggregate` is the whole command as a plain function (no Django) so that the
``microwork aggregate METHOD LABELS.csv [--gold GOLD.csv] [--classes a,b,c]`` management command
can wrap it.

Our own answers export (``…-answers.csv``) is read as it comes: its ``task_id``, ``worker`` and
``answer`` columns are found by name, rows whose ``counted`` column is false (rejected answers)
are skipped, and the export's spreadsheet-formula guard (a ``'`` put before a cell starting with
``= + - @``, tab or carriage return: microwork.lib.csvfile) is taken off again.
"""

from __future__ import annotations

import argparse
import codecs
import csv
import math
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from microwork.aggregation.algorithms import AggregationInputError, encode_rows
from microwork.aggregation.algorithms.registry import (
    UnknownAggregatorError,
    get_aggregator,
    kind_of,
    names,
)
from microwork.lib.csvfile import csv_writer, unescape_cell

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

# Accepted header spellings (compared case-insensitively); MTurk batch results name the
# columns WorkerId, HITId and Answer.<field>; our answers export names them worker, task_id,
# answer and counted.
WORKER_COLUMNS = ("worker", "workerid", "worker_id", "annotator")
TASK_COLUMNS = ("task", "hitid", "hit_id", "task_id", "item")
LABEL_COLUMNS = ("label", "answer")
COUNTED_COLUMNS = ("counted",)
NOT_COUNTED = {"false", "0", "no"}
# Kinds of input the command line can build from worker,task,label rows
CLI_KINDS = ("categorical", "text", "numeric")


class CliError(Exception):
    """A problem with the command's input, phrased for the person who typed it."""


def categorical_methods() -> list[str]:
    return [name for name in names() if kind_of(name) == "categorical"]


def cli_methods() -> list[str]:
    """Methods the command line takes: every categorical one, ``text`` and ``median``."""
    return [name for name in names() if kind_of(name) in CLI_KINDS]


def methods_help() -> str:
    others = [name for name in names() if kind_of(name) not in CLI_KINDS]
    text = (
        f"one of {', '.join(cli_methods())}; text prints each task's medoid answer, median "
        "prints each task's median with its spread (MAD and IQR)"
    )
    if others:
        text += f" ({', '.join(others)} takes other input and is not available here)"
    return text


def _find_column(header: list[str], accepted: tuple[str, ...], prefix: str | None) -> int | None:
    lowered = [h.strip().lower() for h in header]
    for name in accepted:
        if name in lowered:
            return lowered.index(name)
    if prefix is not None:
        matches = [i for i, h in enumerate(lowered) if h.startswith(prefix)]
        if len(matches) == 1:
            return matches[0]
    return None


@dataclass
class Table:
    values: dict[str, list[str]]
    lines: list[int] = field(default_factory=list)  # the line each kept row starts on


class _Lines:
    """Decode a file line by line, so a bad byte is reported on its own line.

    A text-mode file decodes in chunks ahead of the csv reader, which then blames whatever
    line it had reached; decoding each physical line as it is read keeps the count exact.
    """

    def __init__(self, handle, name: str) -> None:  # noqa: ANN001 - a binary file
        self.handle = handle
        self.name = name
        self.number = 0

    def __iter__(self) -> Iterator[str]:
        # a UTF-8 sequence never contains the newline byte, so every line decodes on its own
        for raw in self.handle:
            self.number += 1
            if self.number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as error:
                raise CliError(
                    f"{self.name} line {self.number}: not UTF-8 text "
                    f"(byte 0x{raw[error.start]:02x} at column {error.start + 1})"
                ) from None


def _read_table(
    path: Path,
    columns: dict[str, tuple[tuple[str, ...], str | None]],
    optional: dict[str, tuple[str, ...]] | None = None,
) -> Table:
    """Read the named columns; every problem is reported as "file line N: ...".

    ``columns`` maps a role to (accepted header names, accepted header prefix). A row whose
    optional ``counted`` column says false is skipped.
    """
    name = path.name
    try:
        handle = path.open("rb")
    except OSError as error:
        raise CliError(f"{path}: cannot open: {error.strerror}") from None
    with handle:
        lines = _Lines(handle, name)
        reader = csv.reader(lines)
        try:
            header = next(reader)
        except StopIteration:
            raise CliError(f"{name}: the file is empty") from None
        except csv.Error as error:
            raise CliError(f"{name} line 1: {error}") from None
        positions: dict[str, int] = {}
        for role, (accepted, prefix) in columns.items():
            found = _find_column(header, accepted, prefix)
            if found is None:
                raise CliError(
                    f"{name} line 1: no {role} column (expected one of "
                    f"{', '.join(accepted)}; header is {', '.join(header)})"
                )
            positions[role] = found
        counted = None
        for accepted in (optional or {}).values():
            counted = _find_column(header, accepted, None)
        table = Table({role: [] for role in columns})
        try:
            start = reader.line_num + 1
            for row in reader:
                line, start = start, reader.line_num + 1
                if not row or all(not cell.strip() for cell in row):
                    continue
                if len(row) != len(header):
                    raise CliError(
                        f"{name} line {line}: expected {len(header)} fields, got {len(row)}"
                    )
                if counted is not None and row[counted].strip().lower() in NOT_COUNTED:
                    continue
                for role, index in positions.items():
                    cell = unescape_cell(row[index].strip())
                    if not cell:
                        raise CliError(f"{name} line {line}: empty {role}")
                    table.values[role].append(cell)
                table.lines.append(line)
        except csv.Error as error:
            raise CliError(f"{name} line {reader.line_num}: {error}") from None
    return table


def _read_gold(gold_path: Path) -> tuple[list[str], list[str], list[int]]:
    """Gold (task, label) pairs with their lines; a repeated identical row is kept once."""
    table = _read_table(
        gold_path, {"task": (TASK_COLUMNS, None), "label": (LABEL_COLUMNS, "answer.")}
    )
    first: dict[str, tuple[str, int]] = {}
    tasks: list[str] = []
    labels: list[str] = []
    lines: list[int] = []
    for task, label, line in zip(
        table.values["task"], table.values["label"], table.lines, strict=True
    ):
        if task in first:
            known, known_line = first[task]
            if known != label:
                raise CliError(
                    f"{gold_path.name} lines {known_line} and {line}: task {task!r} has two "
                    f"gold labels, {known!r} and {label!r}"
                )
            continue
        first[task] = (label, line)
        tasks.append(task)
        labels.append(label)
        lines.append(line)
    return tasks, labels, lines


def _parse_classes(classes: str | Sequence[str] | None) -> list[str] | None:
    if classes is None:
        return None
    values = classes.split(",") if isinstance(classes, str) else list(classes)
    values = [v.strip() for v in values]
    if not values or any(not v for v in values):
        raise CliError("--classes: give the class names separated by commas, none empty")
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise CliError(f"--classes: {value!r} is listed twice")
        seen.add(value)
    return values


def run_aggregate(
    method: str,
    labels_path: str | Path,
    gold_path: str | Path | None = None,
    # Anything csv.writer can write to: a file, or a management command's self.stdout.
    out: SupportsWrite[str] | None = None,
    *,
    classes: str | Sequence[str] | None = None,
) -> int:
    """Aggregate ``labels_path`` with ``method`` and write one row per task to ``out``.

    Categorical methods and ``text`` write ``task,label,confidence`` (for ``text``, the
    medoid answer and its mean similarity to the task's answers); ``median`` writes
    ``task,median,mad,iqr,answers``. Tasks come out in order of first appearance. Raises
    :class:`CliError` for any problem with the input; returns 0 on success.
    """
    out = sys.stdout if out is None else out
    try:
        aggregate = get_aggregator(method)
    except UnknownAggregatorError:
        raise CliError(f"unknown method {method!r}; choose {methods_help()}") from None
    kind = kind_of(method)
    if kind not in CLI_KINDS:
        raise CliError(f"{method!r} does not take worker,task,label rows; choose {methods_help()}")
    declared = _parse_classes(classes)
    if kind != "categorical" and (declared is not None or gold_path is not None):
        option = "--classes" if declared is not None else "--gold"
        raise CliError(f"{option} is only used by the categorical methods, not by {method!r}")
    labels_path = Path(labels_path)
    table = _read_table(
        labels_path,
        {
            "worker": (WORKER_COLUMNS, None),
            "task": (TASK_COLUMNS, None),
            "label": (LABEL_COLUMNS, "answer."),
        },
        {"counted": COUNTED_COLUMNS},
    )
    values = table.values
    if not values["worker"]:
        raise CliError(f"{labels_path.name}: no answers after the header")
    writer = csv_writer(out, lineterminator="\n")
    if kind == "numeric":
        return _write_median(aggregate, labels_path.name, table, writer)
    if declared is not None:
        allowed = set(declared)
        for answer, line in zip(values["label"], table.lines, strict=True):
            if answer not in allowed:
                raise CliError(
                    f"{labels_path.name} line {line}: label {answer!r} is not among the "
                    f"declared classes ({', '.join(declared)})"
                )
    answers, book = encode_rows(values["worker"], values["task"], values["label"], classes=declared)
    if kind == "text":
        result = aggregate(answers, book.classes.tolist())
        confidence = result.extras["confidence"]
    else:
        gold = None
        if gold_path is not None:
            gold_path = Path(gold_path)
            gold_tasks, gold_labels, gold_lines = _read_gold(gold_path)
            gold = _encode_gold(book, gold_path, gold_tasks, gold_labels, gold_lines, declared)
        result = aggregate(answers, gold)
        confidence = result.confidence()
    writer.writerow(["task", "label", "confidence"])
    decoded = book.decode_labels(result.labels)
    for task, label, conf in zip(book.tasks.tolist(), decoded, confidence.tolist(), strict=True):
        writer.writerow([task, "" if label is None else label, f"{conf:.6f}"])
    return 0


def _encode_gold(book, gold_path: Path, tasks, labels, lines, declared):  # noqa: ANN001
    try:
        return book.encode_gold(tasks, labels)
    except AggregationInputError as error:
        # "gold row N" counts the kept rows; the person sees line numbers
        message = str(error)
        if message.startswith("gold row "):
            row, _, rest = message[len("gold row ") :].partition(":")
            line = lines[int(row)]
            message = f"{gold_path.name} line {line}:{rest}"
            if "not among the classes" in rest and declared is None:
                message += "; declare every class with --classes to allow it"
        raise CliError(message) from None


def _write_median(aggregate, name: str, table: Table, writer) -> int:  # noqa: ANN001
    numbers = []
    for label, line in zip(table.values["label"], table.lines, strict=True):
        try:
            number = float(label)
        except ValueError:
            raise CliError(f"{name} line {line}: {label!r} is not a number") from None
        if not math.isfinite(number):
            raise CliError(f"{name} line {line}: {label!r} is not a finite number")
        numbers.append(number)
    answers, book = encode_rows(table.values["worker"], table.values["task"], table.values["label"])
    result = aggregate(answers.task, answers.worker, numbers, n_tasks=answers.n_tasks)
    writer.writerow(["task", "median", "mad", "iqr", "answers"])
    for task, med, mad, iqr, count in zip(
        book.tasks.tolist(), result.values, result.mad, result.iqr, result.counts, strict=True
    ):
        writer.writerow([task, f"{med:g}", f"{mad:g}", f"{iqr:g}", int(count)])
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m microwork.aggregation.cli",
        description="Aggregate crowd answers (CSV with worker,task,label columns).",
    )
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return run_aggregate(args.method, args.labels, args.gold, classes=args.classes)
    except CliError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("method", help=methods_help())
    parser.add_argument(
        "labels",
        help="CSV of answers with worker, task and label columns (MTurk batch results and our "
        "own answers export are understood)",
    )
    parser.add_argument("--gold", help="CSV of known answers: task,label (categorical methods)")
    parser.add_argument(
        "--classes",
        help="every class, comma-separated, in order (categorical methods): a class nobody "
        "chose keeps a posterior and may be a gold label",
    )


if __name__ == "__main__":
    sys.exit(main())
