"""Bounding boxes and polygons drawn on a picture, each with one of the project's labels.

Coordinates are fractions of the picture's width and height (0–1), so an answer is checked
without knowing the picture's size, and a box drawn on a phone equals the same box drawn on a
laptop. A box is {"label", "x", "y", "w", "h"} (top-left corner and size), a polygon is
{"label", "points": [[x, y], …]}. Answers go through the "boxes" consensus (one shape per
cluster of shapes that overlap), and an answer is right against an expected one when each of
its shapes overlaps one expected shape of the same label by at least half (IoU ≥ 0.5)."""

import json
import math
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from microwork.lib.errors import ApplicationError
from microwork.lib.geometry import polygon_area, shape_bounds, shape_iou
from microwork.lib.limits import InputLimitExceeded, json_loads_limited
from microwork.projects.interfaces.base import TaskInterface, invalid
from microwork.projects.interfaces.fields import Choice, Integer, Labels, Text

MAX_SHAPES = 200
MAX_POINTS = 100
# Two shapes are the same object when they overlap this much (intersection over union).
MATCH_IOU = 0.5
# Coordinates are kept to 5 decimals: a hundred-thousandth of the picture, below a pixel.
DIGITS = 5
# A fraction computed by a browser may be a hair past the edge (0.30000000000000004).
EDGE = 1e-6
# The most labels a text names before "…".
TEXT_LABELS = 12
# An answer posted by the task page is JSON text; this bounds it before it is parsed (200
# polygons of 100 points each take about 400 kB).
MAX_ANSWER_CHARS = 512 * 1024

SHAPE_KINDS = (
    ("boxes", _("Boxes")),
    ("polygons", _("Polygons")),
    ("both", _("Boxes and polygons")),
)


def _label_values(config: Mapping[str, Any]) -> list[str]:
    return [label["value"] for label in config.get("labels", [])]


def _label_texts(config: Mapping[str, Any]) -> dict[str, str]:
    return {
        label["value"]: label.get("text") or label["value"] for label in config.get("labels", [])
    }


