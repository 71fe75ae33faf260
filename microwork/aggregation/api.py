"""Results through the API: paginated JSON, or the same downloads as the results page."""

from datetime import datetime
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Router, Schema

from microwork.aggregation import exports, results
from microwork.lib.api import requester_organisation
from microwork.projects.access import access_project_for_requester
from microwork.projects.models import Project

router = Router(tags=["results"])


class AnswerOut(Schema):
    worker: str
    answer: Any
    label: str
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
        "answers_count": r.answers_count,
        "answers": [
            {
                "worker": a.worker,
                "answer": a.answer,
                "label": a.label,
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
        user=request.user,  # type: ignore[arg-type]
        project_id=project_id,
        organisation=requester_organisation(request),
    )


@router.get("/projects/{project_id}/results", response=ResultPageOut)
def project_results(
    request: HttpRequest, project_id: int, page: int = 1, page_size: int = PAGE_SIZE
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


@router.get("/projects/{project_id}/results.csv", response={200: None})
def project_results_csv(request: HttpRequest, project_id: int):
    """One row per task (streamed CSV)."""
    return exports.export_response(project=_project(request, project_id), kind="results", fmt="csv")


@router.get("/projects/{project_id}/results.jsonl", response={200: None})
def project_results_jsonl(request: HttpRequest, project_id: int):
    """One JSON object per task and line (streamed)."""
    return exports.export_response(
        project=_project(request, project_id), kind="results", fmt="jsonl"
    )


@router.get("/projects/{project_id}/answers.csv", response={200: None})
def project_answers_csv(request: HttpRequest, project_id: int):
    """One row per answer (streamed CSV)."""
    return exports.export_response(project=_project(request, project_id), kind="answers", fmt="csv")


@router.get("/projects/{project_id}/answers.jsonl", response={200: None})
def project_answers_jsonl(request: HttpRequest, project_id: int):
    return exports.export_response(
        project=_project(request, project_id), kind="answers", fmt="jsonl"
    )
