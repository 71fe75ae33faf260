from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, transaction

from microwork.ledger.models import Account, Entry, Transaction
from microwork.ledger.services.accounts import (
    AccountSpec,
    ledger_account,
    ledger_accounts,
    world_account,
)
from microwork.ledger.services.check import ledger_check
from microwork.ledger.services.deposits import deposit_record, deposit_request
from microwork.ledger.services.posting import (
    InsufficientFunds,
    _clean_leg_amount,
    fee_for,
    ledger_post,
    ledger_transfer,
)
from microwork.lib.errors import ApplicationError, Conflict

K = Account.Kind
T = Transaction.Kind


def _funded(acme, omar, amount="50.00", currency="USD", reference="bank-1"):
    deposit_record(
        organisation=acme, amount=amount, currency=currency, reference=reference, actor=omar
    )
    return ledger_account(kind=K.REQUESTER_AVAILABLE, currency=currency, organisation=acme)


def test_deposit_moves_money_from_the_world_and_the_books_balance(acme, omar):
    available = _funded(acme, omar)
    assert available.balance == Decimal("50.00")
    assert world_account("USD").balance == Decimal("-50.00")
    report = ledger_check()
    assert report.ok, report.problems
    assert report.totals == {"USD": Decimal(0)}


def test_recording_the_same_deposit_twice_adds_it_once(acme, omar):
    _funded(acme, omar)
    available = _funded(acme, omar)
    assert available.balance == Decimal("50.00")
    assert Transaction.objects.filter(kind=T.DEPOSIT).count() == 1


def test_same_key_with_another_amount_is_refused_and_writes_nothing(acme, omar):
    _funded(acme, omar)
    entries = Entry.objects.count()
    with pytest.raises(Conflict) as exc:
        _funded(acme, omar, amount="60.00")
    assert exc.value.field == "idempotency_key"
    assert Entry.objects.count() == entries
    assert ledger_check().ok


@pytest.mark.parametrize("amount", ["0", "-5", "abc", "0.0000001", "NaN"])
def test_bad_deposit_amounts_are_refused_naming_the_field(acme, omar, amount):
    with pytest.raises(ApplicationError) as exc:
        deposit_record(organisation=acme, amount=amount, currency="USD", reference="r", actor=omar)
    assert exc.value.field == "amount"
    assert Entry.objects.count() == 0


def test_unknown_currency_is_refused(acme, omar):
    with pytest.raises(ApplicationError) as exc:
        deposit_record(organisation=acme, amount="5", currency="XXX", reference="r", actor=omar)
    assert exc.value.field == "currency"


def test_only_operators_record_deposits(acme, rita):
    # Rita cannot credit her own organisation.
    with pytest.raises(ApplicationError):
        deposit_record(organisation=acme, amount="5", currency="USD", reference="r", actor=rita)
    assert Entry.objects.count() == 0


def test_a_movement_between_currencies_is_refused(acme, omar, walt):
    available = _funded(acme, omar)
    eur = ledger_account(kind=K.WORKER_AVAILABLE, currency="EUR", user=walt)
    with pytest.raises(ApplicationError) as exc:
        ledger_transfer(
            kind=T.BONUS, idempotency_key="x", source=available, destination=eur, amount=Decimal(1)
        )
    assert exc.value.code == "currency_mismatch"
    with pytest.raises(ApplicationError) as exc:
        ledger_post(
            kind=T.BONUS,
            idempotency_key="y",
            legs=[(available, Decimal(-1)), (eur, Decimal(1))],
        )
    assert exc.value.code == "currency_mismatch"
    assert Transaction.objects.count() == 1


def test_unbalanced_legs_are_refused(acme, omar, walt):
    available = _funded(acme, omar)
    worker = ledger_account(kind=K.WORKER_AVAILABLE, currency="USD", user=walt)
    with pytest.raises(ApplicationError) as exc:
        ledger_post(
            kind=T.BONUS, idempotency_key="z", legs=[(available, Decimal(-1)), (worker, Decimal(2))]
        )
    assert exc.value.code == "unbalanced"


