"""Requester API for projects, uploads and tasks. Each handler: parse, access, one service."""

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from microwork.accounts.api_auth import requester_organisation, requester_scope
from microwork.accounts.auth import request_user
from microwork.lib.api_errors import responses
from microwork.lib.api_types import DecimalIn
from microwork.lib.bounds import BoundedPageNumberPagination
from microwork.lib.errors import ApplicationError, NotFound
from microwork.lib.limits import InputLimitExceeded, json_loads_limited
from microwork.lib.money import AmountIn
from microwork.projects import selectors
from microwork.projects.access import access_batch_for_requester, access_project_for_requester
from microwork.projects.api_personal_data import (
    PersonalDataIn,
    PersonalDataOut,
    PersonalDataPatch,
)
from microwork.projects.disturbing import CATEGORIES
from microwork.projects.interfaces import (
    get_interface,
    interfaces_described,
    nullable,
    openapi_answer,
    openapi_config,
    openapi_input,
)
from microwork.projects.interfaces.schema import public
from microwork.projects.models import Batch, Project
from microwork.projects.services.batches import (
    UploadOutcome,
    batch_create_from_records,
    batch_upload,
)
from microwork.projects.services.media import MediaTooLarge, media_files_store
from microwork.projects.services.project_checks import DEFAULT_AUTO_APPROVE_SECONDS
from microwork.projects.services.projects import (
    allowed_transitions,
    project_create,
    project_set_status,
    project_update,
)

router = Router(tags=["projects"])
MULTIPART_SLACK = 64 * 1024


INTERFACE_HELP = "A task interface key; GET /api/interfaces lists them with their schemas."
DISTURBING_HELP = (
    "Disturbing content the tasks show: null (not declared), [] (none) or categories among "
    + ", ".join(CATEGORIES)
    + ". A project whose tasks show pictures or video must declare before going live; "
    "workers see only the categories they chose to see (docs/wellbeing.md)."
)


class ProjectIn(PersonalDataIn):
    name: str
    description: str
    interface: str = Field(description=INTERFACE_HELP)
    config: dict[str, Any] = Field(default_factory=dict, json_schema_extra=openapi_config)
    instructions: str = Field("", description="Markdown; rendered and sanitised for workers.")
    reward: AmountIn = Field(description='Per task, a decimal string such as "0.05".')
    currency: str = "USD"
    estimated_seconds: int
    overlap: int = 3
    time_limit_seconds: int = 600
    gold_rate: DecimalIn = Decimal("0.1")
    max_open_per_worker: int = 1
    order: str = Project.Order.DEPTH_FIRST
    auto_approve_seconds: int = Field(
        DEFAULT_AUTO_APPROVE_SECONDS,
        description="Seconds an answer waits for your review before it is approved and paid "
        "automatically: 3600 (1 hour) to 604800 (7 days); once tasks have answers it can only "
        "be shortened.",
    )
    opens_at: datetime | None = Field(
        None,
        description="When work opens, with its time zone (kept to the minute). Until then no "
        "task is handed out; everyone who asks in the first minute after is in the same first "
        "round. Empty: open as soon as the project is live.",
    )
    hourly_cap_per_worker: int | None = Field(
        None, description="At most this many tasks per worker per hour (1–1000); empty: no cap."
    )
    review_overlap: int = Field(
        0,
        description="Peer review, for kinds whose answers are reviewed rather than aggregated "
        "(see `reviewed` at GET /api/interfaces): each answer goes to this many other workers, "
        "0 (off) to 5.",
    )
    review_reward: AmountIn | None = Field(
        None, description='What each reviewer is paid, a decimal string such as "0.02".'
    )
    review_threshold: DecimalIn = Field(
        Decimal("0.5"),
        description="Share of reviewers who must accept an answer for it to be approved "
        "(above 0, up to 1); otherwise it is rejected with their reasons.",
    )
    disturbing_content: list[str] | None = Field(None, description=DISTURBING_HELP)


