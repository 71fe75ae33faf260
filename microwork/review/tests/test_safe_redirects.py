"""The reject form sends the browser back only to this site, whatever an attacker's link
carries."""

import pytest
from django.urls import reverse

from microwork.lib.tests.redirect_attacks import OPEN_REDIRECT_ATTACKS
from microwork.quality.tests.helpers import pending_answers


@pytest.fixture
def pending(rita, walt, omar):
    return pending_answers(owner=rita, worker=walt, operator=omar)


@pytest.mark.parametrize("attack", OPEN_REDIRECT_ATTACKS)
def test_the_reject_pages_back_link_never_leaves_the_site(client, rita, pending, attack):
    # The link a requester is sent: /quality/submissions/1/reject/?next=/%5Cevil.example/x.
    client.force_login(rita)
    url = reverse("review:reject", args=[pending[0].pk])
    r = client.get(url, {"next": attack})
    assert r.status_code == 200
    assert r.context["next"] == ""
    assert "evil.example" not in r.content.decode()


@pytest.mark.parametrize("attack", OPEN_REDIRECT_ATTACKS)
def test_rejecting_returns_to_the_project_not_to_next(client, rita, pending, attack):
    client.force_login(rita)
    url = reverse("review:reject", args=[pending[0].pk])
    r = client.post(url, {"reason": "incomplete", "next": attack})
    assert r.status_code == 302
    assert r["Location"] == reverse("quality:project", args=[pending[0].project_id])
