"""The books check run on the clock: its result is kept and logged, so an operator sees a
mismatch without reading a terminal."""

import logging
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from microwork.ledger.models import Account, LedgerCheckRun
from microwork.ledger.services.check import ledger_check_record
from microwork.ledger.services.deposits import deposit_record
from microwork.ledger.tasks import ledger_check_task

K = Account.Kind


def _break_a_cached_balance(acme, omar):
    deposit_record(organisation=acme, amount="10", currency="USD", reference="b", actor=omar)
    # A cached balance that no longer equals its entries: what the check exists to catch.
    Account.objects.filter(kind=K.REQUESTER_AVAILABLE).update(balance=Decimal("11"))


def test_a_mismatch_is_recorded_logged_and_shown_to_operators(acme, omar, client, caplog):
    _break_a_cached_balance(acme, omar)
    with caplog.at_level(logging.ERROR, logger="microwork.ledger.services.check"):
        assert ledger_check_task.call() is False
    run = LedgerCheckRun.objects.get()
    assert not run.ok and run.problem_count == 1
    assert "caches 11" in run.problems[0]
    assert any("ledger check found 1 problem" in r.getMessage() for r in caplog.records)
    client.force_login(omar)
    page = client.get(reverse("ledger:operator_payouts")).content.decode()
    assert "The books check" in page and "found 1 problem" in page


def test_a_clean_check_is_recorded_and_shows_no_warning(acme, omar, client):
    deposit_record(organisation=acme, amount="10", currency="USD", reference="b", actor=omar)
    assert ledger_check_task.call() is True
    run = LedgerCheckRun.objects.get()
    assert run.ok and run.transactions == 1 and run.totals == {"USD": "0.000000"}
    client.force_login(omar)
    assert "The books check" not in client.get(reverse("ledger:operator_payouts")).content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_check_reads_one_snapshot_outside_a_transaction(rita, omar):
    # The clock's worker runs it in autocommit: it opens its own read transaction.
    from microwork.accounts.access import access_organisation_for_requester

    deposit_record(
        organisation=access_organisation_for_requester(user=rita),
        amount="10",
        currency="USD",
        reference="b",
        actor=omar,
    )
    assert not connection.in_atomic_block
    run = ledger_check_record()
    assert run.ok, run.problems
    assert not connection.in_atomic_block
