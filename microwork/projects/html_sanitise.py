"""A requester's HTML form, read through an allow-list: what it may contain, which answer
fields it declares, which `${placeholders}` it fills from a task's data.

The form is parsed once with the standard library's tokenizer (html.parser, linear in the
length of the text) into a list of tokens; every tag and attribute must be on the lists below.
Anything that could run, load or send something — `<script>`, `on…=` handlers, `style`,
`<iframe>`, `<form>`, `javascript:` and `data:` addresses, buttons — is REFUSED with the line
and the construct named, never silently dropped: a requester whose form would not work as
written hears so before any worker sees it.

Placeholders follow Mechanical Turk's HTMLQuestion syntax, `${name}`, with names of letters,
digits and `_`; they may appear in text and in attribute values, but not in a control's
`name`, `type` or a choice's `value` (the answer's shape must not depend on the data). Names
are case-insensitive (an upload's columns are), kept in lower case. At render time each is
replaced by the task's value, HTML-escaped in text and in attributes alike (the serialiser
escapes every attribute value), and an address made from placeholders is checked again once
filled in; a value that would make it something other than an http(s) or /media/ address
drops the attribute (and uploads refuse such a row before any worker sees it)."""

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlparse

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

MAX_HTML = 100_000
MAX_FIELDS = 100
MAX_OPTIONS = 200
MAX_TEXT_ANSWER = 10_000
PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]{0,63})\}")
FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,63}")
# The platform's own form posts these beside the answer.
RESERVED_NAMES = frozenset({"csrfmiddlewaretoken", "active_ms", "position", "answer"})

VOID = frozenset({"br", "hr", "img", "input", "col", "wbr"})
COMMON = frozenset(
    {"id", "class", "title", "lang", "dir", "role", "aria-label", "aria-labelledby"}
    | {"aria-describedby", "aria-hidden"}
)
CELL = frozenset({"colspan", "rowspan", "scope", "headers"})
PLAIN_TAGS = frozenset(
    {"p", "div", "span", "section", "article", "header", "footer", "br", "hr", "wbr"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "ul", "li", "dl", "dt", "dd", "pre", "code"}
    | {"strong", "em", "b", "i", "u", "s", "small", "sub", "sup", "mark", "abbr", "cite", "q"}
    | {"blockquote", "figure", "figcaption", "fieldset", "legend", "caption", "thead", "tbody"}
    | {"tfoot", "tr"}
)
ALLOWED: dict[str, frozenset[str]] = {
    # Text, lists, tables and structure: no attribute beyond the common ones.
    **dict.fromkeys(PLAIN_TAGS, frozenset()),
    "ol": frozenset({"start", "reversed"}),
    "table": frozenset(),
    "colgroup": frozenset({"span"}),
    "col": frozenset({"span"}),
    "th": CELL,
    "td": CELL,
    "a": frozenset({"href", "target", "rel"}),
    "img": frozenset({"src", "alt", "width", "height"}),
    "label": frozenset({"for"}),
    "input": frozenset(
        {"type", "name", "value", "required", "checked", "min", "max", "step", "maxlength"}
        | {"minlength", "placeholder", "size", "autocomplete", "inputmode", "spellcheck"}
    ),
    "textarea": frozenset(
        {"name", "required", "rows", "cols", "maxlength", "minlength", "placeholder"}
        | {"spellcheck", "autocomplete"}
    ),
    "select": frozenset({"name", "required", "multiple", "size"}),
    "option": frozenset({"value", "selected", "label"}),
    "optgroup": frozenset({"label"}),
}
# Refused with a reason of their own (anything else off the list: "not allowed").
REFUSED_TAGS = {
    "script": gettext_noop("forms run no script"),
    "style": gettext_noop("styles come from the platform"),
    "form": gettext_noop("the platform adds the form and its Submit button"),
    "button": gettext_noop("the platform adds its own buttons"),
    "iframe": gettext_noop("frames cannot be nested"),
}
# Deeper nesting is refused, which keeps closing a tag a bounded walk (and the read linear).
MAX_DEPTH = 100
TEXT_TYPES = frozenset({"text", "email", "url", "tel", "search"})
NUMBER_TYPES = frozenset({"number", "range"})
CHOICE_TYPES = frozenset({"radio", "checkbox"})
URL_ATTRIBUTES = frozenset({("a", "href"), ("img", "src")})
STATIC_ATTRIBUTES = frozenset({"name", "type"})
MEDIA_PREFIX = "/media/"


