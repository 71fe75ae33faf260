from collections import defaultdict
from dataclasses import dataclass

from microwork.accounts.models import User
from microwork.inbox.kinds import KINDS
from microwork.inbox.models import Notification
from microwork.lib.registry import loaded

# An inbox page shows this many lines, newest first.
PAGE = 100


@dataclass(frozen=True)
class Line:
    notification: Notification
    text: str
    url: str | None


def unread_count(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def inbox_lines(*, user: User, unread_only: bool = False, limit: int = PAGE) -> list[Line]:
    """The user's newest lines in words, each kind written by the app that owns it."""
    qs = Notification.objects.filter(user=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    rows = list(qs.order_by("-created_at", "-id")[:limit])
    by_writer: dict[str, list[Notification]] = defaultdict(list)
    for row in rows:
        row.user = user  # every line is the reader's: no need to fetch them again
        if row.kind in KINDS:
            by_writer[KINDS[row.kind]].append(row)
    words: dict[int, tuple[str, str | None]] = {}
    for path, group in by_writer.items():
        for row, line in zip(group, loaded(path)(notifications=group), strict=True):
            words[row.pk] = line
    return [Line(row, *words.get(row.pk, (row.kind, None))) for row in rows]
