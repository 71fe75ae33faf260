"""Requester-made interfaces: the requester brings an HTML form, as with Mechanical Turk's
HTMLQuestion, and the platform does the rest.

- The form is read through an allow-list (projects/html_sanitise.py): what could run, load
  or send anything is refused when the project is saved, naming the line and the construct.
- Its controls declare the answer: each `name` is a field, its control says the field's shape
  (radio buttons and lists: one of their values; a lone tick box: yes or no; tick boxes that
  share a name: a list of their values; number and range: a number within min/max; text and
  textarea: text within maxlength), `required` is honoured, and any other field is refused.
- Its `${placeholders}` declare the task's data: one required text column each.

How it is shown (projects/templatetags/html_forms.py): in an <iframe sandbox> whose document
is given inline (`srcdoc`) with its own policy (`default-src 'none'`, pictures from this site
or https, styles from this site, no form action) on top of the page's. The sandbox withholds
`allow-scripts`, so nothing in the frame runs, whatever got through; it keeps
`allow-same-origin` only so that the platform's page script (projects/static/projects/
html_form.js) can read the controls: without scripts in the frame, sharing the origin gives
the requester's HTML nothing. The frame holds no form of its own: the page's script copies
the controls' values into the platform's form, whose Submit, timer, draft saving and "give it
back" are those of every kind. An inline document rather than a separate address keeps the
frame working on every page that shows a task (the task page, a test question) without a view
of its own for each, and its pictures signed for the viewer like any task's."""

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from microwork.lib.errors import ApplicationError
from microwork.projects import html_sanitise
from microwork.projects.interfaces import schema
from microwork.projects.interfaces.base import RowError, TaskInterface, invalid
from microwork.projects.interfaces.fields import Choice, Text

MAX_VALUE = 20_000


@dataclass(frozen=True, kw_only=True)
class Markup(Text):
    """A requester's HTML: many lines, read through the allow-list when saved."""

    type: ClassVar[str] = "html"

    def widget(self) -> forms.Widget:
        return forms.Textarea(attrs={"rows": 16, "spellcheck": "false", "class": "code"})

    def check(self, value: Any) -> Any:
        try:
            html_sanitise.sanitise(value)
        except html_sanitise.FormError as exc:
            reason = _("%(field)s, %(reason)s.") % {"field": self.label, "reason": exc.reason}
            raise schema.SchemaError(self.name, reason, custom=True) from None
        return value


HTML = Markup(
    name="html",
    label=gettext_lazy("HTML form"),
    help=gettext_lazy(
        "Your form's controls (input, select, textarea) with a name each; ${column} is "
        "replaced by the task's value. No script, style, form or button: the platform adds "
        "its own Submit."
    ),
    max_length=html_sanitise.MAX_HTML,
    message={"minLength": gettext_lazy("Paste your HTML form.")},
)
CHECKED_BY = Choice(
    name="checked_by",
    label=gettext_lazy("How answers are checked"),
    help=gettext_lazy(
        "By majority: answers of several workers are compared. By reviewers: other workers "
        "review each answer (for free text)."
    ),
    choices=(
        ("majority", gettext_lazy("By majority")),
        ("reviewers", gettext_lazy("By reviewers")),
    ),
    default="majority",
    required=False,
)

EXAMPLE_HTML = """<p>Is this business listing correct?</p>
<p><strong>${name}</strong><br>${address}</p>
<fieldset>
<legend>The listing is</legend>
<label><input type="radio" name="verdict" value="correct" required> Correct</label>
<label><input type="radio" name="verdict" value="wrong"> Wrong or closed</label>
</fieldset>
<label for="note">What is wrong? (optional)</label>
<input type="text" id="note" name="note" maxlength="200">"""


@functools.lru_cache(maxsize=64)
def _read(html: str) -> html_sanitise.Sanitised:
    return html_sanitise.sanitise(html)


def form_of(config: Mapping[str, Any]) -> html_sanitise.Sanitised:
    """The project's form, read once per text (the read is cached: every check reads it)."""
    try:
        return _read(str(config.get("html") or ""))
    except html_sanitise.FormError as exc:
        raise ApplicationError(
            _("%(field)s, %(reason)s.") % {"field": HTML.label, "reason": exc.reason},
            code="invalid_config",
            field="html",
        ) from None


def draft_values(config: Mapping[str, Any], draft: Any) -> dict[str, Any] | None:
    """A saved draft or a refused post as {field: value} (a one-field form's draft is saved
    as the bare value)."""
    if draft is None or draft == "":
        return None
    fields = form_of(config).fields
    if isinstance(draft, Mapping):
        return {str(k): v for k, v in draft.items() if k in fields}
    if len(fields) == 1:
        return {next(iter(fields)): draft}
    return None