def test_floats_are_refused(acme, omar, walt):
    available = _funded(acme, omar)
    worker = ledger_account(kind=K.WORKER_AVAILABLE, currency="USD", user=walt)
    with pytest.raises(ApplicationError):
        ledger_transfer(
            kind=T.BONUS, idempotency_key="f", source=available, destination=worker, amount=0.1
        )


def test_no_account_but_the_world_goes_below_zero(acme, omar, walt):
    available = _funded(acme, omar, amount="1.00")
    worker = ledger_account(kind=K.WORKER_AVAILABLE, currency="USD", user=walt)
    with pytest.raises(InsufficientFunds) as exc:
        ledger_transfer(
            kind=T.BONUS,
            idempotency_key="big",
            source=available,
            destination=worker,
            amount=Decimal("1.25"),
        )
    assert exc.value.shortfall == Decimal("0.25")
    assert "0.25 USD" in exc.value.message
    assert Transaction.objects.filter(idempotency_key="big").count() == 0


def test_the_database_refuses_a_negative_balance_even_past_the_service(acme, omar):
    available = _funded(acme, omar)
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=available.pk).update(balance=Decimal(-1))


def test_entries_cannot_be_changed(acme, omar):
    _funded(acme, omar)
    with pytest.raises(DatabaseError), transaction.atomic():
        Entry.objects.update(amount=Decimal(1000))
    with pytest.raises(DatabaseError), transaction.atomic():
        Transaction.objects.update(memo="rewritten")


def test_ledger_check_finds_a_cached_balance_that_drifted(acme, omar):
    available = _funded(acme, omar)
    Account.objects.filter(pk=available.pk).update(balance=Decimal("49.00"))
    report = ledger_check()
    assert not report.ok
    assert any("caches 49" in p for p in report.problems)


def test_ledger_check_command_fails_on_problems(acme, omar):
    from django.core.management import CommandError, call_command

    available = _funded(acme, omar)
    call_command("ledger_check")
    Account.objects.filter(pk=available.pk).update(balance=Decimal("1"))
    with pytest.raises(CommandError):
        call_command("ledger_check")


@pytest.mark.parametrize(
    ("amount", "fee"),
    [
        ("0.05", "0.010000"),
        ("0.004", "0.000800"),
        ("0.0000025", None),  # more than six places: refused before any fee
        ("0.000003", "0.000001"),  # 0.0000006 rounds half-up to 0.000001
        ("0.0000025", None),
        ("0.000002", "0.000000"),  # 0.0000004 rounds down: no fee
        ("1.234567", "0.246913"),
    ],
)
def test_fees_are_rounded_half_up_to_six_places(amount, fee):
    if fee is None:
        with pytest.raises(ApplicationError):
            _clean_leg_amount(Decimal(amount))
        return
    assert fee_for(Decimal(amount)) == Decimal(fee)


def test_simulated_deposit_is_idempotent_on_its_form_key(acme, rita):
    for _ in range(2):
        deposit_request(
            organisation=acme,
            amount="20",
            currency="USD",
            provider="simulated",
            actor=rita,
            request_key="k1",
        )
    account = ledger_account(kind=K.REQUESTER_AVAILABLE, currency="USD", organisation=acme)
    assert account.balance == Decimal(20)


def test_simulated_deposit_is_off_unless_enabled(acme, rita, settings):
    settings.SIMULATED_PAYMENTS = False
    with pytest.raises(ApplicationError):
        deposit_request(
            organisation=acme,
            amount="20",
            currency="USD",
            provider="simulated",
            actor=rita,
            request_key="k1",
        )


