"""Workers' files as a download: a manifest (one row per file that is part of an answer: task,
worker, ref, type, size, what was measured, checksum) and one ZIP of the manifest and the
files, streamed as it is written so a project of a thousand recordings never sits in memory
or on disk (docs/workers-files.md)."""

import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

from django.core.files.storage import default_storage
from django.http import StreamingHttpResponse
from django.utils.text import slugify

from microwork.lib.csvfile import csv_writer
from microwork.projects.models import Project
from microwork.work.models import WorkerFile
from microwork.work.selectors import worker_files_of_project

COLUMNS = (
    "task_id",
    "external_id",
    "worker",
    "field",
    "ref",
    "path",
    "content_type",
    "size_bytes",
    "sha256",
    "facts",
    "completed_at",
)
CHUNK = 1024 * 1024


def _path(file: WorkerFile) -> str:
    """Where the file is in the ZIP: a folder per task, named by the ref (never a name the
    worker gave)."""
    task = file.assignment.task
    extension = file.storage_name.rsplit(".", 1)[-1]
    return f"files/{task.pk}/{file.ref}.{extension}"


def manifest_rows(project: Project) -> Iterator[dict[str, Any]]:
    for file in worker_files_of_project(project=project).iterator(chunk_size=500):
        task = file.assignment.task
        yield {
            "task_id": task.pk,
            "external_id": task.external_id,
            "worker": file.worker.username,
            "field": file.field,
            "ref": file.ref,
            "path": _path(file),
            "content_type": file.content_type,
            "size_bytes": file.size_bytes,
            "sha256": file.sha256,
            "facts": file.facts,
            "completed_at": file.completed_at.isoformat() if file.completed_at else "",
        }


def _csv(rows: list[dict[str, Any]] | Iterator[dict[str, Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(COLUMNS)
    yield "\ufeff" + buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(
            [json.dumps(row[c], sort_keys=True) if c == "facts" else row[c] for c in COLUMNS]
        )
        yield buffer.getvalue()


def _name(project: Project, what: str) -> str:
    return f"{slugify(project.name) or 'project'}-{project.pk}-{what}"


def manifest_response(*, project: Project, fmt: str) -> StreamingHttpResponse:
    if fmt == "json":
        body: Iterator[str] = iter([json.dumps(list(manifest_rows(project)), ensure_ascii=False)])
        content_type = "application/json; charset=utf-8"
    else:
        body = _csv(manifest_rows(project))
        content_type = "text/csv; charset=utf-8"
    response = StreamingHttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{_name(project, "files")}.{fmt}"'
    return response


class _Pipe(io.RawIOBase):
    """What the ZIP writer writes, handed on as it comes (a stream it cannot seek, so it
    writes each entry's sizes after the entry)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        out = b"".join(self.parts)
        self.parts = []
        return out


def _zip(project: Project) -> Iterator[bytes]:
    pipe = _Pipe()
    rows = list(manifest_rows(project))
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("manifest.csv", "".join(_csv(rows)))
        archive.writestr("manifest.json", json.dumps(rows, ensure_ascii=False, indent=1))
        yield pipe.take()
        files = {f.ref: f for f in worker_files_of_project(project=project)}
        for row in rows:
            file = files.get(row["ref"])
            if file is None:
                continue
            with (
                default_storage.open(file.storage_name, "rb") as source,
                archive.open(row["path"], "w", force_zip64=True) as target,
            ):
                while chunk := source.read(CHUNK):
                    target.write(chunk)
                    yield pipe.take()
            yield pipe.take()
    yield pipe.take()


def zip_response(*, project: Project) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_zip(project), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{_name(project, "files")}.zip"'
    return response
