"""Writing to inboxes. Every app that tells someone something goes through here."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from microwork.accounts.models import User
from microwork.inbox.kinds import KINDS, MAIL_TOPICS
from microwork.inbox.mail import MAIL_JOB
from microwork.inbox.models import MailChoice, Notification
from microwork.lib.registry import loaded


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
    if kind in MAIL_TOPICS and rows:
        ids = [row.pk for row in rows]
        # After the commit: a line undone with its transaction is never mailed.
        transaction.on_commit(lambda: loaded(MAIL_JOB).enqueue(ids))
    return len(rows)


def inbox_mark_read(*, user: User, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=now)


def mail_choice_save(*, user: User, topics: Iterable[str]) -> MailChoice:
    """Which topics this person receives by e-mail from now on; the others stay in the inbox."""
    chosen = set(topics)
    choice, _created = MailChoice.objects.update_or_create(
        user=user, defaults={topic: topic in chosen for topic in MailChoice.TOPICS}
    )
    return choice
