"""Reads of live tasks: what a requester's call returns, what a worker's page shows, and the
waits that hold a connection until something changes."""

import json
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from microwork.accounts.models import User
from microwork.live import wakeups
from microwork.live.models import LiveOffer, LiveSetup, LiveTask, Standby
from microwork.live.services.dispatch import live_sweep, live_task_advance
from microwork.live.services.standby import HEARTBEAT_TTL, standby_sweep, standby_touch
from microwork.projects.models import Project
from microwork.work.models import Submission

L = LiveTask.Status
OS = LiveOffer.Status
# A worker's page holds its stream this long, then the browser opens it again (EventSource
# does so by itself): no proxy or phone network keeps an idle connection much longer.
STREAM_SECONDS = 25
# A page sends a comment this often so proxies and the server notice a dead connection.
KEEPALIVE_SECONDS = 10
# How often a held page writes its sign of life (the standby's last_seen_at).
TOUCH_EVERY = 5.0


def messages() -> dict[str, str]:
    return {
        "no_worker_available": _("No worker is available for this project right now."),
        "deadline": _("No human answered before the deadline."),
    }


def live_task_out(live_task: LiveTask) -> dict[str, Any]:
    answers = [
        {"answer": s.answer, "submitted_at": s.submitted_at}
        for s in Submission.objects.filter(task_id=live_task.task_id).order_by("submitted_at")
    ]
    message = ""
    if live_task.status == L.UNANSWERED:
        message = messages().get(live_task.close_reason, _("No human answered."))
    elif live_task.status == L.WAITING:
        message = _("Waiting for a human answer.")
    elif live_task.close_reason == "deadline_partial":
        message = ngettext(
            "%(n)d of the %(wanted)d answers asked for arrived before the deadline; only it "
            "is charged.",
            "%(n)d of the %(wanted)d answers asked for arrived before the deadline; only "
            "those are charged.",
            len(answers),
        ) % {"n": len(answers), "wanted": live_task.answers_wanted}
    return {
        "id": live_task.pk,
        "status": live_task.status,
        "deadline": live_task.deadline,
        "created_at": live_task.created_at,
        "closed_at": live_task.closed_at,
        "reason": live_task.close_reason,
        "message": message,
        "answers": answers if live_task.status == L.ANSWERED else [],
        "charged": live_task.status == L.ANSWERED,
    }


def _release_connection(wait: float) -> None:
    """A wait keeps no database connection while it sleeps: a server thread per waiting page
    must not mean a database connection per waiting page. With a pool (PostgreSQL) it goes
    back to the pool, which costs nothing, so every wait gives it back: a held call must not
    keep a connection a request could use. Without one, a short wait (a requester's call
    about to be answered) keeps it: opening a connection costs more than holding it."""
    if connection.in_atomic_block:
        return
    if wait >= 1.0 or connection.settings_dict.get("OPTIONS", {}).get("pool"):
        connection.close()


_sweep_lock = threading.Lock()
_last_sweep = [0.0, 0.0]


def _sweep_now_and_then(now: datetime) -> None:
    """Any held connection moves due tasks on (at most once a second per process) and ends
    standby of pages gone quiet (every ten seconds): no separate timer process is needed for
    offers to move within seconds."""
    tick = time.monotonic()
    with _sweep_lock:
        sweep = tick - _last_sweep[0] >= 1.0
        standby = tick - _last_sweep[1] >= 10.0
        if sweep:
            _last_sweep[0] = tick
        if standby:
            _last_sweep[1] = tick
    if sweep:
        live_sweep(now=now)
    if standby:
        standby_sweep(now=now)


def live_task_wait(*, live_task: LiveTask, seconds: float) -> LiveTask:
    """Hold until the live task is answered or closed, or `seconds` pass; moves it on itself
    when it falls due (the requester's call is the first to notice its deadline)."""
    end = time.monotonic() + max(0.0, seconds)
    with wakeups.listening(wakeups.task_key(live_task.pk)) as event:
        while True:
            now = timezone.now()
            current = LiveTask.objects.select_related("project").get(pk=live_task.pk)
            if current.status == L.WAITING and current.due_at <= now:
                current = live_task_advance(live_task_id=current.pk, now=now)
            left = end - time.monotonic()
            if current.status != L.WAITING or left <= 0:
                return current
            until_due = (current.due_at - timezone.now()).total_seconds()
            wait = max(0.005, min(left, until_due, wakeups.poll_seconds()))
            # Held calls must not hold database connections: each one would be a PostgreSQL
            # process, and a slow minute piles up hundreds of waiting calls.
            _release_connection(wait)
            event.wait(wait)
            event.clear()


