from typing import Any

from django import template
from django.utils.translation import gettext as _

from microwork.inbox import selectors as inbox_selectors

register = template.Library()


@register.filter
def seconds(ms: Any) -> str:
    if not ms:
        return "–"
    return _("%(s).1f s") % {"s": int(ms) / 1000}


@register.inclusion_tag("quality/_badge.html", takes_context=True)
def quality_badge(context: dict[str, Any]) -> dict[str, Any]:
    """The link to My standing with the unread count, for every signed-in page header."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    return {
        "show": True,
        "is_worker": context.get("is_worker", False),
        "is_staff": user.is_staff,
        "count": inbox_selectors.unread_count(user=user),
    }
