"""Text spans: every span of an answer lies on the task's words, inside the text, with a label
of the project and no overlap, and a refused span is named by its place in the answer; the
stored answer has one form, so equal markings compare equal; pages show the spans escaped."""

import json

import pytest
from django.template import Context, Template

from microwork.lib.errors import ApplicationError
from microwork.lib.words import tokens_with_offsets
from microwork.projects.interfaces import get_interface
from microwork.projects.interfaces.spans import MAX_SPANS, span_f1

KIND = get_interface("text_spans")
CONFIG = KIND.check_config(KIND.example["config"])
TEXT = "Ada Lovelace met the Lagos Chamber of Commerce in Karachi."
DATA = {"text": TEXT}
ADA = {"label": "PER", "start": 0, "end": 12}
LAGOS_CHAMBER = {"label": "ORG", "start": 21, "end": 46}
KARACHI = {"label": "LOC", "start": 50, "end": 57}


def _refused(answer, data=DATA):
    with pytest.raises(ApplicationError) as caught:
        KIND.check_answer(CONFIG, data, answer)
    return caught.value


def test_the_example_is_valid_and_names_what_it_marks():
    answer = KIND.check_answer(CONFIG, KIND.example["data"], KIND.example["answer"])
    assert [TEXT[s["start"] : s["end"]] for s in answer] == [
        "Ada Lovelace",
        "Lagos Chamber of Commerce",
        "Karachi",
    ]
    assert KIND.answer_text(CONFIG, answer, DATA) == (
        "PER: Ada Lovelace; ORG: Lagos Chamber of Commerce; LOC: Karachi"
    )
    assert KIND.answer_text(CONFIG, answer) == "PER 0–12; ORG 21–46; LOC 50–57"
    assert KIND.answer_text(CONFIG, []) == "—"


def test_answers_are_stored_in_text_order_from_json_or_a_form_field():
    posted = json.dumps([KARACHI, ADA])
    assert KIND.check_answer(CONFIG, DATA, posted) == [ADA, KARACHI]
    assert KIND.check_answer(CONFIG, DATA, {"spans": [KARACHI, ADA]}) == [ADA, KARACHI]
    assert KIND.check_answer(CONFIG, DATA, "") == []
    assert KIND.check_answer(CONFIG, DATA, []) == []
    assert KIND.answer_label([KARACHI, ADA]) == json.dumps([ADA, KARACHI])
    assert KIND.label_value(KIND.answer_label([ADA])) == [ADA]


@pytest.mark.parametrize(
    "answer,field,words",
    [
        ([ADA, {"label": "LOC", "start": 50, "end": 59}], "answer[1].end", "past the end"),
        ([ADA, {"label": "LOC", "start": 50, "end": 58}], "answer[1].end", "end of a word"),
        ([{"label": "PER", "start": 1, "end": 12}], "answer[0].start", "start of a word"),
        ([{"label": "PER", "start": 0, "end": 10}], "answer[0].end", "end of a word"),
        ([ADA, {"label": "DOG", "start": 50, "end": 57}], "answer[1].label", "DOG"),
        ([ADA, {"start": 50, "end": 57}], "answer[1].label", "label"),
        ([{"label": "PER", "start": 12, "end": 0}], "answer[0].end", "after the start"),
        ([{"label": "PER", "start": -1, "end": 3}], "answer[0].start", "0 or more"),
        ([{"label": "PER", "start": True, "end": 3}], "answer[0].start", "whole number"),
        ([{"label": "PER", "start": 0, "end": "x"}], "answer[0].end", "whole number"),
        ([ADA, "Karachi"], "answer[1]", "object"),
        (
            [ADA, LAGOS_CHAMBER, {"label": "LOC", "start": 0, "end": 3}],
            "answer[2].start",
            "overlap",
        ),
        ([LAGOS_CHAMBER, {"label": "LOC", "start": 21, "end": 26}], "answer[1].start", "overlap"),
        ([ADA, ADA], "answer[1].start", "answer[0]"),
        ("not json", "answer", "JSON"),
        ({"label": "PER"}, "answer", "list"),
    ],
)
def test_a_bad_span_is_refused_naming_its_place(answer, field, words):
    error = _refused(answer)
    assert error.field == field
    assert words in error.message


def test_too_many_spans_are_refused():
    text = " ".join(["word"] * (MAX_SPANS + 1))
    spans = [
        {"label": "PER", "start": start, "end": end} for _w, start, end in tokens_with_offsets(text)
    ]
    assert len(KIND.check_answer(CONFIG, {"text": text}, spans[:MAX_SPANS])) == MAX_SPANS
    assert _refused(spans, {"text": text}).field == "answer"


def test_a_span_ends_before_punctuation_at_a_word_edge():
    data = {"text": "They flew to Lagos, then Pretoria."}
    assert KIND.check_answer(CONFIG, data, [{"label": "LOC", "start": 13, "end": 18}])
    assert _refused([{"label": "LOC", "start": 13, "end": 19}], data).field == "answer[0].end"