class ProjectPatch(PersonalDataPatch):
    name: str | None = None
    description: str | None = None
    interface: str | None = Field(None, description=INTERFACE_HELP)
    config: dict[str, Any] | None = Field(None, json_schema_extra=nullable(openapi_config))
    instructions: str | None = None
    reward: AmountIn | None = None
    currency: str | None = None
    estimated_seconds: int | None = None
    overlap: int | None = None
    time_limit_seconds: int | None = None
    gold_rate: DecimalIn | None = None
    max_open_per_worker: int | None = None
    order: str | None = None
    auto_approve_seconds: int | None = Field(
        None, description="See auto_approve_seconds on POST /api/projects."
    )
    opens_at: datetime | None = Field(None, description="Send null to remove the opening time.")
    hourly_cap_per_worker: int | None = Field(None, description="Send null to remove the cap.")
    review_overlap: int | None = Field(None, description="See review_overlap on POST.")
    review_reward: AmountIn | None = None
    review_threshold: DecimalIn | None = None
    disturbing_content: list[str] | None = Field(
        None, description="See disturbing_content on POST; once live it cannot go back to null."
    )


class ProjectOut(PersonalDataOut):
    id: int
    name: str
    description: str
    instructions: str
    interface: str
    config: dict[str, Any] = Field(json_schema_extra=openapi_config)
    answer_schema: dict[str, Any] = Field(
        description="What a worker's answer to this project must be: the interface's answer "
        "schema with this project's labels or scale filled in."
    )
    input_schema: dict[str, Any] = Field(
        description="What one task's `data` must be for this project: the interface's input "
        "schema, with the columns a requester's own form names."
    )
    reward: str
    currency: str
    estimated_seconds: int
    estimated_hourly_rate: str
    overlap: int
    time_limit_seconds: int
    gold_rate: str
    max_open_per_worker: int
    order: str
    auto_approve_seconds: int
    opens_at: datetime | None
    hourly_cap_per_worker: int | None
    review_overlap: int
    review_reward: str
    review_threshold: str
    disturbing_content: list[str] | None = Field(description=DISTURBING_HELP)
    status: str
    allowed_transitions: list[str]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_reward(obj: Project) -> str:
        return str(obj.reward)

    @staticmethod
    def resolve_gold_rate(obj: Project) -> str:
        return str(obj.gold_rate)

    @staticmethod
    def resolve_review_reward(obj: Project) -> str:
        return str(obj.review_reward)

    @staticmethod
    def resolve_review_threshold(obj: Project) -> str:
        return str(obj.review_threshold)

    @staticmethod
    def resolve_estimated_hourly_rate(obj: Project) -> str:
        return str(obj.estimated_hourly_rate)

    @staticmethod
    def resolve_allowed_transitions(obj: Project) -> list[str]:
        return allowed_transitions(obj)

    @staticmethod
    def resolve_answer_schema(obj: Project) -> dict[str, Any]:
        return public(get_interface(obj.interface).answer_schema_for(obj.config))

    @staticmethod
    def resolve_input_schema(obj: Project) -> dict[str, Any]:
        return public(get_interface(obj.interface).input_schema_for(obj.config))


class ProjectListOut(ProjectOut):
    tasks_total: int
    gold_total: int
    answers_total: int


class StatusIn(Schema):
    status: str
    reason: str = ""


class ProblemOut(Schema):
    row: int | None
    field: str
    reason: str
    line: int | None = None


class BatchOut(Schema):
    id: int
    project_id: int
    filename: str
    file_format: str
    status: str
    size_bytes: int
    percent_checked: int
    rows_seen: int
    rows_added: int
    gold_added: int
    errors: list[ProblemOut]
    errors_total: int
    ignored_columns: list[str]
    opens_at: datetime | None
    duplicate: bool = False
    created_at: datetime
    finished_at: datetime | None


