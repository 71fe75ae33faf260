"""Live tasks through the API. Requesters: a project's live set-up, posting a live task and
waiting for its answer (held request, or server-sent events), and looking it up later.
Workers: the live projects, opt-in, availability, the stream of offers, accept and decline
(the answer itself goes through work's submit, like any task's)."""

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from microwork.accounts.access import access_worker
from microwork.accounts.api_auth import requester_scope
from microwork.accounts.auth import request_user
from microwork.lib.api_errors import responses
from microwork.lib.errors import NotFound
from microwork.lib.money import AmountIn
from microwork.live import selectors
from microwork.live.access import (
    access_live_project_for_requester,
    access_live_project_for_worker,
    access_live_task_for_requester,
    access_offer_for_worker,
)
from microwork.live.models import LiveSetup, Standby
from microwork.live.services.dispatch import (
    live_offer_accept,
    live_offer_decline,
    live_task_post,
)
from microwork.live.services.setup import live_opt_in, live_setup_save
from microwork.live.services.standby import standby_set
from microwork.work.api import AssignmentOut, assignment_out

router = Router(tags=["live"])


class SetupIn(Schema):
    use_statement: str = Field(
        description="Where the answers are used live (inside which product) and who sees "
        "them; workers read it before they opt in."
    )
    standby_per_hour: AmountIn = Field(
        description="Paid to each worker for every hour available for this project; at "
        "least the pay floor."
    )
    offer_seconds: int = Field(8, description="How long an offer waits for a yes (3–30).")


class SetupOut(Schema):
    project: int
    use_statement: str
    standby_per_hour: Decimal
    currency: str
    offer_seconds: int
    available_workers: int


class LiveTaskIn(Schema):
    data: dict[str, Any] = Field(description="The task's input, as one row of an upload.")
    deadline_seconds: int = Field(
        description="How long to wait for a human answer (5–300 seconds)."
    )
    idempotency_key: str = Field("", description="A retry with the same key adds nothing.")
    wait: bool = Field(True, description="Hold the request until the answer or the deadline.")


class LiveAnswerOut(Schema):
    answer: Any
    submitted_at: datetime


class LiveTaskOut(Schema):
    id: int
    status: Literal["waiting", "answered", "unanswered"]
    deadline: datetime
    created_at: datetime
    closed_at: datetime | None
    reason: str = Field(description="Why no human answered: no_worker_available, deadline.")
    message: str
    answers: list[LiveAnswerOut]
    charged: bool = Field(description="Only an answered live task is paid for.")


class AvailabilityIn(Schema):
    available: bool


class AvailabilityOut(Schema):
    project: int
    available: bool


class OfferAcceptOut(Schema):
    offer: int
    assignment: AssignmentOut


def _setup_out(setup: LiveSetup) -> dict[str, Any]:
    return {
        "project": setup.project_id,
        "use_statement": setup.use_statement,
        "standby_per_hour": setup.standby_per_hour,
        "currency": setup.project.currency,
        "offer_seconds": setup.offer_seconds,
        "available_workers": Standby.objects.filter(
            project_id=setup.project_id, ended_at__isnull=True
        ).count(),
    }


@router.put("/live/projects/{project_id}", response=responses(SetupOut))
def setup_put(request: HttpRequest, project_id: int, payload: SetupIn) -> dict[str, Any]:
    """Make a project answered live, or change its statement, standby rate or offer time."""
    user = request_user(request)
    project = access_live_project_for_requester(
        user=user, project_id=project_id, organisation=requester_scope(request)
    )
    setup = live_setup_save(
        project=project,
        actor=user,
        use_statement=payload.use_statement,
        standby_per_hour=payload.standby_per_hour,
        offer_seconds=payload.offer_seconds,
    )
    return _setup_out(setup)


@router.get("/live/projects/{project_id}", response=responses(SetupOut))
def setup_get(request: HttpRequest, project_id: int) -> dict[str, Any]:
    user = request_user(request)
    project = access_live_project_for_requester(
        user=user, project_id=project_id, organisation=requester_scope(request)
    )
    setup = LiveSetup.objects.select_related("project").filter(project=project).first()
    if setup is None:
        raise NotFound(_("This project is not answered live."), field="project_id")
    return _setup_out(setup)


