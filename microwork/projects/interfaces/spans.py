"""Text spans: the worker marks stretches of a text with the project's labels (names of
people, organisations and places; product attributes; toxic phrases).

An answer is a list of spans {"label", "start", "end"}: character offsets into the task's
`text`, end exclusive, each starting at a word's start and ending at a word's end (words as
`lib.words.tokens_with_offsets` splits them, so every kind agrees on what a word is), with
no two spans overlapping. Answers are aggregated token by token (consensus "spans").

A span answer is right against an expected one when their span F1 is at least
MATCH_F1: a span counts only when its label and both ends are the same, so one missed or
shifted span in ten still matches, and with fewer spans every span must be exact."""

import json
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from microwork.lib.words import tokens_with_offsets
from microwork.projects.interfaces.base import TaskInterface, invalid
from microwork.projects.interfaces.choice import LABELS, QUESTION

MAX_TEXT = 20_000
MAX_SPANS = 500
MATCH_F1 = 0.9


def _field(index: int, name: str = "") -> str:
    return f"answer[{index}].{name}" if name else f"answer[{index}]"


def _offset(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdecimal() and len(value.strip()) < 9:
        return int(value.strip())
    return value if isinstance(value, int) else None


def _key(span: Mapping[str, Any]) -> tuple[str, int, int]:
    return (str(span["label"]), int(span["start"]), int(span["end"]))


def span_f1(answer: list[Mapping[str, Any]], expected: list[Mapping[str, Any]]) -> float:
    """F1 of exact span matches (same label, same ends); 1.0 when both are empty."""
    if not answer and not expected:
        return 1.0
    found = {_key(s) for s in answer}
    wanted = {_key(s) for s in expected}
    return 2 * len(found & wanted) / (len(found) + len(wanted))


class TextSpans(TaskInterface):
    key = "text_spans"
    title = gettext_lazy("Text spans (mark words with labels)")
    description = gettext_lazy(
        "A text; the worker marks the words or phrases that carry one of your labels (names of "
        "people, places, organisations…)."
    )
    template_name = "projects/interfaces/text_spans.html"
    view_template_name = "projects/interfaces/text_spans_view.html"
    scripts = ("projects/spans.js",)
    consensus = "spans"
    config_fields = (QUESTION, LABELS)
    input_schema = {
        "type": "object",
        "properties": {
            "text": {
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_TEXT,
                "description": gettext_lazy("The text to mark; line breaks are kept."),
            },
        },
        "required": ["text"],
        "examples": [{"text": "Ada Lovelace flew from Lagos to Karachi."}],
    }
    answer_field = "spans"
    answer_schema = {
        "type": "array",
        "maxItems": MAX_SPANS,
        "items": {
            "type": "object",
            "properties": {
                "label": {"type": "string", "minLength": 1},
                "start": {"type": "integer", "minimum": 0},
                "end": {"type": "integer", "minimum": 1},
            },
            "required": ["label", "start", "end"],
        },
        "description": gettext_lazy(
            'The marked spans, possibly none: [{"label": "PER", "start": 0, "end": 12}]: '
            "character offsets into the task's text, end exclusive, on word boundaries, "
            'none overlapping (or {"spans": […]}).'
        ),
        "examples": [[{"label": "PER", "start": 0, "end": 12}], []],
    }
    example = {
        "config": {
            "question": "Mark every person, organisation and place.",
            "labels": ["PER|Person", "ORG|Organisation", "LOC|Place"],
        },
        "data": {"text": "Ada Lovelace met the Lagos Chamber of Commerce in Karachi."},
        "answer": [
            {"label": "PER", "start": 0, "end": 12},
            {"label": "ORG", "start": 21, "end": 46},
            {"label": "LOC", "start": 50, "end": 57},
        ],
    }

    def prepare_answer(self, config: Mapping[str, Any], answer: Any) -> Any:
        answer = super().prepare_answer(config, answer)
        if isinstance(answer, Mapping) and self.answer_field in answer:
            answer = answer[self.answer_field]
        if isinstance(answer, str):
            # The task page posts the spans as JSON in one field.
            text = answer.strip() or "[]"
            if len(text) > 200 * MAX_SPANS:
                raise invalid("answer", _("The answer is too long."))
            try:
                answer = json.loads(text)
            except ValueError:
                raise invalid("answer", _("The spans are not valid JSON.")) from None
        return answer

    def answer_from_form(self, config: Mapping[str, Any], post: Any) -> Any:
        return post.get(self.answer_field)

    def check_answer(self, config: Mapping[str, Any], data: Mapping[str, Any], answer: Any) -> Any:
        answer = self.prepare_answer(config, answer)
        if not isinstance(answer, list | tuple):
            raise invalid("answer", _("Send a list of spans (it may be empty)."))
        if len(answer) > MAX_SPANS:
            raise invalid("answer", _("At most %(n)d spans.") % {"n": MAX_SPANS})
        text = str(data.get("text") or "")
        words = tokens_with_offsets(text)
        starts = {start for _w, start, _e in words}
        ends = {end for _w, _s, end in words}
        labels = {label["value"] for label in config.get("labels", [])}
        cleaned: list[tuple[int, dict[str, Any]]] = []
        for i, span in enumerate(answer):
            if not isinstance(span, Mapping):
                raise invalid(_field(i), _("Each span is an object with label, start and end."))
            label = span.get("label")
            if not isinstance(label, str) or label not in labels:
                raise invalid(
                    _field(i, "label"),
                    _("Not a label of this project: %(value)s. Choose one of: %(values)s.")
                    % {"value": label, "values": ", ".join(sorted(labels))},
                )
            start, end = _offset(span.get("start")), _offset(span.get("end"))
            if start is None or start < 0:
                raise invalid(_field(i, "start"), _("The start must be a whole number, 0 or more."))
            if end is None or end <= start:
                raise invalid(
                    _field(i, "end"), _("The end must be a whole number after the start.")
                )
            if end > len(text):
                raise invalid(
                    _field(i, "end"),
                    _("The span ends past the end of the text (%(n)d characters).")
                    % {"n": len(text)},
                )
            if start not in starts:
                raise invalid(_field(i, "start"), _("A span must start at the start of a word."))
            if end not in ends:
                raise invalid(_field(i, "end"), _("A span must end at the end of a word."))
            cleaned.append((i, {"label": label, "start": start, "end": end}))
        cleaned.sort(key=lambda item: (item[1]["start"], item[1]["end"]))
        for (one, a), (other, b) in zip(cleaned, cleaned[1:], strict=False):
            if b["start"] < a["end"]:
                # Named by the later of the two in the answer, the one added second.
                later, earlier = max(one, other), min(one, other)
                raise invalid(
                    _field(later, "start"),
                    _("This span overlaps span %(other)s; spans may not overlap.")
                    % {"other": _field(earlier)},
                )
        return [span for _i, span in cleaned]

    def answer_key(self, answer: Any) -> Any:
        return tuple(sorted((_key(s) for s in answer or []), key=lambda k: (k[1], k[2], k[0])))

    def answer_label(self, answer: Any) -> str:
        """The spans as JSON, in text order (what exports and the aggregated label hold)."""
        spans = [{"label": k[0], "start": k[1], "end": k[2]} for k in self.answer_key(answer)]
        return json.dumps(sorted(spans, key=lambda s: (s["start"], s["end"])), ensure_ascii=False)

    def answer_matches(
        self, config: Mapping[str, Any], data: Mapping[str, Any], answer: Any, expected: Any
    ) -> bool:
        return span_f1(list(answer or []), list(expected or [])) >= MATCH_F1

    def answer_text(
        self, config: Mapping[str, Any], answer: Any, data: Mapping[str, Any] | None = None
    ) -> str:
        """ "PER: Ada Lovelace; LOC: Lagos" when the text is at hand, else the offsets
        ("PER 0–12; LOC 21–26"); "—" for no span."""
        text = str((data or {}).get("text") or "")
        parts = []
        for span in answer or []:
            label, start, end = _key(span)
            if text:
                parts.append(f"{label}: {text[start:end]}")
            else:
                parts.append(f"{label} {start}–{end}")
        return "; ".join(parts) or "—"
