"""Worker API for files sent with an answer (a photo, a recording): whole in one request, or
resumable in pieces; and the file itself, for its worker and the project's requester.

A file is part of an answer only once complete: put the `ref` it answers in the answer's
file field (see `file_fields` and `example.files` at GET /api/interfaces/{key})."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from microwork.accounts.api_auth import caller
from microwork.accounts.auth import request_user
from microwork.lib.api_errors import responses
from microwork.lib.errors import ApplicationError, TooLarge
from microwork.lib.limits import worker_file_max_bytes, worker_upload_chunk_max_bytes
from microwork.projects.media import stored_file_response
from microwork.work.access import (
    access_assignment_for_worker,
    access_upload_for_worker,
    access_worker_file,
)
from microwork.work.models import WorkerFile
from microwork.work.services.files import (
    worker_file_upload,
    worker_upload_append,
    worker_upload_start,
)

router = Router(tags=["work"])

# A multipart body carries its boundaries and headers beside the file.
MULTIPART_SLACK = 64 * 1024


class FileOut(Schema):
    ref: str = Field(description="Put this in the answer's file field.")
    field: str
    content_type: str
    size_bytes: int
    sha256: str
    facts: dict[str, Any] = Field(
        description="What was measured: a photo's width and height, a recording's duration "
        "and loudness."
    )
    completed_at: datetime | None


class UploadIn(Schema):
    size: int = Field(description="The file's length in bytes.")
    field: str | None = Field(
        None, description="The answer field it is for; empty: the kind's only file field."
    )
    content_type: str = Field("", description="What the browser says it is (not trusted).")


class UploadOut(Schema):
    upload_id: str
    status: str = Field(description="uploading, complete or deleted (refused, abandoned).")
    offset: int = Field(description="The next byte the server expects.")
    size: int
    file: FileOut | None = Field(None, description="The complete file, once the last byte is in.")


def file_out(file: WorkerFile) -> dict[str, Any]:
    return {
        "ref": file.ref,
        "field": file.field,
        "content_type": file.content_type,
        "size_bytes": file.size_bytes,
        "sha256": file.sha256,
        "facts": file.facts,
        "completed_at": file.completed_at,
    }


def upload_out(upload: WorkerFile) -> dict[str, Any]:
    return {
        "upload_id": upload.upload_key,
        "status": upload.status,
        "offset": upload.received_bytes,
        "size": upload.declared_bytes,
        "file": file_out(upload) if upload.status == WorkerFile.Status.COMPLETE else None,
    }


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@router.post(
    "/work/assignments/{assignment_id}/files",
    response=responses({201: FileOut}, 413),
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "field": {"type": "string"},
                        },
                        "required": ["file"],
                    }
                }
            }
        }
    },
)
def upload_file(request: HttpRequest, assignment_id: int) -> tuple[int, dict[str, Any]]:
    """A whole file in one multipart request (field `file`; `field`: the answer field it is
    for). Checked from its bytes by the task's kind; the answer names it by the `ref`."""
    user = request_user(request)
    assignment = access_assignment_for_worker(user=user, assignment_id=assignment_id)
    if _declared_length(request) > worker_file_max_bytes() + MULTIPART_SLACK:
        raise TooLarge(
            _("The file is bigger than the %(limit)s MB limit.")
            % {"limit": worker_file_max_bytes() // (1024 * 1024)},
            field="file",
        )
    upload = request.FILES.get("file")
    if upload is None:
        raise ApplicationError(_("Send the file in a multipart field named file."), field="file")
    # One byte past the limit is enough for the service to refuse it naming the field.
    content = upload.read(worker_file_max_bytes() + 1)
    file = worker_file_upload(
        assignment=assignment,
        worker=user,
        content=content,
        field=request.POST.get("field") or None,
        name=(upload.name or "")[:200],
    )
    return 201, file_out(file)


@router.post("/work/assignments/{assignment_id}/uploads", response=responses({201: UploadOut}, 413))
def upload_start(
    request: HttpRequest, assignment_id: int, payload: UploadIn
) -> tuple[int, dict[str, Any]]:
    """Begin a resumable upload: send the pieces with PUT …/uploads/{upload_id}?offset=N."""
    user = request_user(request)
    assignment = access_assignment_for_worker(user=user, assignment_id=assignment_id)
    upload = worker_upload_start(
        assignment=assignment, worker=user, size=payload.size, field=payload.field
    )
    return 201, upload_out(upload)


@router.get("/work/uploads/{upload_id}", response=responses(UploadOut))
def upload_state(request: HttpRequest, upload_id: str) -> dict[str, Any]:
    """Where an upload stands: the offset to send from after a dropped connection."""
    upload = access_upload_for_worker(user=request_user(request), upload_key=upload_id)
    return upload_out(upload)


@router.put(
    "/work/uploads/{upload_id}",
    response=responses(UploadOut, 413),
    openapi_extra={
        "requestBody": {
            "content": {"application/octet-stream": {"schema": {"type": "string"}}},
            "description": "The piece's bytes, starting at `offset`.",
        }
    },
)
def upload_piece(
    request: HttpRequest,
    upload_id: str,
    offset: int | None = Query(None, ge=0, le=2**62, description="Where this piece starts."),
) -> dict[str, Any]:
    """The piece of the file starting at `offset` (raw bytes). 409 `wrong_offset` gives the
    offset the server has (`details.offset`): send from there. The last piece completes the
    upload, which is checked then; its answer carries the file's `ref`."""
    user = request_user(request)
    upload = access_upload_for_worker(user=user, upload_key=upload_id)
    if offset is None:
        # Asked only after the upload is found to be the caller's: to anyone else it does
        # not exist, whatever they send.
        raise ApplicationError(
            _("Say where this piece starts: ?offset=N (0 for the first)."), field="offset"
        )
    limit = worker_upload_chunk_max_bytes()
    if _declared_length(request) > limit:
        raise TooLarge(
            _("A piece may be at most %(limit)d bytes.") % {"limit": limit}, field="offset"
        )
    piece = request.read(limit + 1)
    upload = worker_upload_append(upload=upload, worker=user, offset=offset, piece=piece)
    return upload_out(upload)


@router.get(
    "/work/files/{ref}",
    response=responses(None, 416),
    openapi_extra={
        "responses": {
            200: {
                "description": "The file's bytes (ranges allowed).",
                "content": {"application/octet-stream": {"schema": {"type": "string"}}},
            },
            206: {"description": "The range of the file's bytes asked for."},
        }
    },
)
def file_content(request: HttpRequest, ref: str) -> HttpResponseBase:
    """A worker's file: for the worker who sent it and the project's requester organisation
    (with a requester token, only its own organisation's). Anyone else: 404."""
    who = caller(request)
    file = access_worker_file(
        user=who.user,
        ref=ref,
        organisation=who.organisation if who.token else None,
        own_only=who.token is not None and who.organisation is None,
    )
    return stored_file_response(
        request,
        file.storage_name,
        content_type=file.content_type,
        filename=f"{file.ref}.{file.storage_name.rsplit('.', 1)[-1]}",
    )
