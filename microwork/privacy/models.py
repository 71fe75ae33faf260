from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from microwork.projects.models import Project


class Consent(models.Model):
    """A worker's agreement to one version of a project's personal data declaration, with the
    exact words they read. Never changed but to mark its withdrawal; a new version of the
    declaration needs a new consent."""

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consents"
    )
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="consents")
    # What the worker read, in the language they read it in.
    text = models.TextField()
    language = models.CharField(max_length=10, blank=True)
    # projects.personal_data.declaration_version: the same in every language.
    version = models.CharField(max_length=64)
    given_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # A retried "I agree" finds the consent it made instead of making a second.
            models.UniqueConstraint(
                fields=["worker", "project", "version"],
                condition=Q(withdrawn_at__isnull=True),
                name="consent_one_standing_per_version",
            )
        ]
        indexes = [models.Index(fields=["worker", "project"])]
        ordering = ["-given_at", "-id"]

    def __str__(self) -> str:
        return f"consent of {self.worker_id} to {self.project_id} ({self.version[:8]})"


class Deletion(models.Model):
    """One erasure of a worker's personal data of a project (or of their whole account): what
    each eraser removed, when, and why."""

    class Reason(models.TextChoices):
        WITHDRAWAL = "withdrawal", _("Consent withdrawn")
        RETENTION = "retention", _("End of the retention period")
        ACCOUNT = "account", _("Account deleted")

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="deletions"
    )
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="deletions", null=True, blank=True
    )
    reason = models.CharField(max_length=12, choices=Reason.choices)
    # {eraser key: [task ids whose data it removed]} (privacy/erasure.py ERASERS).
    items = models.JSONField(default=dict, blank=True)
    # The worker's last activity in the project this deletion covers: retention erases again
    # only after newer work.
    covers_until = models.DateTimeField(null=True, blank=True)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["worker", "project", "reason"])]
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"deletion ({self.reason}) for {self.worker_id} in {self.project_id}"

    @property
    def task_ids(self) -> list[int]:
        return sorted({pk for ids in self.items.values() for pk in ids})


class Withdrawal(models.Model):
    """A consent withdrawn: the tasks given back and the deletion it made."""

    consent = models.OneToOneField(Consent, on_delete=models.PROTECT, related_name="withdrawal")
    at = models.DateTimeField()
    assignments_returned = models.JSONField(default=list, blank=True)
    deletion = models.OneToOneField(
        Deletion, on_delete=models.PROTECT, related_name="withdrawal", null=True, blank=True
    )

    def __str__(self) -> str:
        return f"withdrawal of {self.consent_id}"


class AccountDeletion(models.Model):
    """A worker's account deleted at their request: the user row stays, anonymised under
    `pseudonym`, so their answers keep their place in requesters' data and their ledger
    accounts stay on the books; what was left on them is written here."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="account_deletion"
    )
    pseudonym = models.CharField(max_length=40, unique=True)
    at = models.DateTimeField()
    # {currency: amount} left below the payout minimum, kept on the books under the pseudonym.
    balance_kept = models.JSONField(default=dict, blank=True)
    deletions = models.ManyToManyField(Deletion, blank=True, related_name="+")

    def __str__(self) -> str:
        return self.pseudonym
