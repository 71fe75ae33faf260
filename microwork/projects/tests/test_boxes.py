"""Bounding boxes and polygons: the settings a requester gives, the shapes a worker may send
(inside the picture, with one of the project's labels, within the counts), when an answer
counts as right against an expected one, and how a page shows the shapes."""

import json

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from hypothesis import given
from hypothesis import strategies as st

from microwork.lib.errors import ApplicationError
from microwork.projects.interfaces import get_interface

BOXES = get_interface("bounding_boxes")
CONFIG = BOXES.check_config(
    {
        "question": "Mark every vehicle and person.",
        "labels": ["car|Car", "person|Person"],
        "shapes": "both",
        "min_shapes": 0,
        "max_shapes": 5,
    }
)
DATA = {"image_url": "https://img.example/street.jpg"}
CAR = {"label": "car", "x": 0.1, "y": 0.5, "w": 0.3, "h": 0.2}
PERSON = {"label": "person", "x": 0.7, "y": 0.3, "w": 0.1, "h": 0.5}
TRIANGLE = {"label": "person", "points": [[0.5, 0.1], [0.6, 0.4], [0.4, 0.4]]}


def refused(answer, config=CONFIG):
    with pytest.raises(ApplicationError) as exc:
        BOXES.check_answer(config, DATA, answer)
    return exc.value


# --- settings -------------------------------------------------------------------------------


def test_settings_take_defaults_and_refuse_fewest_above_most():
    config = BOXES.check_config({"question": "Mark the cars.", "labels": ["car|Car"]})
    assert config["shapes"] == "boxes"
    assert (config["min_shapes"], config["max_shapes"]) == (0, 50)
    with pytest.raises(ApplicationError) as exc:
        BOXES.check_config({**config, "labels": ["car"], "min_shapes": 9, "max_shapes": 3})
    assert exc.value.field == "max_shapes"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"shapes": "circles"}, "shapes"),
        ({"labels": []}, "labels"),
        ({"max_shapes": 201}, "max_shapes"),
        ({"min_shapes": -1}, "min_shapes"),
        ({"question": ""}, "question"),
    ],
)
def test_bad_settings_name_the_setting(change, field):
    with pytest.raises(ApplicationError) as exc:
        BOXES.check_config({"question": "Q", "labels": ["car"], **change})
    assert exc.value.field == field


def test_the_published_example_is_valid():
    example = BOXES.describe()["example"]
    config = BOXES.check_config(example["config"])
    assert BOXES.check_input(config, example["data"])["image_url"]
    assert len(BOXES.check_answer(config, example["data"], example["answer"])) == 2


def test_a_task_needs_a_picture():
    with pytest.raises(Exception) as exc:
        BOXES.check_input(CONFIG, {"text": "no picture"})
    assert exc.value.field == "image_url"


# --- answers --------------------------------------------------------------------------------


def test_shapes_are_kept_in_one_order_and_form_text_is_read_as_json():
    answer = [PERSON, TRIANGLE, CAR]
    cleaned = BOXES.check_answer(CONFIG, DATA, answer)
    assert [s["label"] for s in cleaned] == ["car", "person", "person"]
    assert cleaned[0] == CAR
    assert BOXES.check_answer(CONFIG, DATA, json.dumps([CAR, PERSON, TRIANGLE])) == cleaned
    assert BOXES.check_answer(CONFIG, DATA, {"answer": answer}) == cleaned
    assert BOXES.check_answer(CONFIG, DATA, "") == []
    # Unknown keys are dropped; a browser's float noise at the edge is tolerated.
    edge = {"label": "car", "x": 0.7, "y": 0.0, "w": 0.30000000000000004, "h": 1, "colour": "red"}
    [kept] = BOXES.check_answer(CONFIG, DATA, [edge])
    assert kept == {"label": "car", "x": 0.7, "y": 0.0, "w": 0.3, "h": 1.0}


