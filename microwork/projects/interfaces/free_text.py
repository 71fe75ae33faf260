"""Free text: the worker writes a short text (a description, a rewrite, a correction).

Answers are not aggregated: two good descriptions of one photo rarely share their words, so
other workers review each answer instead (`reviewed`). A requester may bound the length and
ask for a pattern, a regular expression from a safe subset (lib/saferegex.py) matched
against the whole answer in linear time, so no pattern can stall a submit."""

import unicodedata
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from microwork.lib.errors import ApplicationError
from microwork.lib.saferegex import MAX_LENGTH as PATTERN_MAX_LENGTH
from microwork.lib.saferegex import SafePattern, UnsafePattern, compile_safe
from microwork.lib.words import normalise
from microwork.projects.interfaces.base import TaskInterface, invalid
from microwork.projects.interfaces.choice import INPUT_SCHEMA, QUESTION
from microwork.projects.interfaces.fields import Integer, Text

MAX_ANSWER = 10_000
DEFAULT_MAX = 1_000

INPUT = {
    **INPUT_SCHEMA,
    "properties": {
        **INPUT_SCHEMA["properties"],
        "prompt": {
            "type": "string",
            "maxLength": 20_000,
            "description": gettext_lazy(
                "What to write about this row (an AI answer to rewrite, a product to "
                "describe); shown above the answer box."
            ),
        },
    },
    "anyOf": [{"required": ["text"]}, {"required": ["image_url"]}, {"required": ["prompt"]}],
    "examples": [{"prompt": "Describe the photo in one sentence."}, {"text": "Sorry, no."}],
}


def _normal(text: str) -> str:
    """One stored form: NFC, Windows line ends as the browser counts them, trimmed."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n")).strip()


class FreeText(TaskInterface):
    key = "free_text"
    title = gettext_lazy("Free text (write a short text)")
    description = gettext_lazy(
        "A text, a picture or a prompt; the worker writes an answer in their own words. "
        "Answers are checked by other workers rather than aggregated."
    )
    template_name = "projects/interfaces/free_text.html"
    view_template_name = "projects/interfaces/free_text_view.html"
    scripts = ("projects/free_text.js",)
    reviewed = True
    config_fields = (
        QUESTION,
        Integer(
            name="min_length",
            label=gettext_lazy("Shortest answer (characters)"),
            help=gettext_lazy("0 or more; 1 means the answer may not be empty."),
            required=False,
            default=1,
            minimum=0,
            maximum=MAX_ANSWER,
        ),
        Integer(
            name="max_length",
            label=gettext_lazy("Longest answer (characters)"),
            help=gettext_lazy("At most 10000."),
            required=False,
            default=DEFAULT_MAX,
            minimum=1,
            maximum=MAX_ANSWER,
        ),
        Text(
            name="pattern",
            label=gettext_lazy("Pattern (optional)"),
            help=gettext_lazy(
                "A regular expression the whole answer must match, e.g. [A-Z]{2}-\\d{4}. "
                "Backreferences, lookarounds and a repeat inside a repeat are refused."
            ),
            required=False,
            max_length=PATTERN_MAX_LENGTH,
        ),
        Text(
            name="pattern_hint",
            label=gettext_lazy("Pattern hint"),
            help=gettext_lazy("Shown to workers: the form the answer must take, in words."),
            required=False,
            max_length=300,
        ),
    )
    input_schema = INPUT
    answer_field = "text"
    answer_schema = {
        "type": "string",
        "maxLength": MAX_ANSWER,
        "description": gettext_lazy(
            "The worker's text, within the project's length limits: \"A red kettle on a "
            'wooden table." (or {"text": "…"}).'
        ),
        "examples": ["A red kettle on a wooden table."],
    }
    example = {
        "config": {
            "question": "Describe this product photo in one sentence.",
            "min_length": 10,
            "max_length": 200,
            "pattern": r"[^\n]*[.!?]",
            "pattern_hint": "One sentence, ending with a full stop.",
        },
        "data": {"prompt": "A red enamel kettle on a wooden kitchen table."},
        "answer": "A red enamel kettle standing on a wooden table.",
    }

    def check_config(self, config: Mapping[str, Any]) -> dict[str, Any]:
        cleaned = super().check_config(config)
        if cleaned["min_length"] > cleaned["max_length"]:
            raise ApplicationError(
                _("The shortest answer cannot be longer than the longest (%(n)d characters).")
                % {"n": cleaned["max_length"]},
                field="min_length",
            )
        if cleaned["pattern"]:
            try:
                compile_safe(cleaned["pattern"])
            except UnsafePattern as exc:
                raise ApplicationError(
                    _("pattern: %(reason)s") % {"reason": str(exc)}, field="pattern"
                ) from None
        return cleaned

    def answer_schema_for(self, config: Mapping[str, Any]) -> dict[str, Any]:
        low = config.get("min_length", 1)
        high = config.get("max_length", DEFAULT_MAX)
        short = _("Write at least %(minLength)d characters.") if low else ""
        return {
            **self.answer_schema,
            "minLength": low,
            "maxLength": high,
            "errorMessage": {
                "type": _("Send the answer as text."),
                "minLength": short,
                "maxLength": _("Write at most %(maxLength)d characters."),
            },
        }

    def prepare_answer(self, config: Mapping[str, Any], answer: Any) -> Any:
        answer = super().prepare_answer(config, answer)
        return _normal(answer) if isinstance(answer, str) else answer

    def normalise_answer(self, config: Mapping[str, Any], answer: Any) -> str:
        pattern = config.get("pattern")
        if pattern and not _pattern(pattern).fullmatch(answer):
            hint = config.get("pattern_hint")
            raise invalid(
                self.answer_field,
                _("The answer does not have the expected form: %(hint)s") % {"hint": hint}
                if hint
                else _("The answer does not have the expected form."),
            )
        return str(answer)

    def answer_matches(
        self, config: Mapping[str, Any], data: Mapping[str, Any], answer: Any, expected: Any
    ) -> bool:
        """Equal once normalised: case, spacing and edge punctuation of words do not count
        ("Lagos, Nigeria." matches "lagos nigeria")."""
        return normalise(str(answer)) == normalise(str(expected))


_COMPILED: dict[str, SafePattern] = {}


def _pattern(source: str) -> SafePattern:
    """A project's pattern, compiled once per process (it was checked when saved)."""
    if source not in _COMPILED:
        if len(_COMPILED) > 500:
            _COMPILED.clear()
        _COMPILED[source] = compile_safe(source)
    return _COMPILED[source]
