"""On a phone, a disturbing picture stays blurred until the worker taps "Tap to show"; then
they answer as usual. Nothing the requester sets turns the blur off."""

import pytest

from microwork.wellbeing.tests.conftest import disturbing_project
from microwork.work.models import Submission
from microwork.work.tests.test_browser import log_in, wait_for

pytestmark = pytest.mark.browser


def _leave(page):
    page.wait_for_load_state("networkidle")
    page.goto("about:blank")


def _filter(page):
    return page.eval_on_selector("#disturbing img", "i => getComputedStyle(i).filter")


def test_a_disturbing_picture_is_blurred_until_tapped_then_answered(
    transactional_db, live_server, phone, rita, walt, walt_sees_violence
):
    project = disturbing_project(rita, tasks=1)
    base = live_server.url
    log_in(phone, base, "walt", "walt-pass-123")
    phone.click(f"form[action='/work/p/{project.pk}/start/'] button")
    phone.wait_for_selector("#task-form")
    # The stylesheets in: an element can be read before they have loaded on a busy machine.
    phone.wait_for_load_state("load")
    assert "blur" in _filter(phone)
    button = phone.locator("#disturbing-show")
    assert button.get_attribute("aria-expanded") == "false"
    button.tap()
    assert wait_for(lambda: _filter(phone) == "none")
    assert button.get_attribute("aria-expanded") == "true"
    assert not button.is_visible()
    phone.tap("input[name=label][value=gory]")
    phone.tap("#task-form button[type=submit]")
    assert wait_for(lambda: Submission.objects.filter(worker=walt).exists())
    assert Submission.objects.get(worker=walt).answer == "gory"
    _leave(phone)


def test_the_keyboard_reveals_it_too(
    transactional_db, live_server, desktop, rita, walt, walt_sees_violence
):
    project = disturbing_project(rita, tasks=1)
    base = live_server.url
    log_in(desktop, base, "walt", "walt-pass-123")
    desktop.click(f"form[action='/work/p/{project.pk}/start/'] button")
    desktop.wait_for_selector("#task-form")
    desktop.wait_for_load_state("load")
    assert "blur" in _filter(desktop)
    desktop.focus("#disturbing-show")
    desktop.keyboard.press("Enter")
    assert wait_for(lambda: _filter(desktop) == "none")
    _leave(desktop)
