from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from microwork.ledger.models import Account, Transaction
from microwork.ledger.services.accounts import platform_fees_account
from microwork.ledger.services.check import ledger_check
from microwork.ledger.services.deposits import deposit_record
from microwork.lib.errors import ApplicationError
from microwork.payments.models import SubmissionReview
from microwork.payments.services import accounts as payments_accounts
from microwork.payments.services import bonuses as payments_bonuses
from microwork.payments.services import earnings as payments_earnings
from microwork.payments.services import escrow as payments_escrow
from microwork.payments.tests.conftest import add_tasks, answer, balance, go_live, make_project
from microwork.projects.models import Project
from microwork.projects.services.projects import project_set_status
from microwork.work.models import Submission

K = Account.Kind


def _ok():
    report = ledger_check()
    assert report.ok, report.problems


def test_going_live_reserves_every_answer_and_its_fee(rich_acme, rita):
    project = make_project(rich_acme, rita, tasks=10, reward="0.05", overlap=3)
    go_live(project, rita)
    # 10 tasks × 3 answers × (0.05 + 20 % fee) = 1.80
    assert balance(payments_accounts.escrow_account(project)) == Decimal("1.80")
    assert balance(payments_accounts.requester_account(rich_acme, "USD")) == Decimal("98.20")
    _ok()


def test_escrow_covers_the_control_answers_at_the_gold_share(rich_acme, rita):
    project = make_project(rich_acme, rita, tasks=10, reward="0.05", overlap=3, gold_rate="0.1")
    go_live(project, rita)
    # 30 answers + ceil(30 × 0.1 / 0.9) = 34 answers × 0.06
    assert balance(payments_accounts.escrow_account(project)) == Decimal("2.04")


def test_without_funds_nothing_goes_live_and_the_error_says_how_much_is_missing(acme, rita, omar):
    deposit_record(organisation=acme, amount="1.00", currency="USD", reference="r", actor=omar)
    project = make_project(acme, rita, tasks=10)
    with pytest.raises(ApplicationError) as exc:
        go_live(project, rita)
    assert exc.value.code == "insufficient_funds"
    assert "0.80 USD more" in exc.value.message
    project.refresh_from_db()
    assert project.status == Project.Status.DRAFT
    assert not project.events.filter(new_status="live").exists()
    assert not Transaction.objects.filter(kind=Transaction.Kind.ESCROW_FUND).exists()


def test_a_project_priced_under_the_floor_cannot_go_live(rich_acme, rita):
    # 0.02 USD for 20 s is 3.60 USD an hour, under the 8.00 floor.
    project = make_project(rich_acme, rita, reward="0.02", seconds=20)
    with pytest.raises(ApplicationError) as exc:
        go_live(project, rita)
    assert exc.value.code == "under_pay_floor"
    assert exc.value.field == "reward"
    assert "0.0445 USD" in exc.value.message  # 8 × 20 / 3600 = 0.04444… rounded up
    project.refresh_from_db()
    assert project.status == Project.Status.DRAFT
    assert not Transaction.objects.filter(project_id=project.pk).exists()


def test_tasks_added_to_a_live_project_are_funded_once(rich_acme, rita):
    project = make_project(rich_acme, rita, tasks=10)
    go_live(project, rita)
    add_tasks(project, rita, 5)
    payments_escrow.project_money_on_tasks_added(project=project)
    payments_escrow.project_money_on_tasks_added(project=project)
    assert balance(payments_accounts.escrow_account(project)) == Decimal("2.70")
    assert Transaction.objects.filter(kind=Transaction.Kind.ESCROW_FUND).count() == 2


def test_an_answer_is_pending_then_approved_exactly_once(rich_acme, rita, walt):
    project = make_project(rich_acme, rita)
    go_live(project, rita)
    sub = answer(project, walt)
    pending = payments_accounts.worker_account(walt, K.WORKER_PENDING, "USD")
    available = payments_accounts.worker_account(walt, K.WORKER_AVAILABLE, "USD")
    assert balance(pending) == Decimal("0.05")
    assert payments_earnings.earning_approve(submission=sub, actor=rita) is True
    assert payments_earnings.earning_approve(submission=sub, actor=rita) is False
    assert (balance(pending), balance(available)) == (Decimal(0), Decimal("0.05"))
    assert balance(platform_fees_account("USD")) == Decimal("0.01")
    sub.refresh_from_db()
    assert sub.status == Submission.Status.APPROVED
    review = SubmissionReview.objects.get(submission=sub)
    assert (review.action, review.rule, review.actor) == ("approved", "requester", rita)
    _ok()


