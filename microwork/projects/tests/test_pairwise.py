"""Pairwise comparison: each side needs a text or a picture, the answer is one of the choices
the project offers (with a reason when asked), and the pages show both sides."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microwork.lib.errors import ApplicationError
from microwork.projects.interfaces import get_interface
from microwork.projects.interfaces.base import RowError
from microwork.projects.models import Task
from microwork.projects.services.batches import UploadRefused
from microwork.projects.services.projects import project_create, project_set_status
from microwork.projects.tests.factories import upload
from microwork.work.models import Assignment, Submission

PAIRWISE = get_interface("pairwise")


def config(**settings):
    return PAIRWISE.check_config({"question": "Which answer is better?", **settings})


ROW = {"prompt": "Capital of Kenya?", "a_text": "Nairobi.", "b_text": "Mombasa.", "a_id": "m1"}


def test_settings_default_to_a_plain_choice_between_two():
    assert config() == {
        "question": "Which answer is better?",
        "allow_tie": False,
        "allow_both_bad": False,
        "reason": "none",
        "reason_max_length": 500,
    }
    assert PAIRWISE.label_values(config()) == ["a", "b"]
    assert PAIRWISE.label_values(config(allow_tie=True, allow_both_bad="yes")) == [
        "a",
        "b",
        "tie",
        "both_bad",
    ]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"reason": "sometimes"}, "reason"),
        ({"reason_max_length": 5}, "reason_max_length"),
        ({"allow_tie": "maybe"}, "allow_tie"),
        ({"question": ""}, "question"),
    ],
)
def test_bad_settings_are_refused_by_name(values, field):
    with pytest.raises(ApplicationError) as err:
        config(**values)
    assert err.value.field == field


def test_each_side_needs_a_text_or_a_picture():
    assert PAIRWISE.check_input({}, ROW)["a_text"] == "Nairobi."
    pictures = {"a_image_url": "/media/x.png", "b_text": "A sunset"}
    assert PAIRWISE.check_input({}, pictures) == pictures
    with pytest.raises(RowError) as err:
        PAIRWISE.check_input({}, {"a_text": "Only one side"})
    assert err.value.field == "b_text" and "b_image_url" in err.value.reason
    with pytest.raises(RowError) as err:
        PAIRWISE.check_input({}, {"b_text": "x", "a_image_url": "ftp://x"})
    assert err.value.field == "a_image_url"
    with pytest.raises(RowError) as err:
        PAIRWISE.check_input({}, {"a_text": "same", "b_text": "same"})
    assert err.value.field == "b_id"


def test_compared_items_are_the_ids_or_else_the_content():
    assert PAIRWISE.compared_items(ROW) == ("m1", "Mombasa.")
    assert PAIRWISE.compared_items({"a_image_url": "/media/a.png", "b_id": "x"}) == (
        "/media/a.png",
        "x",
    )


def test_answers_take_only_the_offered_choices():
    plain = config()
    assert PAIRWISE.check_answer(plain, ROW, "b") == {"choice": "b", "reason": ""}
    assert PAIRWISE.check_answer(plain, ROW, {"choice": "a", "reason": "ignored"}) == {
        "choice": "a",
        "reason": "",
    }
    for answer in ({"choice": "tie"}, {"choice": "c"}, "both_bad", {"reason": "x"}):
        with pytest.raises(ApplicationError) as err:
            PAIRWISE.check_answer(plain, ROW, answer)
        assert err.value.field == "answer.choice", answer
        assert "a, b" in err.value.message
    for answer in (["a"], 3):
        with pytest.raises(ApplicationError) as err:
            PAIRWISE.check_answer(plain, ROW, answer)
        assert err.value.field == "answer"
    offered = config(allow_tie=True, allow_both_bad=True)
    assert PAIRWISE.check_answer(offered, ROW, {"choice": "both_bad"})["choice"] == "both_bad"


def test_a_required_reason_must_be_given_and_short_enough():
    required = config(reason="required", reason_max_length=20)
    assert PAIRWISE.check_answer(required, ROW, {"choice": "a", "reason": " Correct city "}) == {
        "choice": "a",
        "reason": "Correct city",
    }
    for answer in (
        {"choice": "a"},
        {"choice": "a", "reason": "  "},
        {"choice": "a", "reason": 1.5j},
    ):
        with pytest.raises(ApplicationError) as err:
            PAIRWISE.check_answer(required, ROW, answer)
        assert err.value.field == "answer.reason"
    with pytest.raises(ApplicationError) as err:
        PAIRWISE.check_answer(required, ROW, {"choice": "a", "reason": "x" * 21})
    assert err.value.field == "answer.reason" and "20" in err.value.message
    optional = config(reason="optional")
    assert PAIRWISE.check_answer(optional, ROW, {"choice": "b"}) == {"choice": "b", "reason": ""}


@given(st.text(max_size=300))
def test_any_reason_text_is_either_kept_or_refused_by_name(reason):
    cfg = {**config(), "reason": "optional", "reason_max_length": 100}
    try:
        answer = PAIRWISE.check_answer(cfg, ROW, {"choice": "a", "reason": reason})
    except ApplicationError as exc:
        assert exc.field == "answer.reason"
        assert len(reason.strip()) > 100
    else:
        assert answer["reason"] == reason.strip()


def test_answers_are_classes_of_their_choice_whatever_the_reason():
    cfg = config(reason="optional", allow_tie=True)
    one = {"choice": "a", "reason": "clearer"}
    other = {"choice": "a", "reason": "shorter"}
    assert PAIRWISE.answer_label(one) == "a"
    assert PAIRWISE.answer_matches(cfg, ROW, one, other)
    assert not PAIRWISE.answer_matches(cfg, ROW, one, {"choice": "tie", "reason": ""})
    assert PAIRWISE.label_agrees(cfg, one, "a") and not PAIRWISE.label_agrees(cfg, one, "b")
    assert PAIRWISE.answer_text(cfg, one) == "A is better — clearer"
    assert PAIRWISE.answer_text(cfg, PAIRWISE.label_value("tie")) == "About the same"


@pytest.fixture
def pairwise_project(rita, acme):
    return project_create(
        organisation=acme,
        actor=rita,
        name="Which answer is better?",
        description="Compare two answers.",
        instructions="Pick the more helpful answer.\n\n## Examples\n",
        interface="pairwise",
        config={
            "question": "Which answer is more helpful?",
            "allow_both_bad": True,
            "reason": "required",
            "reason_max_length": 80,
        },
        reward=Decimal("0.05"),
        estimated_seconds=20,
        overlap=1,
    )


def test_a_worker_compares_on_the_page_and_requesters_see_both_sides(
    client, rita, walt, pairwise_project, past_opening_round
):
    project = pairwise_project
    csv = (
        "id,prompt,a_text,a_id,b_text,b_id\n"
        "p1,Capital of Kenya?,Nairobi.,model-one,Mombasa.,model-two\n"
    )
    assert upload(project, rita, csv).batch.rows_added == 1
    with pytest.raises(UploadRefused) as refused:
        upload(project, rita, "id,a_text\np2,Only one side\n")
    assert refused.value.details[0]["field"] == "b_text"
    project_set_status(project=project, actor=rita, status="live")
    past_opening_round()

    client.force_login(walt)
    r = client.post(f"/work/p/{project.pk}/start/")
    assignment = Assignment.objects.get(worker=walt)
    page = client.get(r["Location"]).content.decode()
    assert "Nairobi." in page and "Mombasa." in page and "Capital of Kenya?" in page
    assert 'value="both_bad"' in page and 'value="tie"' not in page
    assert 'maxlength="80"' in page and "projects/pairwise.js" in page
    r = client.post(f"/work/a/{assignment.pk}/", {"choice": "a", "reason": ""})
    assert r.status_code == 400 and not Submission.objects.exists()
    r = client.post(f"/work/a/{assignment.pk}/", {"choice": "a", "reason": "Nairobi is right"})
    assert Submission.objects.get().answer == {"choice": "a", "reason": "Nairobi is right"}

    client.force_login(rita)
    page = client.get(f"/projects/{project.pk}/results/").content.decode()
    assert "model-one" in page and "Mombasa." in page
    assert "A is better — Nairobi is right" in page
    assert Task.objects.get(external_id="p1").data["b_id"] == "model-two"
