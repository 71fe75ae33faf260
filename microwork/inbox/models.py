from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One line of a person's inbox, whichever part of the platform wrote it. Stored as a
    kind and its parameters (ids, names, figures), not as words: the app that owns the kind
    writes the sentence when the line is shown, in the reader's language at that moment
    (microwork/inbox/kinds.py)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox"
    )
    kind = models.CharField(max_length=40)
    params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    # When the line went out by e-mail (microwork/inbox/mail.py), so a job run twice mails once.
    mailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"


class MailChoice(models.Model):
    """Which topics of the inbox a person also receives by e-mail (microwork/inbox/kinds.py,
    MAIL_TOPICS). No row: every topic, as each field's default says."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mail_choice"
    )
    decisions = models.BooleanField(_("Decisions about my work or my account"), default=True)
    appeals = models.BooleanField(_("Appeals: answered, or waiting for my answer"), default=True)
    payouts = models.BooleanField(_("Payouts sent or failed"), default=True)
    new_work = models.BooleanField(_("New work on projects I asked to hear about"), default=True)

    TOPICS = ("decisions", "appeals", "payouts", "new_work")

    def __str__(self) -> str:
        return f"mail choices of {self.user_id}"
