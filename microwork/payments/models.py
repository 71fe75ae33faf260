from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from microwork.lib.money import AMOUNT_DIGITS, AMOUNT_PLACES, CURRENCY_CHOICES
from microwork.projects.models import Project
from microwork.work.models import Submission


def _amount(**kwargs) -> models.DecimalField:
    return models.DecimalField(max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES, **kwargs)


class SubmissionReview(models.Model):
    """Append-only: every money decision on a submission with the rule that made it, what the
    rule looked at, and the outcome — what a worker is shown when asking "why"."""

    class Action(models.TextChoices):
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        OVERTURNED = "overturned", _("Rejection overturned")

    class Rule(models.TextChoices):
        REQUESTER = "requester", _("Decided by the requester")
        AUTO_APPROVE = "auto_approve", _("Approved automatically when the approval period ended")
        QUALITY_RULE = "quality_rule", _("Decided by a quality rule")
        APPEAL = "appeal", _("Decided on appeal")
        PEER_REVIEW = "peer_review", _("Decided by other workers' review")

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="reviews")
    action = models.CharField(max_length=12, choices=Action.choices)
    rule = models.CharField(max_length=16, choices=Rule.choices)
    reason = models.CharField(max_length=40, blank=True)
    note = models.TextField(blank=True)
    inputs = models.JSONField(default=dict, blank=True)
    amount = _amount()
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["submission", "at"])]

    def __str__(self) -> str:
        return f"{self.action} {self.submission_id}"


class PayFloorNotice(models.Model):
    """A project whose measured time put its real hourly rate under the floor: its workers
    topped up, its requester told what reward meets the floor, and, when it was live, paused."""

    # PROTECT: a notice records money paid (top-ups); a project with one is never deleted.
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="pay_floor_notices")
    submissions_measured = models.PositiveIntegerField()
    median_active_ms = models.PositiveIntegerField()
    reward = _amount()
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    real_hourly = _amount()
    floor_hourly = _amount()
    suggested_reward = _amount()
    workers_topped_up = models.PositiveIntegerField(default=0)
    topped_up_total = _amount(default=Decimal(0))
    # Top-ups that could not be paid for lack of the requester's funds; retried by the job.
    topups_owed = _amount(default=Decimal(0))
    # False when the project was already paused, completed or archived: only top-ups.
    paused = models.BooleanField(default=True)
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"pay floor notice for project {self.project_id}"

    @property
    def median_seconds(self) -> Decimal:
        return (Decimal(self.median_active_ms) / 1000).quantize(Decimal("0.1"))

    @property
    def real_hourly_shown(self) -> Decimal:
        # Rates shown to people are rounded half-up to cents.
        return self.real_hourly.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class CountryPayFloor(models.Model):
    """An hourly figure for one country (a living wage), kept by operators. A worker in that
    country is held to the higher of it and the platform floor (PAY_FLOOR_PER_HOUR); both are
    in the platform currency and converted at the operators' rate like the floor itself."""

    # Upper case, as worker profiles store the code.
    country = models.CharField(
        _("country"),
        max_length=2,
        unique=True,
        help_text=_("ISO 3166 code, e.g. FR"),
        validators=[RegexValidator(r"^[A-Z]{2}$", _("Two capital letters, e.g. FR."))],
    )
    per_hour = _amount(verbose_name=_("floor an hour, in the platform currency"))
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("Where the figure comes from.")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(per_hour__gt=0), name="country_floor_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.country}: {self.per_hour}"
