"""Every quality page that sends the browser back somewhere (`next`, the Referer) stays on
this site, whatever an attacker's link carries."""

import pytest
from django.urls import reverse

from microwork.lib.tests.redirect_attacks import OPEN_REDIRECT_ATTACKS
from microwork.quality.services.appeals import appeal_create
from microwork.quality.tests.helpers import pending_answers
from microwork.review import services as review_services


@pytest.fixture
def pending(rita, walt, omar):
    return pending_answers(owner=rita, worker=walt, operator=omar)


@pytest.mark.parametrize("attack", OPEN_REDIRECT_ATTACKS)
def test_a_refused_form_goes_back_home_not_to_next_or_the_referer(client, rita, pending, attack):
    client.force_login(rita)
    url = reverse("quality:rule_save", args=[pending[0].project_id])
    r = client.post(url, {"rule_key": "no_such_rule", "next": attack})
    assert r.status_code == 302 and r["Location"] == "/"
    r = client.post(url, {"rule_key": "no_such_rule"}, HTTP_REFERER=attack)
    assert r.status_code == 302 and r["Location"] == "/"
    r = client.post(url, {"rule_key": "no_such_rule"}, HTTP_REFERER=f"http://testserver{attack}")
    assert r.status_code == 302 and r["Location"] == "/"


def test_a_refused_form_goes_back_to_our_own_page(client, rita, pending):
    client.force_login(rita)
    page = reverse("quality:project", args=[pending[0].project_id])
    url = reverse("quality:rule_save", args=[pending[0].project_id])
    r = client.post(url, {"rule_key": "no_such_rule"}, HTTP_REFERER=f"http://testserver{page}")
    assert r["Location"] == page
    r = client.post(url, {"rule_key": "no_such_rule", "next": page})
    assert r["Location"] == page


@pytest.mark.parametrize("attack", OPEN_REDIRECT_ATTACKS)
def test_answering_an_appeal_returns_to_the_project_not_to_next(
    client, rita, walt, pending, attack
):
    decision = review_services.submission_reject(
        submission=pending[0], requester=rita, reason_code="incomplete"
    )
    appeal = appeal_create(worker=walt, decision=decision, message="It was complete.")
    client.force_login(rita)
    r = client.post(
        reverse("quality:appeal_decide", args=[appeal.pk]),
        {"outcome": "reverse", "response": "You are right.", "next": attack},
    )
    assert r.status_code == 302
    assert r["Location"] == reverse("quality:project", args=[pending[0].project_id])
    appeal.refresh_from_db()
    assert appeal.status == "reversed"
