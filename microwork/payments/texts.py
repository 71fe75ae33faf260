"""Plain words for what payments tells people in their inbox (microwork/inbox/kinds.py)."""

from typing import Any

from django.utils.translation import gettext as _

from microwork.inbox.models import Notification


def _pay_floor(p: dict[str, Any]) -> str:
    figures = {key: p.get(key, "") for key in ("project", "seconds", "rate", "floor", "needed")}
    if p.get("paused"):
        return (
            _(
                "%(project)s was paused: answers take a median of %(seconds)s seconds, so "
                "the reward pays %(rate)s an hour, under the %(floor)s floor. A reward of "
                "%(needed)s meets it; raise it, then set the project live again."
            )
            % figures
        )
    return (
        _(
            "%(project)s paid under the floor: answers take a median of %(seconds)s "
            "seconds, so the reward paid %(rate)s an hour, under the %(floor)s floor. Its "
            "workers were topped up to the floor from your funds. A reward of %(needed)s "
            "meets it."
        )
        % figures
    )


def inbox_lines(*, notifications: list[Notification]) -> list[tuple[str, str | None]]:
    """Pay-floor notices (the project and billing pages show them in full)."""
    return [(_pay_floor(n.params or {}), None) for n in notifications]