class FormError(Exception):
    """The form breaks a rule; `reason` says which, with the line."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Control:
    """One answer field: the controls sharing a `name`, and what their answer may be."""

    name: str
    kind: str  # "text", "number", "choice", "boolean", "choices"
    required: bool = False
    options: list[str] = field(default_factory=list)
    minimum: float | None = None
    maximum: float | None = None
    max_length: int = MAX_TEXT_ANSWER
    min_length: int = 0
    tag: str = "input"

    def schema(self) -> dict[str, Any]:
        if self.kind == "text":
            out: dict[str, Any] = {"type": "string", "maxLength": self.max_length}
            if self.required or self.min_length:
                out["minLength"] = max(1, self.min_length)
            else:
                out["default"] = ""
            return out
        if self.kind == "number":
            out = {"type": "number"}
            if self.minimum is not None:
                out["minimum"] = self.minimum
            if self.maximum is not None:
                out["maximum"] = self.maximum
            return out
        if self.kind == "choice":
            return {"type": "string", "enum": list(self.options)}
        if self.kind == "boolean":
            return {"type": "boolean", **({"enum": [True]} if self.required else {})}
        out = {
            "type": "array",
            "items": {"type": "string", "enum": list(self.options)},
            "uniqueItems": True,
        }
        if self.required:
            out["minItems"] = 1
        return out


@dataclass
class Sanitised:
    """A form that passed: its tokens to render, its fields, its placeholders."""

    tokens: list[tuple[Any, ...]]
    fields: dict[str, Control]
    placeholders: list[str]
    # Attribute values that become addresses once filled in: (tag, attribute, template).
    url_templates: list[tuple[str, str, str]]


def placeholders_in(text: str) -> list[str]:
    return [m.group(1).lower() for m in PLACEHOLDER.finditer(text)]


def fill(text: str, data: Mapping[str, Any]) -> str:
    """`${name}` → the task's value (raw: the caller escapes for its context)."""
    if "${" not in text:
        return text
    return PLACEHOLDER.sub(lambda m: _text(data.get(m.group(1).lower())), text)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def url_allowed(url: str) -> bool:
    """An http(s) address with a host, or a platform file under /media/."""
    url = "".join(ch for ch in url if ch > " ").strip()
    if url.startswith(MEDIA_PREFIX):
        return ".." not in url
    parsed = urlparse(url)
    return parsed.scheme.lower() in ("http", "https") and bool(parsed.netloc)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens: list[tuple[Any, ...]] = []
        self.fields: dict[str, Control] = {}
        self.placeholders: dict[str, None] = {}
        self.url_templates: list[tuple[str, str, str]] = []
        self.open: list[str] = []
        self.select: Control | None = None
        self.option: list[Any] | None = None

    def fail(self, reason: str) -> FormError:
        line = self.getpos()[0]
        return FormError(_("line %(line)d: %(reason)s") % {"line": line, "reason": reason})

    # --- tags ---------------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs)
        if tag not in VOID:
            self._push(tag)

    def _push(self, tag: str) -> None:
        if len(self.open) >= MAX_DEPTH:
            raise self.fail(_("tags are nested more than %(n)d deep") % {"n": MAX_DEPTH})
        self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs)
        if tag not in VOID:
            # <div/> is an open <div> in HTML, as browsers read it.
            self._push(tag)

    def _start(self, tag: str, raw: list[tuple[str, str | None]]) -> None:
        if tag in REFUSED_TAGS:
            raise self.fail(
                _("<%(tag)s> is not allowed (%(why)s)") % {"tag": tag, "why": _(REFUSED_TAGS[tag])}
            )
        if tag not in ALLOWED:
            raise self.fail(_("<%(tag)s> is not allowed") % {"tag": tag})
        attrs: dict[str, str] = {}
        for name, value in raw:
            self._attribute(tag, name, value)
            attrs[name] = "" if value is None else value
        if tag == "a":
            attrs["target"] = "_blank"
            attrs["rel"] = "noopener noreferrer"
        if tag in ("input", "textarea", "select"):
            self._control(tag, attrs)
        elif tag == "option":
            self._option_start(attrs)
        self.tokens.append(("start", tag, attrs))

    def _attribute(self, tag: str, name: str, value: str | None) -> None:
        if name.startswith("on"):
            raise self.fail(
                _("the attribute %(name)s on <%(tag)s> is not allowed (forms run no script)")
                % {"name": name, "tag": tag}
            )
        if name == "style":
            raise self.fail(
                _("the attribute style on <%(tag)s> is not allowed (styles come from the platform)")
                % {"tag": tag}
            )
        if name not in COMMON and name not in ALLOWED[tag]:
            raise self.fail(
                _("the attribute %(name)s on <%(tag)s> is not allowed") % {"name": name, "tag": tag}
            )
        names = placeholders_in(value or "")
        for found in names:
            self.placeholders.setdefault(found)
        if names and (name in STATIC_ATTRIBUTES or (name == "value" and tag == "option")):
            raise self.fail(
                _("a placeholder cannot be used in %(name)s on <%(tag)s>")
                % {"name": name, "tag": tag}
            )
        if (tag, name) in URL_ATTRIBUTES:
            if names:
                self.url_templates.append((tag, name, value or ""))
            elif not url_allowed(value or ""):
                raise self.fail(
                    _(
                        "the address %(url)s in %(name)s on <%(tag)s> is not allowed: use "
                        "http://, https:// or a /media/ file"
                    )
                    % {"url": (value or "")[:80], "name": name, "tag": tag}
                )

    def _number(self, attrs: Mapping[str, str], name: str) -> float | None:
        text = attrs.get(name)
        if text is None or not text.strip():
            return None
        try:
            number = float(text)
        except ValueError:
            raise self.fail(
                _("%(attr)s=%(value)s is not a number") % {"attr": name, "value": text[:40]}
            ) from None
        if number != number or number in (float("inf"), float("-inf")):
            raise self.fail(_("%(attr)s is not a number") % {"attr": name})
        return number

    def _length(self, attrs: Mapping[str, str], name: str, default: int) -> int:
        number = self._number(attrs, name)
        if number is None:
            return default
        return int(max(0, min(number, MAX_TEXT_ANSWER)))

    def _control(self, tag: str, attrs: dict[str, str]) -> None:
        if tag == "select" and self.select is not None:
            raise self.fail(_("a <select> cannot hold another <select>"))
        kind_of_input = attrs.get("type", "text").strip().lower() if tag == "input" else tag
        if tag == "input":
            attrs["type"] = kind_of_input
            if kind_of_input not in TEXT_TYPES | NUMBER_TYPES | CHOICE_TYPES:
                raise self.fail(
                    _(
                        '<input type="%(type)s"> is not allowed: use text, number, range, radio or checkbox'
                    )
                    % {"type": kind_of_input[:20]}
                )
        name = attrs.get("name", "")
        if not FIELD_NAME.fullmatch(name):
            raise self.fail(
                _(
                    "every <%(tag)s> needs a name of letters, digits, _ or -, starting with a "
                    "letter (found %(name)s)"
                )
                % {"tag": tag, "name": name[:40] or '""'}
            )
        if name.lower() in RESERVED_NAMES:
            raise self.fail(
                _("the field name %(name)s is the platform's own: choose another") % {"name": name}
            )
        required = "required" in attrs
        if kind_of_input in TEXT_TYPES or tag == "textarea":
            control = Control(
                name,
                "text",
                required,
                max_length=self._length(attrs, "maxlength", MAX_TEXT_ANSWER),
                min_length=self._length(attrs, "minlength", 0),
                tag=tag,
            )
        elif kind_of_input in NUMBER_TYPES:
            low, high = self._number(attrs, "min"), self._number(attrs, "max")
            if kind_of_input == "range":
                low = 0.0 if low is None else low
                high = 100.0 if high is None else high
            control = Control(name, "number", required, minimum=low, maximum=high)
        elif tag == "select":
            control = Control(
                name, "choices" if "multiple" in attrs else "choice", required, tag=tag
            )
            self.select = control
        else:
            value = attrs.get("value")
            if kind_of_input == "radio" and not (value or "").strip():
                raise self.fail(
                    _('every radio button needs a value (name="%(name)s")') % {"name": name}
                )
            control = Control(
                name, "choice" if kind_of_input == "radio" else "boolean", required, tag=tag
            )
            control.options = [(value or "on").strip()]
        self._declare(control, kind_of_input)

    def _declare(self, control: Control, kind_of_input: str) -> None:
        known = self.fields.get(control.name)
        if known is None:
            if len(self.fields) >= MAX_FIELDS:
                raise self.fail(_("a form has at most %(n)d fields") % {"n": MAX_FIELDS})
            self.fields[control.name] = control
            return
        same_group = (
            known.tag == "input"
            and control.tag == "input"
            and (
                (known.kind == "choice" and control.kind == "choice")
                or (known.kind in ("boolean", "choices") and control.kind == "boolean")
            )
        )
        if not same_group or control.options[0] in known.options:
            raise self.fail(_("the field name %(name)s is used twice") % {"name": control.name})
        if known.kind == "boolean":
            known.kind = "choices"
        self._add_option(known, control.options[0])
        known.required = known.required or control.required

    def _add_option(self, control: Control, value: str) -> None:
        if len(control.options) >= MAX_OPTIONS:
            raise self.fail(
                _("the field %(name)s has more than %(n)d choices")
                % {"name": control.name, "n": MAX_OPTIONS}
            )
        control.options.append(value)

    def _option_start(self, attrs: dict[str, str]) -> None:
        if self.select is None:
            raise self.fail(_("<option> belongs inside a <select>"))
        if self.option is not None:
            self._option_end()  # <option>a<option>b: the first ends where the second starts
        self.option = [attrs.get("value"), []]

    def _option_end(self) -> None:
        if self.option is None or self.select is None:
            return
        value, text = self.option
        self.option = None
        value = ("".join(text) if value is None else value).strip()
        if not value:
            return  # "choose…": no answer
        if value in self.select.options:
            raise self.fail(
                _("the choice %(value)s appears twice in %(name)s")
                % {"value": value[:40], "name": self.select.name}
            )
        self._add_option(self.select, value)

    def handle_endtag(self, tag: str) -> None:
        if tag not in ALLOWED:
            raise self.fail(_("<%(tag)s> is not allowed") % {"tag": tag})
        if tag in VOID:
            return
        if tag == "option" or (tag == "select" and self.option is not None):
            self._option_end()
        if tag == "select":
            if self.select is not None and not self.select.options:
                raise self.fail(
                    _("the list %(name)s offers no choice") % {"name": self.select.name}
                )
            self.select = None
        # Close what the tag closes (and whatever was left open inside it).
        if tag in self.open:
            while self.open:
                top = self.open.pop()
                self.tokens.append(("end", top))
                if top == tag:
                    break

    def handle_data(self, data: str) -> None:
        if self.option is not None:
            self.option[1].append(data)
        for found in placeholders_in(data):
            self.placeholders.setdefault(found)
        self.tokens.append(("text", data))

    def handle_comment(self, data: str) -> None:
        pass  # a requester's notes stay out of the worker's page

    def handle_decl(self, decl: str) -> None:
        pass  # <!DOCTYPE html>: the frame has its own

    def unknown_decl(self, data: str) -> None:
        raise self.fail(_("<![%(what)s[ is not allowed") % {"what": data.split("[", 1)[0][:20]})

    def handle_pi(self, data: str) -> None:
        raise self.fail(_("<?…> is not allowed"))

    def finish(self) -> Sanitised:
        self.close()
        if self.option is not None:
            self._option_end()
        while self.open:
            self.tokens.append(("end", self.open.pop()))
        if not self.fields:
            raise FormError(_("the form has no field for the worker to fill in"))
        return Sanitised(self.tokens, self.fields, list(self.placeholders), self.url_templates)


