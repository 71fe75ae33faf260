"""E-mail the platform sends about an account."""

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.utils import translation

# Template names, not secrets.
PASSWORD_RESET_SUBJECT = "accounts/email/password_reset_subject.txt"  # noqa: S105
PASSWORD_RESET_BODY = "accounts/email/password_reset.txt"  # noqa: S105


class PasswordResetMailForm(PasswordResetForm):
    """Django's reset e-mail (a one-time link signed with the account's current password
    hash and last log-in), written in the recipient's own language."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        with translation.override(context["user"].language or settings.LANGUAGE_CODE):
            super().send_mail(
                subject_template_name,
                email_template_name,
                context,
                from_email,
                to_email,
                html_email_template_name,
            )


def password_reset_mail_send(*, email: str) -> None:
    """Mail a reset link to every active account with this address and a usable password
    (there is at most one: addresses are unique). The link points at SITE_URL, never at the
    Host header of whoever asked."""
    form = PasswordResetMailForm(data={"email": email})
    if not form.is_valid():
        return
    site = urlsplit(settings.SITE_URL)
    form.save(
        domain_override=site.netloc,
        use_https=site.scheme == "https",
        subject_template_name=PASSWORD_RESET_SUBJECT,
        email_template_name=PASSWORD_RESET_BODY,
        from_email=settings.DEFAULT_FROM_EMAIL,
        # The template counts the hours; the stub types this context as strings only.
        extra_email_context={"valid_hours": max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)},  # type: ignore[dict-item]
    )