def test_the_text_is_required_and_bounded():
    assert KIND.check_input(CONFIG, {"text": TEXT}) == {"text": TEXT}
    with pytest.raises(Exception, match="text"):
        KIND.check_input(CONFIG, {"image_url": "/media/x.png"})
    with pytest.raises(Exception, match="text"):
        KIND.check_input(CONFIG, {"text": "x" * 20_001})


def test_answers_match_at_span_f1_of_ninety_percent():
    ten = [{"label": "PER", "start": i * 10, "end": i * 10 + 4} for i in range(10)]
    assert KIND.answer_matches(CONFIG, DATA, ten[:9], ten)  # one missed in ten: F1 0.947
    assert not KIND.answer_matches(CONFIG, DATA, ten[:8], ten)  # two missed: F1 0.889
    assert KIND.answer_matches(CONFIG, DATA, [], [])
    assert not KIND.answer_matches(CONFIG, DATA, [ADA], [ADA, KARACHI])
    shifted = {"label": "PER", "start": 4, "end": 12}
    assert not KIND.answer_matches(CONFIG, DATA, [shifted], [ADA])
    assert span_f1([ADA], [ADA, KARACHI]) == pytest.approx(2 / 3)
    # A submitted answer agrees with the task's aggregated label the same way.
    assert KIND.label_agrees(CONFIG, [KARACHI, ADA], KIND.answer_label([ADA, KARACHI]))


def test_the_kind_is_aggregated_by_span_consensus():
    assert KIND.consensus_for(CONFIG) == "spans"
    described = KIND.describe()
    assert described["answer_field"] == "spans"
    assert described["input_columns"]["required"] == ["text"]


def _render(source, **context):
    return Template("{% load text_spans %}" + source).render(Context(context))


def test_pages_escape_the_text_and_the_labels():
    text = "<b>Ada</b> & <script>x</script> in Lagos"
    config = {"labels": [{"value": "LOC", "text": "<i>Place</i>"}]}
    start = text.index("Lagos")
    html = _render(
        "{% spans_marked text answer config %}",
        text=text,
        answer=[{"label": "LOC", "start": start, "end": start + 5}],
        config=config,
    )
    assert "<script>" not in html and "<b>" not in html and "<i>" not in html
    assert '<mark class="span lab-0" title="&lt;i&gt;Place&lt;/i&gt;">Lagos' in html
    assert '<span class="span-tag">LOC</span></mark>' in html
    words = _render("{% span_words text %}", text=text)
    assert "<script>" not in words
    assert words.count('class="w"') == len(tokens_with_offsets(text))
    assert 'data-start="0" data-end="' in words


def test_a_draft_comes_back_as_json_whatever_it_was():
    assert _render("{{ d|spans_json }}", d=json.dumps([ADA])) == json.dumps([ADA]).replace(
        '"', "&quot;"
    )
    assert _render("{{ d|spans_json }}", d="broken") == "[]"
    assert _render("{{ d|spans_json }}", d=None) == "[]"


@pytest.mark.browser
def test_a_worker_marks_spans_by_touch_and_keyboard_on_a_phone(
    transactional_db, live_server, phone, rita, walt
):
    from microwork.projects.models import Batch, Task
    from microwork.work.models import Assignment, Submission
    from microwork.work.tests.factories import live_project
    from microwork.work.tests.test_browser import log_in, wait_for

    project = live_project(rita, interface="text_spans", config=CONFIG, overlap=1)
    batch = Batch.objects.create(project=project, uploaded_by=rita, status=Batch.Status.DONE)
    Task.objects.create(project=project, batch=batch, row_number=1, data=DATA)
    log_in(phone, live_server.url, "walt", "walt-pass-123")
    phone.click(f"form[action='/work/p/{project.pk}/start/'] button")
    phone.wait_for_selector("#spans-text .w")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    # By touch: the "Person" label, then the first and the last word of the name.
    phone.tap(".span-label[data-label=PER]")
    phone.tap(".w[data-start='0']")
    phone.tap(".w[data-start='4']")
    assert phone.locator(".w.marked.first.last").count() == 0
    assert phone.locator("#spans-list li").first.inner_text().startswith("Person")
    # By keyboard: 3 picks "Place", End goes to the last word, Enter starts and ends a mark.
    phone.locator(".w").first.focus()
    phone.keyboard.press("3")
    phone.keyboard.press("End")
    phone.keyboard.press("Enter")
    phone.keyboard.press("Enter")
    assert phone.locator("#spans-text .span-tag").all_inner_texts() == ["PER", "LOC"]
    assert wait_for(lambda: len(json.loads(Assignment.objects.get(worker=walt).draft or "[]")) == 2)

    # The draft comes back on reload, and the marks are submitted as the answer.
    phone.reload()
    phone.wait_for_selector("#spans-text .w.marked")
    assert phone.locator("#spans-list li").count() == 2
    phone.click("#task-form button[type=submit]")
    assert wait_for(lambda: Submission.objects.filter(worker=walt).exists())
    assert Submission.objects.get(worker=walt).answer == [ADA, KARACHI]
