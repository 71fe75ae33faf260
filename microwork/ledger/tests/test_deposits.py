"""Requesters adding funds through a deposit provider: the billing page and the API share one
service, a retry deposits once, and bad input changes nothing."""

import json
from decimal import Decimal

import pytest

from microwork.accounts.access import access_organisation_for_requester
from microwork.ledger.models import Account, Transaction
from microwork.ledger.services.accounts import ledger_account
from microwork.ledger.services.deposits import deposit_request
from microwork.lib.errors import ApplicationError

K = Account.Kind


@pytest.fixture(autouse=True)
def _simulated(settings):
    settings.SIMULATED_PAYMENTS = True


@pytest.fixture
def acme(rita):
    return access_organisation_for_requester(user=rita)


def _post(client, token, body):
    return client.post(
        "/api/money/deposits",
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def _available(acme, currency="USD"):
    return ledger_account(kind=K.REQUESTER_AVAILABLE, currency=currency, organisation=acme).balance


def test_a_deposit_through_the_api_is_made_once_per_request_key(client, rita_token, acme):
    body = {"amount": "12.50", "currency": "USD", "provider": "simulated", "request_key": "a"}
    first = _post(client, rita_token, body)
    second = _post(client, rita_token, body)
    assert first.status_code == second.status_code == 201, first.content
    assert first.json() == second.json()
    out = first.json()
    assert (out["amount"], out["currency"], out["provider"]) == ("12.500000", "USD", "simulated")
    assert out["reference"].startswith("SIMCARD-")
    assert _available(acme) == Decimal("12.50")
    listed = client.get("/api/money/deposits", headers={"Authorization": f"Bearer {rita_token}"})
    assert [d["id"] for d in listed.json()] == [out["id"]]


def test_the_same_request_key_with_another_amount_is_refused(client, rita_token, acme):
    body = {"amount": "10", "currency": "USD", "provider": "simulated", "request_key": "k"}
    assert _post(client, rita_token, body).status_code == 201
    r = _post(client, rita_token, {**body, "amount": "20"})
    assert r.status_code == 409
    assert (r.json()["code"], r.json()["field"]) == ("idempotency_conflict", "request_key")
    r = _post(client, rita_token, {**body, "currency": "EUR"})
    assert r.status_code == 409
    assert Transaction.objects.filter(kind="deposit").count() == 1
    assert _available(acme) == Decimal("10")


def test_no_deposit_provider_enabled_is_a_clear_error(client, rita_token, acme, settings):
    settings.SIMULATED_PAYMENTS = False
    r = _post(
        client,
        rita_token,
        {"amount": "10", "currency": "USD", "provider": "simulated", "request_key": "k"},
    )
    assert r.status_code == 400
    body = r.json()
    assert (body["code"], body["field"]) == ("no_deposit_provider", "provider")
    assert "bank transfer" in body["message"]
    assert not Transaction.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "-5"}, "amount"),
        ({"amount": "10.001"}, "amount"),
        ({"amount": "20000"}, "amount"),
        ({"currency": "XYZ"}, "currency"),
        ({"provider": "gold-bars"}, "provider"),
        ({"request_key": " "}, "request_key"),
    ],
)
def test_bad_deposits_name_their_field_and_change_nothing(client, rita_token, acme, change, field):
    body = {"amount": "10", "currency": "USD", "provider": "simulated", "request_key": "k"}
    r = _post(client, rita_token, {**body, **change})
    assert r.status_code == 400, r.content
    assert r.json()["field"] == field
    assert not Transaction.objects.exists()


def test_a_worker_token_cannot_deposit(client, walt_token):
    r = _post(
        client,
        walt_token,
        {"amount": "10", "currency": "USD", "provider": "simulated", "request_key": "k"},
    )
    assert r.status_code == 403
    assert not Transaction.objects.exists()


def test_the_billing_page_deposits_through_the_same_service(client, rita, acme):
    client.force_login(rita)
    for _ in range(2):
        client.post(
            "/money/billing/deposit/",
            {"amount": "7", "request_key": "form-1", "provider": "simulated"},
        )
    tx = Transaction.objects.get(kind="deposit")
    assert tx.metadata["provider"] == "simulated"
    assert _available(acme) == Decimal("7")


def test_the_statement_lists_the_requesters_entries_newest_first(client, rita, rita_token, acme):
    for key, amount in (("a", "3"), ("b", "4")):
        deposit_request(
            organisation=acme,
            amount=amount,
            currency="USD",
            provider="simulated",
            request_key=key,
            actor=rita,
        )
    r = client.get(
        "/api/money/statement?limit=1", headers={"Authorization": f"Bearer {rita_token}"}
    )
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 2
    [row] = body["items"]
    assert (row["kind"], row["amount"], row["balance_after"]) == ("deposit", "4.000000", "7.000000")
    # The whole statement, not just its first row, runs from the newest entry to the oldest.
    r = client.get("/api/money/statement", headers={"Authorization": f"Bearer {rita_token}"})
    rows = [(row["amount"], row["balance_after"]) for row in r.json()["items"]]
    assert rows == [("4.000000", "7.000000"), ("3.000000", "3.000000")]


def test_the_service_refuses_an_unknown_provider_before_anything_else(acme, rita):
    # Every other field is wrong too: the provider is the one named, and nothing is written.
    with pytest.raises(ApplicationError) as exc:
        deposit_request(
            organisation=acme,
            amount="-5",
            currency="XYZ",
            provider="nope",
            request_key=" ",
            actor=rita,
        )
    assert exc.value.field == "provider"
    assert not Transaction.objects.exists()
