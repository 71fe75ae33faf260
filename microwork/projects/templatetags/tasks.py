"""How any page shows a task of any kind: `{% task_view %}` renders the task and one answer
read-only with its interface's view template, `{% task_scripts %}` loads the static files a
worker's task page needs for it. Pages never test an interface's key themselves, so a new
kind shows up on every page that shows a task."""

from typing import Any

from django import template
from django.templatetags.static import static
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from microwork.projects.interfaces import get_interface

register = template.Library()


@register.simple_tag(takes_context=True)
def task_view(
    context: template.Context,
    interface_key: str,
    config: Any,
    data: Any,
    answer: Any = None,
    answer_title: str = "",
    expected: Any = None,
) -> SafeString:
    """The task and an answer in words, through the kind's `render_view`; `expected`, a
    control task's expected answer, shown beside it."""
    return get_interface(interface_key).render_view(
        config=config or {},
        data=data or {},
        answer=answer,
        answer_title=answer_title,
        expected=expected,
        request=context.get("request"),
    )


@register.simple_tag
def task_summary(interface_key: str, config: Any, data: Any) -> str:
    return get_interface(interface_key).content_summary(config or {}, data or {})


@register.simple_tag
def task_scripts(interface_key: str) -> SafeString:
    interface = get_interface(interface_key)
    return format_html_join(
        "", '<script src="{}" defer></script>', ((static(path),) for path in interface.scripts)
    )