class TaskOut(Schema):
    id: int
    batch_id: int
    row_number: int
    external_id: str
    data: dict[str, Any] = Field(json_schema_extra=openapi_input)
    is_gold: bool
    gold_answer: Any = Field(None, json_schema_extra=nullable(openapi_answer))
    gold_explanation: str
    priority: int
    answers_count: int
    created_at: datetime


class MediaFileOut(Schema):
    id: int
    name: str = Field(description="The file's name as sent (its path inside a ZIP).")
    ref: str = Field(
        description="What to put in task data (e.g. image_url) to show this file: its path "
        "under /media/. Workers and requesters get a personal signed address for it."
    )
    content_type: str = Field(description="Read from the file's bytes.")
    kind: str = Field(description="image, audio or video.")
    size_bytes: int
    sha256: str
    created_at: datetime


class TasksIn(Schema):
    tasks: list[dict[str, Any]] = Field(
        description="Rows as in an uploaded file: the interface's input fields (see GET "
        "/api/interfaces), plus optional id, priority, and answer + explanation for gold rows."
    )
    opens_at: datetime | None = Field(
        None, description="When these tasks reach workers (with its time zone); empty: at once."
    )


class ConfigFieldOut(Schema):
    name: str
    type: str = Field(description="text, integer, lines or labels: how the project form asks.")
    label: str
    help: str
    required: bool
    default: Any = None
    value_schema: dict[str, Any] = Field(description="JSON Schema of the setting's value.")


class InputColumnsOut(Schema):
    required: list[str]
    optional: list[str]
    one_of: list[list[str]] = Field(
        description="Each row needs every column of at least one of these groups."
    )


class SampleFileOut(Schema):
    name: str
    content_type: str
    base64: str = Field(description="The file's bytes, base64-encoded.")


class ExampleOut(Schema):
    config: dict[str, Any] = Field(description="A valid project `config` for this kind.")
    data: dict[str, Any] = Field(description="One task's `data`, as an upload row holds it.")
    answer: Any = Field(description="An answer a worker may submit for that task.")
    files: dict[str, SampleFileOut] | None = Field(
        None,
        description="For a kind whose answer holds a worker's file: the answer's file field → "
        "a small sample file. Upload it with POST /api/work/assignments/{id}/files and put "
        "the `ref` it answers in that field of the answer.",
    )
    project: dict[str, Any] | None = Field(
        None,
        description="For a kind that collects personal data: the project settings it needs "
        "(the personal data declaration), to send with POST /api/projects; workers agree to "
        "it with POST /api/work/projects/{id}/consent before their first task.",
    )


class InterfaceOut(Schema):
    key: str
    title: str
    description: str
    config_fields: list[ConfigFieldOut]
    config_schema: dict[str, Any] = Field(description="JSON Schema of a project's `config`.")
    input_schema: dict[str, Any] = Field(description="JSON Schema of one task's `data`.")
    answer_schema: dict[str, Any] = Field(
        description="JSON Schema of a worker's answer (a project's own labels or scale narrow "
        "it: see `answer_schema` on the project)."
    )
    answer_field: str = Field(
        description='The answer may also be sent wrapped in an object under this name: {"label": "ok"}.'
    )
    input_columns: InputColumnsOut
    consensus: str | None = Field(
        description="How a task's answers are combined when they are not one of a list: "
        "rover (transcripts, word by word), boxes (boxes clustered by overlap), spans (token "
        "by token); null: each answer is one class and the project's aggregation method picks."
    )
    reviewed: bool = Field(
        description="Answers of this kind are checked by other workers instead of aggregated."
    )
    personal_data: list[str] = Field(
        description="What a task of this kind collects about the worker by nature: a project "
        "of the kind must declare at least these before going live."
    )
    example: ExampleOut | None = Field(
        None, description="A working config, task and answer (null for a kind that gives none)."
    )
    file_fields: list[str] = Field(
        default_factory=list,
        description="The answer's fields that hold a worker's file (an upload's `ref`).",
    )


