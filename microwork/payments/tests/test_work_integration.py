"""Through the work app's own services: a stored answer books its pending earning via the
submission hook, once, however often the phone retries."""

from decimal import Decimal

from microwork.ledger.models import Account, Transaction
from microwork.ledger.services.check import ledger_check
from microwork.payments.services import accounts as payments_accounts
from microwork.payments.services import earnings as payments_earnings
from microwork.payments.tests.conftest import balance, go_live, make_project
from microwork.work.services.claiming import assignment_claim
from microwork.work.services.submitting import submission_create

K = Account.Kind


def test_a_submitted_answer_becomes_a_pending_earning_once(rich_acme, rita, walt):
    project = make_project(rich_acme, rita, tasks=3, reward="0.05", seconds=20)
    go_live(project, rita)
    assignment = assignment_claim(worker=walt, project=project)
    assert assignment is not None
    for _ in range(2):  # the retry over a bad connection
        submission = submission_create(
            assignment=assignment, worker=walt, answer="ok", active_ms=12_000
        )
    assert Transaction.objects.filter(kind=Transaction.Kind.EARNING).count() == 1
    assert balance(payments_accounts.worker_account(walt, K.WORKER_PENDING, "USD")) == Decimal(
        "0.05"
    )
    assert payments_earnings.earning_approve(submission=submission, actor=rita)
    assert balance(payments_accounts.worker_account(walt, K.WORKER_AVAILABLE, "USD")) == Decimal(
        "0.05"
    )
    report = ledger_check()
    assert report.ok, report.problems
