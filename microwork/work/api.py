"""Worker API: find projects, take a task, save drafts, submit, skip, return, history.

Assignment ids are the only ids a worker's device sees for tasks: a control task looks exactly
like any other (no task id, no gold flag, same fields)."""

from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema

from microwork.accounts.access import access_worker
from microwork.accounts.auth import request_user
from microwork.lib.api_errors import responses
from microwork.lib.bounds import Offset, PageLimit
from microwork.lib.text import render_markdown
from microwork.projects.interfaces import openapi_answer
from microwork.projects.media import task_data_for
from microwork.projects.models import Project
from microwork.projects.personal_data import consent_offer, declares
from microwork.work import fairness, releases, selectors
from microwork.work.access import (
    access_assignment_for_worker,
    access_project_for_worker,
    access_work_request_for_worker,
)
from microwork.work.eligibility import projects_consented
from microwork.work.models import Assignment, Submission, WorkRequest
from microwork.work.services.giving_back import assignment_return, assignment_skip
from microwork.work.services.sharing import work_request_cancel, work_request_create
from microwork.work.services.submitting import assignment_save_draft, submission_create

router = Router(tags=["work"])

# Every claim response carries the instructions; rendering Markdown each time would cost more
# than the claim itself. Keyed by the text, so an edit is picked up at once.
_instructions_html = lru_cache(maxsize=256)(render_markdown)


class ConsentCategoryOut(Schema):
    key: str
    name: str


class ConsentOut(Schema):
    text: str = Field(description="What you agree to, in plain words, in your language.")
    version: str = Field(description="The declaration's version: a change asks you again.")
    categories: list[ConsentCategoryOut]
    purpose: str
    retention_days: int
    recipients: str
    agreed: bool = Field(
        description="You agreed to this version. Agree with POST "
        "/api/work/projects/{id}/consent, withdraw with DELETE on the same address."
    )


class OpenProjectOut(Schema):
    id: int
    name: str
    description: str
    interface: str
    reward: Decimal
    currency: str
    estimated_seconds: int
    hourly_rate: Decimal
    tasks_available: int
    opens_at: datetime | None
    waiting: bool
    subscribed: bool
    next_release_at: datetime | None
    next_release_tasks: int
    rules: list[str]
    can_start: bool
    # Why you may not work here yet, in plain words, and the page that helps (a test to take).
    refusal: str
    refusal_url: str
    # The project's personal data declaration, for a project that collects any: no task
    # without agreeing to it.
    consent: ConsentOut | None = None
    # Categories of disturbing content the project declares (docs/wellbeing.md): an app blurs
    # its pictures and video until tapped and offers a penalty-free skip.
    disturbing_content: list[str]


class TaskProjectOut(Schema):
    id: int
    name: str
    interface: str
    config: dict[str, Any]
    instructions_html: str
    reward: Decimal
    currency: str
    time_limit_seconds: int
    disturbing_content: list[str]


class AssignmentOut(Schema):
    id: int
    status: str
    project: TaskProjectOut
    data: dict[str, Any]
    leased_at: datetime
    expires_at: datetime
    draft: Any = None
    active_ms: int


class WaitingOut(Schema):
    requested_at: datetime
    retry_after_seconds: int
    received_in_window: int | None
    rounds_waited: int
    # Newly released work is shared out at this moment (everyone who asks before is in it).
    first_round_at: datetime | None = None
    explanation: str


class ClaimOut(Schema):
    state: Literal["assigned", "waiting", "no_work"]
    assignment: AssignmentOut | None = None
    waiting: WaitingOut | None = None
    message: str = ""


class DraftIn(Schema):
    draft: Any = None
    active_ms: int | None = None


class DraftOut(Schema):
    id: int
    draft: Any = None
    active_ms: int
    draft_saved_at: datetime | None


class SubmitIn(Schema):
    answer: Any = Field(json_schema_extra=openapi_answer)
    active_ms: int = 0


class SubmissionOut(Schema):
    id: int
    assignment_id: int
    answer: Any
    status: str
    submitted_at: datetime
    active_ms: int
    elapsed_ms: int


class EndedOut(Schema):
    id: int
    status: str
    ended_at: datetime | None


class HistoryOut(Schema):
    assignment_id: int
    project: str
    answer_label: str
    answer_text: str
    status: str
    submitted_at: datetime
    reward: Decimal
    currency: str
    active_ms: int


def assignment_out(assignment: Assignment) -> dict[str, Any]:
    project = assignment.project
    return {
        "id": assignment.pk,
        "status": assignment.status,
        "project": {
            "id": project.pk,
            "name": project.name,
            "interface": project.interface,
            "config": project.config,
            "instructions_html": _instructions_html(project.instructions),
            "reward": project.reward,
            "currency": project.currency,
            "time_limit_seconds": project.time_limit_seconds,
            "disturbing_content": project.disturbing_content or [],
        },
        # Platform files in the data become addresses signed for this worker alone.
        "data": task_data_for(assignment.task.data, user=assignment.worker),
        "leased_at": assignment.leased_at,
        "expires_at": assignment.expires_at,
        "draft": assignment.draft,
        "active_ms": assignment.active_ms,
    }


