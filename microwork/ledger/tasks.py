"""Background jobs the clock runs: payouts waiting for their provider, and the proof of the
books. Sending one payout is enqueued by its request, so that task lives beside it in
services/payouts.py."""

from django.tasks import task

from microwork.ledger.services.check import ledger_check_record
from microwork.ledger.services.payouts import payouts_process_due


@task()
def payouts_process_due_task() -> int:
    return payouts_process_due()


@task()
def ledger_check_task() -> bool:
    return ledger_check_record().ok
