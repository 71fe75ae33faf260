"""Words workers read about the MTurk side of their work."""

from django.utils.translation import gettext as _

from microwork.inbox.models import Notification


def inbox_lines(*, notifications: list[Notification]) -> list[tuple[str, str | None]]:
    """A requester's message (NotifyWorkers): who sent it, its subject and text."""
    return [
        (
            _("Message from %(requester)s: %(subject)s — %(message)s")
            % {
                "requester": (n.params or {}).get("organisation", ""),
                "subject": (n.params or {}).get("subject", ""),
                "message": (n.params or {}).get("message", ""),
            },
            None,
        )
        for n in notifications
    ]
