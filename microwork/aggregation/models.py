"""What aggregation keeps: full re-estimate runs with their progress, the latest label per task,
the worker accuracies the last run learned, and an append-only log of runs and settings."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microwork.projects.models import Project, Task


class AggregationRun(models.Model):
    """One full re-estimate of a project's labels with its method, done by a background job.

    `progress` (0–100) and `stage` are what the results page shows while the job runs."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Stage(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        READING = "reading", _("Reading answers")
        FITTING = "fitting", _("Estimating")
        WRITING = "writing", _("Saving results")
        FINISHED = "finished", _("Finished")

    class Reason(models.TextChoices):
        REQUEST = "request", _("Asked for by the requester")
        UPLOAD = "upload", _("A batch of tasks was added")
        SETTINGS = "settings", _("The aggregation settings changed")
        ANSWERED = "answered", _("Every task of a batch has its answers")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="aggregation_runs")
    method = models.CharField(max_length=20)
    reason = models.CharField(max_length=12, choices=Reason.choices, default=Reason.REQUEST)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.WAITING)
    progress = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    n_tasks = models.PositiveIntegerField(default=0)
    n_answers = models.PositiveIntegerField(default=0)
    n_workers = models.PositiveIntegerField(default=0)
    # The class list the run used, in code order, and the class priors it learned: the live
    # per-answer estimate reuses them until the next run.
    classes = models.JSONField(default=list, blank=True)
    priors = models.JSONField(default=list, blank=True)
    # Fleiss' kappa of the run's answers: the live majority-vote confidence counts a task's n
    # answers as n / (1 + (n - 1) kappa) independent votes, as the run's own does.
    answer_correlation = models.FloatField(default=0.0)
    error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["project", "status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=100), name="run_progress_percent"
            )
        ]

    def __str__(self) -> str:
        return f"run {self.pk} of {self.project_id} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def minutes_left(self) -> int | None:
        """A running job's time left at its pace so far, in whole minutes (at least 1); None
        before it has measured anything."""
        if not self.is_active or self.started_at is None or self.progress <= 1:
            return None
        elapsed = (timezone.now() - self.started_at).total_seconds()
        left = elapsed * (100 - self.progress) / self.progress
        return max(1, round(left / 60))

    @property
    def seconds(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class AggregationEvent(models.Model):
    """Append-only: a run changing status, or a requester changing the aggregation settings,
    with who did it and the values involved."""

    class Kind(models.TextChoices):
        CONFIGURED = "configured", _("Settings changed")
        QUEUED = "queued", _("Re-estimate queued")
        STARTED = "started", _("Re-estimate started")
        DONE = "done", _("Re-estimate finished")
        FAILED = "failed", _("Re-estimate failed")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(
        AggregationRun, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    details = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["project", "at"])]

    def __str__(self) -> str:
        return f"{self.kind} on {self.project_id}"


class TaskAggregate(models.Model):
    """The latest aggregated answer of one task, upserted by the full run and by the per-answer
    hook (`source` says which). Majority label and agreement are always exact recounts;
    `label`/`confidence` come from `method`."""

    class Source(models.TextChoices):
        RUN = "run", _("Full re-estimate")
        LIVE = "live", _("Updated as the answer arrived")

    class StopRule(models.TextChoices):
        TARGET = "target_reached", _("Confident enough")
        MAXIMUM = "max_reached", _("All answers collected")

    task = models.OneToOneField(
        Task, on_delete=models.CASCADE, primary_key=True, related_name="aggregate"
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    answers_count = models.PositiveIntegerField(default=0)
    majority_label = models.TextField(null=True, blank=True)
    agreement = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    label = models.TextField(null=True, blank=True)
    # Posterior probability of `label`, 0–1, four places (a display and export value; the
    # stopping rule compares the float it computed, not this rounding).
    confidence = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    # Posterior over the classes, {label: probability}, for the classes above 0.001.
    posterior = models.JSONField(default=dict, blank=True)
    # For kinds with a consensus (a transcript, boxes, spans): one entry per part of the
    # label (a word, a box, a span) with its confidence and support.
    parts = models.JSONField(default=list, blank=True)
    method = models.CharField(max_length=20, blank=True)
    source = models.CharField(max_length=4, choices=Source.choices, default=Source.LIVE)
    run = models.ForeignKey(
        AggregationRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField()
    # Dynamic overlap: when and why the task stopped collecting answers, with the numbers the
    # rule looked at (kept so the decision can be explained and re-checked).
    stopped_at = models.DateTimeField(null=True, blank=True)
    stop_rule = models.CharField(max_length=16, choices=StopRule.choices, blank=True)
    stop_details = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["project", "updated_at"]),
            models.Index(fields=["project", "stop_rule"]),
        ]

    def __str__(self) -> str:
        return f"aggregate of task {self.task_id}: {self.label}"


class WorkerEstimate(models.Model):
    """A worker's accuracy on one project as the last full run saw it: the mean posterior of
    the labels they gave, smoothed. The per-answer estimate and dynamic overlap weigh each
    answer with it."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    accuracy = models.FloatField()
    answers = models.PositiveIntegerField(default=0)
    run = models.ForeignKey(AggregationRun, on_delete=models.CASCADE, related_name="+")
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "worker"], name="one_estimate_per_worker"),
            models.CheckConstraint(
                condition=Q(accuracy__gte=0) & Q(accuracy__lte=1), name="estimate_accuracy_share"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker_id} on {self.project_id}: {self.accuracy:.3f}"