@router.post("/live/projects/{project_id}/tasks", response=responses(LiveTaskOut))
def task_post(request: HttpRequest, project_id: int, payload: LiveTaskIn) -> dict[str, Any]:
    """Post one live task. With `wait` (the default) the request is held until a worker's
    answer arrives or the deadline passes: `status` is then `answered` (with the answer) or
    `unanswered` (nothing is charged). Without it, look it up later by its id."""
    user = request_user(request)
    project = access_live_project_for_requester(
        user=user, project_id=project_id, organisation=requester_scope(request)
    )
    live_task = live_task_post(
        project=project,
        actor=user,
        data=payload.data,
        deadline_seconds=payload.deadline_seconds,
        idempotency_key=payload.idempotency_key,
    )
    if payload.wait:
        left = (live_task.deadline - timezone.now()).total_seconds()
        live_task = selectors.live_task_wait(live_task=live_task, seconds=left + 0.5)
    return selectors.live_task_out(live_task)


@router.get("/live/tasks/{live_task_id}", response=responses(LiveTaskOut))
def task_get(
    request: HttpRequest, live_task_id: int, wait: int = Query(0, ge=0, le=300)
) -> dict[str, Any]:
    """A live task's state; with `wait` seconds (up to 300), held until it is answered or
    closed, or those seconds pass."""
    user = request_user(request)
    live_task = access_live_task_for_requester(
        user=user, live_task_id=live_task_id, organisation=requester_scope(request)
    )
    if wait:
        live_task = selectors.live_task_wait(live_task=live_task, seconds=wait)
    return selectors.live_task_out(live_task)


def _sse(stream: Any) -> StreamingHttpResponse:
    response = StreamingHttpResponse(stream, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    # Proxies (nginx) would otherwise hold the events back until their buffer fills.
    response["X-Accel-Buffering"] = "no"
    return response


@router.get("/live/tasks/{live_task_id}/events", response=responses({200: None}))
def task_events(request: HttpRequest, live_task_id: int) -> StreamingHttpResponse:
    """Server-sent events: the live task's state now and at each change, ending with
    `answered` or `unanswered`."""
    user = request_user(request)
    live_task = access_live_task_for_requester(
        user=user, live_task_id=live_task_id, organisation=requester_scope(request)
    )
    left = (live_task.deadline - timezone.now()).total_seconds()
    return _sse(selectors.live_task_events(live_task=live_task, seconds=max(0.0, left) + 1))


@router.post("/live/projects/{project_id}/opt-in", response=responses(AvailabilityOut))
def opt_in(request: HttpRequest, project_id: int) -> dict[str, Any]:
    """The worker agrees to the project's statement as it reads now."""
    user = request_user(request)
    project, _setup = access_live_project_for_worker(user=user, project_id=project_id)
    live_opt_in(project=project, worker=user)
    return {"project": project.pk, "available": False}


@router.put("/live/projects/{project_id}/availability", response=responses(AvailabilityOut))
def availability(request: HttpRequest, project_id: int, payload: AvailabilityIn) -> dict[str, Any]:
    """Available for this project's live tasks, or not. Stay available by keeping the offer
    stream open (GET /api/live/offers/stream)."""
    user = request_user(request)
    project, _setup = access_live_project_for_worker(user=user, project_id=project_id)
    standby = standby_set(project=project, worker=user, available=payload.available)
    return {"project": project.pk, "available": standby is not None}


@router.get("/live/offers/stream", response=responses({200: None}))
def offers_stream(request: HttpRequest) -> StreamingHttpResponse:
    """Server-sent events: `offer` with the offer (or `offer: null` once it is gone), the
    moment it is made. The open stream keeps the worker available; it ends after a short
    while and the client opens it again."""
    user = request_user(request)
    access_worker(user=user)
    return _sse(selectors.offer_events(worker=user))


@router.post("/live/offers/{offer_id}/accept", response=responses(OfferAcceptOut))
def offer_accept(request: HttpRequest, offer_id: int) -> dict[str, Any]:
    """Yes: the task is yours until the project's time limit or the requester's deadline.
    Answer it with POST /api/work/assignments/{id}/submit."""
    user = request_user(request)
    offer = access_offer_for_worker(user=user, offer_id=offer_id)
    accepted = live_offer_accept(offer=offer, worker=user)
    assert accepted.assignment is not None
    return {"offer": accepted.pk, "assignment": assignment_out(accepted.assignment)}


@router.post("/live/offers/{offer_id}/decline", response=responses({204: None}))
def offer_decline(request: HttpRequest, offer_id: int) -> tuple[int, None]:
    user = request_user(request)
    offer = access_offer_for_worker(user=user, offer_id=offer_id)
    live_offer_decline(offer=offer, worker=user)
    return 204, None
