"""How any page shows a task of any kind: `{% task_view %}` renders the task and one answer
read-only with its interface's view template, `{% task_scripts %}` loads the static files a
worker's task page needs for it. Pages never test an interface's key themselves, so a new
kind shows up on every page that shows a task."""

from typing import Any

from django import template
from django.template.loader import render_to_string
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
) -> SafeString:
    interface = get_interface(interface_key)
    config = config or {}
    return SafeString(
        render_to_string(
            interface.view_template_name,
            {
                "interface": interface,
                "config": config,
                "data": data or {},
                "answer": answer,
                "has_answer": answer is not None,
                "answer_text": (
                    "" if answer is None else interface.answer_text(config, answer, data or {})
                ),
                "answer_title": answer_title,
                "request": context.get("request"),
            },
        )
    )


@register.simple_tag
def task_scripts(interface_key: str) -> SafeString:
    interface = get_interface(interface_key)
    return format_html_join(
        "", '<script src="{}" defer></script>', ((static(path),) for path in interface.scripts)
    )
