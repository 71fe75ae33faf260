"""Free text: a requester's length limits and pattern hold on every answer, an unsafe pattern
is refused when the project is set up (never run on a worker's text), and a pattern is
matched in time linear in the answer."""

import re
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microwork.lib.errors import ApplicationError
from microwork.lib.saferegex import UnsafePattern, compile_safe
from microwork.projects.interfaces import get_interface

KIND = get_interface("free_text")
CONFIG = KIND.check_config(KIND.example["config"])
DATA = {"prompt": "A red kettle."}


def _config(**changes):
    return KIND.check_config({**KIND.example["config"], **changes})


def _refused(config, answer):
    with pytest.raises(ApplicationError) as caught:
        KIND.check_answer(config, DATA, answer)
    return caught.value


def test_the_answer_is_trimmed_and_nfc_and_line_ends_count_once():
    decomposed = "Cafe\u0301 au lait.\r\nNice."
    answer = KIND.check_answer(_config(pattern=""), DATA, {"text": f"  {decomposed}  "})
    assert answer == "Café au lait.\nNice."


@pytest.mark.parametrize(
    "answer,reason",
    [
        ("Too short", "at least 10"),
        ("x" * 199 + ".!", "at most 200"),
        ("A red kettle on a table", "One sentence"),
        (["a list"], "text"),
    ],
)
def test_length_and_pattern_are_enforced_naming_text(answer, reason):
    error = _refused(CONFIG, answer)
    assert error.field == "text"
    assert reason in error.message


def test_limits_and_empty_answers():
    config = _config(min_length=0, max_length=10, pattern="")
    assert KIND.check_answer(config, DATA, "   ") == ""
    assert KIND.check_answer(config, DATA, "0123456789") == "0123456789"
    assert _refused(config, "0123456789x").field == "text"


def test_settings_are_checked_naming_the_setting():
    with pytest.raises(ApplicationError) as caught:
        _config(max_length=10_001)
    assert caught.value.field == "max_length"
    with pytest.raises(ApplicationError) as caught:
        _config(min_length=50, max_length=20)
    assert caught.value.field == "min_length"
    defaults = KIND.check_config({"question": "Describe it."})
    assert defaults["min_length"] == 1 and defaults["max_length"] == 1000
    assert not defaults["pattern"]


EVIL = [
    r"(a+)+$",
    r"(a*)*b",
    r"(\w+\s?)+$",
    r"(x+x+)+y",
    r"(.*){1,30}",
    r"(a)\1",
    r"(?=a)a",
    r"(?<!a)b",
    r"(?i)abc",
    r"a{1000}",
    r"a{0,5000}",
    "a" * 201,
    r"(?>a+)b",
    r"a*+b",
    r"[",
]


@pytest.mark.parametrize("pattern", EVIL)
def test_unsafe_patterns_are_refused_quickly_naming_pattern(pattern):
    started = time.perf_counter()
    with pytest.raises(ApplicationError) as caught:
        _config(pattern=pattern)
    assert caught.value.field == "pattern"
    assert time.perf_counter() - started < 0.5


def test_a_pattern_matches_10k_characters_in_linear_time():
    matcher = compile_safe(r"(\w| )*[.!?]")  # would backtrack terribly in a naive engine
    text = "word " * 2_000
    started = time.perf_counter()
    assert not matcher.fullmatch(text + "x")
    assert matcher.fullmatch(text.strip() + ".")
    assert time.perf_counter() - started < 1.5
    # The worst a pattern may be: many states live at once, on the longest answer.
    matcher = compile_safe(r".*.{0,100}x")
    started = time.perf_counter()
    assert not matcher.fullmatch("a" * 10_000)
    assert time.perf_counter() - started < 1.5
    # Even a text whose every character is new (so no step is remembered) stays in bounds:
    # at most the pattern's size per character (about a second per 4000 here, unloaded).
    started = time.perf_counter()
    assert not compile_safe(r".*.{0,100}x").fullmatch("".join(map(chr, range(256, 2_256))))
    assert time.perf_counter() - started < 8.0


def test_an_answer_of_10k_characters_is_checked_against_the_pattern_quickly():
    config = _config(min_length=1, max_length=10_000, pattern=r"[a-z ]*[.]")
    answer = ("abc " * 2_500)[:9_999] + "."
    started = time.perf_counter()
    assert KIND.check_answer(config, DATA, answer) == answer
    assert time.perf_counter() - started < 1.5


