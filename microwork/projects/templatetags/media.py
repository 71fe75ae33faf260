"""{% media_url value %}: the one way a template shows a platform file (see projects/media/).
{% media_thumb value %}: a small picture, player or video of it, for results and review."""

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from microwork.projects import media
from microwork.projects.media.sniffing import EXTENSIONS, extension

register = template.Library()


@register.simple_tag(takes_context=True)
def media_url(context: template.Context, value: Any) -> Any:
    request = context.get("request")
    return media.media_url(value, user=getattr(request, "user", None))


@register.filter
def is_platform_file(value: Any) -> bool:
    """Whether a task's value names one of the platform's files (shown through `media_url`)."""
    return media.storage_name(value) is not None


def media_kind(value: Any) -> str | None:
    """image, audio or video, from the name's extension (an uploaded file's extension always
    matches its bytes: services/media.py refuses any other)."""
    if not isinstance(value, str):
        return None
    path = value.split("?", 1)[0].split("#", 1)[0]
    entry = EXTENSIONS.get(extension(path))
    return entry[2] if entry else None


@register.simple_tag(takes_context=True)
def media_thumb(context: template.Context, value: Any, classes: str = "") -> SafeString | str:
    """A thumbnail of a task's media value: a picture (class "thumb" unless `classes` are
    given), a small sound player
    that loads nothing until played, or a video that loads only its first frame. A platform
    file gets the viewer's signed address; an outside http(s) address is used as it is."""
    if not isinstance(value, str) or not value:
        return ""
    if media.storage_name(value) is not None:
        src = media_url(context, value)
    elif value.startswith(("https://", "http://")):
        src = value
    else:
        return ""
    if not src:
        return ""
    kind = media_kind(value) or "image"
    if kind == "audio":
        return format_html(
            '<audio class="thumb-audio {}" controls preload="none" src="{}">{}</audio>',
            classes,
            src,
            _("Your browser cannot play this sound."),
        )
    if kind == "video":
        return format_html(
            '<video class="thumb-video {}" controls preload="metadata" src="{}">{}</video>',
            classes,
            src,
            _("Your browser cannot play this video."),
        )
    return format_html('<img class="{}" src="{}" alt="" loading="lazy">', classes or "thumb", src)
