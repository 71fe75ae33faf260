"""Bonuses: only to workers who did the requester's work, once per request key, within the
requester's funds."""

from decimal import Decimal

import pytest

from microwork.ledger.models import Account, Transaction
from microwork.ledger.services.check import ledger_check
from microwork.lib.errors import ApplicationError
from microwork.payments.services import accounts as payments_accounts
from microwork.payments.tests.conftest import (  # noqa: F401 - _money_settings is a fixture
    _money_settings,
    answer,
    balance,
    go_live,
    make_project,
)
from microwork.review import services as review_services

K = Account.Kind


def _ok():
    report = ledger_check()
    assert report.ok, report.problems


def test_bonuses_go_only_to_workers_who_did_the_requesters_work(rich_acme, rita, walt, nina):
    project = make_project(rich_acme, rita)
    go_live(project, rita)
    answer(project, walt)
    # Nina never worked for Acme: nobody is paid, not even Walt.
    with pytest.raises(ApplicationError) as exc:
        review_services.bonus_pay(
            organisation=rich_acme,
            actor=rita,
            workers=[walt, nina],
            amount="1.00",
            message="Thanks!",
            request_key="b1",
        )
    assert exc.value.code == "not_your_worker"
    assert "nina" in exc.value.message
    assert not Transaction.objects.filter(kind=Transaction.Kind.BONUS).exists()
    for _ in range(2):
        review_services.bonus_pay(
            organisation=rich_acme,
            actor=rita,
            workers=[walt],
            amount="1.00",
            message="Great accuracy this week",
            request_key="b2",
        )
    assert balance(payments_accounts.worker_account(walt, K.WORKER_AVAILABLE, "USD")) == Decimal(
        "1.00"
    )
    bonus = Transaction.objects.get(kind=Transaction.Kind.BONUS)
    assert bonus.metadata["message"] == "Great accuracy this week"
    with pytest.raises(ApplicationError) as exc:
        review_services.bonus_pay(
            organisation=rich_acme,
            actor=rita,
            workers=[walt],
            amount="500",
            message="Too much",
            request_key="b3",
        )
    assert exc.value.code == "insufficient_funds"
    _ok()


@pytest.mark.parametrize("amount", ["0", "-1", "x"])
def test_bad_bonus_amounts_are_refused(rich_acme, rita, walt, amount):
    with pytest.raises(ApplicationError) as exc:
        review_services.bonus_pay(
            organisation=rich_acme,
            actor=rita,
            workers=[walt],
            amount=amount,
            message="m",
            request_key="k",
        )
    assert exc.value.field == "amount"