def _project(request: HttpRequest, project_id: int) -> Project:
    return access_project_for_requester(
        user=request_user(request),
        project_id=project_id,
        organisation=requester_scope(request),
    )


@router.get("/interfaces", response=responses(list[InterfaceOut]))
def list_interfaces(request: HttpRequest):
    """The task interfaces a project can use: each one's settings, task fields and answer, as
    JSON Schema. The same declarations check uploads and answers."""
    return interfaces_described()


@router.get("/interfaces/{key}", response=responses(InterfaceOut))
def get_interface_schemas(request: HttpRequest, key: str):
    try:
        interface = get_interface(key)
    except ApplicationError as exc:
        raise NotFound(exc.message, code=exc.code, field="key") from None
    return interface.describe()


@router.post("/projects", response=responses({201: ProjectOut}))
def create_project(request: HttpRequest, payload: ProjectIn):
    organisation = requester_organisation(request)
    project = project_create(
        organisation=organisation,
        actor=request_user(request),
        **payload.dict(),
    )
    return 201, project


@router.get("/projects", response=responses(list[ProjectListOut]))
@paginate(BoundedPageNumberPagination, page_size=50)
def list_projects(request: HttpRequest):
    organisation = requester_organisation(request)
    return selectors.projects_for_requester(
        user=request_user(request),
        organisation=organisation,
    )


@router.get("/projects/{project_id}", response=responses(ProjectOut))
def get_project(request: HttpRequest, project_id: int):
    return _project(request, project_id)


@router.patch(
    "/projects/{project_id}",
    response=responses(ProjectOut),
)
def update_project(request: HttpRequest, project_id: int, payload: ProjectPatch):
    project = _project(request, project_id)
    return project_update(
        project=project,
        actor=request_user(request),
        changes=payload.dict(exclude_unset=True),
    )


@router.post(
    "/projects/{project_id}/status",
    response=responses(ProjectOut),
)
def set_project_status(request: HttpRequest, project_id: int, payload: StatusIn):
    project = _project(request, project_id)
    return project_set_status(
        project=project,
        actor=request_user(request),
        status=payload.status,
        reason=payload.reason,
    )


def _batch_out(outcome: UploadOutcome) -> tuple[int, Batch]:
    batch = outcome.batch
    batch.duplicate = outcome.duplicate  # type: ignore[attr-defined]
    if outcome.duplicate:
        return 200, batch
    return (202 if outcome.queued else 201), batch