def test_a_draw_takes_from_the_first_account_then_the_next(acme, omar, walt):
    available = _funded(acme, omar, amount="10")
    escrow = ledger_account(
        kind=K.REQUESTER_ESCROW, currency="USD", organisation=acme, project_id=7
    )
    ledger_transfer(
        kind=T.ESCROW_FUND, idempotency_key="fund", source=available, destination=escrow,
        amount=Decimal("0.30"),
    )  # fmt: skip
    worker = ledger_account(kind=K.WORKER_AVAILABLE, currency="USD", user=walt)

    def pay(key, amount):
        return ledger_post(
            kind=T.TEST_PAYMENT,
            idempotency_key=key,
            draw=([escrow, available], Decimal(amount)),
            legs=[(worker, Decimal(amount))],
        )

    tx = pay("t1", "0.50")
    amounts = {e.account_id: e.amount for e in tx.entries.all()}
    assert amounts == {
        escrow.pk: Decimal("-0.30"),
        available.pk: Decimal("-0.20"),
        worker.pk: Decimal("0.50"),
    }
    # A replay after the balances changed is still the same movement.
    assert pay("t1", "0.50").pk == tx.pk
    with pytest.raises(Conflict):
        pay("t1", "0.40")
    with pytest.raises(InsufficientFunds) as exc:
        pay("t2", "20")
    assert exc.value.shortfall == Decimal("10.50")
    assert ledger_check().ok


def test_a_posting_reports_the_balances_it_left_and_they_are_the_stored_ones(acme, omar, walt):
    available = _funded(acme, omar, amount="10.00")
    escrow = ledger_account(
        kind=K.REQUESTER_ESCROW, currency="USD", organisation=acme, project_id=7
    )
    pending = ledger_account(kind=K.WORKER_PENDING, currency="USD", user=walt)
    ledger_transfer(
        kind=T.ESCROW_FUND,
        idempotency_key="fund",
        source=available,
        destination=escrow,
        amount=Decimal("0.02"),
    )
    # 0.05 drawn: the escrow's 0.02, then 0.03 from available funds.
    tx = ledger_post(
        kind=T.EARNING,
        idempotency_key="earn",
        draw=([escrow, available], Decimal("0.05")),
        legs=[(pending, Decimal("0.05"))],
    )
    stored = dict(
        Account.objects.filter(pk__in=[escrow.pk, available.pk, pending.pk]).values_list(
            "pk", "balance"
        )
    )
    assert tx.balances == stored
    assert stored == {escrow.pk: 0, available.pk: Decimal("9.95"), pending.pk: Decimal("0.05")}
    assert ledger_check().ok
    replay = ledger_post(
        kind=T.EARNING,
        idempotency_key="earn",
        draw=([escrow, available], Decimal("0.05")),
        legs=[(pending, Decimal("0.05"))],
    )
    # A replay moves nothing, so it has no balances of its own to report.
    assert replay.pk == tx.pk and replay.balances is None
    assert Account.objects.get(pk=available.pk).balance == Decimal("9.95")


def test_several_existing_accounts_are_found_in_one_query(acme, walt, django_assert_num_queries):
    spec = AccountSpec
    wanted = [
        spec(K.WORKER_PENDING, "USD", user=walt),
        spec(K.REQUESTER_AVAILABLE, "USD", organisation=acme),
        spec(K.REQUESTER_ESCROW, "USD", organisation=acme, project_id=3),
    ]
    made = ledger_accounts(specs=wanted)
    assert [a.kind for a in made] == [K.WORKER_PENDING, K.REQUESTER_AVAILABLE, K.REQUESTER_ESCROW]
    assert made[2].project_id == 3 and made[0].user_id == walt.pk
    with django_assert_num_queries(1):
        again = ledger_accounts(specs=list(reversed(wanted)))
    assert [a.pk for a in again] == [a.pk for a in reversed(made)]
    with pytest.raises(ValueError):
        ledger_accounts(specs=[spec(K.WORKER_PENDING, "USD")])
