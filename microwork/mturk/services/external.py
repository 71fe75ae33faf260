"""An ExternalQuestion's answer, posted by the requester's page to /mturk/externalSubmit."""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from microwork.lib.errors import Conflict, NotFound
from microwork.mturk.keys import lease_id_from
from microwork.work.models import Assignment, Submission
from microwork.work.services.submitting import submission_create

KIND = "external_question"


@transaction.atomic
def external_answer_submit(
    *, assignment_id: str, fields: dict[str, Any], now: datetime
) -> Submission:
    """The worker's answer to the lease the AssignmentId names. The post comes from the
    requester's page in a frame, where the worker's session cookie is not sent, so the
    AssignmentId is the credential: its MAC makes it unguessable (keys.assignment_id_for),
    and it is taken only for a live lease of an external question. A repeat (a retry, a
    double tap, a replay) returns the first answer and changes nothing."""
    lease_id = lease_id_from(assignment_id)
    lease = (
        Assignment.objects.select_related("project", "worker").filter(pk=lease_id).first()
        if lease_id is not None
        else None
    )
    if lease is None or lease.project.interface != KIND:
        raise NotFound(_("This assignment does not exist."), field="assignmentId")
    if lease.status == Assignment.Status.SUBMITTED:
        return Submission.objects.get(assignment_id=lease.pk)
    if lease.status != Assignment.Status.LEASED or lease.expires_at <= now:
        raise Conflict(
            _("This assignment is no longer open: its time ran out or it was given back."),
            code="assignment_closed",
            field="assignmentId",
        )
    return submission_create(assignment=lease, worker=lease.worker, answer=fields, now=now)
