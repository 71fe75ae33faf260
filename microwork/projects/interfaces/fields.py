"""The settings a task interface asks a requester for, declared once each: the project form
shows the field, the project service checks it and the API documents it, all from the same
declaration. A new task type picks from these kinds; none of them knows any task type."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from microwork.lib.errors import ApplicationError
from microwork.projects.interfaces import schema

# A label or help text: plain, or marked for translation (gettext_lazy).
if TYPE_CHECKING:
    # The stubs type gettext_lazy() text as a str-like promise, which form fields accept;
    # django-stubs is only installed for development, hence the guard.
    from django_stubs_ext import StrOrPromise as Wording
else:
    Wording = str | Promise


def _lines(text: Any) -> list[str]:
    return [line.strip() for line in str(text or "").splitlines() if line.strip()]


@dataclass(frozen=True, kw_only=True)
class ConfigField:
    """One setting. `message` replaces the generic reason when the value is refused: one
    sentence, or one per JSON-Schema keyword ({"minItems": …, "maxItems": …})."""

    name: str
    label: Wording
    help: Wording = ""
    required: bool = True
    default: Any = None
    message: Wording | Mapping[str, Wording] | None = None

    type: ClassVar[str]

    def base_schema(self) -> dict[str, Any]:
        raise NotImplementedError

    def schema(self) -> dict[str, Any]:
        out = {"title": self.label, **self.base_schema()}
        if self.help:
            out["description"] = self.help
        if self.default is not None:
            out["default"] = self.default
        if self.message is not None:
            out["errorMessage"] = self.message
        return out

    def prepare(self, value: Any) -> Any:
        """The raw value (API JSON or `from_form`) before the schema sees it."""
        return self.default if schema._empty(value) or value == [] else value

    def check(self, value: Any) -> Any:
        """Rules the schema cannot say; the cleaned value, or SchemaError."""
        return value

    def clean(self, value: Any) -> Any:
        try:
            value = self.prepare(value)
            if value is None and not self.required:
                return None
            return self.check(schema.clean(self.schema(), value, path=self.name))
        except schema.SchemaError as exc:
            raise ApplicationError(exc.sentence(self.label), field=self.name) from None

    # The project form. Every config field is plain text in the form: the service does all the
    # checking, so an interface that is not chosen can never block the form.
    def form_field(self) -> forms.Field:
        return forms.CharField(
            label=self.label,
            help_text=self.help,
            required=False,
            initial=self.to_form(self.default),
            widget=self.widget(),
        )

    def widget(self) -> forms.Widget:
        return forms.TextInput()

    def to_form(self, value: Any) -> str:
        return "" if value is None else str(value)

    def from_form(self, text: str) -> Any:
        return text

    def public_schema(self) -> dict[str, Any]:
        """The schema as documented: what a client may send, before `prepare`."""
        return self.schema()

    def describe(self) -> dict[str, Any]:
        return schema.public(
            {
                "name": self.name,
                "type": self.type,
                "label": self.label,
                "help": self.help,
                "required": self.required,
                "default": self.default,
                "value_schema": self.public_schema(),
            }
        )


@dataclass(frozen=True, kw_only=True)
class Text(ConfigField):
    """One line of text (a question shown above every task)."""

    max_length: int = 500
    type: ClassVar[str] = "text"

    def base_schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "string", "maxLength": self.max_length}
        if self.required:
            out["minLength"] = 1
        return out

    def prepare(self, value: Any) -> Any:
        if schema._empty(value):
            return "" if self.default is None else self.default
        return value


@dataclass(frozen=True, kw_only=True)
class Integer(ConfigField):
    """A whole number within bounds."""

    minimum: int | None = None
    maximum: int | None = None
    type: ClassVar[str] = "integer"

    def base_schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "integer"}
        if self.minimum is not None:
            out["minimum"] = self.minimum
        if self.maximum is not None:
            out["maximum"] = self.maximum
        return out

    def widget(self) -> forms.Widget:
        return forms.NumberInput()


@dataclass(frozen=True, kw_only=True)
class Lines(ConfigField):
    """A list of short texts, one per line in the form (the points of a scale)."""

    min_items: int = 1
    max_items: int = 50
    max_length: int = 200
    # Said when one line is refused (empty, too long) instead of the generic reason.
    item_message: Wording | None = None
    type: ClassVar[str] = "lines"

    def base_schema(self) -> dict[str, Any]:
        item: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": self.max_length}
        if self.item_message is not None:
            item["errorMessage"] = self.item_message
        return {
            "type": "array",
            "items": item,
            "minItems": self.min_items,
            "maxItems": self.max_items,
        }

    def widget(self) -> forms.Widget:
        return forms.Textarea(attrs={"rows": max(3, min(self.max_items, 6))})

    def to_form(self, value: Any) -> str:
        return "\n".join(str(v) for v in value or [])

    def from_form(self, text: str) -> Any:
        return _lines(text)


@dataclass(frozen=True, kw_only=True)
class Labels(ConfigField):
    """The answers workers choose from: a value each (what the results hold) and the text
    workers see. Written `value|shown text` one per line, or as objects in the API."""

    min_items: int = 2
    max_items: int = 50
    max_length: int = 200
    # Said when a label has no value, instead of the generic reason.
    item_message: Wording | None = None
    type: ClassVar[str] = "labels"

    def base_schema(self) -> dict[str, Any]:
        text = {"type": "string", "maxLength": self.max_length}
        item: dict[str, Any] = {
            "type": "object",
            "properties": {
                "value": {**text, "minLength": 1},
                "text": text,
            },
            "required": ["value"],
        }
        if self.item_message is not None:
            item["properties"]["value"]["errorMessage"] = self.item_message
        return {
            "type": "array",
            "description": _("Each label is `value|shown text`, or {value, text}."),
            "items": item,
            "minItems": self.min_items,
            "maxItems": self.max_items,
            "examples": [["ok|Acceptable", "gory|Gory"]],
        }

    def public_schema(self) -> dict[str, Any]:
        out = self.schema()
        written = {
            "type": "string",
            "minLength": 1,
            "description": _("value|shown text (the text may be left out: value)"),
        }
        out["items"] = {"anyOf": [written, out["items"]]}
        return out

    def prepare(self, value: Any) -> Any:
        value = super().prepare(value)
        if not isinstance(value, list | tuple):
            return value
        out: list[Any] = []
        for item in value:
            if isinstance(item, str):
                raw, _sep, text = item.partition("|")
                item = {"value": raw, "text": text}
            out.append(item)
        return out

    def check(self, value: Any) -> Any:
        seen: set[str] = set()
        for item in value:
            item.setdefault("text", "")
            item["text"] = item["text"] or item["value"]
            if item["value"] in seen:
                reason = _("Label %(value)s appears twice.") % {"value": item["value"]}
                raise schema.SchemaError(self.name, reason, custom=True)
            seen.add(item["value"])
        return [{"value": item["value"], "text": item["text"]} for item in value]

    def widget(self) -> forms.Widget:
        return forms.Textarea(attrs={"rows": 4})

    def to_form(self, value: Any) -> str:
        return "\n".join(
            f"{item['value']}|{item['text']}" if isinstance(item, Mapping) else str(item)
            for item in value or []
        )

    def from_form(self, text: str) -> Any:
        return _lines(text)


@dataclass(frozen=True, kw_only=True)
class Flag(ConfigField):
    """Yes or no (offer "both are bad", play the clip without sound). A tick box in the form;
    true/false, or the texts true/false/yes/no/1/0, in the API."""

    required: bool = False
    default: Any = False
    type: ClassVar[str] = "flag"

    def base_schema(self) -> dict[str, Any]:
        return {"type": "boolean"}

    def prepare(self, value: Any) -> Any:
        return self.default if schema._empty(value) else value

    def form_field(self) -> forms.Field:
        return forms.BooleanField(
            label=self.label, help_text=self.help, required=False, initial=bool(self.default)
        )

    def to_form(self, value: Any) -> Any:
        return bool(value)

    def from_form(self, text: Any) -> Any:
        return bool(text) and text not in ("False", "false", "0", "off")


@dataclass(frozen=True, kw_only=True)
class Choice(ConfigField):
    """One of a fixed list of values the kind understands (how answers are checked: by
    reviewers or by consensus). `choices` pairs each value with the words the form shows."""

    choices: tuple[tuple[str, Wording], ...]
    type: ClassVar[str] = "choice"

    def base_schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": [value for value, _text in self.choices]}

    def form_field(self) -> forms.Field:
        return forms.ChoiceField(
            label=self.label,
            help_text=self.help,
            required=False,
            initial=self.default,
            choices=[(value, text) for value, text in self.choices],
        )
