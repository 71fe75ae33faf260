"""Aggregate a CSV of answers from the command line: ``python -m microwork.aggregation.cli``.

:func:`run_aggregate` is the whole command as a plain function (no Django) so that the
``microwork aggregate METHOD LABELS.csv [--gold GOLD.csv]`` management command can wrap it.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from microwork.aggregation.algorithms import AggregationInputError, encode_rows
from microwork.aggregation.algorithms.registry import (
    UnknownAggregatorError,
    get_aggregator,
    kind_of,
    names,
)

# Accepted header spellings (compared case-insensitively); MTurk batch results name the
# columns WorkerId, HITId and Answer.<field>.
WORKER_COLUMNS = ("worker", "workerid", "worker_id", "annotator")
TASK_COLUMNS = ("task", "hitid", "hit_id", "task_id", "item")
LABEL_COLUMNS = ("label", "answer")


class CliError(Exception):
    """A problem with the command's input, phrased for the person who typed it."""


def categorical_methods() -> list[str]:
    return [name for name in names() if kind_of(name) == "categorical"]


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


def _read_table(
    path: Path, columns: dict[str, tuple[tuple[str, ...], str | None]]
) -> dict[str, list[str]]:
    """Read the named columns; every problem is reported as "file line N: ...".

    ``columns`` maps a role to (accepted header names, accepted header prefix).
    """
    name = path.name
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as error:
        raise CliError(f"{path}: cannot open: {error.strerror}") from None
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            raise CliError(f"{name}: the file is empty") from None
        except (csv.Error, UnicodeDecodeError) as error:
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
        values: dict[str, list[str]] = {role: [] for role in columns}
        try:
            for row in reader:
                if not row or all(not cell.strip() for cell in row):
                    continue
                if len(row) != len(header):
                    raise CliError(
                        f"{name} line {reader.line_num}: expected {len(header)} fields, "
                        f"got {len(row)}"
                    )
                for role, index in positions.items():
                    cell = row[index].strip()
                    if not cell:
                        raise CliError(f"{name} line {reader.line_num}: empty {role}")
                    values[role].append(cell)
        except (csv.Error, UnicodeDecodeError) as error:
            raise CliError(f"{name} line {reader.line_num}: {error}") from None
    return values


def run_aggregate(
    method: str,
    labels_path: str | Path,
    gold_path: str | Path | None = None,
    out: TextIO | None = None,
) -> int:
    """Aggregate ``labels_path`` with ``method`` and write ``task,label,confidence`` rows.

    Tasks come out in order of first appearance; confidence is the posterior of the chosen
    label. Raises :class:`CliError` for any problem with the input; returns 0 on success.
    """
    out = sys.stdout if out is None else out
    try:
        aggregate = get_aggregator(method)
    except UnknownAggregatorError:
        raise CliError(
            f"unknown method {method!r}; choose one of {', '.join(categorical_methods())}"
        ) from None
    if kind_of(method) != "categorical":
        raise CliError(
            f"{method!r} does not take worker,task,label rows; choose one of "
            f"{', '.join(categorical_methods())}"
        )
    labels_path = Path(labels_path)
    table = _read_table(
        labels_path,
        {
            "worker": (WORKER_COLUMNS, None),
            "task": (TASK_COLUMNS, None),
            "label": (LABEL_COLUMNS, "answer."),
        },
    )
    if not table["worker"]:
        raise CliError(f"{labels_path.name}: no answers after the header")
    answers, book = encode_rows(table["worker"], table["task"], table["label"])
    gold = None
    if gold_path is not None:
        gold_path = Path(gold_path)
        gold_table = _read_table(
            gold_path, {"task": (TASK_COLUMNS, None), "label": (LABEL_COLUMNS, "answer.")}
        )
        try:
            gold = book.encode_gold(gold_table["task"], gold_table["label"])
        except AggregationInputError as error:
            # "gold row N" counts data rows; the person sees line numbers (header is line 1)
            message = str(error)
            if message.startswith("gold row "):
                row, _, rest = message[len("gold row ") :].partition(":")
                message = f"{gold_path.name} line {int(row) + 2}:{rest}"
            raise CliError(message) from None
    result = aggregate(answers, gold)
    confidence = result.confidence()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["task", "label", "confidence"])
    decoded = book.decode_labels(result.labels)
    for task, label, conf in zip(book.tasks.tolist(), decoded, confidence.tolist(), strict=True):
        writer.writerow([task, "" if label is None else label, f"{conf:.6f}"])
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m microwork.aggregation.cli",
        description="Aggregate crowd answers (CSV with worker,task,label columns).",
    )
    parser.add_argument("method", help=f"one of {', '.join(categorical_methods())}")
    parser.add_argument("labels", help="CSV of answers: worker,task,label")
    parser.add_argument("--gold", help="CSV of known answers: task,label")
    args = parser.parse_args(argv)
    try:
        return run_aggregate(args.method, args.labels, args.gold)
    except CliError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
