"""A text with its spans, for the text-spans kind: its words as the worker taps them, and the
text read-only with each marked span in a <mark> carrying its label. Every piece of the text
and every label is escaped here; the offsets are the ones lib.words gives, so the page, the
checks and the consensus agree on the words."""

import json
from collections.abc import Mapping
from typing import Any

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString

from microwork.lib.words import tokens_with_offsets

register = template.Library()

# Colours cycle through this many classes (spans.css); the label's text is always shown too.
COLOURS = 8


def _labels(config: Any) -> dict[str, tuple[int, str]]:
    labels = (config or {}).get("labels") or []
    return {
        str(label["value"]): (i % COLOURS, str(label.get("text") or label["value"]))
        for i, label in enumerate(labels)
        if isinstance(label, Mapping) and "value" in label
    }


def _spans(answer: Any, length: int) -> list[tuple[int, int, str]]:
    """Well-formed, in-range, non-overlapping spans in text order (a stored answer was checked;
    this only guards the page against anything else)."""
    out: list[tuple[int, int, str]] = []
    if not isinstance(answer, list):
        return out
    for span in answer:
        if not isinstance(span, Mapping):
            continue
        start, end = span.get("start"), span.get("end")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= length:
            out.append((start, end, str(span.get("label", ""))))
    out.sort()
    kept: list[tuple[int, int, str]] = []
    for span in out:
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return kept


@register.simple_tag
def span_words(text: Any) -> SafeString:
    """The text with each word in a <span class="w"> that knows its offsets; the text between
    words is kept as it is (spans.css keeps line breaks)."""
    text = str(text or "")
    parts: list[str] = []
    at = 0
    for n, (word, start, end) in enumerate(tokens_with_offsets(text)):
        parts.append(escape(text[at:start]))
        parts.append(
            format_html(
                '<span class="w" data-start="{}" data-end="{}" tabindex="{}">{}</span>',
                start,
                end,
                0 if n == 0 else -1,
                word,
            )
        )
        at = end
    parts.append(escape(text[at:]))
    return SafeString("".join(parts))


@register.simple_tag
def spans_marked(text: Any, answer: Any, config: Any) -> SafeString:
    """The text read-only, each span a <mark> followed by its label's text."""
    text = str(text or "")
    labels = _labels(config)
    parts: list[str] = []
    at = 0
    for start, end, label in _spans(answer, len(text)):
        colour, shown = labels.get(label, (COLOURS - 1, label))
        parts.append(escape(text[at:start]))
        parts.append(
            format_html(
                '<mark class="span lab-{}" title="{}">{}<span class="span-tag">{}</span></mark>',
                colour,
                shown,
                text[start:end],
                label,
            )
        )
        at = end
    parts.append(escape(text[at:]))
    return SafeString("".join(parts))


@register.simple_tag
def span_label_colours(config: Any) -> list[dict[str, Any]]:
    """The project's labels with their colour class, in order, for the label buttons."""
    return [
        {"value": value, "text": shown, "colour": colour, "key": i + 1 if i < 9 else None}
        for i, (value, (colour, shown)) in enumerate(_labels(config).items())
    ]


@register.filter
def spans_json(draft: Any) -> str:
    """A draft (the posted JSON text, or a list from the API) as JSON text for the page's
    answer field; anything else is no span."""
    if isinstance(draft, str):
        try:
            draft = json.loads(draft)
        except ValueError:
            return "[]"
    if not isinstance(draft, list):
        return "[]"
    return json.dumps(
        [
            {"label": s.get("label"), "start": s.get("start"), "end": s.get("end")}
            for s in draft[:500]
            if isinstance(s, Mapping)
        ],
        ensure_ascii=False,
    )


@register.simple_tag
def spans_in_words(interface: Any, config: Any, data: Any, answer: Any) -> str:
    """The answer in words ("PER: Ada Lovelace; LOC: Lagos"), with the task's text at hand."""
    return str(interface.answer_text(config or {}, answer, data or {}))