class HtmlForm(TaskInterface):
    key = "html_form"
    title = gettext_lazy("Your own HTML form")
    description = gettext_lazy(
        "Your HTML form, shown to the worker in a sandboxed frame; its fields are the answer "
        "and its ${placeholders} the task's columns."
    )
    template_name = "projects/interfaces/html_form.html"
    view_template_name = "projects/interfaces/html_form_view.html"
    scripts = ("projects/html_form.js",)
    config_fields = (HTML, CHECKED_BY)
    input_schema = {
        "type": "object",
        "properties": {},
        "description": gettext_lazy(
            "One text column per ${placeholder} in the project's form (names in lower case)."
        ),
    }
    answer_schema = {
        "type": "object",
        "description": gettext_lazy(
            "One value per field of the project's form: the value of the chosen radio button "
            "or list item, true/false for a lone tick box, a list of values for tick boxes "
            "sharing a name, a number, or text."
        ),
        "examples": [{"verdict": "correct", "note": ""}],
    }
    example = {
        "config": {"html": EXAMPLE_HTML, "checked_by": "majority"},
        "data": {"name": "Mama Put Kitchen", "address": "12 Allen Avenue, Ikeja, Lagos"},
        "answer": {"verdict": "correct", "note": ""},
    }

    # --- inputs -------------------------------------------------------------------------------

    def input_schema_for(self, config: Mapping[str, Any]) -> dict[str, Any]:
        if not config.get("html"):
            return self.input_schema
        names = form_of(config).placeholders
        return {
            "type": "object",
            "properties": {
                name: {
                    "type": "string",
                    "maxLength": MAX_VALUE,
                    "description": _("Fills ${%(name)s} in the form.") % {"name": name},
                }
                for name in names
            },
            "required": list(names),
        }

    def check_input(self, config: Mapping[str, Any], row: Mapping[str, Any]) -> dict[str, Any]:
        data = super().check_input(config, row)
        for column, reason in html_sanitise.row_url_problems(form_of(config), data):
            raise RowError(column, reason)
        return data

    # --- answers ------------------------------------------------------------------------------

    def answer_schema_for(self, config: Mapping[str, Any]) -> dict[str, Any]:
        if not config.get("html"):
            return self.answer_schema  # no form yet: the shape in general
        fields = form_of(config).fields
        properties = {}
        for name, control in fields.items():
            sub = control.schema()
            if control.kind == "boolean" and control.required:
                sub["errorMessage"] = {"enum": _("Tick %(name)s to go on.") % {"name": name}}
            properties[name] = sub
        return {
            **self.answer_schema,
            "properties": properties,
            "required": [n for n, c in fields.items() if c.required],
            "additionalProperties": False,
        }

    def check_answer(self, config: Mapping[str, Any], data: Mapping[str, Any], answer: Any) -> Any:
        fields = form_of(config).fields
        answer = self.prepare_answer(config, answer)
        if not isinstance(answer, Mapping):
            raise invalid(
                self.answer_field,
                _("Send an object with one value per field of the form: %(names)s.")
                % {"names": ", ".join(fields)},
            )
        values = dict(answer)
        for name in values:
            if name not in fields:
                raise invalid(
                    f"{self.answer_field}.{name}",
                    _("The form has no field %(name)s; its fields are: %(names)s.")
                    % {"name": name, "names": ", ".join(fields)},
                )
        for name, control in fields.items():
            if control.kind == "number" and not schema._empty(values.get(name)):
                values[name] = _number(control, values[name], f"{self.answer_field}.{name}")
        return super().check_answer(config, data, values)

    def normalise_answer(self, config: Mapping[str, Any], answer: Any) -> Any:
        # Every field present, in the form's order: equal answers compare equal.
        out: dict[str, Any] = {}
        for name, control in form_of(config).fields.items():
            if name in answer:
                value = answer[name]
                if control.kind == "choices":
                    chosen = set(value)
                    value = [v for v in control.options if v in chosen]
                out[name] = value
            elif control.kind == "choices":
                out[name] = []
            else:
                out[name] = None
        return out

    def answer_from_form(self, config: Mapping[str, Any], post: Any) -> Any:
        out: dict[str, Any] = {}
        for name, control in form_of(config).fields.items():
            if control.kind == "choices":
                out[name] = post.getlist(name)
            elif control.kind == "boolean":
                out[name] = html_sanitise._is_on(post.getlist(name))
            elif post.get(name) is not None:
                out[name] = post.get(name)
        return out

    def reviewed_for(self, config: Mapping[str, Any]) -> bool:
        return config.get("checked_by") == "reviewers"

    def answer_text(
        self, config: Mapping[str, Any], answer: Any, data: Mapping[str, Any] | None = None
    ) -> str:
        if not isinstance(answer, Mapping):
            return self.answer_label(answer)
        return "; ".join(f"{name}: {shown(value)}" for name, value in answer.items())


def shown(value: Any) -> str:
    """A field's value in words."""
    if value is None or value == "":
        return "—"
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "—"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _number(control: html_sanitise.Control, raw: Any, path: str) -> int | float:
    value: Any = raw
    if isinstance(raw, str):
        try:
            value = float(raw.strip())
        except ValueError:
            raise invalid(path, _("%(field)s: must be a number.") % {"field": path}) from None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise invalid(path, _("%(field)s: must be a number.") % {"field": path})
    if value in (float("inf"), float("-inf")):
        raise invalid(path, _("%(field)s: must be a number.") % {"field": path})
    low, high = control.minimum, control.maximum
    if (low is not None and value < low) or (high is not None and value > high):
        raise invalid(
            path,
            _("%(field)s: must be from %(low)s to %(high)s.")
            % {
                "field": path,
                "low": shown(float(low)) if low is not None else "…",
                "high": shown(float(high)) if high is not None else "…",
            },
        )
    return int(value) if float(value).is_integer() and abs(value) < 2**53 else float(value)
