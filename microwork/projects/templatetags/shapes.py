"""Shapes drawn on a picture (the bounding-boxes kind), for templates: the read-only view
draws them as SVG without a script, the task page hands a saved draft to its script.

Coordinates are fractions of the picture; the view's SVG spans the picture with a 0–100
viewBox stretched to it, so a shape's numbers are percentages."""

import json
from collections.abc import Mapping
from typing import Any

from django import template

register = template.Library()

# One colour per label, in the label list's order (the task page's script uses the same).
PALETTE = (
    "#e6194b",
    "#3cb44b",
    "#4363d8",
    "#f58231",
    "#911eb4",
    "#0a9396",
    "#f032e6",
    "#9a6324",
)


def _shapes(value: Any) -> list[Mapping[str, Any]]:
    if isinstance(value, str):
        try:
            value = json.loads(value or "[]")
        except ValueError:
            return []
    if isinstance(value, Mapping):
        value = value.get("answer")
    if not isinstance(value, list):
        return []
    return [s for s in value if isinstance(s, Mapping)]


def _percent(value: Any) -> str:
    try:
        number = min(max(float(value), 0.0), 1.0)
    except (TypeError, ValueError):
        number = 0.0
    return f"{number * 100:.3f}".rstrip("0").rstrip(".")


@register.filter
def shapes_json(value: Any) -> str:
    """A draft (JSON text, or the shapes themselves after a refused submit) as JSON text of
    a list of shapes, for the task page's script to draw again."""
    return json.dumps(_shapes(value), ensure_ascii=False)


def _colours(config: Any) -> dict[str, str]:
    labels = config.get("labels", []) if isinstance(config, Mapping) else []
    return {
        str(label.get("value")): PALETTE[i % len(PALETTE)]
        for i, label in enumerate(labels)
        if isinstance(label, Mapping)
    }


@register.simple_tag
def shapes_svg(answer: Any, config: Any) -> list[dict[str, Any]]:
    """Each shape of `answer` ready for SVG: its kind, coordinates in percent, colour and the
    label's shown text."""
    colours = _colours(config)
    labels = config.get("labels", []) if isinstance(config, Mapping) else []
    texts = {
        str(label.get("value")): label.get("text") or label.get("value")
        for label in labels
        if isinstance(label, Mapping)
    }
    out = []
    for n, shape in enumerate(_shapes(answer), start=1):
        label = str(shape.get("label"))
        item: dict[str, Any] = {
            "n": n,
            "label": texts.get(label, label),
            "colour": colours.get(label, PALETTE[0]),
        }
        points = shape.get("points")
        if isinstance(points, list):
            pairs = [p for p in points if isinstance(p, list | tuple) and len(p) == 2]
            item["kind"] = "polygon"
            item["points"] = " ".join(f"{_percent(x)},{_percent(y)}" for x, y in pairs)
        else:
            item["kind"] = "box"
            for key in ("x", "y", "w", "h"):
                item[key] = _percent(shape.get(key))
        out.append(item)
    return out


@register.simple_tag
def shapes_legend(answer: Any, config: Any) -> list[dict[str, Any]]:
    """The labels drawn, with their colour and how many shapes carry each, in label order."""
    counts: dict[str, int] = {}
    for shape in _shapes(answer):
        label = str(shape.get("label"))
        counts[label] = counts.get(label, 0) + 1
    colours = _colours(config)
    labels = config.get("labels", []) if isinstance(config, Mapping) else []
    out = []
    for label in labels:
        if isinstance(label, Mapping) and label.get("value") in counts:
            value = label["value"]
            out.append(
                {
                    "text": label.get("text") or value,
                    "colour": colours[value],
                    "count": counts.pop(value),
                }
            )
    out += [{"text": k, "colour": PALETTE[0], "count": v} for k, v in counts.items()]
    return out


@register.simple_tag
def shape_colours(config: Any) -> str:
    """The label → colour table as JSON text, for the task page's script."""
    return json.dumps(_colours(config), ensure_ascii=False)
