"""Requester API for webhooks: subscriptions (made, changed, deleted, secret rotated, tested)
and the delivery log. Each handler: parse, access, one service."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from microwork.accounts.api_auth import requester_organisation, requester_scope
from microwork.accounts.auth import request_user
from microwork.lib.api_errors import responses
from microwork.lib.bounds import BoundedPageNumberPagination
from microwork.webhooks import selectors
from microwork.webhooks.access import (
    access_delivery_for_requester,
    access_subscription_for_requester,
)
from microwork.webhooks.events import EVENTS, SUBSCRIBABLE
from microwork.webhooks.models import Delivery, Subscription
from microwork.webhooks.services.events import webhook_test_send
from microwork.webhooks.services.subscriptions import (
    subscription_create,
    subscription_delete,
    subscription_rotate_secret,
    subscription_update,
)

router = Router(tags=["webhooks"])

EVENTS_HELP = "Event names from GET /api/webhooks/events (" + ", ".join(SUBSCRIBABLE) + ")."


class EventTypeOut(Schema):
    name: str
    description: str


class SubscriptionIn(Schema):
    url: str = Field(..., max_length=500, description="http:// or https:// address to POST to.")
    events: list[str] = Field(..., max_length=len(SUBSCRIBABLE) * 2, description=EVENTS_HELP)
    description: str = Field("", max_length=200)


class SubscriptionPatch(Schema):
    url: str | None = Field(None, max_length=500)
    events: list[str] | None = Field(None, max_length=len(SUBSCRIBABLE) * 2)
    description: str | None = Field(None, max_length=200)
    is_active: bool | None = None


class SubscriptionOut(Schema):
    id: int
    url: str
    events: list[str]
    description: str
    is_active: bool
    created_at: datetime
    updated_at: datetime


class SubscriptionSecretOut(SubscriptionOut):
    secret: str = Field(
        ...,
        description=(
            "Signs every delivery (header Microwork-Signature). Shown only here, when the "
            "subscription is made or its secret rotated: keep it."
        ),
    )


class AttemptOut(Schema):
    number: int
    started_at: datetime
    duration_ms: int
    status_code: int | None
    error: str
    response_excerpt: str


class DeliveryOut(Schema):
    id: int
    subscription_id: int
    event_id: str
    event: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str
    delivered_at: datetime | None
    created_at: datetime
    payload: dict[str, Any]
    attempt_log: list[AttemptOut]

    @staticmethod
    def resolve_event_id(obj: Delivery) -> str:
        return f"evt_{obj.event_id}"

    @staticmethod
    def resolve_event(obj: Delivery) -> str:
        return obj.event.name

    @staticmethod
    def resolve_payload(obj: Delivery) -> dict[str, Any]:
        return obj.event.payload

    @staticmethod
    def resolve_attempt_log(obj: Delivery) -> list[Any]:
        return list(obj.attempt_log.all())


def _subscription(request: HttpRequest, subscription_id: int) -> Subscription:
    return access_subscription_for_requester(
        user=request_user(request),
        subscription_id=subscription_id,
        organisation=requester_scope(request),
    )


@router.get("/webhooks/events", response=responses(list[EventTypeOut]))
def list_event_types(request: HttpRequest):
    return [{"name": name, "description": str(EVENTS[name])} for name in SUBSCRIBABLE]


@router.post("/webhooks/subscriptions", response=responses({201: SubscriptionSecretOut}))
def create_subscription(request: HttpRequest, payload: SubscriptionIn):
    subscription = subscription_create(
        organisation=requester_organisation(request),
        actor=request_user(request),
        url=payload.url,
        events=payload.events,
        description=payload.description,
    )
    return 201, subscription


@router.get("/webhooks/subscriptions", response=responses(list[SubscriptionOut]))
@paginate(BoundedPageNumberPagination, page_size=50)
def list_subscriptions(request: HttpRequest):
    return selectors.subscriptions_for_organisation(organisation=requester_organisation(request))


@router.get("/webhooks/subscriptions/{subscription_id}", response=responses(SubscriptionOut))
def get_subscription(request: HttpRequest, subscription_id: int):
    return _subscription(request, subscription_id)


@router.patch("/webhooks/subscriptions/{subscription_id}", response=responses(SubscriptionOut))
def update_subscription(request: HttpRequest, subscription_id: int, payload: SubscriptionPatch):
    return subscription_update(
        subscription=_subscription(request, subscription_id),
        **payload.dict(exclude_unset=True),
    )


@router.delete("/webhooks/subscriptions/{subscription_id}", response=responses({204: None}))
def delete_subscription(request: HttpRequest, subscription_id: int):
    subscription_delete(subscription=_subscription(request, subscription_id))
    return 204, None


@router.post(
    "/webhooks/subscriptions/{subscription_id}/rotate-secret",
    response=responses(SubscriptionSecretOut),
)
def rotate_secret(request: HttpRequest, subscription_id: int):
    """A new secret, shown once. The old one keeps signing beside it for 24 hours."""
    return subscription_rotate_secret(subscription=_subscription(request, subscription_id))


@router.post(
    "/webhooks/subscriptions/{subscription_id}/test",
    response=responses({202: DeliveryOut}),
)
def send_test_event(request: HttpRequest, subscription_id: int):
    """A `webhook.test` event to this subscription alone, sent in the background; read its
    delivery to see what the receiver answered."""
    delivery = webhook_test_send(subscription=_subscription(request, subscription_id))
    return 202, delivery


@router.get(
    "/webhooks/subscriptions/{subscription_id}/deliveries",
    response=responses(list[DeliveryOut]),
)
@paginate(BoundedPageNumberPagination, page_size=50)
def list_deliveries(request: HttpRequest, subscription_id: int):
    """The delivery log, newest first: each event sent, its status and every attempt (status
    code, error, time)."""
    return selectors.deliveries_for_subscription(
        subscription=_subscription(request, subscription_id)
    )


@router.get("/webhooks/deliveries/{delivery_id}", response=responses(DeliveryOut))
def get_delivery(request: HttpRequest, delivery_id: int):
    return access_delivery_for_requester(
        user=request_user(request),
        delivery_id=delivery_id,
        organisation=requester_scope(request),
    )
