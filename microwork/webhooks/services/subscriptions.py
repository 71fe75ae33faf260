"""A requester's subscriptions: made, changed, paused, deleted, their secret rotated."""

import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from microwork.accounts.models import Organisation, User
from microwork.lib.errors import ApplicationError, Conflict
from microwork.webhooks.addresses import url_check
from microwork.webhooks.events import SUBSCRIBABLE
from microwork.webhooks.models import Subscription

# Enough for a few environments per team; each is a delivery per event.
MAX_SUBSCRIPTIONS = 20
DESCRIPTION_MAX = 200
# How long the old secret still signs deliveries after a rotation.
ROTATION_GRACE = timedelta(hours=24)


def secret_new() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def _events_checked(events: Iterable[str] | None) -> list[str]:
    if isinstance(events, str) or events is None:
        raise ApplicationError(_("Choose at least one event."), field="events")
    chosen = []
    for name in events:
        if name not in SUBSCRIBABLE:
            raise ApplicationError(
                _("Unknown event %(name)s; choose among %(names)s.")
                % {"name": str(name)[:60], "names": ", ".join(SUBSCRIBABLE)},
                code="unknown_event",
                field="events",
            )
        if name not in chosen:
            chosen.append(name)
        if len(chosen) > len(SUBSCRIBABLE):
            break
    if not chosen:
        raise ApplicationError(_("Choose at least one event."), field="events")
    return chosen


def _description_checked(description: str | None) -> str:
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise ApplicationError(
            _("Keep the description under %(n)d characters.") % {"n": DESCRIPTION_MAX},
            field="description",
        )
    return description


@transaction.atomic
def subscription_create(
    *,
    organisation: Organisation,
    url: str,
    events: Iterable[str],
    actor: User | None = None,
    description: str = "",
) -> Subscription:
    """A new subscription of `organisation` to `events` (names from events.SUBSCRIBABLE),
    delivered to `url`. Its `secret` is returned here once; keep it to check signatures."""
    url = url_check(url)
    chosen = _events_checked(events)
    description = _description_checked(description)
    # Locks the organisation's row so two requests cannot both pass the count.
    Organisation.objects.select_for_update().get(pk=organisation.pk)
    if Subscription.objects.filter(organisation=organisation).count() >= MAX_SUBSCRIPTIONS:
        raise Conflict(
            _("An organisation may have at most %(n)d webhook subscriptions.")
            % {"n": MAX_SUBSCRIPTIONS},
            code="too_many_subscriptions",
        )
    return Subscription.objects.create(
        organisation=organisation,
        url=url,
        events=chosen,
        description=description,
        secret=secret_new(),
        created_by=actor,
    )


@transaction.atomic
def subscription_update(
    *,
    subscription: Subscription,
    url: str | None = None,
    events: Iterable[str] | None = None,
    description: str | None = None,
    is_active: bool | None = None,
) -> Subscription:
    locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if url is not None:
        locked.url = url_check(url)
    if events is not None:
        locked.events = _events_checked(events)
    if description is not None:
        locked.description = _description_checked(description)
    if is_active is not None:
        locked.is_active = bool(is_active)
    locked.save()
    return locked


@transaction.atomic
def subscription_rotate_secret(*, subscription: Subscription) -> Subscription:
    """A new secret, returned once. The old one keeps signing beside it for ROTATION_GRACE,
    so the receiver can be switched without losing deliveries."""
    locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
    locked.previous_secret = locked.secret
    locked.previous_secret_until = timezone.now() + ROTATION_GRACE
    locked.secret = secret_new()
    locked.save(update_fields=["secret", "previous_secret", "previous_secret_until", "updated_at"])
    return locked


@transaction.atomic
def subscription_delete(*, subscription: Subscription) -> None:
    # Its deliveries and their log go with it: they name an address no longer in use.
    Subscription.objects.filter(pk=subscription.pk).delete()


def subscription_secrets(subscription: Subscription) -> list[str]:
    """The secrets a delivery is signed with now: the current one, and the previous one
    during its grace period."""
    found = [subscription.secret]
    until = subscription.previous_secret_until
    if subscription.previous_secret and until is not None and until > timezone.now():
        found.append(subscription.previous_secret)
    return found
