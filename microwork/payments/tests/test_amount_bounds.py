"""No amount anyone types can take a page off line: every money field has one upper bound
(microwork.lib.money.MAX_AMOUNT, well inside the ledger's 12 whole digits), and NaN,
infinities, exponents and a seventh decimal are refused — 400 naming the field through the API,
an error on the page — before anything is stored."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from microwork.ledger.models import Account, Payout, PayoutMethod, Transaction
from microwork.ledger.services.accounts import ledger_account
from microwork.ledger.services.deposits import deposit_record
from microwork.lib.errors import ApplicationError
from microwork.lib.money import MAX_AMOUNT, MAX_BALANCE, parse_amount
from microwork.payments.tests.conftest import answer, go_live, make_project
from microwork.projects.models import Project

TOO_BIG = ["1e12", "1E+12", "1000000000000", "1000000000.000001", "1E+999999", 1e12, 1e300]
NOT_FINITE = ["NaN", "nan", "sNaN", "Infinity", "-Infinity", "inf"]
TOO_PRECISE = ["0.0000001", "1e-7"]
BAD = [*TOO_BIG, *NOT_FINITE, *TOO_PRECISE, "0x10", "1_000", " ", "12,50"]

PROJECT = {
    "name": "Moderation",
    "description": "Judge images.",
    "interface": "single_choice",
    "config": {"question": "OK?", "labels": ["ok|Acceptable", "gory|Gory"]},
    "reward": "0.05",
    "estimated_seconds": 20,
}


def _api(client, method, url, token, body):
    return getattr(client, method)(
        url, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def _refused(response, field):
    assert response.status_code == 400, response.content
    body = response.json()
    assert (body["code"], body["field"]) == ("invalid_amount", field), body
    assert body["message"].startswith(field)


@pytest.mark.parametrize("value", BAD)
def test_parse_amount_refuses(value):
    with pytest.raises(ApplicationError) as caught:
        parse_amount(value, field="reward")
    assert caught.value.field == "reward"


@pytest.mark.parametrize(
    ("value", "amount"),
    [("0.05", "0.05"), (0.05, "0.05"), (3, "3"), ("1000000000", "1000000000"), (".5", "0.5")],
)
def test_parse_amount_takes_plain_amounts_up_to_the_bound(value, amount):
    assert parse_amount(value) == Decimal(amount)


def test_the_bound_leaves_room_in_the_column():
    assert MAX_AMOUNT * 999 < MAX_BALANCE


@pytest.mark.parametrize("value", BAD)
def test_a_project_reward_out_of_bounds_is_refused_through_the_api(client, rita_token, value):
    _refused(
        _api(client, "post", "/api/projects", rita_token, {**PROJECT, "reward": value}), "reward"
    )
    assert not Project.objects.exists()


@pytest.mark.parametrize("value", ["1e12", 1e12, "NaN", "0.0000001"])
def test_a_reward_change_out_of_bounds_is_refused(client, rita, rich_acme, rita_token, value):
    project = make_project(rich_acme, rita)
    response = _api(client, "patch", f"/api/projects/{project.pk}", rita_token, {"reward": value})
    _refused(response, "reward")
    project.refresh_from_db()
    assert project.reward == Decimal("0.05")


def test_the_project_pages_stay_up_after_a_refused_reward(client, rita, rich_acme, omar):
    make_project(rich_acme, rita)
    client.force_login(rita)
    page = client.post(
        reverse("projects:create"),
        {**PROJECT, "reward": "1000000000000", "currency": "USD", "overlap": 3, "time_limit_seconds": 600,
         "gold_rate": "0.1", "max_open_per_worker": 1, "order": "depth_first",
         "auto_approve_seconds": 3 * 86400, "single_choice-question": "OK?",
         "single_choice-labels": "ok|Acceptable\ngory|Gory"},
    )  # fmt: skip
    # Refused as a 400, beside the reward, naming it as the form labels it.
    assert page.status_code == 400
    assert (
        "“Reward per task” must be at most" in page.context["form"].errors.get("reward", [""])[0]
    ), page.context["form"].errors
    assert Project.objects.count() == 1
    assert client.get(reverse("projects:list")).status_code == 200
    omar.is_superuser = True  # every permission: only the admin's own rules stop him
    omar.save(update_fields=["is_superuser"])
    client.force_login(omar)
    assert client.get("/admin/projects/project/").status_code == 200


@pytest.mark.parametrize("value", ["1e12", "NaN", "Infinity", "0.0000001", "1000000000.01"])
def test_a_deposit_out_of_bounds_is_refused(client, rita_token, acme, settings, value):
    body = {"amount": value, "currency": "USD", "provider": "simulated", "request_key": "k"}
    _refused(_api(client, "post", "/api/money/deposits", rita_token, body), "amount")
    assert not Transaction.objects.exists()


@pytest.mark.parametrize("value", ["1e12", "NaN", "1000000000.01"])
def test_an_operator_deposit_out_of_bounds_is_refused_on_the_page(client, omar, acme, value):
    client.force_login(omar)
    page = client.post(
        reverse("ledger:operator_deposit"),
        {"organisation": acme.pk, "amount": value, "currency": "USD", "reference": "r1"},
        follow=True,
    )
    # The form again (a 400), naming the amount as the page labels it.
    assert page.status_code == 400
    assert any(str(m).startswith("“Amount received”") for m in page.context["messages"])
    assert not Transaction.objects.exists()


def _walt_with_a_method(rich_acme, rita, walt):
    project = make_project(rich_acme, rita)
    go_live(project, rita)
    answer(project, walt)
    return project, PayoutMethod.objects.create(
        user=walt, provider="simulated", label="MTN", details={"phone": "+2348012345678"}
    )


@pytest.mark.parametrize("value", ["1e12", "NaN", "0.0000001"])
def test_a_payout_out_of_bounds_is_refused(client, rich_acme, rita, walt, walt_token, value):
    _project, method = _walt_with_a_method(rich_acme, rita, walt)
    body = {"method_id": method.pk, "amount": value}
    _refused(_api(client, "post", "/api/money/payouts", walt_token, body), "amount")
    assert not Payout.objects.exists()


@pytest.mark.parametrize("value", ["1E+999999", "NaN", "1e12"])
def test_a_bonus_out_of_bounds_is_refused(client, rich_acme, rita, walt, rita_token, value):
    project, _method = _walt_with_a_method(rich_acme, rita, walt)
    body = {"worker_ids": [walt.pk], "amount": value, "message": "Thanks", "request_key": "b"}
    response = _api(client, "post", f"/api/projects/{project.pk}/bonuses", rita_token, body)
    _refused(response, "amount")


def test_a_balance_never_grows_past_the_column(rich_acme, omar):
    # Each deposit is within the bound; a thousand of them would not fit the column.
    account = ledger_account(
        kind=Account.Kind.REQUESTER_AVAILABLE, currency="USD", organisation=rich_acme
    )
    near_full = Decimal("999999999990")  # whole, so SQLite's REAL storage keeps it exact
    assert near_full + 20 > MAX_BALANCE
    Account.objects.filter(pk=account.pk).update(balance=near_full)
    with pytest.raises(ApplicationError) as caught:
        deposit_record(
            organisation=rich_acme, amount="20", currency="USD", reference="big", actor=omar
        )
    assert caught.value.code == "balance_limit"
    account.refresh_from_db()
    assert account.balance == near_full
