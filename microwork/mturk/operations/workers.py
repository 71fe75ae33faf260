"""Workers (blocks, messages), the account's balance and notification settings."""

from decimal import Decimal
from typing import Any
from urllib.parse import urlparse

from django.db.models import Sum

from microwork.ledger.models import Account
from microwork.mturk import selectors
from microwork.mturk.models import NotificationSetting
from microwork.mturk.operations.hits import _hit_type
from microwork.mturk.operations.qualifications import _worker
from microwork.mturk.protocol import Context, flag, invalid, money, page, paged, request_error, text
from microwork.mturk.services import notifications
from microwork.mturk.services.workers import (
    MAX_MESSAGE,
    MAX_SUBJECT,
    worker_alias,
    workers_notify,
)
from microwork.quality.models import Decision
from microwork.quality.services.blocks import worker_block_create, worker_block_delete

EVENT_TYPES = {
    "AssignmentAccepted",
    "AssignmentAbandoned",
    "AssignmentReturned",
    "AssignmentSubmitted",
    "AssignmentRejected",
    "AssignmentApproved",
    "HITCreated",
    "HITExpired",
    "HITReviewable",
    "HITExtended",
    "HITDisposed",
    "Ping",
}


def create_worker_block(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    worker = _worker(ctx, p)
    worker_block_create(
        organisation=ctx.organisation,
        actor=ctx.user,
        worker=worker,
        reason=text(p, "Reason", required=True, max_length=2000),
        now=ctx.now,
    )
    return {}


def delete_worker_block(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    worker = _worker(ctx, p)
    worker_block_delete(
        organisation=ctx.organisation,
        actor=ctx.user,
        worker=worker,
        reason=text(p, "Reason", max_length=2000),
        now=ctx.now,
    )
    return {}


def list_worker_blocks(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    offset, size = page(p)
    rows = list(
        Decision.objects.filter(
            kind=Decision.Kind.BLOCK,
            organisation=ctx.organisation,
            status=Decision.Status.ACTIVE,
        )
        .select_related("worker")
        .order_by("starts_at", "id")[offset : offset + size + 1]
    )
    return paged(
        rows,
        offset,
        size,
        "WorkerBlocks",
        lambda b: {
            "WorkerId": worker_alias(organisation=ctx.organisation, worker=b.worker),
            "Reason": b.note,
        },
    )


def notify_workers(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    subject = text(p, "Subject", required=True, max_length=MAX_SUBJECT)
    message = text(p, "MessageText", required=True, max_length=MAX_MESSAGE)
    ids = p.get("WorkerIds")
    if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
        raise invalid("WorkerIds", "must list 1 to 100 WorkerIds.")
    failures = []
    workers = []
    for worker_id in ids:
        worker = (
            selectors.worker_by_alias(ctx.organisation, worker_id)
            if isinstance(worker_id, str)
            else None
        )
        if worker is None:
            failures.append(
                {
                    "NotifyWorkersFailureCode": "HardFailure",
                    "NotifyWorkersFailureMessage": "This worker has not done any of your HITs.",
                    "WorkerId": str(worker_id),
                }
            )
        else:
            workers.append(worker)
    if workers:
        workers_notify(
            organisation=ctx.organisation,
            workers=workers,
            subject=subject,
            message=message,
            now=ctx.now,
        )
    return {"NotifyWorkersFailureStatuses": failures}


def get_account_balance(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    accounts = Account.objects.filter(organisation=ctx.organisation, currency="USD")
    available = accounts.filter(kind=Account.Kind.REQUESTER_AVAILABLE).aggregate(s=Sum("balance"))[
        "s"
    ] or Decimal(0)
    on_hold = accounts.filter(kind=Account.Kind.REQUESTER_ESCROW).aggregate(s=Sum("balance"))[
        "s"
    ] or Decimal(0)
    return {"AvailableBalance": money(available), "OnHoldBalance": money(on_hold)}


def _specification(p: dict[str, Any]) -> dict[str, Any]:
    spec = p.get("Notification")
    if not isinstance(spec, dict):
        raise invalid("Notification", "is required.")
    destination = text(spec, "Destination", required=True, max_length=1000)
    url = urlparse(destination)
    if url.scheme not in ("https", "http") or not url.netloc:
        raise request_error(
            "Notification.Destination: notifications are delivered as signed webhooks to an "
            "https:// address, not to an email address, SQS queue or SNS topic."
        )
    events = spec.get("EventTypes")
    if not isinstance(events, list) or not events or any(e not in EVENT_TYPES for e in events):
        raise invalid("Notification.EventTypes", "must list MTurk event types.")
    return {
        "destination": destination,
        "transport": text(spec, "Transport", required=True, max_length=10),
        "version": text(spec, "Version", required=True, max_length=40),
        "event_types": events,
    }


def update_notification_settings(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    hit_type = _hit_type(ctx, p)
    spec = _specification(p) if p.get("Notification") is not None else None
    active = p.get("Active")
    if spec is None and active is None:
        raise invalid("Notification", "give a Notification, Active, or both.")
    if spec is None and not NotificationSetting.objects.filter(hit_type=hit_type).exists():
        raise request_error("This HIT type has no notification settings yet: send a Notification.")
    notifications.notification_settings_update(
        hit_type=hit_type,
        actor=ctx.user,
        spec=spec,
        active=flag(p, "Active") if active is not None else None,
        now=ctx.now,
    )
    return {}


def send_test_event_notification(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    spec = _specification(p)
    event = text(p, "TestEventType", required=True, max_length=40)
    if event not in EVENT_TYPES:
        raise invalid("TestEventType", "is not an MTurk event type.")
    notifications.test_event_send(
        organisation=ctx.organisation, actor=ctx.user, spec=spec, event=event, now=ctx.now
    )
    return {}
