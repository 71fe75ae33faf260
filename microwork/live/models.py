"""Live tasks: one task posted by a requester's system that waits seconds for a human answer,
offered to one available worker at a time. The database is the truth for every state; the
wake-ups (wakeups.py) only say "look again"."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from microwork.projects.models import Project, Task
from microwork.work.models import Assignment


class LiveSetup(models.Model):
    """A project answered live: what the requester declares before anyone opts in, the standby
    rate paid for the time workers are available, and how long an offer waits for a yes."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="live_setup")
    # Where the answers are used (inside which product, live) and who sees them.
    use_statement = models.TextField()
    standby_per_hour = models.DecimalField(max_digits=12, decimal_places=4)
    offer_seconds = models.PositiveIntegerField(default=8)
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"live set-up of project {self.project_id}"


class LiveOptIn(models.Model):
    """A worker agreed to the project's statement as it reads at `statement_digest`; a changed
    statement asks them again."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    statement_digest = models.CharField(max_length=64)
    agreed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "worker"], name="one_live_opt_in")
        ]

    def __str__(self) -> str:
        return f"{self.worker_id} opted in to {self.project_id}"


class Standby(models.Model):
    """One stretch of a worker being available for a live project, from the toggle on to the
    toggle off or the last sign of life. Its time is paid at the project's standby rate."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    # What has been booked to the worker so far, so settling again books only the rest.
    paid = models.DecimalField(max_digits=12, decimal_places=4, default=0)
    rate = models.DecimalField(max_digits=12, decimal_places=4)
    end_reason = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "worker"],
                condition=Q(ended_at__isnull=True),
                name="one_open_standby",
            )
        ]
        indexes = [models.Index(fields=["project", "ended_at", "last_seen_at"])]

    def __str__(self) -> str:
        return f"standby {self.pk} of {self.worker_id}"


class LiveTask(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting for a human answer")
        ANSWERED = "answered", _("Answered")
        UNANSWERED = "unanswered", _("No human answered in time")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    task = models.OneToOneField(Task, on_delete=models.CASCADE, related_name="live")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The requester's key: a retried post returns the first live task.
    idempotency_key = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.WAITING)
    answers_wanted = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField()
    deadline = models.DateTimeField()
    # When the current offer (or accepted lease) falls due: the next moment anything changes
    # without a person acting. Indexed so the sweep finds what is due in one look.
    due_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    # Why no human answered, in a stable code the API explains.
    close_reason = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="one_live_task_per_key",
            )
        ]
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self) -> str:
        return f"live task {self.pk} ({self.status})"


class LiveOffer(models.Model):
    """One live task offered to one worker. The row is also the stored decision: the rule,
    what the worker had received today, the lot drawn, how many were available, the outcome."""

    class Status(models.TextChoices):
        OFFERED = "offered", _("Offered")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        LAPSED = "lapsed", _("Not accepted in time")
        HANDED_OVER = "handed_over", _("Handed over: no answer in time")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed: the requester's deadline passed")

    live_task = models.ForeignKey(LiveTask, on_delete=models.CASCADE, related_name="offers")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OFFERED)
    offered_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    assignment = models.OneToOneField(
        Assignment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rule = models.CharField(max_length=40, default="fewest_live_today")
    live_today = models.PositiveIntegerField(default=0)
    lot = models.FloatField(default=0)
    available = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            # A worker is offered a task once, and holds at most one offer at a time.
            models.UniqueConstraint(fields=["live_task", "worker"], name="one_offer_per_worker"),
            models.UniqueConstraint(
                fields=["worker"],
                condition=Q(status__in=["offered", "accepted"]),
                name="one_open_offer_per_worker",
            ),
        ]
        indexes = [models.Index(fields=["worker", "accepted_at"])]

    def __str__(self) -> str:
        return f"offer {self.pk} ({self.status})"
