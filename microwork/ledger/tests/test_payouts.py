from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from microwork.ledger.models import Account, Payout, PayoutEvent, SimulatedTransfer, Transaction
from microwork.ledger.providers import get_provider
from microwork.ledger.services.accounts import in_flight_account, ledger_account
from microwork.ledger.services.check import ledger_check
from microwork.ledger.services.deposits import deposit_record
from microwork.ledger.services.payouts import (
    PAYOUT_CLAIM_TIMEOUT,
    _payout_claim,
    payout_mark_failed,
    payout_mark_sent,
    payout_method_add,
    payout_process,
    payout_redrive,
    payout_request,
    payouts_process_due,
)
from microwork.ledger.services.posting import ledger_transfer
from microwork.lib.errors import ApplicationError, Conflict

K = Account.Kind


@pytest.fixture
def walt_earned(walt, acme, omar):
    """Walt has 12.345678 USD available (as if approved work had paid him)."""
    deposit_record(organisation=acme, amount="100", currency="USD", reference="b", actor=omar)
    ledger_transfer(
        kind=Transaction.Kind.BONUS,
        idempotency_key="seed",
        source=ledger_account(kind=K.REQUESTER_AVAILABLE, currency="USD", organisation=acme),
        destination=ledger_account(kind=K.WORKER_AVAILABLE, currency="USD", user=walt),
        amount=Decimal("12.345678"),
    )
    return walt


def _available(user):
    return ledger_account(kind=K.WORKER_AVAILABLE, currency="USD", user=user).balance


def _method(user, provider="simulated", phone="+2348012345678"):
    return payout_method_add(user=user, provider=provider, label="", details={"phone": phone})


def test_simulated_payout_is_sent_and_recorded(walt_earned):
    method = _method(walt_earned)
    payout = payout_request(user=walt_earned, method=method, amount="12.34")
    assert payout.status == Payout.Status.REQUESTED
    assert _available(walt_earned) == Decimal("0.005678")  # below a cent stays available
    payout = payout_process(payout_id=payout.pk)
    assert payout.status == Payout.Status.PAID
    assert payout.provider_reference.startswith("SIM-")
    assert in_flight_account("USD").balance == 0
    assert list(payout.events.values_list("new_status", flat=True).order_by("pk")) == [
        "requested",
        "processing",
        "paid",
    ]
    assert ledger_check().ok


def test_processing_twice_sends_once(walt_earned):
    payout = payout_request(user=walt_earned, method=_method(walt_earned), amount="5.00")
    payout_process(payout_id=payout.pk)
    payout_process(payout_id=payout.pk)
    assert SimulatedTransfer.objects.count() == 1
    assert Transaction.objects.filter(kind=Transaction.Kind.PAYOUT_SENT).count() == 1


def test_a_failed_payout_returns_the_money(walt_earned):
    # The simulated provider refuses amounts ending in .13.
    payout = payout_request(user=walt_earned, method=_method(walt_earned), amount="2.13")
    payout = payout_process(payout_id=payout.pk)
    assert payout.status == Payout.Status.FAILED
    assert payout.failure_reason
    assert _available(walt_earned) == Decimal("12.345678")
    assert ledger_check().ok


def test_a_crash_after_the_provider_paid_is_finished_by_recovery(walt_earned, time_machine):
    time_machine.move_to("2026-03-02 10:00Z", tick=False)
    payout = payout_request(user=walt_earned, method=_method(walt_earned), amount="3.00")

    class Crash(Exception):
        pass

    def crash(_payout):
        raise Crash

    with pytest.raises(Crash):
        payout_process(payout_id=payout.pk, after_send=crash)
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PROCESSING
    # Too early: the claim might still belong to a live process.
    assert payouts_process_due() == 0
    time_machine.shift(PAYOUT_CLAIM_TIMEOUT.total_seconds() + 1)
    assert payouts_process_due() == 1
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PAID
    assert payout.attempts == 2
    assert SimulatedTransfer.objects.count() == 1
    assert ledger_check().ok


