"""A real phone: the worker marks themselves available, the offer is pushed to the open page,
they accept and answer, and the requester's waiting API call receives that answer."""

import http.client
import json
import threading
from urllib.parse import urlparse

import pytest

from microwork.live.models import LiveOffer, LiveTask
from microwork.live.services.setup import live_setup_save
from microwork.work.models import Submission
from microwork.work.tests.factories import live_project

pytestmark = pytest.mark.browser

STATEMENT = "Answers are shown at once to shoppers of Acme's chat assistant, under its name."


def log_in(page, base, username, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/work/")


def post_and_wait(base, token, project_id, out):
    url = urlparse(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
    body = json.dumps({"data": {"text": "Is this fine?"}, "deadline_seconds": 90})
    conn.request(
        "POST",
        f"/api/live/projects/{project_id}/tasks",
        body=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    response = conn.getresponse()
    out["status"] = response.status
    out["body"] = json.loads(response.read())


def test_offer_pushed_to_the_phone_accepted_answered_and_returned_to_the_waiting_call(
    transactional_db, live_server, phone, rita, rita_token, walt
):
    project = live_project(rita, overlap=1, time_limit_seconds=60)
    live_setup_save(project=project, actor=rita, use_statement=STATEMENT, standby_per_hour="9")
    base = live_server.url

    log_in(phone, base, "walt", "walt-pass-123")
    phone.goto(f"{base}/live/")
    assert phone.locator("text=" + STATEMENT).is_visible()
    phone.click(f"form[action='/live/p/{project.pk}/opt-in/'] button")
    phone.click(f"#live-on-{project.pk}")
    phone.wait_for_selector(f"#live-off-{project.pk}")
    assert phone.locator("#live-offer").is_hidden()

    # The requester's system posts and waits; nothing on the phone asks for it: it is pushed.
    out: dict = {}
    caller = threading.Thread(target=post_and_wait, args=(base, rita_token, project.pk, out))
    caller.start()
    phone.wait_for_selector("#live-offer:not([hidden])", timeout=20000)
    assert "Image moderation" in phone.inner_text("#live-offer-project")
    assert caller.is_alive()  # still waiting for a human

    phone.click("#live-accept button")
    phone.wait_for_selector("#task-form")
    phone.check("input[name=label][value=gory]")
    phone.click("#task-form button[type=submit]")
    phone.wait_for_url(f"{base}/live/")

    caller.join(timeout=60)
    assert not caller.is_alive()
    assert out["status"] == 200, out
    assert out["body"]["status"] == "answered"
    assert [a["answer"] for a in out["body"]["answers"]] == ["gory"]
    assert out["body"]["charged"] is True
    live_task = LiveTask.objects.get()
    assert live_task.status == LiveTask.Status.ANSWERED
    offer = LiveOffer.objects.get()
    assert offer.worker == walt and offer.status == LiveOffer.Status.ANSWERED
    assert Submission.objects.get().worker == walt
    # The page's one script is the live page's own.
    phone.goto(f"{base}/live/")
    scripts = phone.eval_on_selector_all("script[src]", "els => els.map(e => e.src)")
    assert all(s.endswith("/static/live/live.js") for s in scripts)
    # Close the page's held stream before the test database goes away.
    phone.goto("about:blank")
