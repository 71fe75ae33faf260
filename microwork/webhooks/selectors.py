"""Which events an organisation's active subscriptions want: the one read the apps that fire
events make first, so the common case (no webhooks) costs them one small query."""

from microwork.accounts.models import Organisation
from microwork.webhooks.models import Subscription


def events_wanted(*, organisation: Organisation) -> set[str]:
    wanted: set[str] = set()
    for events in Subscription.objects.filter(
        organisation=organisation, is_active=True
    ).values_list("events", flat=True):
        wanted.update(events)
    return wanted
