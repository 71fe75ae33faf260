"""Access keys: made for a requester and one of their organisations, shown once, revocable."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from microwork.accounts.access import access_organisation_for_requester
from microwork.accounts.models import Organisation, User
from microwork.lib.errors import ApplicationError, Forbidden
from microwork.mturk.keys import new_access_key_id, new_secret, secret_encrypt
from microwork.mturk.models import AccessKey

MAX_KEYS = 10


@transaction.atomic
def access_key_create(
    *, user: User, organisation: Organisation | None = None, now: datetime | None = None
) -> tuple[AccessKey, str]:
    """A new key pair for `user` acting for `organisation` (their first one when not given).
    Returns the key and its secret, which is never shown again."""
    if organisation is None:
        organisation = access_organisation_for_requester(user=user)
    elif not organisation.memberships.filter(user=user).exists():
        raise Forbidden(_("You are not a member of this organisation."))
    if AccessKey.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_KEYS:
        raise ApplicationError(
            _("You have %(n)d access keys in use: revoke one first.") % {"n": MAX_KEYS},
            code="too_many_keys",
        )
    secret = new_secret()
    key = AccessKey.objects.create(
        user=user,
        organisation=organisation,
        access_key_id=new_access_key_id(),
        secret_encrypted=secret_encrypt(secret),
        created_at=now or timezone.now(),
    )
    return key, secret


@transaction.atomic
def access_key_revoke(*, key: AccessKey, now: datetime | None = None) -> None:
    AccessKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(
        revoked_at=now or timezone.now()
    )


def access_key_used(*, key: AccessKey, now: datetime) -> None:
    # Written at most once a minute: every call would otherwise write a row.
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        AccessKey.objects.filter(pk=key.pk).update(last_used_at=now)
