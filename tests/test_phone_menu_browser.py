"""The site's menu on a phone: one row until opened, every entry and the work search a tap
target of at least 44 px; on a desktop the menu is shown whole."""

import pytest

from microwork.work.tests.test_browser import log_in

pytestmark = pytest.mark.browser

HEIGHTS = """Array.from(document.querySelectorAll(
  'header.top nav a, header.top nav button, #work-search, .menu-button'))
  .filter(e => e.offsetParent !== null)
  .map(e => [e.textContent.trim() || e.id, e.getBoundingClientRect().height])"""


def _header(page):
    return page.evaluate("document.querySelector('header.top').getBoundingClientRect().height")


def test_the_phone_menu_folds_into_one_row_of_big_targets(
    transactional_db, live_server, phone, desktop, walt
):
    log_in(phone, live_server.url, "walt", "walt-pass-123")
    assert _header(phone) < 60  # one row: the brand and the menu button
    assert not phone.locator("#site-menu").is_visible()
    phone.click("label.menu-button")
    assert phone.locator("#site-menu a[href='/work/history/']").is_visible()
    small = [(name, h) for name, h in phone.evaluate(HEIGHTS) if h < 44]
    assert not small, small
    log_in(desktop, live_server.url, "walt", "walt-pass-123")
    assert not desktop.locator("label.menu-button").is_visible()
    assert desktop.locator("#site-menu a[href='/work/history/']").is_visible()