def test_manual_payout_waits_for_an_operator(walt_earned, omar):
    method = _method(walt_earned, provider="manual")
    payout = payout_request(user=walt_earned, method=method, amount="10.00")
    assert payouts_process_due() == 0
    with pytest.raises(ApplicationError) as exc:
        payout_mark_sent(payout=payout, reference=" ", actor=omar)
    assert exc.value.field == "reference"
    payout = payout_mark_sent(payout=payout, reference="MPESA-991", actor=omar)
    assert payout.status == Payout.Status.PAID
    # A second click on "mark sent" changes nothing.
    payout_mark_sent(payout=payout, reference="MPESA-991", actor=omar)
    assert Transaction.objects.filter(kind=Transaction.Kind.PAYOUT_SENT).count() == 1
    with pytest.raises(ApplicationError):
        payout_mark_failed(payout=payout, reason="oops", actor=omar)
    event = PayoutEvent.objects.get(payout=payout, actor=omar)
    assert (event.old_status, event.new_status, event.note) == ("requested", "paid", "MPESA-991")
    assert ledger_check().ok


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("0.50", "below_minimum"),
        ("12.35", "insufficient_funds"),
        ("1.005", "invalid_amount"),
        ("-1", "invalid_amount"),
        ("0", "invalid_amount"),
    ],
)
def test_bad_payout_requests_change_nothing(walt_earned, amount, code):
    method = _method(walt_earned)
    with pytest.raises(ApplicationError) as exc:
        payout_request(user=walt_earned, method=method, amount=amount)
    assert exc.value.code == code
    assert exc.value.field == "amount"
    assert Payout.objects.count() == 0
    assert _available(walt_earned) == Decimal("12.345678")


def test_a_retried_payout_request_counts_once(walt_earned):
    method = _method(walt_earned)
    first = payout_request(user=walt_earned, method=method, amount="4", request_key="t1")
    again = payout_request(user=walt_earned, method=method, amount="4", request_key="t1")
    assert first.pk == again.pk
    assert _available(walt_earned) == Decimal("8.345678")


def test_a_payout_request_key_reused_with_another_amount_is_refused(walt_earned, client):
    method = _method(walt_earned)
    first = payout_request(user=walt_earned, method=method, amount="4", request_key="t1")
    events, transactions = PayoutEvent.objects.count(), Transaction.objects.count()
    with pytest.raises(Conflict) as exc:
        payout_request(user=walt_earned, method=method, amount="5", request_key="t1")
    assert (exc.value.code, exc.value.field) == ("idempotency_conflict", "request_key")
    assert "4.00 USD" in exc.value.message
    other = _method(walt_earned, phone="+2348011111111")
    with pytest.raises(Conflict):
        payout_request(user=walt_earned, method=other, amount="4", request_key="t1")
    assert list(Payout.objects.values_list("pk", flat=True)) == [first.pk]
    assert (PayoutEvent.objects.count(), Transaction.objects.count()) == (events, transactions)
    assert _available(walt_earned) == Decimal("8.345678")


def test_a_reused_payout_request_key_is_a_409_through_the_api(walt_earned, client):
    from microwork.accounts.services import api_token_create

    method = _method(walt_earned)
    _token, key = api_token_create(user=walt_earned, name="phone")
    headers = {"Authorization": f"Bearer {key}"}

    def ask(amount):
        return client.post(
            "/api/money/payouts",
            {"method_id": method.pk, "amount": amount, "request_key": "tap-1"},
            content_type="application/json",
            headers=headers,
        )

    assert ask("2.00").status_code == 201
    assert ask("2").status_code == 201
    r = ask("3.00")
    assert r.status_code == 409
    assert r.json()["field"] == "request_key"
    assert Payout.objects.count() == 1


def test_nobody_pays_out_through_another_workers_method(walt_earned, nina):
    # Nina's number must never receive Walt's money.
    ninas = _method(nina, phone="+261341234567")
    with pytest.raises(ApplicationError) as exc:
        payout_request(user=walt_earned, method=ninas, amount="2")
    assert exc.value.field == "method"


def test_phone_numbers_are_checked(walt):
    with pytest.raises(ApplicationError) as exc:
        _method(walt, phone="0801")
    assert exc.value.field == "phone"


def test_two_workers_may_use_the_same_retry_token(walt_earned, nina, acme):
    # Nina's app happens to pick the token Walt's app used; her request is her own.
    ledger_transfer(
        kind=Transaction.Kind.BONUS,
        idempotency_key="seed-nina",
        source=ledger_account(kind=K.REQUESTER_AVAILABLE, currency="USD", organisation=acme),
        destination=ledger_account(kind=K.WORKER_AVAILABLE, currency="USD", user=nina),
        amount=Decimal("3"),
    )
    mine = payout_request(
        user=walt_earned, method=_method(walt_earned), amount="2", request_key="same"
    )
    hers = payout_request(
        user=nina, method=_method(nina, phone="+261341234567"), amount="2", request_key="same"
    )
    assert mine.pk != hers.pk
    assert (mine.user, hers.user) == (walt_earned, nina)


