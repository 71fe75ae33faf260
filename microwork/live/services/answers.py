"""The submit's hook for live tasks (work's SUBMISSION_HOOKS, first): an answer counts only
from the worker holding the task's accepted offer, before the requester's deadline. Anything
else is refused, which undoes the whole submit — so a live task is never answered twice and
an answer that came too late is neither stored nor paid."""

import random
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from microwork.lib.errors import Conflict
from microwork.live import wakeups
from microwork.live.models import LiveOffer, LiveSetup, LiveTask
from microwork.live.services.dispatch import _freed, _offer_next, announce_answered, default_rng

OS = LiveOffer.Status
L = LiveTask.Status


def submission_live(*, submission: Any, rng: random.Random | None = None) -> None:
    live_task = (
        LiveTask.objects.select_for_update(of=("self",))
        .select_related("project__organisation")
        .filter(task_id=submission.task_id)
        .first()
    )
    if live_task is None:
        return
    now = submission.submitted_at or timezone.now()
    offer = LiveOffer.objects.filter(
        live_task=live_task, assignment_id=submission.assignment_id, status=OS.ACCEPTED
    ).first()
    if live_task.status != L.WAITING or offer is None or now >= live_task.deadline:
        raise Conflict(
            _(
                "Too late for this live task: the requester's deadline passed or it went to "
                "someone else, so this answer is not used."
            ),
            code="live_too_late",
        )
    offer.status = OS.ANSWERED
    offer.ended_at = now
    offer.save(update_fields=["status", "ended_at"])
    answered = LiveOffer.objects.filter(live_task=live_task, status=OS.ANSWERED).count()
    if answered >= live_task.answers_wanted:
        live_task.status = L.ANSWERED
        live_task.closed_at = now
        live_task.due_at = now
        # The answer is final here: the place where "live task answered" is announced.
        announce_answered(live_task)
    else:
        setup = LiveSetup.objects.get(project_id=live_task.project_id)
        _offer_next(live_task, setup, now, rng or default_rng)
    live_task.save(update_fields=["status", "closed_at", "due_at", "close_reason"])
    # The requester's waiting call; the worker's page has no offer to take down (it was
    # accepted), but the worker is free again: a task waiting for someone is offered now.
    wakeups.notify(wakeups.task_key(live_task.pk))
    _freed(submission.worker_id, now)
