"""An API token acts for the one organisation it was made for, even when its user belongs to
several; appeals are decided through the same scope as every other requester endpoint."""

import pytest

from microwork.accounts import services as account_services
from microwork.accounts.models import Membership, Organisation
from microwork.quality.models import Appeal
from microwork.quality.services.appeals import appeal_create
from microwork.quality.tests.helpers import fund, make_project, make_tasks, submit
from microwork.review import services as review_services


@pytest.fixture
def appeal(rita, walt, omar):
    project = make_project(owner=rita)
    fund(project, omar)
    sub = submit(task=make_tasks(project, 1)[0], worker=walt, label="cat")
    decision = review_services.submission_reject(
        submission=sub, requester=rita, reason_code="incomplete", confirm=True
    )
    return appeal_create(worker=walt, decision=decision, message="It was complete.")


def _decide(client, appeal, key):
    return client.post(
        f"/api/quality/appeals/{appeal.pk}/decide",
        {"reverse": True, "response": "You are right."},
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )


def test_a_token_of_another_organisation_cannot_decide_an_appeal(client, appeal, rita, rob):
    other = Organisation.objects.get(memberships__user=rob)
    # Rita belongs to both organisations; this token was made for Rob's.
    Membership.objects.create(user=rita, organisation=other)
    _t, other_key = account_services.api_token_create(user=rita, name="o", organisation=other)
    _t, rob_key = account_services.api_token_create(user=rob, name="r", organisation=other)
    _t, unscoped_key = account_services.api_token_create(user=rita, name="worker token")
    for key in (other_key, rob_key):
        r = _decide(client, appeal, key)
        assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = _decide(client, appeal, unscoped_key)
    assert r.status_code == 403
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.OPEN

    acme = Organisation.objects.get(name="Acme Labs")
    _t, acme_key = account_services.api_token_create(user=rita, name="a", organisation=acme)
    r = _decide(client, appeal, acme_key)
    assert r.status_code == 200 and r.json()["status"] == "reversed"


def test_an_operators_token_does_not_carry_operator_powers(client, appeal, omar):
    _t, key = account_services.api_token_create(user=omar, name="script")
    assert _decide(client, appeal, key).status_code == 403
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.OPEN
    # On the operators' page, in their own session, they may step in.
    client.force_login(omar)
    r = client.post(
        f"/quality/appeals/{appeal.pk}/decide/", {"outcome": "reverse", "response": "Agreed."}
    )
    assert r.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == "reversed"
