"""A requester's own form on a phone: the worker answers inside the sandboxed frame by touch
and keyboard, the platform's draft and Submit carry the answer out of it."""

import pytest

from microwork.projects.models import Task
from microwork.work.models import Assignment, Submission
from microwork.work.tests.factories import add_tasks, live_project
from microwork.work.tests.test_browser import log_in, wait_for

pytestmark = pytest.mark.browser

FORM = """<p>Is <strong>${name}</strong> at ${address}?</p>
<fieldset><legend>The listing is</legend>
<label><input type="radio" name="verdict" value="correct" required> Correct</label>
<label><input type="radio" name="verdict" value="wrong"> Wrong</label></fieldset>
<label><input type="checkbox" name="closed"> Closed for good</label>
<label for="note">Note</label><input type="text" id="note" name="note" maxlength="200">
<label for="stars">Stars</label><select id="stars" name="stars"><option>1</option><option>2</option><option>3</option></select>"""


def test_worker_fills_the_framed_form_by_touch_and_keyboard(
    transactional_db, live_server, phone, rita, walt
):
    project = live_project(rita, interface="html_form", config={"html": FORM}, overlap=1)
    tasks = add_tasks(project, 2)
    for task in tasks:
        task.data = {"name": "Mama <Put>", "address": "12 Allen Avenue"}
    Task.objects.bulk_update(tasks, ["data"])
    base = live_server.url

    log_in(phone, base, "walt", "walt-pass-123")
    phone.click(f"form[action='/work/p/{project.pk}/start/'] button")
    phone.wait_for_selector("#task-form iframe[data-html-form]")
    frame = phone.frame_locator("iframe[data-html-form]")
    # The task's values are in the frame, as text: nothing of them became markup.
    assert frame.locator("strong").inner_text() == "Mama <Put>"
    # The frame runs nothing, whatever it holds.
    sandbox = phone.get_attribute("iframe[data-html-form]", "sandbox")
    assert "allow-scripts" not in sandbox

    frame.locator("input[value=wrong]").tap()
    frame.locator("input[name=closed]").tap()
    frame.locator("#note").tap()
    phone.keyboard.type("Moved to Opebi")
    phone.keyboard.press("Tab")
    frame.locator("#stars").select_option("2")
    assignment = Assignment.objects.get(worker=walt)
    assert wait_for(
        lambda: (
            (Assignment.objects.get(pk=assignment.pk).draft or {}).get("note") == "Moved to Opebi"
        )
    )
    phone.click("#task-form button[type=submit]")
    phone.wait_for_url(f"{base}/work/a/*/")
    submission = Submission.objects.get(worker=walt)
    assert submission.answer == {
        "verdict": "wrong",
        "closed": True,
        "note": "Moved to Opebi",
        "stars": "2",
    }