def live_task_events(*, live_task: LiveTask, seconds: float) -> Iterator[str]:
    """Server-sent events for a requester: the state now, then each change, ending with the
    answer or the time-out."""
    yield "retry: 2000\n\n"
    last = None
    end = time.monotonic() + seconds
    while True:
        current = live_task_wait(
            live_task=live_task, seconds=min(KEEPALIVE_SECONDS, end - time.monotonic())
        )
        body = json.dumps(live_task_out(current), default=str)
        if body != last:
            last = body
            yield f"event: {current.status}\ndata: {body}\n\n"
        else:
            yield ": still waiting\n\n"
        if current.status != L.WAITING or time.monotonic() >= end:
            return


def pending_offer(*, worker_id: int, now: datetime) -> LiveOffer | None:
    return (
        LiveOffer.objects.select_related("live_task__project")
        .filter(worker_id=worker_id, status=OS.OFFERED, expires_at__gt=now)
        .first()
    )


def offer_out(offer: LiveOffer | None, now: datetime) -> dict[str, Any]:
    if offer is None:
        return {"offer": None}
    return {
        "offer": offer.pk,
        "project": offer.live_task.project.name,
        "seconds_left": max(0, int((offer.expires_at - now).total_seconds())),
        "accept_url": reverse("live:accept", args=[offer.pk]),
        "decline_url": reverse("live:decline", args=[offer.pk]),
        "accept_api": f"/api/live/offers/{offer.pk}/accept",
    }


def offer_events(*, worker: User, seconds: float = STREAM_SECONDS) -> Iterator[str]:
    """Server-sent events for a worker's open page: an `offer` event the moment a task is
    offered (and again with `offer: null` when it is gone). The open stream is also the
    page's sign of life: while it is held, the worker stays available."""
    yield "retry: 1000\n\n"
    end = time.monotonic() + seconds
    last: int | None = -1
    touched = 0.0
    kept = time.monotonic()
    with wakeups.listening(wakeups.worker_key(worker.pk)) as event:
        while time.monotonic() < end:
            now = timezone.now()
            # The offer first: it is what the worker is waiting for.
            offer = pending_offer(worker_id=worker.pk, now=now)
            shown = offer.pk if offer is not None else None
            if shown != last:
                last = shown
                kept = time.monotonic()
                yield f"event: offer\ndata: {json.dumps(offer_out(offer, now))}\n\n"
            elif time.monotonic() - kept >= KEEPALIVE_SECONDS:
                kept = time.monotonic()
                yield ": keep-alive\n\n"
            if time.monotonic() - touched >= TOUCH_EVERY:
                standby_touch(worker_id=worker.pk, now=now)
                touched = time.monotonic()
            _sweep_now_and_then(now)
            # Woken by a notice, a page has nothing to look at between them: on PostgreSQL
            # it sleeps until the next keep-alive (the listener wakes it for an offer).
            wait = wakeups.poll_seconds()
            if wait >= wakeups.PG_POLL:
                wait = KEEPALIVE_SECONDS / 2
            if offer is not None:
                wait = min(wait, max(0.005, (offer.expires_at - now).total_seconds()))
            wait = min(wait, max(0.005, end - time.monotonic()))
            _release_connection(wait)
            event.wait(wait)
            event.clear()


def worker_live_projects(*, worker: User, now: datetime) -> list[dict[str, Any]]:
    from microwork.live.models import LiveOptIn
    from microwork.live.services.setup import statement_digest

    setups = list(
        LiveSetup.objects.select_related("project").filter(project__status=Project.Status.LIVE)
    )
    agreed = dict(
        LiveOptIn.objects.filter(
            worker=worker, project_id__in=[s.project_id for s in setups]
        ).values_list("project_id", "statement_digest")
    )
    standing = set(
        Standby.objects.filter(
            worker=worker, ended_at__isnull=True, last_seen_at__gte=now - HEARTBEAT_TTL
        ).values_list("project_id", flat=True)
    )
    return [
        {
            "setup": s,
            "project": s.project,
            "opted_in": agreed.get(s.project_id) == statement_digest(s),
            "available": s.project_id in standing,
        }
        for s in setups
    ]


def after_answer(*, assignment: Any) -> str | None:
    """Work's AFTER_ANSWER: a live task's worker goes back to the live page."""
    if LiveOffer.objects.filter(assignment_id=assignment.pk).exists():
        return reverse("live:home")
    return None


def project_answered_live(*, project: Project) -> bool:
    """Whether the project has a live set-up: its tasks are posted one at a time, so it goes
    live with none (a hook of projects.hooks.TASKS_MADE_AS_THEY_COME)."""
    return LiveSetup.objects.filter(project_id=project.pk).exists()
