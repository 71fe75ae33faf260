"""Giving a task back: skipped or returned by the worker, or expired once its lease ran out
(the periodic sweep)."""

from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from microwork.accounts.models import User
from microwork.lib.errors import Conflict
from microwork.projects.models import Project
from microwork.work import scheduler
from microwork.work.models import Assignment, AssignmentEvent
from microwork.work.services.claiming import RELEASE_GRACE, check_owner, record_event

SWEEP_BATCH = 500
# The event reason of a skip on a project that declares disturbing content: a worker may
# skip such an item for their own sake, without penalty, so quality's rules and figures
# leave these skips out (quality.selectors.trailing_skips, the sweep).
DISTURBING_SKIP = "disturbing_skip"

Status = Assignment.Status


def _end(
    *,
    assignment: Assignment,
    worker: User,
    new: str,
    now: datetime | None,
    reason: str | None = None,
) -> Assignment:
    now = now or timezone.now()
    check_owner(assignment, worker)
    locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if locked.status != Status.LEASED:
        messages: dict[str, str] = {
            Status.RETURNED: _("You already returned this task."),
            Status.SKIPPED: _("You already skipped this task."),
            Status.SUBMITTED: _("You already submitted this task."),
            Status.EXPIRED: _("The time for this task ran out; it went back to the pool."),
        }
        raise Conflict(messages[locked.status], code=f"already_{locked.status}")
    locked.status = new
    locked.ended_at = now
    locked.save(update_fields=["status", "ended_at"])
    record_event(locked, Status.LEASED, new, reason or new, now)
    return locked


@transaction.atomic
def assignment_skip(
    *, assignment: Assignment, worker: User, now: datetime | None = None
) -> Assignment:
    """ "Not this one": the task goes back to others and never comes back to this worker.
    On a project that declares disturbing content the skip is the worker's protection, not a
    sign of careless work: it is recorded as DISTURBING_SKIP, which quality does not count."""
    declared = Project.objects.filter(pk=assignment.project_id).values_list(
        "disturbing_content", flat=True
    )
    reason = DISTURBING_SKIP if declared.first() else None
    return _end(assignment=assignment, worker=worker, new=Status.SKIPPED, now=now, reason=reason)


@transaction.atomic
def assignment_return(
    *, assignment: Assignment, worker: User, now: datetime | None = None
) -> Assignment:
    """ "I stop here": the slot is freed at once instead of when the time runs out."""
    return _end(assignment=assignment, worker=worker, new=Status.RETURNED, now=now)


def assignments_expire(*, now: datetime | None = None) -> int:
    """Close leases that ran out more than RELEASE_GRACE ago. Only tidying: claims already
    treat a lease past expires_at as a free slot, whether or not this has run."""
    now = now or timezone.now()
    cutoff = now - RELEASE_GRACE
    closed = 0
    while True:
        with transaction.atomic():
            ids = list(
                scheduler.lock_rows(
                    Assignment.objects.filter(status=Status.LEASED, expires_at__lte=cutoff)
                ).values_list("id", flat=True)[:SWEEP_BATCH]
            )
            if not ids:
                return closed
            Assignment.objects.filter(pk__in=ids).update(
                status=Status.EXPIRED, ended_at=F("expires_at")
            )
            AssignmentEvent.objects.bulk_create(
                AssignmentEvent(
                    assignment_id=pk,
                    old_status=Status.LEASED,
                    new_status=Status.EXPIRED,
                    reason="swept",
                    at=now,
                )
                for pk in ids
            )
            closed += len(ids)
