"""Who may touch a subscription and its deliveries: a member of its organisation, and a token
only within the organisation it was made for. Another organisation's is a 404, so ids
cannot be probed."""

from django.utils.translation import gettext as _

from microwork.accounts.models import Organisation, User
from microwork.lib.errors import Forbidden, NotFound
from microwork.webhooks.models import Delivery, Subscription


def _check_requester(user: User) -> None:
    if not user.is_authenticated:
        raise Forbidden(_("Log in as a requester."))
    if not user.memberships.exists():
        raise Forbidden(_("This page is for requesters; your account has no organisation."))


def access_subscription_for_requester(
    *, user: User, subscription_id: int, organisation: Organisation | None = None
) -> Subscription:
    _check_requester(user)
    qs = Subscription.objects.filter(pk=subscription_id, organisation__memberships__user=user)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    found = qs.first()
    if found is None:
        raise NotFound(_("No such webhook subscription."), field="subscription_id")
    return found


def access_delivery_for_requester(
    *, user: User, delivery_id: int, organisation: Organisation | None = None
) -> Delivery:
    _check_requester(user)
    qs = Delivery.objects.select_related("event", "subscription").filter(
        pk=delivery_id, subscription__organisation__memberships__user=user
    )
    if organisation is not None:
        qs = qs.filter(subscription__organisation=organisation)
    found = qs.first()
    if found is None:
        raise NotFound(_("No such webhook delivery."), field="delivery_id")
    return found
