from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from microwork.projects.models import Project, Task


class Assignment(models.Model):
    """A lease: one worker may answer one task until `expires_at`. One row per (task, worker),
    kept after it ends, which is what guarantees a worker never gets the same task twice."""

    class Status(models.TextChoices):
        LEASED = "leased", _("In progress")
        SUBMITTED = "submitted", _("Submitted")
        SKIPPED = "skipped", _("Skipped")
        RETURNED = "returned", _("Returned")
        EXPIRED = "expired", _("Expired")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="assignments")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.LEASED)
    leased_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    # The half-typed answer, saved as the worker goes, so another device can finish it.
    draft = models.JSONField(null=True, blank=True)
    draft_saved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task", "worker"], name="one_assignment_per_task_worker")
        ]
        indexes = [
            models.Index(fields=["worker", "status"]),
            models.Index(fields=["task", "status"]),
            models.Index(fields=["project", "status", "expires_at"]),
        ]


class Submission(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    assignment = models.OneToOneField(Assignment, on_delete=models.PROTECT, related_name="submission")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="submissions")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="submissions")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submissions"
    )
    answer = models.JSONField()
    # Milliseconds the task was on screen and visible (page visibility changes counted).
    active_ms = models.PositiveIntegerField(default=0)
    # Wall-clock from lease to submit, for comparison with active time.
    elapsed_ms = models.PositiveIntegerField(default=0)
    submitted_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    # For control tasks only: whether the answer matched the gold answer.
    gold_correct = models.BooleanField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["project", "submitted_at"]),
            models.Index(fields=["worker", "submitted_at"]),
            models.Index(fields=["task"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(active_ms__gte=0), name="submission_active_ms")
        ]
