"""{% html_form_frame config data draft %}: a requester's form in its sandboxed frame, with the
platform's copies of its fields beside it (see interfaces/html_form.py for why it is built
this way)."""

from typing import Any

from django import template
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from microwork.projects import html_sanitise, media
from microwork.projects.interfaces.html_form import draft_values, form_of, shown

register = template.Library()

# The frame's own policy, on top of the page's: nothing runs, nothing is sent, pictures come
# from this site or over https, styles from this site only.
FRAME_CSP = "default-src 'none'; img-src 'self' https:; style-src 'self'; form-action 'none'"
# No allow-scripts: the frame runs nothing. allow-same-origin lets the page's own script read
# the controls; links open outside the frame.
FRAME_SANDBOX = "allow-same-origin allow-popups allow-popups-to-escape-sandbox"


def frame_document(config: Any, data: Any, draft: Any, *, user: Any) -> str:
    """The frame's whole document: the form filled in with the task's values (and the
    worker's draft, if any), under the frame's policy."""
    form = form_of(config)
    body = html_sanitise.render(
        form,
        data or {},
        draft=draft_values(config, draft),
        media=lambda path: str(media.media_url(path, user=user)),
    )
    return (
        f'<!DOCTYPE html><html lang="{get_language() or "en"}"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{FRAME_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<link rel="stylesheet" href="{static("microwork/site.css")}">'
        f'<link rel="stylesheet" href="{static("projects/html_form_frame.css")}">'
        f'</head><body class="html-form">{body}</body></html>'
    )


def _mirrors(config: Any, draft: Any) -> SafeString:
    """The platform form's copies of the fields, filled in from the draft; the page's script
    keeps them equal to the frame's controls."""
    values = draft_values(config, draft) or {}
    rows: list[tuple[Any, ...]] = []
    for name, control in form_of(config).fields.items():
        value = values.get(name)
        if control.kind in ("boolean", "choices"):
            options = ["on"] if control.kind == "boolean" else control.options
            for option in options:
                if control.kind == "boolean":
                    on = html_sanitise._is_on(value) if value is not None else False
                else:
                    on = isinstance(value, list | tuple) and option in [str(v) for v in value]
                rows.append(("checkbox", name, option, control.kind, " checked" if on else ""))
        else:
            text = "" if value is None or isinstance(value, list | dict) else str(value)
            rows.append(("text", name, text, control.kind, ""))
    return format_html_join(
        "",
        '<input type="{}" name="{}" value="{}" data-kind="{}" tabindex="-1"{}>',
        rows,
    )


@register.simple_tag(takes_context=True)
def html_form_frame(context: template.Context, config: Any, data: Any, draft: Any = None) -> Any:
    request = context.get("request")
    user = getattr(request, "user", None)
    return format_html(
        '<iframe class="html-form-frame" data-html-form sandbox="{}" srcdoc="{}" title="{}">'
        '</iframe><div class="html-form-answer" hidden>{}</div>'
        '<noscript><p class="errors">{}</p></noscript>',
        FRAME_SANDBOX,
        frame_document(config, data, draft, user=user),
        _("The task's form"),
        _mirrors(config, draft),
        _("This task's form needs JavaScript to send its answer."),
    )


@register.filter
def form_value(value: Any) -> str:
    """One field of a form's answer in words."""
    return shown(value)
