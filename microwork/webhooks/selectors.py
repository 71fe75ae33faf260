"""Reads of the webhooks app. `events_wanted` is the one read the apps that fire events make
first, so the common case (no webhooks) costs them one small query."""

from django.db.models import QuerySet

from microwork.accounts.models import Organisation
from microwork.webhooks.models import Delivery, Subscription


def events_wanted(*, organisation: Organisation) -> set[str]:
    wanted: set[str] = set()
    for events in Subscription.objects.filter(
        organisation=organisation, is_active=True
    ).values_list("events", flat=True):
        wanted.update(events)
    return wanted


def subscriptions_for_organisation(*, organisation: Organisation) -> QuerySet[Subscription]:
    return Subscription.objects.filter(organisation=organisation).order_by("-created_at", "-id")


def deliveries_for_subscription(*, subscription: Subscription) -> QuerySet[Delivery]:
    """The delivery log, newest first, each with its event and its attempts."""
    return (
        Delivery.objects.filter(subscription=subscription)
        .select_related("event")
        .prefetch_related("attempt_log")
        .order_by("-created_at", "-id")
    )
