"""Overlap of drawn shapes: exact for boxes, rasterised (and checked against exact) otherwise."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microwork.lib.geometry import (
    MAX_POINTS,
    ShapeError,
    polygon_area,
    rect_iou,
    shape_bounds,
    shape_iou,
)


@st.composite
def boxes(draw, min_size=0.01):
    x = draw(st.floats(0, 1 - min_size))
    y = draw(st.floats(0, 1 - min_size))
    w = draw(st.floats(min_size, 1 - x))
    h = draw(st.floats(min_size, 1 - y))
    return {"label": "a", "x": x, "y": y, "w": w, "h": h}


@st.composite
def polygons(draw):
    points = draw(st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), min_size=3, max_size=12))
    return {"label": "a", "points": [list(p) for p in points]}


shapes = st.one_of(boxes(), polygons())


def as_polygon(box):
    x, y, w, h = box["x"], box["y"], box["w"], box["h"]
    return {"points": [[x, y], [x + w, y], [x + w, y + h], [x, y + h]]}


def test_rect_iou_exact_values():
    a = {"x": 0, "y": 0, "w": 0.5, "h": 0.5}
    b = {"x": 0.25, "y": 0, "w": 0.5, "h": 0.5}
    assert rect_iou(a, b) == pytest.approx(1 / 3)
    assert rect_iou(a, {"x": 0.6, "y": 0.6, "w": 0.1, "h": 0.1}) == 0.0
    assert rect_iou(a, a) == 1.0


def test_polygon_area_and_bounds():
    square = [[0, 0], [1, 0], [1, 1], [0, 1]]
    assert polygon_area(square) == 1.0
    assert polygon_area(list(reversed(square))) == 1.0
    assert polygon_area([[0, 0], [1, 0], [0, 1]]) == 0.5
    assert polygon_area([[0, 0], [1, 1]]) == 0.0
    assert shape_bounds({"points": [[0.2, 0.3], [0.5, 0.1], [0.4, 0.9]]}) == (0.2, 0.1, 0.5, 0.9)
    assert shape_bounds({"x": 0.1, "y": 0.2, "w": 0.3, "h": 0.4}) == pytest.approx(
        (0.1, 0.2, 0.4, 0.6)
    )


def test_concave_polygon_iou():
    # An L made of three unit squares against the square it is missing from its bounds.
    ell = {"points": [[0, 0], [2, 0], [2, 1], [1, 1], [1, 2], [0, 2]]}
    corner = {"x": 1, "y": 1, "w": 1, "h": 1}
    assert shape_iou(ell, corner) == pytest.approx(0.0, abs=0.01)
    inner = {"x": 0, "y": 0, "w": 1, "h": 1}
    assert shape_iou(ell, inner) == pytest.approx(1 / 3, abs=0.01)


@given(shapes, shapes)
def test_iou_is_symmetric_and_bounded(a, b):
    iou = shape_iou(a, b)
    assert 0.0 <= iou <= 1.0
    assert iou == shape_iou(b, a)


@given(shapes)
def test_identical_shapes_give_one(a):
    assert shape_iou(a, dict(a)) == 1.0


@given(boxes(min_size=0.05), boxes(min_size=0.05))
def test_rasterised_iou_is_close_to_exact(a, b):
    assert shape_iou(as_polygon(a), as_polygon(b)) == pytest.approx(rect_iou(a, b), abs=0.03)
    assert shape_iou(as_polygon(a), b) == pytest.approx(rect_iou(a, b), abs=0.03)


def test_bad_shapes_are_refused():
    with pytest.raises(ShapeError):
        shape_iou({"label": "x"}, {"x": 0, "y": 0, "w": 1, "h": 1})
    with pytest.raises(ShapeError):
        shape_iou({"points": [[0, 0]] * (MAX_POINTS + 1)}, {"points": [[0, 0], [1, 0], [0, 1]]})
