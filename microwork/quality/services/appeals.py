"""Appeals against decisions: a worker appeals, the requester (or an operator) answers, and
an appeal left unanswered past its deadline is paid or sent on to the operators."""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from microwork.accounts.models import User
from microwork.accounts.selectors import organisation_members
from microwork.lib.errors import ApplicationError, Conflict, Forbidden
from microwork.lib.status import status_change
from microwork.quality import selectors
from microwork.quality.models import APPEAL_WINDOW, Appeal, AppealEvent, Decision
from microwork.quality.services.decisions import decision_reverse
from microwork.quality.services.notices import quality_notify
from microwork.webhooks.events import APPEAL_OPENED
from microwork.webhooks.services.events import webhook_event_emit

log = logging.getLogger(__name__)


DEFAULT_APPEAL_DEADLINE = timedelta(hours=72)
MAX_MESSAGE = 4000


def _written(value: str | None, *, field: str, empty: str, too_long: str) -> str:
    """A message one side of an appeal writes to the other: required, and not a book."""
    text = (value or "").strip()
    if not text:
        raise ApplicationError(empty, field=field)
    if len(text) > MAX_MESSAGE:
        raise ApplicationError(too_long % {"n": MAX_MESSAGE}, field=field)
    return text


@transaction.atomic
def appeal_create(
    *, worker: User, decision: Decision, message: str, now: datetime | None = None
) -> Appeal:
    now = now or timezone.now()
    decision = (
        Decision.objects.select_for_update(of=("self",))
        .select_related("project")
        .get(pk=decision.pk)
    )
    if decision.worker_id != worker.pk:
        raise Forbidden(_("You can only appeal decisions about you."), code="not_yours")
    message = _written(
        message,
        field="message",
        empty=_("Write what you want the reviewer to know."),
        too_long=_("Keep the message under %(n)d characters."),
    )
    if Appeal.objects.filter(decision=decision).exists():
        raise Conflict(_("You already appealed this decision."), code="already_appealed")
    if decision.status == Decision.Status.REVERSED:
        raise Conflict(_("This decision was already reversed."), code="already_reversed")
    if now > decision.appeal_until:
        raise ApplicationError(
            _(
                "Appeals are possible for %(days)d days after a decision; this one was made on "
                "%(when)s."
            )
            % {"days": APPEAL_WINDOW.days, "when": decision.starts_at.date()},
            code="appeal_window_closed",
        )
    project = decision.project
    if project is not None:
        hours = selectors.settings_for_project(project).appeal_deadline_hours
        route = Appeal.Route.REQUESTER
    else:
        hours = int(DEFAULT_APPEAL_DEADLINE.total_seconds() // 3600)
        route = Appeal.Route.OPERATOR
    appeal = Appeal.objects.create(
        decision=decision,
        worker=worker,
        message=message,
        route=route,
        created_at=now,
        deadline_at=now + timedelta(hours=hours),
    )
    AppealEvent.objects.create(appeal=appeal, new_status=appeal.status, actor=worker, at=now)
    params = {
        "worker": worker.username,
        "project": project.name if project is not None else "",
        "deadline": appeal.deadline_at.isoformat(),
    }
    recipients = (
        # The requester route is taken exactly when there is a project (above).
        organisation_members(organisation_id=project.organisation_id)
        if project is not None
        else User.objects.filter(is_staff=True, is_active=True)
    )
    quality_notify(
        to=recipients,
        kind="appeal_received",
        appeal=appeal,
        decision=decision,
        params=params,
        now=now,
    )
    if project is not None:
        # The requester's own systems hear of it too (sent after commit); an appeal without a
        # project goes to the operators, whom no webhook serves.
        webhook_event_emit(
            organisation=project.organisation,
            event=APPEAL_OPENED,
            key=f"{APPEAL_OPENED}:{appeal.pk}",
            project=project,
            payload={
                "appeal_id": appeal.pk,
                "decision_id": decision.pk,
                "project_id": project.pk,
                "worker": worker.username,
                "message": appeal.message,
                "deadline_at": appeal.deadline_at,
            },
        )
    return appeal


@transaction.atomic
def appeal_decide(
    *, appeal: Appeal, actor: User, reverse: bool, response: str, now: datetime | None = None
) -> Appeal:
    now = now or timezone.now()
    appeal = (
        Appeal.objects.select_for_update(of=("self",))
        .select_related("decision", "decision__project")
        .get(pk=appeal.pk)
    )
    if not appeal.is_open:
        raise Conflict(_("This appeal was already answered."), code="already_answered")
    response = _written(
        response,
        field="response",
        empty=_("Explain your answer: the worker reads it."),
        too_long=_("Keep the answer under %(n)d characters."),
    )
    new = Appeal.Status.REVERSED if reverse else Appeal.Status.UPHELD
    status_change(appeal, new, AppealEvent, actor=actor, reason=response, at=now)
    appeal.answered_by = actor
    appeal.answered_at = now
    appeal.response = response
    appeal.save(update_fields=["answered_by", "answered_at", "response"])
    if reverse:
        decision_reverse(decision=appeal.decision, actor=actor, reason=response, now=now)
        quality_notify(
            to=appeal.worker,
            kind="appeal_reversed",
            appeal=appeal,
            decision=appeal.decision,
            params={"response": response},
            now=now,
        )
    else:
        quality_notify(
            to=appeal.worker,
            kind="appeal_upheld",
            appeal=appeal,
            decision=appeal.decision,
            params={"response": response},
            now=now,
        )
    return appeal


@transaction.atomic
def appeals_escalate(*, now: datetime | None = None) -> dict[str, int]:
    """Appeals past their deadline: an undefended rejection is paid; any other requester
    appeal goes to the operators."""
    now = now or timezone.now()
    done = {"paid": 0, "escalated": 0}
    for appeal in (
        Appeal.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("decision")
        .filter(status=Appeal.Status.OPEN, route=Appeal.Route.REQUESTER, deadline_at__lte=now)
    ):
        if appeal.decision.kind == Decision.Kind.REJECTION:
            try:
                with transaction.atomic():
                    _appeal_pay_undefended(appeal=appeal, now=now)
            except ApplicationError as exc:
                # Escrow short: the appeal stays due and the next run pays it.
                log.warning("undefended rejection %s not paid yet: %s", appeal.pk, exc.message)
                continue
            done["paid"] += 1
            continue
        status_change(
            appeal,
            Appeal.Status.ESCALATED,
            AppealEvent,
            actor=None,
            reason="deadline passed",
            at=now,
        )
        appeal.route = Appeal.Route.OPERATOR
        appeal.escalated_at = now
        appeal.deadline_at = now + DEFAULT_APPEAL_DEADLINE
        appeal.save(update_fields=["route", "escalated_at", "deadline_at"])
        quality_notify(
            to=appeal.worker,
            kind="appeal_escalated",
            appeal=appeal,
            decision=appeal.decision,
            now=now,
        )
        quality_notify(
            to=User.objects.filter(is_staff=True, is_active=True),
            kind="appeal_received",
            appeal=appeal,
            decision=appeal.decision,
            params={
                "worker": appeal.worker.username,
                "project": (
                    appeal.decision.project.name if appeal.decision.project is not None else ""
                ),
                "deadline": appeal.deadline_at.isoformat(),
            },
            now=now,
        )
        done["escalated"] += 1
    return done


def _appeal_pay_undefended(*, appeal: Appeal, now: datetime) -> None:
    reason = _("The requester did not defend the rejection in time.")
    status_change(appeal, Appeal.Status.REVERSED, AppealEvent, actor=None, reason=reason, at=now)
    appeal.answered_at = now
    appeal.response = reason
    appeal.save(update_fields=["answered_at", "response"])
    decision_reverse(decision=appeal.decision, actor=None, reason=reason, now=now)
    quality_notify(
        to=appeal.worker,
        kind="appeal_reversed",
        appeal=appeal,
        decision=appeal.decision,
        now=now,
    )