@pytest.mark.parametrize(
    ("answer", "field"),
    [
        ([CAR, {**PERSON, "w": 0.4}], "answer[1].w"),  # x + w = 1.1: past the right edge
        ([{**CAR, "y": 0.9}], "answer[0].h"),
        ([{**CAR, "x": -0.1}], "answer[0].x"),
        ([{**CAR, "x": 1.5}], "answer[0].x"),
        ([{**CAR, "w": 0}], "answer[0].w"),
        ([{**CAR, "h": -0.1}], "answer[0].h"),
        ([{**CAR, "x": "0.1"}], "answer[0].x"),
        ([{**CAR, "x": True}], "answer[0].x"),
        ([{**CAR, "x": float("nan")}], "answer[0].x"),
        ([CAR, {**PERSON, "label": "dog"}], "answer[1].label"),
        ([{**CAR, "label": None}], "answer[0].label"),
        (["car"], "answer[0]"),
        ([{"label": "car", "points": [[0.1, 0.1], [0.2, 0.2]]}], "answer[0].points"),
        ([{"label": "car", "points": [[0.1, 0.1]] * 101}], "answer[0].points"),
        ([{"label": "car", "points": [[0.1, 0.1], [0.2, 0.2], [0.3, 0.3]]}], "answer[0].points"),
        (
            [{"label": "car", "points": [[0.1, 0.1], [0.2, 1.2], [0.3, 0.1]]}],
            "answer[0].points[1][1]",
        ),
        ([{"label": "car", "points": [[0.1, 0.1], [0.2], [0.3, 0.1]]}], "answer[0].points[1]"),
        ([CAR] * 6, "answer"),
        ({"label": "car"}, "answer"),
        ("[{not json", "answer"),
    ],
)
def test_a_bad_shape_is_refused_naming_its_field(answer, field):
    error = refused(answer)
    assert error.field == field
    assert error.code == "invalid_answer"


def test_counts_and_shape_kinds_follow_the_settings():
    boxes_only = {**CONFIG, "shapes": "boxes", "min_shapes": 1}
    assert refused([TRIANGLE], boxes_only).field == "answer[0]"
    assert "at least 1" in refused([], boxes_only).message
    polygons_only = {**CONFIG, "shapes": "polygons"}
    assert refused([CAR], polygons_only).field == "answer[0]"
    assert BOXES.check_answer(polygons_only, DATA, [TRIANGLE]) == [TRIANGLE]
    assert "At most 5 shapes" in refused([CAR] * 6).message
    assert refused("[" + " " * 600_000 + "]").field == "answer"  # read only within a limit


fractions = st.floats(min_value=0, max_value=1, allow_nan=False)


@given(x=fractions, y=fractions, w=fractions, h=fractions)
def test_any_box_inside_the_picture_is_kept_inside_it(x, y, w, h):
    box = {"label": "car", "x": x, "y": y, "w": w * (1 - x), "h": h * (1 - y)}
    try:
        [kept] = BOXES.check_answer(CONFIG, DATA, [box])
    except ApplicationError as exc:
        # Only a box with no size (after rounding to a hundred-thousandth) is refused.
        assert exc.field in ("answer[0].w", "answer[0].h")
        assert min(box["w"], box["h"]) < 1e-5
        return
    assert kept["w"] > 0 and kept["h"] > 0
    assert kept["x"] + kept["w"] <= 1 + 1e-9 and kept["y"] + kept["h"] <= 1 + 1e-9


# --- right against expected ------------------------------------------------------------------


def matches(answer, expected):
    a = BOXES.check_answer(CONFIG, DATA, answer)
    e = BOXES.check_answer(CONFIG, DATA, expected)
    return BOXES.answer_matches(CONFIG, DATA, a, e)


def test_a_box_a_little_off_still_matches_but_not_one_far_off():
    nudged = {**CAR, "x": 0.12, "y": 0.51, "w": 0.29}
    assert matches([PERSON, nudged], [CAR, PERSON])
    assert not matches([{**CAR, "x": 0.3}, PERSON], [CAR, PERSON])  # IoU 1/3


def test_matching_needs_the_same_labels_and_count_one_to_one():
    assert not matches([{**CAR, "label": "person"}, PERSON], [CAR, PERSON])
    assert not matches([CAR], [CAR, PERSON])
    assert not matches([CAR, PERSON, PERSON], [CAR, PERSON])
    # Two answers on one expected car cannot both count, even if a second car is expected.
    other = {**CAR, "x": 0.6}
    assert not matches([CAR, CAR], [CAR, other])
    assert matches([other, CAR], [CAR, other])
    assert matches([], [])


def test_a_polygon_matches_the_box_it_outlines_and_agrees_with_a_consensus_label():
    square = {"label": "car", "points": [[0.1, 0.5], [0.4, 0.5], [0.4, 0.7], [0.1, 0.7]]}
    assert matches([square], [CAR])
    label = BOXES.answer_label(BOXES.check_answer(CONFIG, DATA, [CAR, PERSON]))
    assert BOXES.label_value(label) == [CAR, PERSON]
    assert BOXES.label_agrees(CONFIG, [{**CAR, "x": 0.11}, PERSON], label)
    assert not BOXES.label_agrees(CONFIG, [CAR], label)


