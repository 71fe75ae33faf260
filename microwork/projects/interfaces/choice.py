from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from microwork.projects.interfaces.base import TaskInterface
from microwork.projects.interfaces.fields import Labels, Text

MAX_LABELS = 50

QUESTION = Text(
    name="question",
    label=_("Question"),
    help=_("Shown above every task."),
    max_length=500,
    message=_("Write the question workers answer."),
)
LABELS = Labels(
    name="labels",
    label=_("Labels"),
    help=_("One per line: value|shown text, e.g. ok|Acceptable."),
    max_items=MAX_LABELS,
    message={
        "type": _("List at least two labels, one per line (value, or value|shown text)."),
        "minItems": _("List at least two labels, one per line (value, or value|shown text)."),
        "maxItems": _("At most %(maxItems)d labels."),
    },
    item_message=_("Each label needs a value."),
)

# Text, a picture, or both: what a worker judges.
INPUT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "text": {
            "type": "string",
            "maxLength": 20_000,
            "description": _("The text to judge; line breaks are kept."),
        },
        "image_url": {
            "type": "string",
            "format": "uri-reference",
            "maxLength": 2_000,
            "description": _("An http(s) URL or a path starting with /, shown as a picture."),
        },
    },
    "required": [],
    "anyOf": [{"required": ["text"]}, {"required": ["image_url"]}],
    "examples": [{"text": "A dog in a park"}, {"image_url": "https://img.example/2.jpg"}],
}


def _label_values(config: Mapping[str, Any]) -> list[str]:
    return [label["value"] for label in config.get("labels", [])]


def _label_texts(config: Mapping[str, Any]) -> dict[str, str]:
    return {
        label["value"]: label.get("text") or label["value"] for label in config.get("labels", [])
    }


class SingleChoice(TaskInterface):
    key = "single_choice"
    title = _("Single choice (text and/or image)")
    description = _("A text and/or a picture; the worker chooses exactly one of your labels.")
    template_name = "projects/interfaces/single_choice.html"
    config_fields = (QUESTION, LABELS)
    input_schema = INPUT_SCHEMA
    answer_field = "label"
    example = {
        "config": {
            "question": "Is this picture acceptable for all ages?",
            "labels": ["ok|Acceptable", "gory|Gory", "harmful|Harmful"],
        },
        "data": {"text": "A dog playing in a park"},
        "answer": "ok",
    }
    answer_schema = {
        "type": "string",
        "description": _('The value of one of the project\'s labels: "ok" (or {"label": "ok"}).'),
        "examples": ["ok"],
    }

    def answer_schema_for(self, config: Mapping[str, Any]) -> dict[str, Any]:
        choose = _("Choose one of: %(values)s.")
        return {
            **self.answer_schema,
            "enum": _label_values(config),
            "errorMessage": {"type": choose, "enum": choose},
        }

    def answer_text(
        self, config: Mapping[str, Any], answer: Any, data: Mapping[str, Any] | None = None
    ) -> str:
        return _label_texts(config).get(str(answer), str(answer))


class MultipleChoice(TaskInterface):
    key = "multiple_choice"
    title = _("Multiple choice (tick all that apply)")
    description = _("A text and/or a picture; the worker ticks every label that applies, or none.")
    template_name = "projects/interfaces/multiple_choice.html"
    config_fields = (QUESTION, LABELS)
    input_schema = INPUT_SCHEMA
    answer_field = "labels"
    example = {
        "config": {
            "question": "Which topics does this headline touch?",
            "labels": ["sport|Sport", "music|Music", "politics|Politics"],
        },
        "data": {"text": "Stadium concert raises funds for the national team"},
        "answer": ["sport", "music"],
    }
    answer_schema = {
        "type": "array",
        "items": {"type": "string"},
        "description": _(
            'The values of the labels that apply, possibly none: ["sport", "music"] '
            '(or {"labels": […]}; one label may be sent as a string).'
        ),
        "examples": [["sport", "music"], []],
    }

    def answer_schema_for(self, config: Mapping[str, Any]) -> dict[str, Any]:
        return {
            **self.answer_schema,
            "items": {
                "type": "string",
                "enum": _label_values(config),
                "errorMessage": _("Not a label of this project: %(value)s."),
            },
            "errorMessage": {"type": _("Send a list of labels (it may be empty).")},
        }

    def prepare_answer(self, config: Mapping[str, Any], answer: Any) -> Any:
        answer = super().prepare_answer(config, answer)
        return [answer] if isinstance(answer, str) else answer

    def normalise_answer(self, config: Mapping[str, Any], answer: Any) -> list[str]:
        # In the project's label order, so equal sets compare equal.
        chosen = set(answer)
        return [v for v in _label_values(config) if v in chosen]

    def answer_text(
        self, config: Mapping[str, Any], answer: Any, data: Mapping[str, Any] | None = None
    ) -> str:
        texts = _label_texts(config)
        return ", ".join(texts.get(str(a), str(a)) for a in answer or [])