def _number(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise invalid(field, _g("%(field)s: give a number from 0 to 1.") % {"field": field})
    return float(value)


def _fraction(value: Any, field: str) -> float:
    number = _number(value, field)
    if number < -EDGE or number > 1 + EDGE:
        raise invalid(
            field,
            _g("%(field)s: %(value)s is outside the picture (coordinates run from 0 to 1).")
            % {"field": field, "value": value},
        )
    return min(max(number, 0.0), 1.0)


def _box(item: Mapping[str, Any], path: str) -> dict[str, float]:
    x = _fraction(item.get("x"), f"{path}.x")
    y = _fraction(item.get("y"), f"{path}.y")
    w = _number(item.get("w"), f"{path}.w")
    h = _number(item.get("h"), f"{path}.h")
    for name, size in (("w", w), ("h", h)):
        if size <= 0:
            raise invalid(
                f"{path}.{name}",
                _g("%(field)s: a box needs a width and a height above 0.")
                % {"field": f"{path}.{name}"},
            )
    for name, start, size in (("w", x, w), ("h", y, h)):
        if start + size > 1 + EDGE:
            raise invalid(
                f"{path}.{name}",
                _g("%(field)s: the box runs past the edge of the picture.")
                % {"field": f"{path}.{name}"},
            )
    w, h = min(w, 1.0 - x), min(h, 1.0 - y)
    x, y, w, h = (round(v, DIGITS) for v in (x, y, w, h))
    if w <= 0 or h <= 0:
        raise invalid(
            f"{path}.w",
            _g("%(field)s: a box needs a width and a height above 0.") % {"field": f"{path}.w"},
        )
    return {"x": x, "y": y, "w": w, "h": h}


def _polygon(item: Mapping[str, Any], path: str) -> dict[str, list[list[float]]]:
    points = item.get("points")
    field = f"{path}.points"
    if not isinstance(points, list) or not 3 <= len(points) <= MAX_POINTS:
        raise invalid(
            field,
            _g("%(field)s: a polygon has from 3 to %(max)d points.")
            % {"field": field, "max": MAX_POINTS},
        )
    out: list[list[float]] = []
    for j, point in enumerate(points):
        where = f"{field}[{j}]"
        if not isinstance(point, list | tuple) or len(point) != 2:
            raise invalid(where, _g("%(field)s: a point is [x, y].") % {"field": where})
        out.append(
            [
                round(_fraction(point[0], f"{where}[0]"), DIGITS),
                round(_fraction(point[1], f"{where}[1]"), DIGITS),
            ]
        )
    if polygon_area(out) <= 0:
        raise invalid(field, _g("%(field)s: the polygon encloses no area.") % {"field": field})
    return {"points": out}


def _order(shape: Mapping[str, Any]) -> tuple[Any, ...]:
    if "points" in shape:
        xs = [p[0] for p in shape["points"]]
        ys = [p[1] for p in shape["points"]]
        return (shape["label"], min(ys), min(xs), 1)
    return (shape["label"], shape["y"], shape["x"], 0)


def _area(shape: Mapping[str, Any]) -> float:
    if "points" in shape:
        return polygon_area(shape["points"])
    return float(shape["w"]) * float(shape["h"])


def _same_object(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """IoU ≥ MATCH_IOU. The overlap of the shapes' bounds over the larger area caps the IoU,
    so most pairs are settled without rasterising a polygon."""
    ax0, ay0, ax1, ay1 = shape_bounds(a)
    bx0, by0, bx1, by1 = shape_bounds(b)
    overlap = max(0.0, min(ax1, bx1) - max(ax0, bx0)) * max(0.0, min(ay1, by1) - max(ay0, by0))
    larger = max(_area(a), _area(b))
    if larger <= 0 or overlap / larger < MATCH_IOU:
        return False
    return shape_iou(a, b) >= MATCH_IOU


def _matching(pairs: list[list[int]], size: int) -> int:
    """How many of `pairs`' rows can each be given a different column (Kuhn's augmenting
    paths: a few hundred shapes with a handful of overlaps each)."""
    owner = [-1] * size

    def assign(row: int, seen: list[bool]) -> bool:
        for col in pairs[row]:
            if not seen[col]:
                seen[col] = True
                if owner[col] < 0 or assign(owner[col], seen):
                    owner[col] = row
                    return True
        return False

    return sum(1 for row in range(len(pairs)) if assign(row, [False] * size))


class BoundingBoxes(TaskInterface):
    key = "bounding_boxes"
    title = _("Bounding boxes and polygons on an image")
    description = _(
        "A picture; the worker draws a box (or a polygon) round every object your labels name, "
        "and labels each one."
    )
    template_name = "projects/interfaces/boxes.html"
    view_template_name = "projects/interfaces/boxes_view.html"
    scripts = ("projects/boxes.js",)
    consensus = "boxes"
    config_fields = (
        Text(
            name="question",
            label=_("Question"),
            help=_("Shown above every picture, e.g. Draw a box round every vehicle and person."),
            max_length=500,
            message=_("Write what workers should draw."),
        ),
        Labels(
            name="labels",
            label=_("Labels"),
            help=_("The kinds of object to mark, one per line: value|shown text, e.g. car|Car."),
            min_items=1,
            max_items=20,
            message={
                "type": _("List at least one label, one per line (value, or value|shown text)."),
                "minItems": _(
                    "List at least one label, one per line (value, or value|shown text)."
                ),
                "maxItems": _("At most %(maxItems)d labels."),
            },
            item_message=_("Each label needs a value."),
        ),
        Choice(
            name="shapes",
            label=_("Shapes"),
            help=_("What workers draw: boxes, polygons (outlines), or either."),
            choices=SHAPE_KINDS,
            default="boxes",
            required=False,
        ),
        Integer(
            name="min_shapes",
            label=_("Fewest shapes"),
            help=_("0 lets a worker say there is nothing to mark."),
            minimum=0,
            maximum=MAX_SHAPES,
            default=0,
            required=False,
        ),
        Integer(
            name="max_shapes",
            label=_("Most shapes"),
            help=_("Up to 200."),
            minimum=1,
            maximum=MAX_SHAPES,
            default=50,
            required=False,
        ),
    )
    input_schema = {
        "type": "object",
        "properties": {
            "image_url": {
                "type": "string",
                "format": "uri-reference",
                "maxLength": 2_000,
                "description": _("The picture to draw on: an http(s) URL or a platform file."),
            },
            "text": {
                "type": "string",
                "maxLength": 2_000,
                "description": _("Optional words shown above the picture."),
            },
        },
        "required": ["image_url"],
        "examples": [{"image_url": "https://img.example/street.jpg"}],
    }
    answer_schema = {
        "type": "array",
        "maxItems": MAX_SHAPES,
        "items": {
            "type": "object",
            "properties": {
                "label": {"type": "string"},
                "x": {"type": "number", "minimum": 0, "maximum": 1},
                "y": {"type": "number", "minimum": 0, "maximum": 1},
                "w": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
                "h": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
                "points": {
                    "type": "array",
                    "minItems": 3,
                    "maxItems": MAX_POINTS,
                    "items": {
                        "type": "array",
                        "items": {"type": "number", "minimum": 0, "maximum": 1},
                        "minItems": 2,
                        "maxItems": 2,
                    },
                },
            },
            "required": ["label"],
        },
        "description": _(
            "The shapes drawn, coordinates as fractions of the picture's width and height: "
            'a box {"label": "car", "x": 0.1, "y": 0.2, "w": 0.3, "h": 0.25} (x + w and '
            'y + h at most 1) or a polygon {"label": "car", "points": [[0.1, 0.2], …]} '
            '(3 to 100 points); an empty list when there is nothing to mark (or {"answer": […]}).'
        ),
        "examples": [[{"label": "car", "x": 0.1, "y": 0.2, "w": 0.3, "h": 0.25}], []],
    }
    example = {
        "config": {
            "question": "Draw a box round every vehicle and every person.",
            "labels": ["car|Car", "person|Person"],
            "shapes": "both",
            "min_shapes": 0,
            "max_shapes": 20,
        },
        "data": {"image_url": "https://img.example/street.jpg"},
        "answer": [
            {"label": "car", "x": 0.1, "y": 0.5, "w": 0.35, "h": 0.3},
            {"label": "person", "points": [[0.7, 0.3], [0.8, 0.3], [0.8, 0.9], [0.7, 0.9]]},
        ],
    }

    def check_config(self, config: Mapping[str, Any]) -> dict[str, Any]:
        cleaned = super().check_config(config)
        if cleaned["min_shapes"] > cleaned["max_shapes"]:
            raise ApplicationError(
                _g("The fewest shapes (%(min)d) is more than the most (%(max)d).")
                % {"min": cleaned["min_shapes"], "max": cleaned["max_shapes"]},
                field="max_shapes",
            )
        return cleaned

    # --- answers ------------------------------------------------------------------------------

    def prepare_answer(self, config: Mapping[str, Any], answer: Any) -> Any:
        answer = super().prepare_answer(config, answer)
        if isinstance(answer, str):
            # The task page posts its shapes as JSON text.
            text = answer.strip() or "[]"
            if len(text) > MAX_ANSWER_CHARS:
                raise invalid(self.answer_field, _g("The answer is too long."))
            try:
                answer = json_loads_limited(text)
            except (ValueError, InputLimitExceeded):
                raise invalid(
                    self.answer_field, _g("The shapes could not be read; draw them again.")
                ) from None
        return answer

    def answer_from_form(self, config: Mapping[str, Any], post: Any) -> Any:
        return post.get(self.answer_field)

    def check_answer(self, config: Mapping[str, Any], data: Mapping[str, Any], answer: Any) -> Any:
        field = self.answer_field
        answer = self.prepare_answer(config, answer)
        if not isinstance(answer, list):
            raise invalid(field, _g("Send a list of shapes (it may be empty)."))
        most = min(config.get("max_shapes") or MAX_SHAPES, MAX_SHAPES)
        fewest = config.get("min_shapes") or 0
        if len(answer) > most:
            raise invalid(
                field,
                ngettext("At most %(max)d shape, please.", "At most %(max)d shapes, please.", most)
                % {"max": most},
            )
        if len(answer) < fewest:
            raise invalid(
                field,
                ngettext("Draw at least %(min)d shape.", "Draw at least %(min)d shapes.", fewest)
                % {"min": fewest},
            )
        labels = set(_label_values(config))
        kinds = config.get("shapes") or "boxes"
        out = []
        for i, item in enumerate(answer):
            path = f"{field}[{i}]"
            if not isinstance(item, Mapping):
                raise invalid(path, _g("%(field)s: a shape is an object.") % {"field": path})
            label = item.get("label")
            if not isinstance(label, str) or label not in labels:
                raise invalid(
                    f"{path}.label",
                    _g("%(field)s: choose one of: %(values)s.")
                    % {"field": f"{path}.label", "values": ", ".join(_label_values(config))},
                )
            if "points" in item:
                if kinds == "boxes":
                    raise invalid(
                        path, _g("%(field)s: this project takes boxes only.") % {"field": path}
                    )
                shape: dict[str, Any] = {"label": label, **_polygon(item, path)}
            else:
                if kinds == "polygons":
                    raise invalid(
                        path, _g("%(field)s: this project takes polygons only.") % {"field": path}
                    )
                shape = {"label": label, **_box(item, path)}
            out.append(shape)
        return self.normalise_answer(config, out)

    def normalise_answer(self, config: Mapping[str, Any], answer: Any) -> list[dict[str, Any]]:
        # One order, so the same shapes drawn in another order are the same answer.
        return sorted(answer, key=_order)

    def answer_label(self, answer: Any) -> str:
        return json.dumps(answer, sort_keys=True, ensure_ascii=False)

    def answer_matches(
        self, config: Mapping[str, Any], data: Mapping[str, Any], answer: Any, expected: Any
    ) -> bool:
        """The same number of shapes, each overlapping its own expected shape of the same
        label by at least MATCH_IOU."""
        if not isinstance(answer, list) or not isinstance(expected, list):
            return False
        if len(answer) != len(expected):
            return False
        pairs = [
            [
                j
                for j, e in enumerate(expected)
                if a.get("label") == e.get("label") and _same_object(a, e)
            ]
            for a in answer
        ]
        return _matching(pairs, len(expected)) == len(answer)

    def answer_text(
        self, config: Mapping[str, Any], answer: Any, data: Mapping[str, Any] | None = None
    ) -> str:
        shapes = [s for s in answer if isinstance(s, Mapping)] if isinstance(answer, list) else []
        if not shapes:
            return _g("Nothing marked")
        texts = _label_texts(config)
        names = [texts.get(str(s.get("label")), str(s.get("label"))) for s in shapes]
        if len(names) > TEXT_LABELS:
            names = [*names[:TEXT_LABELS], "…"]
        count = len(shapes)
        polygons = sum(1 for s in shapes if "points" in s)
        if polygons == 0:
            words = ngettext("%(count)d box: %(labels)s", "%(count)d boxes: %(labels)s", count)
        elif polygons == count:
            words = ngettext(
                "%(count)d polygon: %(labels)s", "%(count)d polygons: %(labels)s", count
            )
        else:
            words = ngettext("%(count)d shape: %(labels)s", "%(count)d shapes: %(labels)s", count)
        return words % {"count": count, "labels": ", ".join(names)}