def sanitise(html: str) -> Sanitised:
    """The form, read through the allow-list, or FormError saying what is refused and where."""
    if len(html) > MAX_HTML:
        raise FormError(_("is longer than %(n)d characters") % {"n": MAX_HTML})
    reader = _Reader()
    reader.feed(html)
    return reader.finish()


# --- rendering ------------------------------------------------------------------------------


def _is_on(value: Any) -> bool:
    if isinstance(value, list | tuple):
        return bool(value)
    return value is True or str(value).lower() in ("on", "true", "1", "yes")


def render(
    form: Sanitised,
    data: Mapping[str, Any],
    *,
    draft: Mapping[str, Any] | None = None,
    media: Callable[[str], str] | None = None,
) -> str:
    """The form's body with the task's values filled in (escaped) and, when a draft is given,
    the worker's values in the controls. `media` turns a /media/ path into the viewer's signed
    address."""
    out: list[str] = []
    select: Control | None = None
    textarea: Control | None = None
    for token in form.tokens:
        if token[0] == "text":
            if textarea is not None and draft is not None and textarea.name in draft:
                continue
            out.append(escape(fill(token[1], data), quote=False))
            continue
        if token[0] == "end":
            if token[1] == "textarea" and textarea is not None:
                if draft is not None and textarea.name in draft:
                    out.append(escape(_text(draft[textarea.name]), quote=False))
                textarea = None
            if token[1] == "select":
                select = None
            out.append(f"</{token[1]}>")
            continue
        tag, attrs = token[1], dict(token[2])
        for name, value in attrs.items():
            if "${" in value:
                attrs[name] = fill(value, data)
        for tag_name, attr in URL_ATTRIBUTES:
            if tag == tag_name and attr in attrs:
                url = attrs[attr].strip()
                if not url_allowed(url):
                    del attrs[attr]
                elif media is not None and url.startswith(MEDIA_PREFIX):
                    attrs[attr] = media(url)
        control = form.fields.get(attrs.get("name", "")) if tag != "option" else None
        if tag == "select":
            select = control
        elif tag == "textarea":
            textarea = control
        if draft is not None:
            _apply_draft(tag, attrs, control, select, draft)
        out.append(_start_tag(tag, attrs))
    return "".join(out)


