"""Results through the API: paginated JSON, or the same downloads as the results page."""

from datetime import datetime
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from microwork.accounts.api_auth import caller, requester_scope
from microwork.accounts.auth import request_user
from microwork.aggregation import exports, file_exports, ranking, results, selectors
from microwork.aggregation.models import AggregationRun
from microwork.aggregation.services import run_requests
from microwork.aggregation.services import settings as aggregation_settings
from microwork.lib.api_errors import responses
from microwork.lib.api_types import DecimalIn
from microwork.lib.bounds import Count, PageNumber
from microwork.lib.errors import NotFound
from microwork.projects.access import access_project_for_requester
from microwork.projects.models import Project

router = Router(tags=["results"])


class AnswerOut(Schema):
    worker: str
    answer: Any
    label: str
    text: str
    active_seconds: str
    submitted_at: datetime
    status: str
    counted: bool


class ResultOut(Schema):
    task_id: int
    external_id: str
    data: dict[str, Any]
    is_gold: bool
    gold_answer: Any = None
    majority_label: str | None
    agreement: str | None
    label: str | None = None
    value: Any = Field(
        None, description="The label in the answer's own shape (a transcript, a list of boxes)."
    )
    label_text: str = Field("", description="The label in words, as pages show it.")
    parts: list[dict[str, Any]] = Field(
        default_factory=list,
        description="For kinds with a consensus: each part of the label (a word, a box, a "
        "span) with its confidence and support.",
    )
    confidence: str | None = None
    method: str | None = None
    stopped_early: bool = False
    answers_count: int
    answers: list[AnswerOut]


class ResultPageOut(Schema):
    items: list[ResultOut]
    count: int
    page: int
    pages: int


PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


def _result_out(r: results.TaskResult) -> dict[str, Any]:
    return {
        "task_id": r.task.pk,
        "external_id": r.task.external_id,
        "data": r.task.data,
        "is_gold": r.task.is_gold,
        "gold_answer": r.task.gold_answer if r.task.is_gold else None,
        "majority_label": r.majority_label,
        "agreement": None if r.agreement is None else str(r.agreement),
        "label": r.label,
        "value": r.value,
        "label_text": r.label_text,
        "parts": r.parts,
        "confidence": None if r.confidence is None else str(r.confidence),
        "method": r.method,
        "stopped_early": r.stopped_early,
        "answers_count": r.answers_count,
        "answers": [
            {
                "worker": a.worker,
                "answer": a.answer,
                "label": a.label,
                "text": a.text,
                "active_seconds": str(a.active_seconds),
                "submitted_at": a.submitted_at,
                "status": a.status,
                "counted": a.counted,
            }
            for a in r.answers
        ],
    }


def _project(request: HttpRequest, project_id: int) -> Project:
    return access_project_for_requester(
        user=request_user(request),
        project_id=project_id,
        organisation=requester_scope(request),
    )


@router.get("/projects/{project_id}/results", response=responses(ResultPageOut))
def project_results(
    request: HttpRequest, project_id: int, page: PageNumber = 1, page_size: Count = PAGE_SIZE
):
    """One item per task, in task order: every answer, the majority label and the agreement."""
    project = _project(request, project_id)
    size = min(max(page_size, 1), MAX_PAGE_SIZE)
    paginator = Paginator(results.tasks_for_results(project=project), size)
    current = paginator.get_page(page)
    return {
        "items": [
            _result_out(r)
            for r in results.task_results(project=project, tasks=list(current.object_list))
        ],
        "count": paginator.count,
        "page": current.number,
        "pages": paginator.num_pages,
    }


def _download(fmt: str) -> dict[str, Any]:
    """The streamed file an export answers with, so the document names its media type."""
    media = exports.CONTENT_TYPES[fmt].split(";")[0]
    return {
        "responses": {
            200: {
                "description": "The file, streamed.",
                "content": {media: {"schema": {"type": "string"}}},
            }
        }
    }


@router.get(
    "/projects/{project_id}/results.csv",
    response=responses(None),
    openapi_extra=_download("csv"),
)
def project_results_csv(request: HttpRequest, project_id: int):
    """One row per task (streamed CSV)."""
    return exports.export_response(project=_project(request, project_id), kind="results", fmt="csv")


@router.get(
    "/projects/{project_id}/results.jsonl",
    response=responses(None),
    openapi_extra=_download("jsonl"),
)
def project_results_jsonl(request: HttpRequest, project_id: int):
    """One JSON object per task and line (streamed)."""
    return exports.export_response(
        project=_project(request, project_id), kind="results", fmt="jsonl"
    )


@router.get(
    "/projects/{project_id}/answers.csv",
    response=responses(None),
    openapi_extra=_download("csv"),
)
def project_answers_csv(request: HttpRequest, project_id: int):
    """One row per answer (streamed CSV)."""
    return exports.export_response(project=_project(request, project_id), kind="answers", fmt="csv")


@router.get(
    "/projects/{project_id}/answers.jsonl",
    response=responses(None),
    openapi_extra=_download("jsonl"),
)
def project_answers_jsonl(request: HttpRequest, project_id: int):
    return exports.export_response(
        project=_project(request, project_id), kind="answers", fmt="jsonl"
    )


@router.get(
    "/projects/{project_id}/files.zip",
    response=responses(None),
    openapi_extra={
        "responses": {
            200: {"description": "A ZIP: manifest.csv, manifest.json, files/<task id>/<ref>.<ext>."}
        }
    },
)
def project_files_zip(request: HttpRequest, project_id: int):
    """Workers' files that are part of answers (photos, recordings) with their manifest, as
    one ZIP streamed as it is written."""
    return file_exports.zip_response(project=_project(request, project_id))


