"""Background jobs of the inbox."""

from django.tasks import task

from microwork.inbox.mail import notifications_mail


@task()
def notifications_mail_send(notification_ids: list[int]) -> int:
    # Outside the request that wrote the lines: a slow or absent mail server never holds a
    # worker's submit or an operator's click.
    return notifications_mail(notification_ids=notification_ids)