def claim_out(outcome: Assignment | WorkRequest | None, project: Project) -> dict[str, Any]:
    if isinstance(outcome, Assignment):
        return {"state": "assigned", "assignment": assignment_out(outcome)}
    now = timezone.now()
    if isinstance(outcome, WorkRequest):
        first_round = releases.first_round_at(project=project, now=now)
        return {
            "state": "waiting",
            "waiting": {
                "requested_at": outcome.requested_at,
                "retry_after_seconds": fairness.check_in_after(first_round, now),
                "received_in_window": outcome.received_in_window,
                "rounds_waited": outcome.rounds_waited,
                "first_round_at": first_round,
                "explanation": fairness.explain_waiting(outcome, first_round),
            },
        }
    later = selectors.project_next_release(project=project, now=now)
    return {"state": "no_work", "message": fairness.explain_no_work(later)}


@router.get("/work/projects", response=responses(list[OpenProjectOut]))
def projects(request: HttpRequest) -> list[dict[str, Any]]:
    """Projects with work for you (`tasks_available` > 0), and the ones that have run out for
    you where new work may come: ask to be told through `notify`."""
    user = request_user(request)
    access_worker(user=user)
    offers = selectors.projects_open_for_worker(worker=user, now=timezone.now())
    declaring = [o.project for o in offers if declares(o.project)]
    agreed = projects_consented(projects=declaring, worker=user) if declaring else set()
    return [
        {
            "id": o.project.pk,
            "name": o.project.name,
            "description": o.project.description,
            "interface": o.project.interface,
            "reward": o.project.reward,
            "currency": o.project.currency,
            "estimated_seconds": o.project.estimated_seconds,
            "hourly_rate": o.hourly_rate,
            "tasks_available": o.tasks_available,
            "opens_at": o.opens_at,
            "waiting": o.waiting,
            "subscribed": o.subscribed,
            "next_release_at": o.next_release_at,
            "next_release_tasks": o.next_release[1] if o.next_release else 0,
            "rules": list(o.rules),
            "can_start": o.can_start,
            "refusal": o.refusal,
            "refusal_url": o.refusal_url,
            "consent": consent_offer(o.project, agreed=o.project.pk in agreed),
            "disturbing_content": o.project.disturbing_content or [],
        }
        for o in offers
    ]


@router.post("/work/projects/{project_id}/claim", response=responses(ClaimOut))
def claim(request: HttpRequest, project_id: int) -> dict[str, Any]:
    """A task, or a place in the waiting round when work is scarce. Call again after
    `retry_after_seconds` to check in; while waiting, the same call is the check-in."""
    user = request_user(request)
    project = access_project_for_worker(user=user, project_id=project_id)
    return claim_out(work_request_create(worker=user, project=project), project)


@router.post("/work/projects/{project_id}/leave", response=responses(ClaimOut))
def leave(request: HttpRequest, project_id: int) -> dict[str, Any]:
    """Stop waiting for a task of this project."""
    user = request_user(request)
    project = access_project_for_worker(user=user, project_id=project_id)
    waiting = access_work_request_for_worker(user=user, project=project)
    if waiting is not None:
        work_request_cancel(request=waiting, worker=user)
    return {"state": "no_work", "message": ""}


@router.post("/work/projects/{project_id}/notify", response=responses({204: None}))
def notify(request: HttpRequest, project_id: int) -> tuple[int, None]:
    """Be told at the project's next release of work: its opening time, going live again, or
    new tasks (a line in the worker's inbox at that moment). Works while it has run dry."""
    user = request_user(request)
    project = access_project_for_worker(user=user, project_id=project_id)
    releases.opening_subscribe(worker=user, project=project)
    return 204, None


@router.get("/work/assignments/{assignment_id}", response=responses(AssignmentOut))
def assignment_detail(request: HttpRequest, assignment_id: int) -> dict[str, Any]:
    assignment = access_assignment_for_worker(
        user=request_user(request), assignment_id=assignment_id
    )
    return assignment_out(assignment)


@router.put("/work/assignments/{assignment_id}/draft", response=responses(DraftOut))
def draft(request: HttpRequest, assignment_id: int, payload: DraftIn) -> Assignment:
    user = request_user(request)
    assignment = access_assignment_for_worker(user=user, assignment_id=assignment_id)
    return assignment_save_draft(
        assignment=assignment,
        worker=user,
        draft=payload.draft,
        active_ms=payload.active_ms,
    )


@router.post("/work/assignments/{assignment_id}/submit", response=responses(SubmissionOut))
def submit(request: HttpRequest, assignment_id: int, payload: SubmitIn) -> Submission:
    """Idempotent: the assignment is the key, so a retry returns the same submission."""
    user = request_user(request)
    assignment = access_assignment_for_worker(user=user, assignment_id=assignment_id)
    return submission_create(
        assignment=assignment,
        worker=user,
        answer=payload.answer,
        active_ms=payload.active_ms,
    )


@router.post("/work/assignments/{assignment_id}/skip", response=responses(EndedOut))
def skip(request: HttpRequest, assignment_id: int) -> Assignment:
    user = request_user(request)
    assignment = access_assignment_for_worker(user=user, assignment_id=assignment_id)
    return assignment_skip(assignment=assignment, worker=user)


@router.post("/work/assignments/{assignment_id}/return", response=responses(EndedOut))
def give_back(request: HttpRequest, assignment_id: int) -> Assignment:
    user = request_user(request)
    assignment = access_assignment_for_worker(user=user, assignment_id=assignment_id)
    return assignment_return(assignment=assignment, worker=user)


@router.get("/work/history", response=responses(list[HistoryOut]))
def history(
    request: HttpRequest, limit: PageLimit = 100, offset: Offset = 0
) -> list[dict[str, Any]]:
    user = request_user(request)
    access_worker(user=user)
    rows = selectors.submissions_for_worker(worker=user)[
        max(0, offset) : max(0, offset) + min(max(1, limit), 500)
    ]
    return [selectors.history_row(s) for s in rows]
