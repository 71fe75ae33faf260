"""Background jobs: sending payouts never happens inside a web request; the books are proved
on the clock."""

from django.tasks import task

from microwork.ledger import services


@task()
def payout_process_task(payout_id: int) -> str:
    return services.payout_process(payout_id=payout_id).status


@task()
def payouts_process_due_task() -> int:
    return services.payouts_process_due()


@task()
def ledger_check_task() -> bool:
    return services.ledger_check_record().ok
