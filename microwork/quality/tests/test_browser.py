"""A sanctioned worker on a phone: sees why, sees the control tasks missed, appeals, and is
restored when the requester agrees."""

import pytest

from microwork.quality.models import Appeal, Decision
from microwork.quality.services.appeals import appeal_decide
from microwork.quality.services.configuration import rule_configure
from microwork.quality.tests.helpers import answer_gold_series, make_project, release

pytestmark = pytest.mark.browser


def _log_in(page, base, username, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def test_paused_worker_appeals_from_a_phone_and_is_restored(
    transactional_db, live_server, phone, rita, walt
):
    project = make_project(owner=rita)
    rule_configure(
        project=project,
        rule_key="gold_accuracy",
        params={"threshold": "0.8", "min_answers": 10, "grace_answers": 5},
        action="pause",
    )
    answer_gold_series(project=project, worker=walt, correct=6, wrong=5)
    answer_gold_series(project=project, worker=walt, correct=3, wrong=2)
    pause = Decision.objects.get(worker=walt, kind="pause")

    _log_in(phone, live_server.url, "walt", "walt-pass-123")
    phone.goto(f"{live_server.url}/quality/")
    assert phone.locator("h1").inner_text() == "My standing"
    standing = phone.locator("main").inner_text()
    assert "In force now" in standing and "Cats or dogs: Pause" in standing
    # The pause acts at once; which answers it rests on waits for a feedback release.
    assert "Whiskers and pointed ears: a cat." not in standing
    # Nothing overflows sideways on a 390 px screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.click("text=Why, and appeal")
    body = phone.locator("main").inner_text()
    assert "control tasks correctly" in body
    assert "Whiskers" not in body and "shown with a later feedback release" in body
    release(project=project, worker=walt)
    phone.reload()
    body = phone.locator("main").inner_text()
    assert "Whiskers and pointed ears: a cat." in body
    assert "Expected: Cat" in body
    phone.fill("textarea[name=message]", "Three of these pictures show dogs.")
    phone.click("text=Send appeal")
    phone.wait_for_load_state()
    assert "Waiting for an answer" in phone.locator("main").inner_text()
    appeal = Appeal.objects.get(decision=pause)

    appeal_decide(
        appeal=appeal, actor=rita, reverse=True, response="Right: three control answers were wrong."
    )
    phone.goto(f"{live_server.url}/quality/")
    body = phone.locator("main").inner_text()
    assert "In force now" not in body
    assert "Reversed" in body
    phone.goto(f"{live_server.url}/inbox/")
    assert "Your appeal was accepted" in phone.locator("main").inner_text()
    # The header's inbox count is visible on the phone too.
    assert phone.locator("header .badge.count").count() == 1
