"""A worker compares two answers on a phone: by tapping, with a reason typed in, or with the
keyboard alone."""

import pytest

from microwork.projects.models import Batch, Task
from microwork.work.models import Submission
from microwork.work.tests.factories import live_project
from microwork.work.tests.test_browser import log_in, wait_for

pytestmark = pytest.mark.browser


def _pairs(rita, **config):
    project = live_project(
        rita,
        name="Which answer is better?",
        interface="pairwise",
        config={
            "question": "Which answer is more helpful?",
            "allow_tie": True,
            "allow_both_bad": True,
            "reason_max_length": 200,
            **config,
        },  # fmt: skip
        overlap=1,
    )
    batch = Batch.objects.create(
        project=project, uploaded_by=rita, filename="p.csv", file_format="csv",
        status=Batch.Status.DONE,
    )  # fmt: skip
    for n in range(2):
        Task.objects.create(
            project=project, batch=batch, row_number=n + 1,
            data={"prompt": "Capital of Kenya?", "a_text": "Mombasa.", "a_id": "m1",
                  "b_text": "Nairobi.", "b_id": "m2"},
        )  # fmt: skip
    return project


def _start(page, base, project):
    log_in(page, base, "walt", "walt-pass-123")
    page.click(f"form[action='/work/p/{project.pk}/start/'] button")
    page.wait_for_selector("#pairwise")
    # The keys are bound by a deferred script, which has run once the page has loaded.
    page.wait_for_load_state("load")


def test_a_worker_taps_b_and_says_why(transactional_db, live_server, phone, rita, walt):
    project = _pairs(rita, reason="required")
    _start(phone, live_server.url, project)
    # Stacked on a phone: B sits under A, and both fit the screen's width.
    a, b = (phone.locator(".pair-side").nth(i).bounding_box() for i in (0, 1))
    assert b["y"] >= a["y"] + a["height"] and a["width"] <= 390
    phone.locator("label", has_text="B is better").tap()
    assert phone.is_checked("input[name=choice][value=b]")
    phone.fill("#pair-reason", "A names the wrong city.")
    phone.click("#task-form button[type=submit]")
    assert wait_for(lambda: Submission.objects.filter(worker=walt).exists())
    assert Submission.objects.get(worker=walt).answer == {
        "choice": "b",
        "reason": "A names the wrong city.",
    }


def test_a_worker_answers_with_the_keyboard(transactional_db, live_server, phone, rita, walt):
    project = _pairs(rita, reason="optional")
    _start(phone, live_server.url, project)
    phone.keyboard.press("2")
    assert phone.is_checked("input[name=choice][value=b]")
    phone.keyboard.press("a")
    assert phone.is_checked("input[name=choice][value=a]")
    phone.keyboard.press("4")
    assert phone.is_checked("input[name=choice][value=both_bad]")
    # Typing a reason does not change the choice, even with the keys that pick one.
    phone.click("#pair-reason")
    phone.keyboard.type("a 2 b")
    assert phone.is_checked("input[name=choice][value=both_bad]")
    phone.keyboard.press("Tab")
    phone.keyboard.press("3")
    phone.keyboard.press("Enter")
    assert wait_for(lambda: Submission.objects.filter(worker=walt).exists())
    assert Submission.objects.get(worker=walt).answer == {"choice": "tie", "reason": "a 2 b"}
