"""{% media_url value %}: the one way a template shows a platform file (see projects/media.py)."""

from typing import Any

from django import template

from microwork.projects import media

register = template.Library()


@register.simple_tag(takes_context=True)
def media_url(context: template.Context, value: Any) -> Any:
    request = context.get("request")
    return media.media_url(value, user=getattr(request, "user", None))


@register.filter
def is_platform_file(value: Any) -> bool:
    """Whether a task's value names one of the platform's files (shown through `media_url`)."""
    return media.storage_name(value) is not None