@router.get(
    "/projects/{project_id}/files.csv",
    response=responses(None),
    openapi_extra=_download("csv"),
)
def project_files_csv(request: HttpRequest, project_id: int):
    """The manifest of workers' files alone: task, worker, field, ref, type, size, sha256 and
    what was measured, one row per file."""
    return file_exports.manifest_response(project=_project(request, project_id), fmt="csv")


@router.get("/projects/{project_id}/files.json", response=responses(None))
def project_files_json(request: HttpRequest, project_id: int):
    """The same manifest as one JSON list."""
    return file_exports.manifest_response(project=_project(request, project_id), fmt="json")


# --- rankings ----------------------------------------------------------------------------------


class RankedItemOut(Schema):
    item: str = Field(description="What was compared: the task's a_id/b_id, or its content.")
    rank: int | None = Field(description="1 is best; null for an item nobody compared yet.")
    score: float | None = Field(description="Bradley–Terry log-strength, centred on 0.")
    std_error: float | None
    low: float | None = Field(description="The 95% interval of the score: low end.")
    high: float | None
    win_rate: float | None = Field(description="The chance it beats an average item, 0–1.")
    wins: int
    losses: int
    ties: int
    both_bad: int = Field(description="Answers that found both sides of its pair bad.")
    comparisons: int
    group: int | None = Field(
        description="Items are comparable only within a group of linked comparisons."
    )


class RankingOut(Schema):
    method: str
    tasks: int
    comparisons: int
    both_bad: int
    groups: int
    connected: bool
    explanation: str
    items: list[RankedItemOut]


@router.get("/projects/{project_id}/ranking", response=responses(RankingOut))
def project_ranking(request: HttpRequest, project_id: int):
    """For a project that compares two items per task (pairwise): every item ranked with
    Bradley–Terry from all counted answers, with a 95% interval per score."""
    project = _project(request, project_id)
    return ranking.ranking_record(ranking.project_ranking(project=project))


@router.get(
    "/projects/{project_id}/ranking.csv",
    response=responses(None),
    openapi_extra=_download("csv"),
)
def project_ranking_csv(request: HttpRequest, project_id: int):
    """The ranking, one row per item, best first."""
    return exports.ranking_response(project=_project(request, project_id), fmt="csv")


# --- aggregation settings and re-estimates ----------------------------------------------------


class RunOut(Schema):
    id: int
    method: str
    reason: str
    status: str
    stage: str
    progress: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    n_tasks: int
    n_answers: int
    n_workers: int
    error: str


class AggregationOut(Schema):
    method: str
    methods: list[str]
    dynamic_overlap: bool
    min_overlap: int
    max_overlap: int
    target_confidence: str
    tasks_stopped_early: int
    latest_run: RunOut | None


class AggregationIn(Schema):
    method: str | None = None
    dynamic_overlap: bool | None = None
    min_overlap: int | None = None
    target_confidence: DecimalIn | None = None


def _settings_out(project: Project) -> dict[str, Any]:
    return {
        "method": project.aggregation_method,
        "methods": aggregation_settings.categorical_methods(),
        "dynamic_overlap": project.dynamic_overlap,
        "min_overlap": project.min_overlap,
        "max_overlap": project.overlap,
        "target_confidence": str(project.target_confidence),
        "tasks_stopped_early": selectors.tasks_stopped_early(project=project),
        "latest_run": selectors.run_latest(project=project),
    }


@router.get("/projects/{project_id}/aggregation", response=responses(AggregationOut))
def project_aggregation(request: HttpRequest, project_id: int):
    """The project's aggregation method, dynamic overlap settings and latest re-estimate."""
    return _settings_out(_project(request, project_id))


@router.put("/projects/{project_id}/aggregation", response=responses(AggregationOut))
def project_aggregation_update(request: HttpRequest, project_id: int, payload: AggregationIn):
    """Change the method or dynamic overlap; fields left out keep their value. A new method
    queues a re-estimate."""
    project = _project(request, project_id)
    project = aggregation_settings.project_aggregation_configure(
        project=project,
        actor=caller(request).user,
        method=payload.method if payload.method is not None else project.aggregation_method,
        dynamic_overlap=payload.dynamic_overlap
        if payload.dynamic_overlap is not None
        else project.dynamic_overlap,
        min_overlap=payload.min_overlap if payload.min_overlap is not None else project.min_overlap,
        target_confidence=payload.target_confidence
        if payload.target_confidence is not None
        else project.target_confidence,
    )
    return _settings_out(project)


@router.post("/projects/{project_id}/aggregate", response=responses({202: RunOut}))
def project_aggregate(request: HttpRequest, project_id: int):
    """Queue a full re-estimate with the project's method. It runs in the background: poll
    GET /api/projects/{id}/aggregation/runs/{run_id} for its progress. A run already waiting
    to start is returned instead of queuing another."""
    project = _project(request, project_id)
    return 202, run_requests.aggregation_run_request(project=project, actor=caller(request).user)


@router.get("/projects/{project_id}/aggregation/runs/{run_id}", response=responses(RunOut))
def project_aggregation_run(request: HttpRequest, project_id: int, run_id: int):
    """One re-estimate: status, stage, progress 0–100 and, when done, what it covered."""
    project = _project(request, project_id)
    run = AggregationRun.objects.filter(project=project, pk=run_id).first()
    if run is None:
        raise NotFound(_("No such re-estimate."), field="run_id")
    return run
