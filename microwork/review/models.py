"""Peer review: an answer to a reviewed kind sent to other workers, and each one's verdict.
The verdict's money and decision are payments' and quality's rows, as for a requester's."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from microwork.projects.models import Project, Task
from microwork.quality.models import Decision
from microwork.work.models import Submission


class PeerReviewRequest(models.Model):
    """One answer waiting for its reviewers: the review task that collects their verdicts
    (one task, `reviewers` answers, so no reviewer checks the same answer twice) and, once
    they are all in, the outcome. One per answer: a retried submit creates nothing twice."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for reviewers")
        ACCEPTED = "accepted", _("Accepted by reviewers")
        REJECTED = "rejected", _("Rejected by reviewers")
        CANCELLED = "cancelled", _("Decided before the reviews were in")

    submission = models.OneToOneField(
        Submission, on_delete=models.CASCADE, related_name="peer_review_request"
    )
    # The reviewed answer's project; the task lives in its companion review project.
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    task = models.OneToOneField(Task, on_delete=models.CASCADE, related_name="peer_review_request")
    # The project's settings when the answer came in: a later change applies to later answers.
    reviewers = models.PositiveSmallIntegerField()
    threshold = models.DecimalField(max_digits=4, decimal_places=3, default=Decimal("0.500"))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decision = models.ForeignKey(
        Decision, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["project", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(reviewers__gte=1) & Q(reviewers__lte=5), name="peer_reviewers_1_5"
            )
        ]

    def __str__(self) -> str:
        return f"peer review of {self.submission_id} ({self.status})"


class PeerReview(models.Model):
    """One reviewer's verdict on one answer, with their reason. The reviewer's own answer
    (a Submission of the review task) is the key: a retried review is stored once."""

    class Verdict(models.TextChoices):
        ACCEPT = "accept", _("Accept")
        REJECT = "reject", _("Reject")

    request = models.ForeignKey(PeerReviewRequest, on_delete=models.CASCADE, related_name="reviews")
    review_submission = models.OneToOneField(
        Submission, on_delete=models.CASCADE, related_name="peer_review"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    verdict = models.CharField(max_length=8, choices=Verdict.choices)
    reason = models.TextField(max_length=1000, blank=True)
    created_at = models.DateTimeField()
    # Whether this verdict matched the final outcome (None while open, or when cancelled):
    # the reviewer's own quality, measured against the verdict of the group.
    agrees = models.BooleanField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["request", "created_at"])]

    def __str__(self) -> str:
        return f"{self.verdict} on request {self.request_id}"
