"""Firing an event: it is stored with one delivery per subscription that wants it, and each
delivery is queued once the caller's transaction has committed, so the request that caused
the event never waits on a receiver, and an event of a rolled-back request is never sent."""

import json
import uuid
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from microwork.accounts.models import Organisation
from microwork.lib.errors import ApplicationError
from microwork.lib.registry import loaded
from microwork.webhooks.events import EVENTS, TEST
from microwork.webhooks.models import Delivery, Event, Subscription
from microwork.webhooks.services.delivery import DELIVERY_SEND

KEY_MAX = 200


def _json_safe(payload: dict[str, Any]) -> dict[str, Any]:
    # Decimals, datetimes and UUIDs as the API writes them, so the stored payload is the body.
    return json.loads(json.dumps(payload, cls=DjangoJSONEncoder))


def deliveries_enqueue(delivery_ids: list[int]) -> None:
    """Queue an attempt for each delivery after the current transaction commits. A lost
    job costs only time: the periodic sweep picks up every delivery that is due."""
    if not delivery_ids:
        return

    def enqueue() -> None:
        for pk in delivery_ids:
            loaded(DELIVERY_SEND).enqueue(delivery_id=pk)

    transaction.on_commit(enqueue)


@transaction.atomic
def webhook_event_emit(
    *,
    organisation: Organisation,
    event: str,
    payload: dict[str, Any],
    key: str,
    project: Any = None,
    now: datetime | None = None,
) -> Event | None:
    """Record `event` for `organisation` and a delivery to each of its active subscriptions
    that asked for it, queued after commit. `key` makes it idempotent: the same key again
    (a retried request, a re-run job) returns the first event and sends nothing more.
    `project` is any object with a `pk` (or None); its id goes with the event. Returns None
    when no subscription wants the event: nothing is stored for nobody."""
    if event not in EVENTS or event == TEST:
        raise ApplicationError(_("Unknown event %(name)s.") % {"name": event}, field="event")
    key = (key or "").strip()
    if not key or len(key) > KEY_MAX:
        raise ApplicationError(
            _("An idempotency key of 1 to %(n)d characters is required.") % {"n": KEY_MAX},
            field="key",
        )
    wanting = [
        s
        for s in Subscription.objects.filter(organisation=organisation, is_active=True)
        if event in s.events
    ]
    if not wanting:
        return None
    now = now or timezone.now()
    stored, created = Event.objects.get_or_create(
        organisation=organisation,
        key=key,
        defaults={
            "name": event,
            "payload": _json_safe(payload),
            "project_id": getattr(project, "pk", None),
            "created_at": now,
        },
    )
    if not created:
        return stored
    deliveries = Delivery.objects.bulk_create(
        [
            Delivery(event=stored, subscription=s, next_attempt_at=now, created_at=now)
            for s in wanting
        ]
    )
    deliveries_enqueue([d.pk for d in deliveries])
    return stored


@transaction.atomic
def webhook_test_send(*, subscription: Subscription, now: datetime | None = None) -> Delivery:
    """A test event to this one subscription, whatever it subscribes to, to check the
    receiver and its signature check."""
    now = now or timezone.now()
    event = Event.objects.create(
        organisation_id=subscription.organisation_id,
        name=TEST,
        key=f"{TEST}:{uuid.uuid4()}",
        payload={"subscription_id": subscription.pk, "message": "It works."},
        created_at=now,
    )
    delivery = Delivery.objects.create(
        event=event, subscription=subscription, next_attempt_at=now, created_at=now
    )
    deliveries_enqueue([delivery.pk])
    return delivery
