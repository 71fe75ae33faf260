"""The answer_review kind: a verdict with a reason, errors that name the field, and the task
shown with the checked kind's own view when peer review made it."""

import pytest
from django.http import QueryDict
from django.template import Context, Template

from microwork.lib.errors import ApplicationError
from microwork.projects.interfaces import get_interface
from microwork.projects.interfaces.review import MAX_REASON

REVIEW = get_interface("answer_review")


@pytest.mark.parametrize(
    ("answer", "field"),
    [
        ({}, "answer.verdict"),
        ({"verdict": "maybe"}, "answer.verdict"),
        ({"verdict": "reject"}, "answer.reason"),
        ({"verdict": "reject", "reason": "   "}, "answer.reason"),
        ({"verdict": "reject", "reason": "x" * (MAX_REASON + 1)}, "answer.reason"),
        ("accept", "answer"),
    ],
)
def test_a_bad_verdict_names_its_field(answer, field):
    with pytest.raises(ApplicationError) as caught:
        REVIEW.check_answer({}, {"checked_answer": "bonjour"}, answer)
    assert caught.value.field == field


def test_a_verdict_is_stored_in_one_shape_and_compared_by_its_verdict():
    accepted = REVIEW.check_answer({}, {}, {"verdict": "accept"})
    assert accepted == {"verdict": "accept", "reason": ""}
    rejected = REVIEW.check_answer({}, {}, {"verdict": "reject", "reason": " Wrong day. "})
    assert rejected == {"verdict": "reject", "reason": "Wrong day."}
    assert REVIEW.answer_matches({}, {}, rejected, {"verdict": "reject", "reason": "other"})
    assert not REVIEW.answer_matches({}, {}, rejected, accepted)
    assert REVIEW.answer_label(rejected) == "reject"
    assert REVIEW.label_values({}) == ["accept", "reject"]
    assert REVIEW.label_value("accept") == {"verdict": "accept", "reason": ""}
    assert REVIEW.answer_text({}, rejected) == "Rejected: Wrong day."


def test_the_task_form_posts_a_verdict_and_a_reason():
    post = QueryDict("verdict=reject&reason=Missing+a+word")
    assert REVIEW.answer_from_form({}, post) == {"verdict": "reject", "reason": "Missing a word"}
    assert REVIEW.answer_from_form({}, QueryDict("reason=")) == {"reason": ""}


def test_an_uploaded_row_needs_the_answer_to_check():
    row = REVIEW.check_input({}, {"checked_answer": "bonjour", "text": "good morning"})
    assert row == {"checked_answer": "bonjour", "text": "good morning"}
    # The platform's own `source` is never taken from an upload.
    assert "source" not in REVIEW.check_input({}, {"checked_answer": "x", "source": "{}"})


def test_a_peer_review_task_shows_the_checked_kinds_own_view(rf):
    source = {
        "interface": "single_choice",
        "config": {
            "question": "Is this fine?",
            "labels": [{"value": "ok", "text": "Fine"}, {"value": "bad", "text": "Not fine"}],
        },
        "data": {"text": "A kitten asleep"},
        "answer": "ok",
    }
    data = {"checked_answer": "Fine", "source": source}
    context = Context({"config": {}, "data": data, "draft": None, "request": rf.get("/")})
    html = Template('{% include "projects/interfaces/answer_review.html" %}').render(context)
    assert "A kitten asleep" in html
    assert 'name="verdict" value="reject"' in html
    view = Template("{% load tasks %}{% task_view 'answer_review' config data answer %}").render(
        Context({"config": {}, "data": data, "answer": {"verdict": "accept", "reason": ""}})
    )
    assert "A kitten asleep" in view and "Accepted" in view
