"""Results as downloads, streamed row by row so a big project never sits in memory."""

import io
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.text import slugify

from microwork.aggregation.ranking import project_ranking, ranking_record
from microwork.aggregation.results import TaskResult, iter_task_results
from microwork.lib.csvfile import csv_writer
from microwork.projects.interfaces import get_interface
from microwork.projects.models import Project

FORMATS = ("csv", "jsonl")
KINDS = ("results", "answers")
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}


class _Echo:
    def write(self, value: str) -> str:
        return value


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(type(value))


def input_columns(project: Project) -> list[str]:
    interface = get_interface(project.interface)
    return [
        *interface.input_fields_for(project.config),
        *interface.optional_fields_for(project.config),
    ]


def result_record(project: Project, result: TaskResult, columns: list[str]) -> dict[str, Any]:
    task = result.task
    record: dict[str, Any] = {"task_id": task.pk, "external_id": task.external_id}
    for name in columns:
        record[name] = task.data.get(name, "")
    record.update(
        {
            "is_gold": task.is_gold,
            "gold_answer": task.gold_answer if task.is_gold else None,
            "majority_label": result.majority_label,
            "agreement": result.agreement,
            "label": result.label,
            "value": result.value,
            "parts": result.parts,
            "confidence": result.confidence,
            "method": result.method,
            "stopped_early": result.stopped_early,
            "answers_count": result.answers_count,
            "answers": [
                {
                    "worker": a.worker,
                    "answer": a.answer,
                    "active_seconds": a.active_seconds,
                    "submitted_at": a.submitted_at,
                    "status": a.status,
                }
                for a in result.answers
            ],
        }
    )
    return record


def answer_records(result: TaskResult) -> Iterator[dict[str, Any]]:
    for a in result.answers:
        yield {
            "task_id": result.task.pk,
            "external_id": result.task.external_id,
            "worker": a.worker,
            "answer": a.label,
            "active_seconds": a.active_seconds,
            "submitted_at": a.submitted_at,
            "status": a.status,
            "counted": a.counted,
        }


def _records(project: Project, kind: str) -> Iterator[dict[str, Any]]:
    columns = input_columns(project)
    for result in iter_task_results(project=project):
        if kind == "results":
            yield result_record(project, result, columns)
        else:
            yield from answer_records(result)


def _csv_lines(project: Project, kind: str) -> Iterator[str]:
    writer = csv_writer(_Echo())
    if kind == "results":
        header = [
            "task_id",
            "external_id",
            *input_columns(project),
            "is_gold",
            "gold_answer",
            "majority_label",
            "agreement",
            "label",
            "confidence",
            "method",
            "stopped_early",
            "parts",
            "answers_count",
            "answers",
        ]
    else:
        header = [
            "task_id",
            "external_id",
            "worker",
            "answer",
            "active_seconds",
            "submitted_at",
            "status",
            "counted",
        ]
    yield "\ufeff" + writer.writerow(header)  # the BOM makes Excel read UTF-8
    for record in _records(project, kind):
        row = []
        for name in header:
            value = record.get(name)
            if name == "parts" and not value:
                value = ""
            elif name in ("answers", "gold_answer", "parts") and value is not None:
                value = json.dumps(value, default=_json_default, ensure_ascii=False)
            elif name == "submitted_at" and value is not None:
                value = value.isoformat()
            elif value is None:
                value = ""
            row.append(value)
        yield writer.writerow(row)


def _jsonl_lines(project: Project, kind: str) -> Iterator[str]:
    for record in _records(project, kind):
        yield json.dumps(record, default=_json_default, ensure_ascii=False) + "\n"


def export_response(*, project: Project, kind: str, fmt: str) -> StreamingHttpResponse:
    lines = _csv_lines(project, kind) if fmt == "csv" else _jsonl_lines(project, kind)
    response = StreamingHttpResponse(lines, content_type=CONTENT_TYPES[fmt])
    name = f"{slugify(project.name) or 'project'}-{project.pk}-{kind}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- rankings (projects that compare two items) ------------------------------------------------

RANKING_FORMATS = ("csv", "json")
RANKING_COLUMNS = (
    "rank",
    "item",
    "score",
    "std_error",
    "low",
    "high",
    "win_rate",
    "wins",
    "losses",
    "ties",
    "both_bad",
    "comparisons",
    "group",
)


def ranking_response(*, project: Project, fmt: str) -> HttpResponse:
    """The project's ranking as a file: one row per item, best first (CSV), or the whole
    ranking with how it was made (JSON)."""
    ranked = ranking_record(project_ranking(project=project))
    name = f"{slugify(project.name) or 'project'}-{project.pk}-ranking.{fmt}"
    if fmt == "json":
        body = json.dumps(ranked, ensure_ascii=False, indent=1)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    else:
        buffer = io.StringIO()
        writer = csv_writer(buffer)
        writer.writerow(RANKING_COLUMNS)
        for item in ranked["items"]:
            writer.writerow(["" if item[c] is None else item[c] for c in RANKING_COLUMNS])
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type=CONTENT_TYPES["csv"])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
