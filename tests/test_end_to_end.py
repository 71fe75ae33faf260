"""The whole loop in a real browser: a new worker signs up on a phone, does three demo tasks and
sees them in their history; the requester downloads the CSV with those answers in it."""

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from microwork.demo.seed import PASSWORD, demo_load
from microwork.work.models import Release, Submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROJECT = "Is this image acceptable, gory or harmful?"


def test_new_worker_does_three_tasks_on_a_phone_and_the_requester_downloads_them(
    live_server, phone, desktop, request
):
    demo_load(crowd_size=4, answers_per_worker=3)
    # However many demo projects there are, none of the demo's history lies in the future.
    assert not Submission.objects.filter(submitted_at__gt=timezone.now()).exists()
    base = live_server.url

    # Sign up on a phone-sized screen.
    page = phone
    page.goto(f"{base}/accounts/signup/")
    page.fill("input[name=username]", "zainab")
    page.fill("input[name=email]", "zainab@example.org")
    page.fill("input[name=password]", "zainab-pass-2026")
    page.fill("input[name=country]", "PK")
    page.fill("input[name=languages]", "en, ur")
    page.fill("input[name=timezone]", "Asia/Karachi")
    page.check("input[name=accept_terms]")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/work/")
    # The moderation project shows violence: she agrees to see it before it is offered to her.
    page.goto(f"{base}/wellbeing/")
    page.check("input[name=categories][value=violence]")
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{base}/wellbeing/")
    page.goto(f"{base}/work/")

    # The demo's projects have only just been released: a few seconds before the end of their
    # opening minute she presses Start, waits on the waiting page, and its check-ins bring her
    # the first task at the opening round.
    first_round = Release.objects.filter(project__name=PROJECT).latest("id").first_round_at
    clock = time_machine.travel(first_round - timedelta(seconds=3), tick=True)
    clock.start()
    request.addfinalizer(clock.stop)
    card = page.locator(".card", has_text=PROJECT)
    card.get_by_role("button", name="Start").click()
    page.wait_for_url(f"{base}/work/p/*/wait/")
    assert "same first round" in page.locator("main").inner_text()
    answered = []
    for _ in range(3):
        page.wait_for_selector("#task-form")
        choice = page.locator("input[name=label]").nth(len(answered) % 3)
        answered.append(choice.get_attribute("value"))
        choice.check()
        page.click("#task-form button[type=submit]")
        page.wait_for_load_state()

    page.goto(f"{base}/work/history/")
    history = page.locator("main").inner_text()
    assert history.count(PROJECT) == 3
    assert page.viewport_size == {"width": 390, "height": 844}
    # Nothing on a phone page should need sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # The requester downloads the answers as CSV.
    desk = desktop
    desk.goto(f"{base}/accounts/login/")
    desk.fill("input[name=username]", "rita")
    desk.fill("input[name=password]", PASSWORD)
    desk.click("button[type=submit]")
    desk.wait_for_url(f"{base}/projects/")
    desk.get_by_role("link", name=PROJECT).first.click()
    desk.get_by_role("link", name="Results").first.click()
    with desk.expect_download() as info:
        desk.locator("a[href$='/answers.csv']").click()
    text = info.value.path().read_text(encoding="utf-8-sig")
    rows = [row for row in csv.DictReader(io.StringIO(text)) if "zainab" in row.values()]
    assert len(rows) == 3
    assert sorted(r["answer"] for r in rows) == sorted(answered)
