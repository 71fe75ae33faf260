"""Keyboard shortcuts on a task page, in a real browser: a digit picks that choice, Enter
sends; typing in a text box keeps its keys."""

import re

import pytest

from microwork.work.models import Submission
from microwork.work.tests.factories import add_tasks, live_project
from microwork.work.tests.test_browser import log_in, wait_for

pytestmark = pytest.mark.browser


def test_a_digit_chooses_and_enter_sends(transactional_db, live_server, desktop, rita, walt):
    project = live_project(rita)
    add_tasks(project, 3)
    base = live_server.url
    log_in(desktop, base, "walt", "walt-pass-123")
    desktop.click(f"form[action='/work/p/{project.pk}/start/'] button")
    desktop.wait_for_selector("#task-form")
    # Shown once the page's stylesheet and script are in: waited for, not read at once.
    desktop.wait_for_selector("#task-keys", state="visible")
    desktop.locator("body").click(position={"x": 2, "y": 2})
    desktop.keyboard.press("2")  # the second choice: "gory"
    assert desktop.is_checked("input[name=label][value=gory]")
    desktop.keyboard.press("1")
    assert desktop.is_checked("input[name=label][value=ok]")
    desktop.keyboard.press("Enter")
    assert wait_for(lambda: Submission.objects.filter(worker=walt).exists())
    assert Submission.objects.get(worker=walt).answer == "ok"


def test_typing_in_a_text_box_keeps_its_keys(transactional_db, live_server, desktop, rita, walt):
    from microwork.projects.interfaces import get_interface

    project = live_project(
        rita, interface="free_text", config=get_interface("free_text").example["config"]
    )
    add_tasks(project, 2)
    base = live_server.url
    log_in(desktop, base, "walt", "walt-pass-123")
    desktop.click(f"form[action='/work/p/{project.pk}/start/'] button")
    desktop.wait_for_selector("#task-form")
    box = desktop.locator("#task-form textarea").first
    box.click()
    desktop.keyboard.type("1 2")
    desktop.keyboard.press("Enter")
    assert box.input_value() == "1 2\n"
    assert not Submission.objects.filter(worker=walt).exists()


def test_a_phone_shows_no_key_hints_and_the_timer_reads_minutes(
    transactional_db, live_server, phone, desktop, rita, walt
):
    project = live_project(rita)
    add_tasks(project, 3)
    log_in(phone, live_server.url, "walt", "walt-pass-123")
    phone.click(f"form[action='/work/p/{project.pk}/start/'] button")
    phone.wait_for_selector("#task-form")
    # A touch screen has no keys to press: the hint and the digits beside the choices go.
    phone.wait_for_load_state("load")
    assert not phone.locator("#task-keys").is_visible()
    assert not phone.locator("fieldset.choices label kbd").first.is_visible()
    # The countdown reads as minutes and seconds, with its words, once the script ticks.
    phone.wait_for_timeout(1500)
    assert re.fullmatch(r"\d+:\d\d left", phone.locator("#time-left").inner_text())
