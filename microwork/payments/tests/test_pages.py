import re
from decimal import Decimal

from django.urls import reverse

from microwork.inbox.models import Notification
from microwork.ledger.models import Account, ExchangeRate, Payout
from microwork.ledger.services.accounts import ledger_account
from microwork.ledger.services.check import ledger_check
from microwork.payments import selectors
from microwork.payments.services import bonuses as payments_bonuses
from microwork.payments.services import earnings as payments_earnings
from microwork.payments.services import floor as payments_floor
from microwork.payments.tests.conftest import answer, go_live, make_project
from microwork.review import services as review_services

K = Account.Kind


def test_worker_sees_pending_available_real_hourly_rate_and_chart(client, walt, walt_worked):
    ExchangeRate.objects.create(base="USD", currency="NGN", rate=Decimal("1500"))
    client.force_login(walt)
    page = client.get(reverse("payments:worker"))
    assert page.status_code == 200
    html = page.content.decode()
    assert re.search(r'id="pending">0\.05 USD', html)
    assert re.search(r'id="available">0\.15 USD', html)
    # 0.20 earned over 60 s on screen = 12.00 an hour.
    assert re.search(r'id="hourly">12\.00 USD/h', html)
    assert html.count("<rect") == 8
    assert "Estimate in NGN" in html and "225" in html  # 0.15 × 1500
    assert "<script" not in html


def test_worker_statement_is_a_csv_with_running_balances(client, walt, walt_worked):
    client.force_login(walt)
    response = client.get(reverse("ledger:worker_statement"))
    assert response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode().strip().splitlines()
    assert lines[0].startswith("date_utc,")
    assert len(lines) == 1 + 4 + 3 * 2  # four earnings, three approvals of two legs each


def test_worker_requests_a_payout_that_an_operator_completes(
    client, walt, omar, rich_acme, rita, walt_worked
):
    project, _subs = walt_worked
    review_services.bonus_pay(
        organisation=rich_acme,
        actor=rita,
        workers=[walt],
        amount="2.00",
        message="Thanks",
        request_key="x",
    )
    client.force_login(walt)
    client.post(
        reverse("ledger:payout_method_add"),
        {"provider": "manual", "phone": "+234 801 234 5678", "label": "MTN"},
    )
    method = walt.payout_methods.get()
    key = "form-1"
    for _ in range(2):  # a double tap asks once
        client.post(
            reverse("ledger:payout_request"),
            {"method": method.pk, "amount": "2.15", "currency": "USD", "request_key": key},
        )
    payout = Payout.objects.get()
    assert (payout.amount, payout.status) == (Decimal("2.15"), "requested")

    # Walt is not an operator.
    assert client.get(reverse("ledger:operator_payouts")).status_code == 403
    client.force_login(omar)
    assert f"#{payout.pk}" in client.get(reverse("ledger:operator_payouts")).content.decode()
    client.post(
        reverse("ledger:operator_payout_finish", args=[payout.pk]),
        {"outcome": "sent", "reference": "MTN-7781"},
    )
    payout.refresh_from_db()
    assert (payout.status, payout.provider_reference) == ("paid", "MTN-7781")
    client.force_login(walt)
    html = client.get(reverse("payments:worker")).content.decode()
    assert re.search(r'id="paid">2\.15 USD', html)
    report = ledger_check()
    assert report.ok, report.problems


def test_requester_billing_shows_escrow_spend_and_fees(client, rita, walt_worked):
    client.force_login(rita)
    html = client.get(reverse("payments:billing")).content.decode()
    assert "Image moderation" in html
    assert "0.15" in html  # paid to workers
    assert "0.03" in html  # fees on three approvals
    statement = client.get(reverse("payments:requester_statement"))
    assert b"".join(statement.streaming_content).count(b"\n") >= 3


def test_pages_need_the_right_role(client, walt, rita):
    client.force_login(rita)
    assert client.get(reverse("payments:worker")).status_code == 403
    client.force_login(walt)
    assert client.get(reverse("payments:billing")).status_code == 403