@pytest.mark.parametrize(
    "pattern,text,matches",
    [
        (r"[A-Z]{2}-\d{4}", "AB-1234", True),
        (r"[A-Z]{2}-\d{4}", "AB-1234 ", False),
        (r"[A-Z]{2}-\d{4}", "xAB-1234", False),
        (r"(\+\d{1,3} )?\d{6,12}", "+234 8031234567", True),
        (r"(\+\d{1,3} )?\d{6,12}", "08031234567", True),
        (r"^yes|no$", "no", True),
        (r"\bLagos\b.*", "Lagos is big", True),
        (r"[^\n]+", "two\nlines", False),
        (r"colou?r", "color", True),
    ],
)
def test_patterns_match_the_whole_answer_as_python_would(pattern, text, matches):
    assert compile_safe(pattern).fullmatch(text) is matches
    assert bool(re.fullmatch(pattern, text)) is matches


def test_a_pattern_that_makes_python_backtrack_is_still_fast_here():
    # Python's own engine takes about 2**40 steps on this; the safe matcher a few hundred.
    started = time.perf_counter()
    assert compile_safe(r"(a|a)*b").fullmatch("a" * 40) is False
    assert compile_safe(r"^(a|aa)+$").fullmatch("a" * 40 + "!") is False
    assert time.perf_counter() - started < 0.1


SAFE = st.sampled_from(
    [r"[a-c]+", r"a?b*c{1,3}", r"(ab|c)d?", r"\w+ \d{2}", r"[^ab]*", r"(a|b)c*", r".{2,4}"]
)


@given(pattern=SAFE, text=st.text(alphabet="abcd 12", max_size=12))
def test_the_safe_matcher_agrees_with_python(pattern, text):
    assert compile_safe(pattern).fullmatch(text) is bool(re.fullmatch(pattern, text))


def test_unsafe_pattern_error_says_why():
    with pytest.raises(UnsafePattern, match="repeat inside a repeat"):
        compile_safe(r"(a+)+")


def test_answers_match_when_equal_once_normalised():
    assert KIND.answer_matches(CONFIG, DATA, "Lagos,  NIGERIA.", "lagos nigeria")
    assert not KIND.answer_matches(CONFIG, DATA, "Lagos", "Abuja")


def test_free_text_is_reviewed_not_aggregated():
    assert KIND.reviewed and KIND.consensus_for(CONFIG) is None
    described = KIND.describe()
    assert described["reviewed"] is True
    assert described["answer_field"] == "text"
    assert {"text", "image_url", "prompt"} <= set(described["input_schema"]["properties"])


def test_a_row_needs_text_a_picture_or_a_prompt():
    assert KIND.check_input(CONFIG, {"prompt": "Rewrite politely."}) == {
        "prompt": "Rewrite politely."
    }
    with pytest.raises(Exception) as caught:
        KIND.check_input(CONFIG, {"other": "x"})
    assert "text" in str(caught.value)


@pytest.mark.browser
def test_a_worker_writes_an_answer_on_a_phone(transactional_db, live_server, phone, rita, walt):
    from microwork.projects.models import Batch, Task
    from microwork.work.models import Submission
    from microwork.work.tests.factories import live_project
    from microwork.work.tests.test_browser import log_in, wait_for

    project = live_project(rita, interface="free_text", config=CONFIG, overlap=1)
    batch = Batch.objects.create(project=project, uploaded_by=rita, status=Batch.Status.DONE)
    Task.objects.create(project=project, batch=batch, row_number=1, data=DATA)
    log_in(phone, live_server.url, "walt", "walt-pass-123")
    phone.click(f"form[action='/work/p/{project.pk}/start/'] button")
    box = phone.locator("textarea[name=text]")
    box.tap()
    phone.keyboard.type("A red kettle on a table")
    assert phone.locator("#free-text-count").inner_text() == "23 characters"
    assert phone.locator("#free-text-hint").inner_text() == CONFIG["pattern_hint"]
    # Without the full stop the pattern refuses it; the text stays to be corrected.
    phone.tap("#task-form button[type=submit]")
    phone.wait_for_selector("p.errors")
    assert "One sentence" in phone.locator("p.errors").inner_text()
    assert box.input_value() == "A red kettle on a table"
    box.press("End")
    phone.keyboard.type(".")
    phone.tap("#task-form button[type=submit]")
    assert wait_for(lambda: Submission.objects.filter(worker=walt).exists())
    assert Submission.objects.get(worker=walt).answer == "A red kettle on a table."
