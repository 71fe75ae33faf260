"""Background jobs of the accounts app."""

from django.tasks import task

from microwork.accounts.mail import password_reset_mail_send


@task()
def password_reset_email_send(email: str) -> None:
    # In the background so that a reset request takes the same time whether or not the
    # address has an account, and a slow mail server never holds a web worker.
    password_reset_mail_send(email=email)
