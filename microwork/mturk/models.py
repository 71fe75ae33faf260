"""What the Mechanical Turk API adds on top of microwork's own objects: access keys, the names
MTurk clients use (HIT type, HIT, qualification type, worker ids) and the few things MTurk
has that microwork keeps nowhere else (a HIT's expiry and review status, bonus records,
qualification requests, worker blocks, notification settings). Everything else — the
project, its task, the answers, the money, the decisions — is microwork's own, so every
rule of the platform applies to a HIT."""

from django.conf import settings
from django.db import models

from microwork.accounts.models import Organisation
from microwork.lib.money import AMOUNT_DIGITS, AMOUNT_PLACES
from microwork.projects.models import Project, Task
from microwork.quality.models import Qualification
from microwork.work.models import Submission


class AccessKey(models.Model):
    """An AWS-style key pair. Signature V4 is an HMAC keyed by the secret itself, so the
    server must hold the secret, not a hash of it: it is kept encrypted (mturk/keys.py) with
    a key derived from SECRET_KEY, so a copy of the database alone does not give it away."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mturk_keys"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    access_key_id = models.CharField(max_length=20, unique=True)
    secret_encrypted = models.TextField()
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.access_key_id


class HitType(models.Model):
    """MTurk's HIT type: the settings a HIT's project is made with."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    hit_type_id = models.CharField(max_length=32, unique=True)
    # title, description, keywords, reward, assignment_duration, auto_approval_delay,
    # qualification_requirements (as MTurk sent them, after checking).
    settings = models.JSONField()
    # The same settings twice give the same HIT type, as on MTurk.
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "fingerprint"], name="mturk_hit_type_once"
            )
        ]

    def __str__(self) -> str:
        return self.hit_type_id


class Hit(models.Model):
    """One HIT: the one task of its own project (the project holds the HIT type's settings and
    the HIT's MaxAssignments as its overlap)."""

    class ReviewStatus(models.TextChoices):
        NOT_REVIEWED = "NotReviewed"
        MARKED = "MarkedForReview"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    hit_id = models.CharField(max_length=32, unique=True)
    hit_type = models.ForeignKey(HitType, on_delete=models.PROTECT, related_name="hits")
    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="mturk_hit")
    task = models.OneToOneField(Task, on_delete=models.CASCADE, related_name="+")
    # "html", "external" or "form"; the Question as sent.
    question_kind = models.CharField(max_length=10)
    question = models.TextField()
    requester_annotation = models.CharField(max_length=255, blank=True)
    max_assignments = models.PositiveIntegerField()
    expires_at = models.DateTimeField()
    review_status = models.CharField(
        max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.NOT_REVIEWED
    )
    # MTurk's "Reviewing" state, set by UpdateHITReviewStatus.
    reviewing = models.BooleanField(default=False)
    disposed_at = models.DateTimeField(null=True, blank=True)
    unique_request_token = models.CharField(max_length=64, null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "unique_request_token"], name="mturk_hit_request_once"
            )
        ]
        indexes = [models.Index(fields=["organisation", "created_at"])]

    def __str__(self) -> str:
        return self.hit_id


class ExtraAssignments(models.Model):
    """A CreateAdditionalAssignmentsForHIT call, kept for its UniqueRequestToken."""

    hit = models.ForeignKey(Hit, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField()
    unique_request_token = models.CharField(max_length=64)

    class Meta:
        verbose_name_plural = "extra assignments"
        constraints = [
            models.UniqueConstraint(fields=["hit", "unique_request_token"], name="mturk_extra_once")
        ]

    def __str__(self) -> str:
        return f"+{self.number} on HIT {self.hit_id}"


class WorkerAlias(models.Model):
    """The WorkerId an organisation's MTurk clients know a worker by: a keyed hash, stable,
    the same for the whole organisation and different between organisations, so it says
    nothing of the worker's name or number and two requesters cannot join their data on it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    alias = models.CharField(max_length=32, unique=True)

    class Meta:
        verbose_name_plural = "worker aliases"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "worker"], name="mturk_alias_once")
        ]

    def __str__(self) -> str:
        return self.alias


class QualificationType(models.Model):
    """MTurk's view of one of the quality app's qualifications."""

    qualification = models.OneToOneField(
        Qualification, on_delete=models.CASCADE, related_name="mturk"
    )
    qualification_type_id = models.CharField(max_length=32, unique=True)
    keywords = models.CharField(max_length=1000, blank=True)
    active = models.BooleanField(default=True)
    auto_granted = models.BooleanField(default=False)
    auto_granted_value = models.IntegerField(default=1)
    retry_delay_seconds = models.PositiveBigIntegerField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.qualification_type_id


class QualificationRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        ACCEPTED = "accepted"
        REJECTED = "rejected"

    qualification_type = models.ForeignKey(
        QualificationType, on_delete=models.CASCADE, related_name="requests"
    )
    request_id = models.CharField(max_length=32, unique=True)
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    answer = models.TextField(blank=True, max_length=4000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.TextField(blank=True, max_length=2000)
    submitted_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.request_id


class Bonus(models.Model):
    """A SendBonus as MTurk lists it; the money itself is the ledger's bonus transaction."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="+")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES)
    currency = models.CharField(max_length=3)
    reason = models.TextField(max_length=500)
    request_key = models.CharField(max_length=200, unique=True)
    granted_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "bonuses"

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} to {self.worker_id}"


class NotificationSetting(models.Model):
    """UpdateNotificationSettings for a HIT type, as sent."""

    hit_type = models.OneToOneField(HitType, on_delete=models.CASCADE, related_name="notification")
    destination = models.CharField(max_length=1000)
    transport = models.CharField(max_length=10)
    version = models.CharField(max_length=40)
    event_types = models.JSONField(default=list)
    active = models.BooleanField(default=True)
    # The webhook subscription it maps onto, when the webhooks app delivers it.
    subscription_id = models.PositiveBigIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.hit_type_id} → {self.destination}"
