"""Two processes racing on the same money: each thread has its own database connection, as
two web workers would."""

import threading
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection

from microwork.accounts.access import access_organisation_for_requester
from microwork.ledger.models import Account, SimulatedTransfer, Transaction
from microwork.ledger.services.accounts import ledger_account
from microwork.ledger.services.check import ledger_check
from microwork.ledger.services.deposits import deposit_record
from microwork.ledger.services.payouts import payout_method_add, payout_process, payout_request
from microwork.ledger.services.posting import ledger_transfer
from microwork.payments.services import earnings as payments_earnings
from microwork.payments.tests.conftest import answer, go_live, make_project

pytestmark = pytest.mark.django_db(transaction=True)


def _race(n, fn):
    barrier = threading.Barrier(n)
    results, errors = [], []

    def run(i):
        try:
            barrier.wait()
            results.append(fn(i))
        except Exception as exc:  # noqa: BLE001 - collected and asserted on below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results, errors


def test_racing_approvals_of_the_same_answer_pay_once(rita, omar, walt):
    acme = access_organisation_for_requester(user=rita)
    deposit_record(organisation=acme, amount="10", currency="USD", reference="r", actor=omar)
    project = make_project(acme, rita, tasks=4)
    go_live(project, rita)
    subs = [answer(project, walt) for _ in range(4)]

    results, errors = _race(
        8, lambda i: payments_earnings.earning_approve(submission=subs[i % 4], actor=rita)
    )
    assert not errors, errors
    assert Counter(results) == {True: 4, False: 4}
    paid = Counter(
        Transaction.objects.filter(kind=Transaction.Kind.APPROVAL).values_list(
            "submission_id", flat=True
        )
    )
    assert paid == {s.pk: 1 for s in subs}
    report = ledger_check()
    assert report.ok, report.problems


def test_racing_payout_senders_send_once(walt, rita, omar):
    acme = access_organisation_for_requester(user=rita)
    deposit_record(organisation=acme, amount="10", currency="USD", reference="r", actor=omar)
    ledger_transfer(
        kind=Transaction.Kind.BONUS,
        idempotency_key="seed",
        source=ledger_account(
            kind=Account.Kind.REQUESTER_AVAILABLE, currency="USD", organisation=acme
        ),
        destination=ledger_account(kind=Account.Kind.WORKER_AVAILABLE, currency="USD", user=walt),
        amount=Decimal("5"),
    )
    method = payout_method_add(
        user=walt, provider="simulated", label="", details={"phone": "+2348012345678"}
    )
    payout = payout_request(user=walt, method=method, amount="4.00")

    _results, errors = _race(4, lambda i: payout_process(payout_id=payout.pk))
    assert not errors, errors
    payout.refresh_from_db()
    assert payout.status == "paid"
    assert payout.attempts == 1
    assert SimulatedTransfer.objects.count() == 1
    assert Transaction.objects.filter(kind=Transaction.Kind.PAYOUT_SENT).count() == 1
    report = ledger_check()
    assert report.ok, report.problems
