from decimal import Decimal

from microwork.accounts import services as account_services
from microwork.accounts.access import access_organisation_for_requester
from microwork.inbox.models import Notification
from microwork.ledger.models import Payout, Transaction
from microwork.payments.services import earnings as payments_earnings
from microwork.payments.tests.conftest import answer, go_live, make_project
from microwork.quality.models import Decision
from microwork.review import services as review_services
from microwork.work.models import Submission


def _auth(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_worker_reads_balance_and_requests_a_payout(client, rich_acme, rita, walt, walt_token):
    project = make_project(rich_acme, rita)
    go_live(project, rita)
    payments_earnings.earning_approve(submission=answer(project, walt), actor=rita)
    review_services.bonus_pay(
        organisation=rich_acme,
        actor=rita,
        workers=[walt],
        amount="1.50",
        message="m",
        request_key="k",
    )
    body = client.get("/api/money/balance", **_auth(walt_token)).json()
    assert (body["available"], body["pending"]) == ("1.550000", "0.000000")
    method = client.post(
        "/api/money/payout-methods",
        {"provider": "simulated", "phone": "+2348012345678"},
        content_type="application/json",
        **_auth(walt_token),
    ).json()
    bad = client.post(
        "/api/money/payouts",
        {"method_id": method["id"], "amount": "9.00"},
        content_type="application/json",
        **_auth(walt_token),
    )
    assert bad.status_code == 400
    assert (bad.json()["code"], bad.json()["field"]) == ("insufficient_funds", "amount")
    assert not Payout.objects.exists()
    ok = client.post(
        "/api/money/payouts",
        {"method_id": method["id"], "amount": "1.55", "request_key": "p1"},
        content_type="application/json",
        **_auth(walt_token),
    )
    assert ok.status_code == 201
    assert Decimal(ok.json()["amount"]) == Decimal("1.55")


def test_requester_approves_and_rejects_through_the_api(client, rich_acme, rita, walt, rita_token):
    project = make_project(rich_acme, rita)
    go_live(project, rita)
    first, second = answer(project, walt), answer(project, walt)
    r = client.post(f"/api/submissions/{first.pk}/approve", **_auth(rita_token))
    assert r.json() == {"id": first.pk, "status": "approved", "changed": True}
    again = client.post(f"/api/submissions/{first.pk}/approve", **_auth(rita_token))
    assert again.json()["changed"] is False
    bad = client.post(
        f"/api/submissions/{second.pk}/reject",
        {"reason": "nope"},
        content_type="application/json",
        **_auth(rita_token),
    )
    assert (bad.status_code, bad.json()["field"]) == (400, "reason")
    reasons = [r["code"] for r in client.get("/api/rejection-reasons", **_auth(rita_token)).json()]
    assert "wrong_answer" in reasons
    # One of Walt's two answers today is more than the project's share: confirm first.
    unconfirmed = client.post(
        f"/api/submissions/{second.pk}/reject",
        {"reason": "wrong_answer", "note": "gory"},
        content_type="application/json",
        **_auth(rita_token),
    )
    assert (unconfirmed.status_code, unconfirmed.json()["code"]) == (400, "confirm_needed")
    ok = client.post(
        f"/api/submissions/{second.pk}/reject",
        {"reason": "wrong_answer", "note": "gory", "confirm": True},
        content_type="application/json",
        **_auth(rita_token),
    )
    assert ok.json()["status"] == "rejected" and ok.json()["changed"] is True
    # A rejection through the money API is the same decision the worker reads and appeals.
    decision = Decision.objects.get(submission=second, kind="rejection")
    assert ok.json()["decision_id"] == decision.pk
    assert Notification.objects.filter(user=walt, params__decision_id=decision.pk).exists()
    again = client.post(
        f"/api/submissions/{second.pk}/reject",
        {"reason": "wrong_answer", "confirm": True},
        content_type="application/json",
        **_auth(rita_token),
    )
    assert again.json()["changed"] is False and again.json()["decision_id"] == decision.pk
    billing = client.get("/api/billing", **_auth(rita_token)).json()
    assert billing["projects"][0]["paid_to_workers"] == "0.050000"


def test_another_organisation_cannot_approve(client, rich_acme, rita, rob, walt):
    # Rob's token belongs to Other Org: Rita's answers do not exist for it.
    project = make_project(rich_acme, rita)
    go_live(project, rita)
    sub = answer(project, walt)
    org = access_organisation_for_requester(user=rob)
    _token, key = account_services.api_token_create(user=rob, name="t", organisation=org)
    r = client.post(f"/api/submissions/{sub.pk}/approve", **_auth(key))
    assert r.status_code == 404
    sub.refresh_from_db()
    assert sub.status == Submission.Status.PENDING
    assert not Transaction.objects.filter(kind="approval").exists()


def test_bonus_through_the_api(client, rich_acme, rita, walt, nina, rita_token):
    project = make_project(rich_acme, rita)
    go_live(project, rita)
    answer(project, walt)
    url = f"/api/projects/{project.pk}/bonuses"
    r = client.post(
        url,
        {"worker_ids": [nina.pk], "amount": "1", "message": "hi", "request_key": "a"},
        content_type="application/json",
        **_auth(rita_token),
    )
    assert (r.status_code, r.json()["code"]) == (400, "not_your_worker")
    r = client.post(
        url,
        {"worker_ids": [walt.pk], "amount": "1", "message": "hi", "request_key": "a"},
        content_type="application/json",
        **_auth(rita_token),
    )
    assert r.status_code == 201
    assert Transaction.objects.filter(kind="bonus").count() == 1
    assert Decimal(r.json()["amount"]) == Decimal("1")