def test_answer_text_counts_the_shapes_and_names_their_labels():
    assert BOXES.answer_text(CONFIG, [CAR, CAR, PERSON]) == "3 boxes: Car, Car, Person"
    assert BOXES.answer_text(CONFIG, [CAR]) == "1 box: Car"
    assert BOXES.answer_text(CONFIG, [TRIANGLE]) == "1 polygon: Person"
    assert BOXES.answer_text(CONFIG, [CAR, TRIANGLE]) == "2 shapes: Car, Person"
    assert BOXES.answer_text(CONFIG, []) == "Nothing marked"
    many = BOXES.answer_text(CONFIG, [CAR] * 15)
    assert many.startswith("15 boxes: Car") and many.endswith("…")


# --- pages ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_view_draws_the_shapes_as_svg_without_a_script(rita):
    request = RequestFactory().get("/")
    request.user = rita
    html = Template(
        "{% load tasks %}{% task_view 'bounding_boxes' config data answer 'Label' %}"
    ).render(
        Context({"config": CONFIG, "data": DATA, "answer": [CAR, TRIANGLE], "request": request})
    )
    assert '<rect x="10" y="50" width="30" height="20"' in html
    assert '<polygon points="50,10 60,40 40,40"' in html
    assert "2 shapes: Car, Person" in html
    assert 'src="https://img.example/street.jpg"' in html
    assert "<script" not in html and "style=" not in html
    bare = Template("{% load tasks %}{% task_view 'bounding_boxes' config data %}").render(
        Context({"config": CONFIG, "data": DATA, "request": request})
    )
    assert "<svg" not in bare and "street.jpg" in bare


@pytest.mark.parametrize("draft", [json.dumps([CAR]), [CAR], None, "not json"])
def test_the_task_page_hands_the_draft_back_to_its_script(draft):
    html = Template("{% include 'projects/interfaces/boxes.html' %}").render(
        Context({"config": CONFIG, "data": DATA, "draft": draft})
    )
    assert 'name="answer"' in html
    assert 'data-mode="both"' in html
    assert "style=" not in html and "<script" not in html
    stored = [CAR] if draft in (json.dumps([CAR]), [CAR]) else []
    assert f"hidden>{json.dumps(stored)}</textarea>".replace('"', "&quot;") in html


@pytest.mark.django_db
def test_the_results_page_shows_the_boxes_the_crowd_agrees_on(client, rita, walt, nina, omar):
    from django.urls import reverse

    from microwork.quality.tests.helpers import fund, make_project, make_tasks, submit

    project = make_project(owner=rita, interface="bounding_boxes", config=CONFIG)
    fund(project, omar)
    [task] = make_tasks(project, 1)
    task.data = DATA
    task.save(update_fields=["data"])
    nudged = {**CAR, "x": 0.11}
    submit(task=task, worker=walt, label=BOXES.check_answer(CONFIG, DATA, [CAR, PERSON]))
    submit(task=task, worker=nina, label=BOXES.check_answer(CONFIG, DATA, [nudged, PERSON]))

    client.force_login(rita)
    page = client.get(reverse("results:page", args=[project.pk])).content.decode()
    assert page.count('<svg class="boxes-overlay"') == 1
    assert page.count("<rect x=") == 2  # one car, one person: the two cars are one object
    assert "2 boxes: Car, Person" in page
    assert "projects/boxes.css" in page


@pytest.mark.django_db
def test_an_upload_takes_gold_shapes_as_json_and_refuses_a_gold_box_outside_the_picture(rita):
    from microwork.projects.models import Project, Task
    from microwork.projects.services.batches import UploadRefused, batch_create_from_records
    from microwork.quality.tests.helpers import make_project

    project = make_project(
        owner=rita, interface="bounding_boxes", config=CONFIG, status=Project.Status.DRAFT
    )
    rows = [
        {"id": "s1", **DATA},
        {"id": "g1", **DATA, "answer": [PERSON, CAR]},
        {"id": "g2", **DATA, "answer": json.dumps([CAR])},
    ]
    bad = {"id": "bad", **DATA, "answer": [{**CAR, "w": 0.95}]}
    with pytest.raises(UploadRefused) as exc:
        batch_create_from_records(project=project, actor=rita, records=[*rows, bad])
    assert "answer[0].w" in json.dumps(exc.value.details, default=str)
    assert not Task.objects.filter(project=project).exists()
    batch_create_from_records(project=project, actor=rita, records=rows)
    gold = dict(Task.objects.filter(is_gold=True).values_list("external_id", "gold_answer"))
    assert gold == {"g1": [CAR, PERSON], "g2": [CAR]}