@router.post(
    "/projects/{project_id}/tasks",
    response=responses({200: BatchOut, 201: BatchOut, 202: BatchOut}, 413),
    openapi_extra={
        "requestBody": {
            "description": (
                "Either a multipart form with a `file` field (CSV, JSON array or JSON Lines), "
                'or a JSON body {"tasks": [{…}, …]} of at most 1,000 tasks. 201: added; '
                "202: queued for checking, poll GET /api/batches/{id}; 200: this exact file "
                "was already uploaded, nothing added; 400 upload_refused: `details` lists "
                "{row, field, reason} and nothing was added."
            ),
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "opens_at": {"type": "string", "format": "date-time"},
                        },
                        "required": ["file"],
                    }
                },
                "application/json": {"schema": TasksIn.model_json_schema()},
            },
        }
    },
)
def upload_tasks(request: HttpRequest, project_id: int):
    project = _project(request, project_id)
    actor = request_user(request)
    if int(request.META.get("CONTENT_LENGTH") or 0) > settings.MAX_UPLOAD_BYTES + MULTIPART_SLACK:
        raise ApplicationError(
            _("The body is bigger than the %(limit)d MB limit.")
            % {"limit": settings.MAX_UPLOAD_BYTES // (1024 * 1024)},
            code="too_large",
            field="file",
        )
    content_type = request.content_type or ""
    if content_type.startswith("multipart/"):
        upload = request.FILES.get("file")
        if upload is None:
            raise ApplicationError(_("Send the tasks file in a field named file."), field="file")
        outcome = batch_upload(
            project=project,
            actor=actor,
            file=upload,
            filename=upload.name or "upload",
            content_type=upload.content_type or "",
            size=upload.size or 0,
            opens_at=request.POST.get("opens_at"),
        )
    elif content_type == "application/json":
        try:
            body = json_loads_limited(request.body)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise ApplicationError(_("The body is not valid JSON."), field="tasks") from None
        except InputLimitExceeded as exc:
            raise ApplicationError(str(exc), code="too_large", field="tasks") from None
        if not isinstance(body, dict) or not isinstance(body.get("tasks"), list):
            raise ApplicationError(
                _('Send {"tasks": [{…}, …]} or a multipart file.'), field="tasks"
            )
        outcome = batch_create_from_records(
            project=project,
            actor=actor,
            records=body["tasks"],
            opens_at=body.get("opens_at"),
        )
    else:
        raise ApplicationError(
            _("Send multipart/form-data with a file, or application/json with tasks."),
            code="unsupported_format",
            field="file",
        )
    return _batch_out(outcome)


@router.get("/batches/{batch_id}", response=responses(BatchOut))
def get_batch(request: HttpRequest, batch_id: int):
    return access_batch_for_requester(
        user=request_user(request),
        batch_id=batch_id,
        organisation=requester_scope(request),
    )


@router.get("/projects/{project_id}/tasks", response=responses(list[TaskOut]))
@paginate(BoundedPageNumberPagination, page_size=100)
def list_tasks(request: HttpRequest, project_id: int):
    return selectors.tasks_for_project(project=_project(request, project_id))


@router.post(
    "/projects/{project_id}/media",
    response=responses({201: list[MediaFileOut]}, 413),
    openapi_extra={
        "requestBody": {
            "description": (
                "A multipart form with one or more files in fields named `files` (or `file`): "
                "JPEG, PNG, GIF, WebP, MP3, WAV, Ogg, M4A/MP4 or WebM, each checked from its "
                "bytes against its name's extension. Limits per file: pictures 20 MB, sound "
                "100 MB, video 500 MB (by default). 201: each file's `ref` to put in task "
                "data. Any refused file refuses the request and nothing is stored."
            ),
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "files": {
                                "type": "array",
                                "items": {"type": "string", "format": "binary"},
                            }
                        },
                        "required": ["files"],
                    }
                }
            },
        }
    },
)
def upload_media(request: HttpRequest, project_id: int):
    project = _project(request, project_id)
    limit = settings.MEDIA_MAX_REQUEST_BYTES
    # Refused on the declared length before Django reads (and spools) a byte of the body.
    if int(request.META.get("CONTENT_LENGTH") or 0) > limit + MULTIPART_SLACK:
        raise MediaTooLarge(
            _("The body is bigger than the %(limit)d MB limit.") % {"limit": limit // 2**20},
            field="files",
        )
    if not (request.content_type or "").startswith("multipart/"):
        raise ApplicationError(
            _("Send multipart/form-data with the files in fields named files."),
            code="unsupported_format",
            field="files",
        )
    uploads = [*request.FILES.getlist("files"), *request.FILES.getlist("file")]
    if not uploads:
        raise ApplicationError(_("Send the files in fields named files."), field="files")
    media = media_files_store(
        project=project,
        actor=request_user(request),
        files=[(upload.name or "", upload, upload.size) for upload in uploads],
    )
    return 201, media


@router.get("/projects/{project_id}/media", response=responses(list[MediaFileOut]))
@paginate(BoundedPageNumberPagination, page_size=100)
def list_media(request: HttpRequest, project_id: int):
    return selectors.media_files_for_project(project=_project(request, project_id))
