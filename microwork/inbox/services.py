"""Writing to inboxes. Every app that tells someone something goes through here."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.utils import timezone

from microwork.accounts.models import User
from microwork.inbox.kinds import KINDS
from microwork.inbox.models import Notification


def inbox_notify(
    *, users: Iterable[User | int], kind: str, params: dict[str, Any], now: datetime
) -> int:
    """One line of this kind for each of `users` (users or their ids). Returns how many."""
    if kind not in KINDS:
        # A line nobody can put into words would reach the reader as a bare code.
        raise ValueError(f"inbox kind {kind!r} is not registered in microwork/inbox/kinds.py")
    rows = [
        Notification(
            user_id=u if isinstance(u, int) else u.pk, kind=kind, params=params, created_at=now
        )
        for u in users
    ]
    Notification.objects.bulk_create(rows)
    return len(rows)


def inbox_mark_read(*, user: User, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=now)