def _apply_draft(
    tag: str,
    attrs: dict[str, str],
    control: Control | None,
    select: Control | None,
    draft: Mapping[str, Any],
) -> None:
    if tag == "option" and select is not None and select.name in draft:
        chosen = draft[select.name]
        chosen = [str(v) for v in chosen] if isinstance(chosen, list | tuple) else [str(chosen)]
        value = attrs.get("value")
        attrs.pop("selected", None)
        if value is not None and value.strip() in chosen:
            attrs["selected"] = ""
        return
    if tag != "input" or control is None or control.name not in draft:
        return
    value = draft[control.name]
    kind = attrs.get("type", "text")
    if kind in CHOICE_TYPES:
        attrs.pop("checked", None)
        mine = (attrs.get("value") or "on").strip()
        if control.kind == "boolean":
            on = _is_on(value)
        elif isinstance(value, list | tuple):
            on = mine in [str(v) for v in value]
        else:
            on = mine == _text(value)
        if on:
            attrs["checked"] = ""
    elif value is not None and not isinstance(value, list | tuple | Mapping):
        attrs["value"] = _text(value)


def _start_tag(tag: str, attrs: Mapping[str, str]) -> str:
    parts = [tag]
    for name, value in attrs.items():
        parts.append(f'{name}="{escape(value, quote=True)}"')
    return "<" + " ".join(parts) + ">"


def row_url_problems(form: Sanitised, row: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    """(column, reason) for each address a row's values would make unsafe."""
    for tag, attr, template in form.url_templates:
        if not url_allowed(fill(template, row)):
            names = placeholders_in(template)
            yield (
                names[0],
                _(
                    "makes the address in %(attr)s on <%(tag)s> something other than an "
                    "http(s) address or a /media/ file"
                )
                % {"attr": attr, "tag": tag},
            )
