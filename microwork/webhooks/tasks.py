"""Background jobs of the webhooks app: one delivery attempt, and the sweep that queues
every delivery whose retry time has come (a periodic job, microwork/clock/jobs.py)."""

from django.tasks import task

from microwork.webhooks.services.delivery import deliveries_due, delivery_attempt


@task()
def webhook_delivery_send(delivery_id: int) -> None:
    delivery_attempt(delivery_id=delivery_id)


@task()
def webhook_deliveries_due_task() -> None:
    deliveries_due()
