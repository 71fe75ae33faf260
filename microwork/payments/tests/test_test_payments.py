"""Paid qualification tests and training, through the quality app's real path: the project's
hourly rate (never under the floor, in the project's currency) for the measured active time,
capped at twice the test's estimate."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from microwork.ledger.models import Account, ExchangeRate, Transaction
from microwork.payments.services import accounts as payments_accounts
from microwork.payments.tests.conftest import add_tasks, balance, go_live, make_project
from microwork.projects.models import Task
from microwork.quality.services import exams

K = Account.Kind


def _take_test(project, worker, *, questions, active_ms_each, seconds_each):
    gold = Task.objects.filter(project=project, is_gold=True)
    test = exams.qualification_test_create(
        project=project,
        name="Moderation test",
        task_ids=[t.pk for t in gold],
        question_count=questions,
        pass_mark="0",
    )
    start = timezone.now()
    attempt = exams.test_attempt_start(test=test, worker=worker, now=start)
    for position in range(1, questions + 1):
        exams.test_answer_submit(
            attempt=attempt,
            position=position,
            answer="ok",
            active_ms=active_ms_each,
            now=start + timedelta(seconds=seconds_each * position),
        )
    attempt.refresh_from_db()
    return attempt


def test_a_slow_test_is_paid_at_most_twice_its_estimate(rich_acme, rita, walt):
    # 0.05 USD for 20 s a task is 9.00 an hour; a 2-question test is estimated at 40 s.
    project = make_project(rich_acme, rita, tasks=4, reward="0.05", seconds=20, overlap=1)
    add_tasks(project, rita, 0, gold=2)
    go_live(project, rita)

    # Ten minutes on the test: 1.50 USD uncapped; the cap of 80 s pays 0.20.
    attempt = _take_test(project, walt, questions=2, active_ms_each=300_000, seconds_each=300)

    assert attempt.active_ms == 600_000
    assert attempt.payment.amount == Decimal("0.200000")
    assert attempt.payment.booked
    assert balance(payments_accounts.worker_account(walt, K.WORKER_AVAILABLE, "USD")) == Decimal(
        "0.20"
    )
    tx = Transaction.objects.get(kind=Transaction.Kind.TEST_PAYMENT)
    assert (tx.metadata["active_ms"], tx.metadata["paid_ms"]) == (600_000, 80_000)


def test_a_test_within_its_estimate_is_paid_for_all_its_time(rich_acme, rita, walt):
    project = make_project(rich_acme, rita, tasks=4, reward="0.05", seconds=20, overlap=1)
    add_tasks(project, rita, 0, gold=2)
    go_live(project, rita)

    attempt = _take_test(project, walt, questions=2, active_ms_each=30_000, seconds_each=40)

    assert attempt.payment.amount == Decimal("0.150000")  # 60 s at 9.00 an hour
    assert balance(payments_accounts.worker_account(walt, K.WORKER_AVAILABLE, "USD")) == Decimal(
        "0.15"
    )


def test_a_test_in_another_currency_is_paid_at_least_the_converted_floor(acme, rita, walt, omar):
    from microwork.ledger.services.deposits import deposit_record

    deposit_record(organisation=acme, amount="50", currency="EUR", reference="e", actor=omar)
    ExchangeRate.objects.create(base="USD", currency="EUR", rate=Decimal("0.90"))  # floor 7.20
    # 0.045 EUR for 20 s is 8.10 EUR an hour: above the floor when it went live.
    project = make_project(
        acme, rita, tasks=4, reward="0.045", seconds=20, overlap=1, currency="EUR"
    )
    add_tasks(project, rita, 0, gold=1)
    go_live(project, rita)
    # The euro weakens: the 8.00 USD floor is now 8.40 EUR, above the project's own rate.
    ExchangeRate.objects.filter(currency="EUR").update(rate=Decimal("1.05"))

    attempt = _take_test(project, walt, questions=1, active_ms_each=20_000, seconds_each=20)

    # 20 s at 8.40 EUR an hour, not at the project's 8.10 nor at "8.00" read as euros.
    assert attempt.payment.amount == Decimal("0.046667")
    assert attempt.payment.currency == "EUR"
    assert balance(payments_accounts.worker_account(walt, K.WORKER_AVAILABLE, "EUR")) == Decimal(
        "0.046667"
    )