# --- who settles a payout ----------------------------------------------------------------


def _processing(user, provider="simulated"):
    """A payout its provider is still working on: claimed, not yet answered."""
    payout = payout_request(user=user, method=_method(user, provider=provider), amount="3")
    _payout_claim(payout.pk, timezone.now(), PAYOUT_CLAIM_TIMEOUT)
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PROCESSING
    return payout


@pytest.mark.parametrize("outcome", ["sent", "failed"])
def test_an_operator_cannot_settle_an_automatic_payout(walt_earned, omar, outcome):
    # The simulated provider may already have sent it: marking it failed would return money
    # that has left, so the worker would be paid twice.
    payout = _processing(walt_earned)
    transactions = Transaction.objects.count()
    with pytest.raises(Conflict) as exc:
        if outcome == "sent":
            payout_mark_sent(payout=payout, reference="X", actor=omar)
        else:
            payout_mark_failed(payout=payout, reason="stuck", actor=omar)
    assert exc.value.code == "settled_by_provider"
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PROCESSING
    assert Transaction.objects.count() == transactions
    assert _available(walt_earned) == Decimal("9.345678")


def test_an_operator_can_ask_the_provider_again_about_a_stuck_payout(walt_earned, omar):
    payout = _processing(walt_earned)
    payout = payout_redrive(payout=payout, actor=omar)
    assert payout.status == Payout.Status.PAID
    assert SimulatedTransfer.objects.count() == 1
    # Asking again once it is settled changes nothing.
    payout_redrive(payout=payout, actor=omar)
    assert SimulatedTransfer.objects.count() == 1
    assert Transaction.objects.filter(kind=Transaction.Kind.PAYOUT_SENT).count() == 1
    assert ledger_check().ok


def test_a_manual_payout_cannot_be_redriven_it_waits_for_an_operator(walt_earned, omar):
    payout = payout_request(
        user=walt_earned, method=_method(walt_earned, provider="manual"), amount="3"
    )
    with pytest.raises(Conflict) as exc:
        payout_redrive(payout=payout, actor=omar)
    assert exc.value.code == "settled_by_operator"


def test_the_operator_page_refuses_to_fail_an_automatic_payout(client, walt_earned, omar):
    from django.urls import reverse

    payout = _processing(walt_earned)
    client.force_login(omar)
    page = client.get(reverse("ledger:operator_payouts")).content.decode()
    assert "Ask the provider again" in page
    r = client.post(
        reverse("ledger:operator_payout_finish", args=[payout.pk]),
        {"outcome": "failed", "reason": "stuck"},
        follow=True,
    )
    assert "settled by its provider" in r.content.decode()
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PROCESSING
    r = client.post(
        reverse("ledger:operator_payout_finish", args=[payout.pk]), {"outcome": "retry"}
    )
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PAID


def test_a_payout_method_reads_its_name_once(walt_earned, client):
    plain = _method(walt_earned)
    named = payout_method_add(
        user=walt_earned, provider="simulated", label="My MTN", details={"phone": "+2348011112222"}
    )
    client.force_login(walt_earned)
    for url in (reverse("ledger:payouts"), reverse("payments:worker")):
        html = client.get(url).content.decode()
        provider = str(get_provider("simulated").label)
        assert f"{provider} …5678" in html
        assert f"{provider} — {provider}" not in html and f"{provider} {provider}" not in html
        assert f"My MTN — {provider} …2222" in html, url
    assert plain.label == str(get_provider("simulated").label)
    assert named.label == "My MTN"


def test_a_refused_manual_payout_form_keeps_what_was_typed_on_the_list(client, walt_earned, omar):
    from django.urls import reverse

    payout = payout_request(
        user=walt_earned, method=_method(walt_earned, provider="manual"), amount="3"
    )
    client.force_login(omar)
    r = client.post(
        reverse("ledger:operator_payout_finish", args=[payout.pk]),
        {"outcome": "sent", "payout": payout.pk, "reference": "   "},
        follow=True,
    )
    page = r.content.decode()
    assert "Enter the transfer reference." in page
    assert 'value="   " aria-invalid="true"' in page
    payout.refresh_from_db()
    assert payout.status != Payout.Status.PAID
    # Shown once: the next visit is a fresh form.
    assert "aria-invalid" not in client.get(reverse("ledger:operator_payouts")).content.decode()
