"""Real browsers: a task started on a laptop is finished on a phone, draft and time intact."""

import time

import pytest

from microwork.work.models import Assignment, Submission
from microwork.work.tests.factories import add_tasks, live_project

pytestmark = pytest.mark.browser


def log_in(page, base, username, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/work/")


def wait_for(condition, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_task_started_on_desktop_is_finished_on_a_phone(
    transactional_db, live_server, desktop, phone, rita, walt
):
    project = live_project(rita)
    add_tasks(project, 3)
    base = live_server.url

    # On the laptop: start, pick "Gory", and leave without submitting.
    log_in(desktop, base, "walt", "walt-pass-123")
    desktop.click(f"form[action='/work/p/{project.pk}/start/'] button")
    desktop.wait_for_selector("#task-form")
    assert desktop.locator("script[src*='work/task.js']").count() == 1
    desktop.wait_for_timeout(600)  # on screen for a moment, so there is visible time to count
    desktop.check("input[name=label][value=gory]")
    assert wait_for(lambda: Assignment.objects.get(worker=walt).draft == "gory")
    assignment = Assignment.objects.get(worker=walt)
    assert assignment.active_ms > 0

    # On the phone, later: the home page offers to continue, with the answer already picked.
    log_in(phone, base, "walt", "walt-pass-123")
    assert phone.locator("text=Continue where you left off").is_visible()
    phone.click(f"a[href='/work/a/{assignment.pk}/']")
    phone.wait_for_selector("#task-form")
    assert phone.is_checked("input[name=label][value=gory]")
    assert not phone.is_checked("input[name=label][value=ok]")
    phone.wait_for_timeout(300)
    phone.click("#task-form button[type=submit]")
    phone.wait_for_selector("#task-form")  # the next task

    submission = Submission.objects.get(worker=walt)
    assert submission.answer == "gory"
    assert submission.assignment_id == assignment.pk
    # Visible time from both devices adds up and never exceeds the wall clock.
    assert assignment.active_ms < submission.active_ms <= submission.elapsed_ms
    # The page carries no framework script and no web font.
    scripts = phone.eval_on_selector_all("script[src]", "els => els.map(e => e.src)")
    assert all(s.endswith("/static/work/task.js") for s in scripts)
    assert phone.eval_on_selector_all("link[rel=stylesheet]", "els => els.length") == 1
