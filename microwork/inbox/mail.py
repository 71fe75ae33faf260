"""Inbox lines that also go out by e-mail (kinds.MAIL_TOPICS), through Django's mail backends,
each in its recipient's language, from a background job so no request waits on a mail server.

A line is mailed at most once: its `mailed_at` is set before the message is handed over, so a
job that runs twice (a retry, a recovered worker) skips what it already sent. A message that
the backend then refuses is logged and not tried again: the line stays in the inbox."""

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from microwork.accounts.models import User
from microwork.inbox.kinds import KINDS, MAIL_TOPICS
from microwork.inbox.models import MailChoice, Notification
from microwork.lib.registry import loaded

log = logging.getLogger(__name__)

# Dotted path of the job (inbox.tasks), so services enqueue it without importing tasks.
MAIL_JOB = "microwork.inbox.tasks.notifications_mail_send"


def mail_topics_wanted(*, user: User) -> set[str]:
    choice = MailChoice.objects.filter(user=user).first() or MailChoice(user=user)
    return {topic for topic in MailChoice.TOPICS if getattr(choice, topic)}


def _subject(topic: str) -> str:
    return {
        "decisions": _("A decision about your work on microwork"),
        "appeals": _("News of an appeal on microwork"),
        "payouts": _("Your payout on microwork"),
        "new_work": _("New work for you on microwork"),
    }[topic]


def _body(text: str, url: str | None) -> str:
    site = settings.SITE_URL.rstrip("/")
    parts = [text]
    if url:
        parts.append(site + url)
    parts.append(
        _("You receive this e-mail because you chose to. Choose which e-mails you get: %(url)s")
        % {"url": site + reverse("inbox:mail")}
    )
    return "\n\n".join(parts)


def notifications_mail(*, notification_ids: Iterable[int], now: datetime | None = None) -> int:
    """Mail the lines among `notification_ids` whose topic their reader wants and that were
    not mailed yet. Returns how many messages were handed to the backend."""
    now = now or timezone.now()
    rows = list(
        Notification.objects.filter(
            pk__in=list(notification_ids), mailed_at__isnull=True, kind__in=list(MAIL_TOPICS)
        )
        .select_related("user")
        .order_by("pk")
    )
    wanted: dict[int, set[str]] = {}
    by_language: dict[str, list[Notification]] = defaultdict(list)
    for row in rows:
        user = row.user
        if not user.is_active or not user.email:
            continue
        if user.pk not in wanted:
            wanted[user.pk] = mail_topics_wanted(user=user)
        if MAIL_TOPICS[row.kind] in wanted[user.pk]:
            by_language[user.language or settings.LANGUAGE_CODE].append(row)
    sent = 0
    for language, group in by_language.items():
        with translation.override(language):
            by_writer: dict[str, list[Notification]] = defaultdict(list)
            for row in group:
                by_writer[KINDS[row.kind]].append(row)
            for path, lines in by_writer.items():
                for row, (text, url) in zip(lines, loaded(path)(notifications=lines), strict=True):
                    # Claimed first: a second run of the job finds it taken and sends nothing.
                    if not Notification.objects.filter(pk=row.pk, mailed_at__isnull=True).update(
                        mailed_at=now
                    ):
                        continue
                    try:
                        send_mail(
                            _subject(MAIL_TOPICS[row.kind]),
                            _body(text, url),
                            settings.DEFAULT_FROM_EMAIL,
                            [row.user.email],
                        )
                    except Exception:
                        log.exception("mail of inbox line %s failed", row.pk)
                        continue
                    sent += 1
    return sent
