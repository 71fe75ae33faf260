"""Decisions about a worker: recording one with its audit row, reversing it (paying an
overturned rejection), ending those whose time is up, and suspending an account."""

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from microwork.accounts.models import Organisation, User
from microwork.lib.errors import ApplicationError, Conflict, Forbidden
from microwork.lib.status import status_change
from microwork.payments.models import SubmissionReview
from microwork.payments.services import earnings as payments_earnings
from microwork.projects.models import Project
from microwork.quality import texts
from microwork.quality.models import Decision, DecisionEvent
from microwork.quality.rules.base import check_int
from microwork.quality.services.notices import quality_notify
from microwork.quality.services.skills import skill_locked
from microwork.work.models import Submission


@transaction.atomic
def decision_record(
    *,
    worker: User,
    project: Project | None,
    kind: str,
    inputs: dict[str, Any],
    starts_at: datetime,
    ends_at: datetime | None = None,
    rule_key: str = "",
    decided_by: User | None = None,
    evidence: list[dict[str, Any]] | None = None,
    submission: Submission | None = None,
    reason_code: str = "",
    note: str = "",
    idempotency_key: str | None = None,
    organisation: Organisation | None = None,
) -> Decision:
    """Store one decision with its audit row and tell the worker."""
    if idempotency_key:
        existing = Decision.objects.filter(idempotency_key=idempotency_key).first()
        if existing:
            return existing
    decision = Decision(
        worker=worker,
        project=project,
        organisation=organisation,
        kind=kind,
        rule_key=rule_key,
        decided_by=decided_by,
        inputs=inputs,
        evidence=evidence or [],
        submission=submission,
        reason_code=reason_code,
        note=note,
        starts_at=starts_at,
        ends_at=ends_at,
        idempotency_key=idempotency_key,
    )
    with translation.override("en"):
        decision.outcome = texts.decision_text(decision)
    decision.save()
    DecisionEvent.objects.create(
        decision=decision,
        new_status=decision.status,
        actor=decided_by,
        at=starts_at,
        reason=rule_key or reason_code,
    )
    quality_notify(to=worker, kind="decision", decision=decision, now=starts_at)
    return decision


@transaction.atomic
def decision_reverse(
    *, decision: Decision, actor: User | None, reason: str, now: datetime | None = None
) -> Decision:
    """Undo a decision: access, pay and standing come back as if it had not been made."""
    now = now or timezone.now()
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if decision.status == Decision.Status.REVERSED:
        return decision
    status_change(
        decision, Decision.Status.REVERSED, DecisionEvent, actor=actor, reason=reason, at=now
    )
    if decision.kind == Decision.Kind.REJECTION and decision.submission is not None:
        _rejection_overturn(
            decision=decision, submission=decision.submission, actor=actor, reason=reason, now=now
        )
    if decision.rule_key and decision.project_id and decision.kind != Decision.Kind.REJECTION:
        # A rejection (by peer review) stands alone: reversing it clears nothing else.
        # Standing: the rule's warnings go with the sanction, and the rule starts counting
        # afresh, so the same old answers cannot sanction the worker again the next minute.
        for warning in (
            Decision.objects.select_for_update()
            .filter(
                project_id=decision.project_id,
                worker_id=decision.worker_id,
                rule_key=decision.rule_key,
                status=Decision.Status.ACTIVE,
            )
            .exclude(pk=decision.pk)
        ):
            status_change(
                warning,
                Decision.Status.REVERSED,
                DecisionEvent,
                actor=actor,
                reason=_("Reversed with decision %(id)d.") % {"id": decision.pk},
                at=now,
            )
        project = decision.project
        assert project is not None  # project_id is set (the test above)
        skill = skill_locked(project=project, worker=decision.worker)
        skill.rules_since = now
        skill.save(update_fields=["rules_since"])
    quality_notify(to=decision.worker, kind="decision_reversed", decision=decision, now=now)
    return decision


@transaction.atomic
def decisions_expire(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    count = 0
    for decision in Decision.objects.select_for_update(skip_locked=True).filter(
        status=Decision.Status.ACTIVE, ends_at__lte=now
    ):
        status_change(
            decision, Decision.Status.EXPIRED, DecisionEvent, actor=None, reason="ended", at=now
        )
        if decision.kind != Decision.Kind.WARNING:
            quality_notify(to=decision.worker, kind="decision_expired", decision=decision, now=now)
        count += 1
    return count


@transaction.atomic
def account_suspend(
    *,
    operator: User,
    worker: User,
    reason: str,
    ends_at: datetime | None = None,
    days: Any = None,
    now: datetime | None = None,
) -> Decision:
    """Suspend an account until `ends_at`, or for `days` days (0 or none: until lifted)."""
    now = now or timezone.now()
    if not operator.is_staff:
        raise Forbidden(_("Only operators suspend accounts."))
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Say why: the worker reads it."), field="reason")
    if days not in (None, ""):
        length = check_int(days, field="days", minimum=0, maximum=3650)
        if length:
            ends_at = now + timedelta(days=length)
    if ends_at is not None and ends_at <= now:
        raise ApplicationError(_("The end must be in the future."), field="ends_at")
    return decision_record(
        worker=worker,
        project=None,
        kind=Decision.Kind.SUSPENSION,
        inputs={},
        starts_at=now,
        ends_at=ends_at,
        decided_by=operator,
        note=reason[:2000],
    )


# --- overturned rejections ---------------------------------------------------------------


def _rejection_overturn(
    *, decision: Decision, submission: Submission, actor: User | None, reason: str, now: datetime
) -> None:
    """Pay the rejected answer, in the caller's transaction: if the money cannot move (the
    requester's funds are short), the reversal fails with it and nothing changes."""
    paid = payments_earnings.submission_rejection_overturn(
        submission=submission,
        actor=actor,
        reason=reason,
        rule=SubmissionReview.Rule.APPEAL,
        inputs={"decision_id": decision.pk},
        now=now,
    )
    if not paid:
        status = Submission.objects.values_list("status", flat=True).get(pk=submission.pk)
        if status != Submission.Status.APPROVED:
            raise Conflict(
                _("The rejected answer is %(status)s, so it cannot be paid.")
                % {"status": Submission.Status(status).label},
                code="not_rejected",
            )
