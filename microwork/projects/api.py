"""Requester API for projects, uploads and tasks. Each handler: parse, access, one service."""

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from microwork.lib.api import requester_organisation
from microwork.lib.errors import ApplicationError
from microwork.projects import selectors, services
from microwork.projects.access import access_batch_for_requester, access_project_for_requester
from microwork.projects.models import Batch, Project

router = Router(tags=["projects"])
MULTIPART_SLACK = 64 * 1024


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None
    details: Any = None


class ProjectIn(Schema):
    name: str
    description: str
    interface: str = Field(description="A task interface key: single_choice, multiple_choice, …")
    config: dict[str, Any] = Field(
        default_factory=dict,
        description='Interface settings, e.g. {"question": "…", "labels": ["ok|Acceptable", "bad"]}',
    )
    instructions: str = Field("", description="Markdown; rendered and sanitised for workers.")
    reward: Decimal = Field(description='Per task, a decimal string such as "0.05".')
    currency: str = "USD"
    estimated_seconds: int
    overlap: int = 3
    time_limit_seconds: int = 600
    gold_rate: Decimal = Decimal("0.1")
    max_open_per_worker: int = 1
    order: str = Project.Order.DEPTH_FIRST
    opens_at: datetime | None = Field(
        None,
        description="When work opens, with its time zone (kept to the minute). Until then no "
        "task is handed out; everyone who asks in the first minute after is in the same first "
        "round. Empty: open as soon as the project is live.",
    )
    hourly_cap_per_worker: int | None = Field(
        None, description="At most this many tasks per worker per hour (1–1000); empty: no cap."
    )


class ProjectPatch(Schema):
    name: str | None = None
    description: str | None = None
    interface: str | None = None
    config: dict[str, Any] | None = None
    instructions: str | None = None
    reward: Decimal | None = None
    currency: str | None = None
    estimated_seconds: int | None = None
    overlap: int | None = None
    time_limit_seconds: int | None = None
    gold_rate: Decimal | None = None
    max_open_per_worker: int | None = None
    order: str | None = None
    opens_at: datetime | None = Field(None, description="Send null to remove the opening time.")
    hourly_cap_per_worker: int | None = Field(None, description="Send null to remove the cap.")


class ProjectOut(Schema):
    id: int
    name: str
    description: str
    instructions: str
    interface: str
    config: dict[str, Any]
    reward: str
    currency: str
    estimated_seconds: int
    estimated_hourly_rate: str
    overlap: int
    time_limit_seconds: int
    gold_rate: str
    max_open_per_worker: int
    order: str
    opens_at: datetime | None
    hourly_cap_per_worker: int | None
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
    def resolve_estimated_hourly_rate(obj: Project) -> str:
        return str(obj.estimated_hourly_rate)

    @staticmethod
    def resolve_allowed_transitions(obj: Project) -> list[str]:
        return services.allowed_transitions(obj)


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
    data: dict[str, Any]
    is_gold: bool
    gold_answer: Any = None
    gold_explanation: str
    priority: int
    answers_count: int
    created_at: datetime


class TasksIn(Schema):
    tasks: list[dict[str, Any]]
    opens_at: datetime | None = Field(
        None, description="When these tasks reach workers (with its time zone); empty: at once."
    )


def _project(request: HttpRequest, project_id: int) -> Project:
    return access_project_for_requester(
        user=request.user,  # type: ignore[arg-type]
        project_id=project_id,
        organisation=requester_organisation(request),
    )


@router.post("/projects", response={201: ProjectOut, 400: ErrorOut, 403: ErrorOut})
def create_project(request: HttpRequest, payload: ProjectIn):
    organisation = requester_organisation(request)
    project = services.project_create(
        organisation=organisation,
        actor=request.user,  # type: ignore[arg-type]
        **payload.dict(),
    )
    return 201, project


@router.get("/projects", response=list[ProjectListOut])
@paginate(PageNumberPagination, page_size=50)
def list_projects(request: HttpRequest):
    organisation = requester_organisation(request)
    return selectors.projects_for_requester(
        user=request.user,  # type: ignore[arg-type]
        organisation=organisation,
    )


@router.get("/projects/{project_id}", response={200: ProjectOut, 404: ErrorOut})
def get_project(request: HttpRequest, project_id: int):
    return _project(request, project_id)


@router.patch(
    "/projects/{project_id}",
    response={200: ProjectOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
def update_project(request: HttpRequest, project_id: int, payload: ProjectPatch):
    project = _project(request, project_id)
    return services.project_update(
        project=project,
        actor=request.user,  # type: ignore[arg-type]
        changes=payload.dict(exclude_unset=True),
    )


@router.post(
    "/projects/{project_id}/status",
    response={200: ProjectOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
def set_project_status(request: HttpRequest, project_id: int, payload: StatusIn):
    project = _project(request, project_id)
    return services.project_set_status(
        project=project,
        actor=request.user,  # type: ignore[arg-type]
        status=payload.status,
        reason=payload.reason,
    )


def _batch_out(outcome: services.UploadOutcome) -> tuple[int, Batch]:
    batch = outcome.batch
    batch.duplicate = outcome.duplicate  # type: ignore[attr-defined]
    if outcome.duplicate:
        return 200, batch
    return (202 if outcome.queued else 201), batch


@router.post(
    "/projects/{project_id}/tasks",
    response={
        200: BatchOut,
        201: BatchOut,
        202: BatchOut,
        400: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        413: ErrorOut,
    },
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
    actor = request.user
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
        outcome = services.batch_upload(
            project=project,
            actor=actor,  # type: ignore[arg-type]
            file=upload,
            filename=upload.name or "upload",
            content_type=upload.content_type or "",
            size=upload.size or 0,
            opens_at=request.POST.get("opens_at"),
        )
    elif content_type == "application/json":
        try:
            body = json.loads(request.body)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise ApplicationError(_("The body is not valid JSON."), field="tasks") from None
        if not isinstance(body, dict) or not isinstance(body.get("tasks"), list):
            raise ApplicationError(
                _('Send {"tasks": [{…}, …]} or a multipart file.'), field="tasks"
            )
        outcome = services.batch_create_from_records(
            project=project,
            actor=actor,  # type: ignore[arg-type]
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


@router.get("/batches/{batch_id}", response={200: BatchOut, 404: ErrorOut})
def get_batch(request: HttpRequest, batch_id: int):
    return access_batch_for_requester(
        user=request.user,  # type: ignore[arg-type]
        batch_id=batch_id,
        organisation=requester_organisation(request),
    )


@router.get("/projects/{project_id}/tasks", response=list[TaskOut])
@paginate(PageNumberPagination, page_size=100)
def list_tasks(request: HttpRequest, project_id: int):
    return selectors.tasks_for_project(project=_project(request, project_id))
