from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from microwork.projects.models import Project

# A mark from 1 (poor) to 5 (very good).
MARK_MIN = 1
MARK_MAX = 5
MARK_CHOICES = [(n, str(n)) for n in range(MARK_MIN, MARK_MAX + 1)]


class ProjectRating(models.Model):
    """One worker's marks for one project they worked on; changed in place, never twice."""

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_ratings"
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="ratings")
    instructions = models.PositiveSmallIntegerField(_("clear instructions"), choices=MARK_CHOICES)
    fairness = models.PositiveSmallIntegerField(_("fair review"), choices=MARK_CHOICES)
    pay = models.PositiveSmallIntegerField(_("pay for the time"), choices=MARK_CHOICES)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["worker", "project"], name="one_rating_per_project"),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{name}__gte": MARK_MIN, f"{name}__lte": MARK_MAX}),
                    name=f"rating_{name}_in_range",
                )
                for name in ("instructions", "fairness", "pay")
            ),
        ]

    def __str__(self) -> str:
        return f"rating of project {self.project_id} by {self.worker_id}"


class Feedback(models.Model):
    """A worker's message to the operators and the operators' answer, which the worker sees.
    Only counts and answers marked public reach the public summary, never the worker's name or
    words."""

    class Subject(models.TextChoices):
        PAY = "pay", _("Pay and payouts")
        REVIEW = "review", _("Rejections and appeals")
        TASKS = "tasks", _("Tasks and instructions")
        PLATFORM = "platform", _("The site itself")
        TERMS = "terms", _("Terms and privacy")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for an answer")
        ANSWERED = "answered", _("Answered")

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feedback"
    )
    subject = models.CharField(_("subject"), max_length=10, choices=Subject.choices)
    message = models.TextField(_("message"), max_length=4000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField()
    answer = models.TextField(_("answer"), blank=True, max_length=4000)
    # The answer, written so that it names nobody, may be shown on the public summary.
    answer_public = models.BooleanField(_("show the answer on the public summary"), default=False)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    # The key a retried form post carries, so one message is stored once.
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True)

    class Meta:
        verbose_name_plural = "feedback"
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"feedback {self.pk} ({self.status})"
