"""MTurk's notification settings, delivered by the webhooks app (signed, retried, logged): a
HIT type's settings are one webhook subscription of the organisation, to the Destination,
for the events that have an equivalent."""

from datetime import datetime
from typing import Any

from django.db import transaction

from microwork.accounts.models import Organisation, User
from microwork.lib.errors import ApplicationError
from microwork.mturk.models import HitType, NotificationSetting
from microwork.webhooks.models import Subscription
from microwork.webhooks.services.events import webhook_test_send
from microwork.webhooks.services.subscriptions import subscription_create, subscription_update

# MTurk's event types that have a microwork event. The others (accepted, returned,
# abandoned, approved, rejected, HIT created, expired, extended, disposed) are the
# requester's own actions or are not events here.
EVENTS = {
    "AssignmentSubmitted": "answer.submitted",
    "HITReviewable": "task.completed",
}


def _events(event_types: list[str]) -> list[str]:
    unknown = [e for e in event_types if e not in EVENTS and e != "Ping"]
    if unknown:
        raise ApplicationError(
            f"Notification.EventTypes: {', '.join(unknown)} cannot be delivered; the events "
            f"delivered are {', '.join(EVENTS)}.",
            field="Notification.EventTypes",
        )
    chosen = [EVENTS[e] for e in event_types if e in EVENTS]
    if not chosen:
        raise ApplicationError(
            "Notification.EventTypes: name AssignmentSubmitted or HITReviewable.",
            field="Notification.EventTypes",
        )
    return chosen


@transaction.atomic
def notification_settings_update(
    *,
    hit_type: HitType,
    actor: User,
    spec: dict[str, Any] | None,
    active: bool | None,
    now: datetime,
) -> NotificationSetting:
    setting = NotificationSetting.objects.select_for_update().filter(hit_type=hit_type).first()
    if setting is None:
        assert spec is not None  # the operation asks for one first
        setting = NotificationSetting(hit_type=hit_type, updated_at=now, **spec)
    elif spec is not None:
        for name, value in spec.items():
            setattr(setting, name, value)
    if active is not None:
        setting.active = active
    events = _events(setting.event_types)
    subscription = (
        Subscription.objects.filter(
            pk=setting.subscription_id, organisation_id=hit_type.organisation_id
        ).first()
        if setting.subscription_id
        else None
    )
    if subscription is None:
        subscription = subscription_create(
            organisation=hit_type.organisation,
            url=setting.destination,
            events=events,
            actor=actor,
            description=f"MTurk HIT type {hit_type.hit_type_id}",
        )
    subscription = subscription_update(
        subscription=subscription,
        url=setting.destination,
        events=events,
        is_active=setting.active,
    )
    setting.subscription_id = subscription.pk
    setting.updated_at = now
    setting.save()
    return setting


def test_event_send(
    *, organisation: Organisation, actor: User, spec: dict[str, Any], event: str, now: datetime
) -> None:
    """A test delivery to the subscription set up for this Destination, queued (never sent
    within the request), signed like every delivery."""
    subscription = (
        Subscription.objects.filter(organisation=organisation, url=spec["destination"])
        .order_by("-is_active", "-id")
        .first()
    )
    if subscription is None:
        raise ApplicationError(
            "Notification.Destination: set it up first with UpdateNotificationSettings; its "
            "deliveries are signed with the subscription's secret.",
            field="Notification.Destination",
        )
    webhook_test_send(subscription=subscription, now=now)
