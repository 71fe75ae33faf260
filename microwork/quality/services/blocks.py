"""A requester blocks a worker from all of its organisation's projects. A block is a Decision
like any other: the worker reads the requester's reason, can appeal it (the requester answers,
an operator if they do not), and work eligibility refuses the worker every project of that
organisation while it is in force. One mechanism for the pages and the API (MTurk's
CreateWorkerBlock / DeleteWorkerBlock map onto these two services)."""

from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from microwork.accounts.models import Organisation, User
from microwork.lib.errors import ApplicationError
from microwork.projects.models import Project
from microwork.quality.models import Decision
from microwork.quality.services.decisions import decision_record, decision_reverse

MAX_REASON = 2000


def _active_blocks(*, organisation: Organisation, worker: User) -> QuerySet[Decision]:
    return Decision.objects.filter(
        kind=Decision.Kind.BLOCK,
        organisation=organisation,
        worker=worker,
        status=Decision.Status.ACTIVE,
    )


@transaction.atomic
def worker_block_create(
    *,
    organisation: Organisation,
    worker: User,
    reason: str,
    actor: User | None = None,
    project: Project | None = None,
    now: datetime | None = None,
) -> Decision:
    """Block `worker` from every project of `organisation`, with a reason the worker reads.
    Blocking a worker already blocked returns the block in force (a retried request does not
    stack blocks). `project`, optional, is where the requester made it (shown with it)."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            _("Say why you block this worker: they read it and can appeal."), field="reason"
        )
    if len(reason) > MAX_REASON:
        raise ApplicationError(
            _("Keep the reason under %(n)d characters.") % {"n": MAX_REASON}, field="reason"
        )
    if worker.memberships.filter(organisation=organisation).exists():
        raise ApplicationError(
            _("This person is a member of your organisation and cannot be blocked."),
            field="worker",
        )
    if project is not None and project.organisation_id != organisation.pk:
        raise ApplicationError(_("No such project."), field="project")
    # Lock the worker's row so two blocks sent at once make one decision.
    User.objects.select_for_update().filter(pk=worker.pk).first()
    existing = _active_blocks(organisation=organisation, worker=worker).first()
    if existing is not None:
        return existing
    return decision_record(
        worker=worker,
        project=project,
        organisation=organisation,
        kind=Decision.Kind.BLOCK,
        inputs={"organisation": organisation.name},
        starts_at=now,
        decided_by=actor,
        note=reason,
    )


@transaction.atomic
def worker_block_delete(
    *,
    organisation: Organisation,
    worker: User,
    actor: User | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> int:
    """Lift the organisation's block of `worker` (the worker is told). Returns how many blocks
    were lifted: 0 when none was in force, so a repeated request changes nothing."""
    now = now or timezone.now()
    lifted = 0
    for decision in _active_blocks(organisation=organisation, worker=worker).select_for_update():
        decision_reverse(decision=decision, actor=actor, reason=reason or "block lifted", now=now)
        lifted += 1
    return lifted