def test_rejection_needs_a_listed_reason_and_returns_the_money_to_escrow(rich_acme, rita, walt):
    project = make_project(rich_acme, rita)
    go_live(project, rita)
    escrow = payments_accounts.escrow_account(project)
    before = balance(escrow)
    sub = answer(project, walt)
    with pytest.raises(ApplicationError) as exc:
        payments_earnings.earning_reject(submission=sub, actor=rita, reason="because")
    assert exc.value.field == "reason"
    with pytest.raises(ApplicationError) as exc:
        payments_earnings.earning_reject(submission=sub, actor=rita, reason="other")
    assert exc.value.field == "note"
    sub.refresh_from_db()
    assert sub.status == Submission.Status.PENDING
    assert payments_earnings.earning_reject(
        submission=sub, actor=rita, reason="wrong_answer", note="It is gory."
    )
    assert balance(escrow) == before
    assert balance(payments_accounts.worker_account(walt, K.WORKER_PENDING, "USD")) == 0
    review = SubmissionReview.objects.get(submission=sub)
    assert (review.reason, review.note) == ("wrong_answer", "It is gory.")
    # An approved answer cannot be rejected afterwards.
    other = answer(project, walt)
    payments_earnings.earning_approve(submission=other, actor=rita)
    with pytest.raises(ApplicationError):
        payments_earnings.earning_reject(submission=other, actor=rita, reason="spam")
    _ok()


def test_an_overturned_rejection_pays_the_worker_once(rich_acme, rita, walt):
    project = make_project(rich_acme, rita)
    go_live(project, rita)
    sub = answer(project, walt)
    payments_earnings.earning_reject(submission=sub, actor=rita, reason="spam")
    assert (
        payments_earnings.submission_rejection_overturn(submission=sub, reason="appeal won") is True
    )
    assert payments_earnings.submission_rejection_overturn(submission=sub) is False
    assert balance(payments_accounts.worker_account(walt, K.WORKER_AVAILABLE, "USD")) == Decimal(
        "0.05"
    )
    sub.refresh_from_db()
    assert sub.status == Submission.Status.APPROVED
    _ok()


def test_answers_are_approved_automatically_when_the_period_ends(rich_acme, rita, walt):
    project = make_project(rich_acme, rita)
    project.auto_approve_seconds = 3600
    project.save(update_fields=["auto_approve_seconds"])
    go_live(project, rita)
    now = timezone.now()
    old = answer(project, walt, at=now - timedelta(hours=2))
    fresh = answer(project, walt, at=now - timedelta(minutes=10))
    assert payments_earnings.submissions_approve_due(now=now) == 1
    assert payments_earnings.submissions_approve_due(now=now) == 0
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.status, fresh.status) == ("approved", "pending")
    review = SubmissionReview.objects.get(submission=old)
    assert review.rule == "auto_approve"
    assert review.inputs["approval_period_seconds"] == 3600


def test_completing_a_project_returns_unused_escrow_but_keeps_pending_fees(rich_acme, rita, walt):
    project = make_project(rich_acme, rita, tasks=10)
    go_live(project, rita)
    pending = answer(project, walt)
    approved = answer(project, walt)
    payments_earnings.earning_approve(submission=approved, actor=rita)
    project_set_status(project=project, actor=rita, status="completed")
    escrow = payments_accounts.escrow_account(project)
    assert balance(escrow) == Decimal("0.01")  # the fee of the one answer still pending
    payments_earnings.earning_approve(submission=pending, actor=rita)
    assert balance(escrow) == 0
    # Spent: two answers at 0.05 + 0.01 fee each.
    assert balance(payments_accounts.requester_account(rich_acme, "USD")) == Decimal("99.88")
    _ok()


def test_a_rejection_after_completion_goes_back_to_the_requester(rich_acme, rita, walt):
    project = make_project(rich_acme, rita, tasks=10)
    go_live(project, rita)
    sub = answer(project, walt)
    project_set_status(project=project, actor=rita, status="completed")
    payments_earnings.earning_reject(submission=sub, actor=rita, reason="spam")
    assert balance(payments_accounts.escrow_account(project)) == 0
    assert balance(payments_accounts.requester_account(rich_acme, "USD")) == Decimal("100")
    _ok()


def test_paid_tests_use_the_hourly_rate_and_at_most_twice_the_estimate(rich_acme, rita, walt):
    project = make_project(rich_acme, rita, reward="0.05", seconds=20)  # 9.00 an hour
    go_live(project, rita)
    tx = payments_bonuses.test_payment_record(
        project=project,
        worker=walt,
        active_ms=600_000,
        kind="qualification",
        reference="att-1",
        estimated_ms=120_000,
    )
    # 10 minutes measured, capped at 4: 9.00 × 4/60 = 0.60
    assert tx.metadata["paid_ms"] == 240_000
    assert balance(payments_accounts.worker_account(walt, K.WORKER_AVAILABLE, "USD")) == Decimal(
        "0.60"
    )
    payments_bonuses.test_payment_record(
        project=project,
        worker=walt,
        active_ms=600_000,
        kind="qualification",
        reference="att-1",
        estimated_ms=120_000,
    )
    assert Transaction.objects.filter(kind=Transaction.Kind.TEST_PAYMENT).count() == 1
    _ok()


def test_a_project_that_cannot_pay_for_the_next_answer_is_paused(acme, rita, omar, walt):
    # Exactly enough for 2 tasks × 1 answer; then a paid test eats into the escrow.
    deposit_record(organisation=acme, amount="0.12", currency="USD", reference="r", actor=omar)
    project = make_project(acme, rita, tasks=2, overlap=1)
    go_live(project, rita)
    payments_bonuses.test_payment_record(
        project=project, worker=walt, active_ms=5_000, kind="training", reference="t1"
    )
    answer(project, walt)
    project.refresh_from_db()
    assert project.status == Project.Status.PAUSED
    event = project.events.latest("pk")
    assert "Add at least" in event.reason
    _ok()