def test_operator_records_a_deposit_once(client, omar, acme):
    client.force_login(omar)
    for _ in range(2):
        client.post(
            reverse("ledger:operator_deposit"),
            {"organisation": acme.pk, "amount": "250", "currency": "USD", "reference": "WIRE-1"},
        )
    account = ledger_account(kind=K.REQUESTER_AVAILABLE, currency="USD", organisation=acme)
    assert account.balance == Decimal("250")


def test_the_real_hourly_rate_counts_each_pay_over_the_time_it_paid_for(
    client, walt, rich_acme, rita
):
    # 0.05 USD a task; Walt spends 30 s on each of four answers.
    project = make_project(rich_acme, rita, tasks=10, reward="0.05", seconds=20)
    go_live(project, rita)
    subs = [answer(project, walt, active_ms=30_000) for _ in range(4)]
    for sub in subs[:2]:
        payments_earnings.earning_approve(submission=sub, actor=rita)
    payments_earnings.earning_reject(submission=subs[2], actor=rita, reason="spam")
    review_services.bonus_pay(
        organisation=rich_acme,
        actor=rita,
        workers=[walt],
        amount="0.10",
        message="Careful work",
        request_key="b1",
        project=project,
    )
    # A paid test: 60 s at the project's 9.00 an hour is 0.15.
    payments_bonuses.test_payment_record(
        project=project,
        worker=walt,
        active_ms=60_000,
        estimated_ms=40_000,
        kind="qualification",
        reference="t1",
    )

    [row] = selectors.worker_project_earnings(user=walt)
    # Answers: 2 × 0.05 approved + 0.10 bonus over the 90 s of the three decided answers;
    # the pending answer counts neither its reward nor its time yet.
    assert (row.answers_pay, row.decided_ms, row.hourly) == (
        Decimal("0.20"),
        90_000,
        Decimal("8.00"),
    )
    assert (row.test_pay, row.test_ms, row.test_hourly) == (
        Decimal("0.15"),
        60_000,
        Decimal("9.00"),
    )
    assert row.pending_pay == Decimal("0.05")
    rates = selectors.worker_overall_rates([row], "USD")
    # 0.35 over 150 s. Counting the pending reward and the test pay over answer time alone
    # would have shown 0.40 over 120 s: 12.00 an hour.
    assert (rates.answers, rates.tests, rates.overall) == (
        Decimal("8.00"),
        Decimal("9.00"),
        Decimal("8.40"),
    )

    client.force_login(walt)
    html = client.get(reverse("payments:worker")).content.decode()
    assert re.search(r'id="hourly">8\.40 USD/h', html)
    assert re.search(r'id="hourly-answers">8\.00 USD/h', html)
    assert re.search(r'id="hourly-tests">9\.00 USD/h', html)
    assert "0.05 USD awaiting approval" in html


def test_the_requester_is_told_of_a_floor_pause_where_she_looks(client, rita, rich_acme, walt):
    from microwork.projects.services.projects import project_update

    # Estimated 20 s at 0.05 USD, but answers take 30 s: 6.00 an hour under the 8.00 floor.
    project = make_project(rich_acme, rita, tasks=25, reward="0.05", seconds=20, overlap=1)
    go_live(project, rita)
    for _ in range(20):
        answer(project, walt, active_ms=30_000)
    payments_floor.project_pay_floor_enforce(project=project)

    figures = ("30.0 seconds", "6.00 USD an hour", "8.00 USD floor", "0.0667 USD")
    [note] = Notification.objects.filter(user=rita, kind="pay_floor")
    client.force_login(rita)
    inbox = client.get(reverse("inbox:inbox")).content.decode()
    for page in (
        inbox,
        client.get(reverse("projects:detail", args=[project.pk])).content.decode(),
        client.get(reverse("projects:list")).content.decode(),
        client.get(reverse("payments:billing")).content.decode(),
    ):
        for figure in figures:
            assert figure in page, figure
    assert "was paused" in inbox
    assert (
        "Paused under the pay floor"
        in client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    )

    # Once she raises the reward and goes live again, the banner goes.
    project_update(project=project, actor=rita, changes={"reward": "0.07"})
    go_live(project, rita)
    detail = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "Paused under the pay floor" not in detail
    assert not Notification.objects.filter(user=walt, kind="pay_floor").exists()
