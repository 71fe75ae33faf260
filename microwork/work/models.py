from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from microwork.projects.models import Batch, Project, Task


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
    # The first lease; a re-lease after expiry keeps it, so elapsed time covers the whole task.
    first_leased_at = models.DateTimeField(null=True, blank=True)
    leased_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    # The half-typed answer, saved as the worker goes, so another device can finish it.
    draft = models.JSONField(null=True, blank=True)
    draft_saved_at = models.DateTimeField(null=True, blank=True)
    # Milliseconds the task has been visible on any device so far (the largest total reported).
    active_ms = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["task", "worker"], name="one_assignment_per_task_worker"
            )
        ]
        indexes = [
            models.Index(fields=["worker", "status"]),
            models.Index(fields=["task", "status"]),
            models.Index(fields=["project", "status", "expires_at"]),
            models.Index(fields=["worker", "project", "first_leased_at"]),
        ]

    def __str__(self) -> str:
        return f"assignment {self.pk} ({self.status})"

    def is_open(self, now) -> bool:
        return self.status == self.Status.LEASED and self.expires_at > now

    @property
    def answer_started(self) -> bool:
        """Whether the draft holds anything the worker typed or chose: the task page saves
        one whenever it is hidden, empty or not, to keep the visible time."""
        return _has_content(self.draft)


def _has_content(value: object) -> bool:
    if isinstance(value, dict):
        return any(_has_content(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_content(v) for v in value)
    if isinstance(value, str):
        return value.strip() != ""
    return value is not None and value is not False


class AssignmentEvent(models.Model):
    """Append-only: every change of an assignment's status, with the rule that made it."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="events")
    old_status = models.CharField(max_length=12, blank=True)
    new_status = models.CharField(max_length=12)
    # A stable code (claimed, released_after_expiry, slot_taken, swept, …) a page can explain.
    reason = models.CharField(max_length=40)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["assignment", "at"])]

    def __str__(self) -> str:
        return f"{self.assignment_id}: {self.old_status} → {self.new_status} ({self.reason})"


class Submission(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    assignment = models.OneToOneField(
        Assignment, on_delete=models.PROTECT, related_name="submission"
    )
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

    def __str__(self) -> str:
        return f"submission {self.pk} ({self.status})"


class WorkQueue(models.Model):
    """Per project: when the last sharing round ran. Whoever finds a round due takes the row's
    lock (skipping it when another caller already has it) and runs that round; nobody waits."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="work_queue")
    last_round_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"queue of project {self.project_id}"


class AllocationRound(models.Model):
    """Append-only: one sharing round — how many asked, how many got a task."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="rounds")
    at = models.DateTimeField()
    waiting = models.PositiveIntegerField()
    granted = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["project", "at"])]

    def __str__(self) -> str:
        return f"round {self.at:%H:%M:%S}: {self.granted}/{self.waiting}"


class WorkRequest(models.Model):
    """A worker asking for a task while work is scarce. The row is also the stored decision:
    the rule applied, what the worker had already received, the lot drawn, the outcome."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting for the next round")
        GRANTED = "granted", _("Given a task")
        LAPSED = "lapsed", _("Left before a task was free")
        CANCELLED = "cancelled", _("Stopped waiting")
        DRY = "dry", _("No task left for now")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="work_requests")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="work_requests"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.WAITING)
    requested_at = models.DateTimeField()
    # The waiting page checks in every few seconds; a request not seen lately is not served,
    # so no lease is wasted on someone who closed the app.
    last_seen_at = models.DateTimeField()
    # The decision's inputs, filled by the round that decided.
    received_in_window = models.PositiveIntegerField(null=True, blank=True)
    lot = models.FloatField(null=True, blank=True)
    rank = models.PositiveIntegerField(null=True, blank=True)
    rounds_waited = models.PositiveIntegerField(default=0)
    # Why a round could not serve this worker at all (an eligibility refusal), in plain words.
    refusal = models.CharField(max_length=500, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    round = models.ForeignKey(
        AllocationRound, on_delete=models.SET_NULL, null=True, blank=True, related_name="requests"
    )
    assignment = models.ForeignKey(
        Assignment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "worker"],
                condition=Q(status="waiting"),
                name="one_waiting_request_per_worker",
            )
        ]
        indexes = [models.Index(fields=["project", "status", "last_seen_at"])]

    def __str__(self) -> str:
        return f"request {self.pk} ({self.status})"


class Release(models.Model):
    """New work reaching workers: a project going live, or a batch of tasks added to a live
    project (at once, or at the time the requester announced). For the release's opening
    minute its tasks are held back from the fair-sharing layer, so everyone who asks in that
    minute, and everyone who asked to be told, is in the same first round."""

    class Reason(models.TextChoices):
        WENT_LIVE = "went_live", _("The project went live")
        BATCH_ADDED = "batch_added", _("New tasks were added")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    # None: every task of the project (it went live or came back from a pause).
    batch = models.ForeignKey(
        Batch, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=16, choices=Reason.choices)
    # The requester chose opens_at; otherwise it is the moment the work was added.
    announced = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    opens_at = models.DateTimeField()
    # opens_at + the opening minute: the first round serves everyone who asked until then.
    first_round_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["project", "first_round_at"]),
            models.Index(fields=["project", "opens_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(first_round_at__gte=F("opens_at")), name="release_round_after_opening"
            )
        ]

    def __str__(self) -> str:
        return f"release of project {self.project_id} at {self.opens_at:%Y-%m-%d %H:%M}"


class OpeningSubscription(models.Model):
    """ "Tell me when there is new work here": honoured at the project's next release (its
    opening time, going live again, or new tasks), when every subscriber is told at once."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "worker"], name="one_opening_subscription")
        ]

    def __str__(self) -> str:
        return f"{self.worker_id} follows {self.project_id}"


class WorkerFile(models.Model):
    """A file a worker sends with an answer (a photo, a recording): first an upload that may
    arrive in pieces over a bad connection, then, once its last byte is in and the task's kind
    has checked it, a complete file the answer names by `ref`. Nothing here reveals the file:
    `ref` and `upload_key` are random, the storage name too, and the worker's own name for the
    file is never kept. A deleted file keeps its row (what went, when, why) without its bytes."""

    class Status(models.TextChoices):
        UPLOADING = "uploading", _("Uploading")
        COMPLETE = "complete", _("Complete")
        DELETED = "deleted", _("Deleted")

    # What the answer holds; given to the worker only once the file is complete.
    ref = models.CharField(max_length=40, unique=True)
    # The resumable upload's id, for its pieces.
    upload_key = models.CharField(max_length=40, unique=True)
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="worker_files"
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="worker_files")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="worker_files"
    )
    # The answer's field the file is for ("photo", "recording").
    field = models.CharField(max_length=64)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.UPLOADING)
    # The size the upload declared, and how much of it has arrived.
    declared_bytes = models.PositiveBigIntegerField()
    received_bytes = models.PositiveBigIntegerField(default=0)
    # Storage names of the pieces received so far, in order; emptied once the file is whole.
    chunks = models.JSONField(default=list, blank=True)
    # The complete file: a random storage name, the type read from its bytes, its size and
    # checksum as stored (after cleaning), and what the kind measured.
    storage_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=60, blank=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    facts = models.JSONField(default=dict, blank=True)
    # The answer that names it; a complete file no answer names is removed by the sweep once
    # its task has ended.
    submission = models.ForeignKey(
        Submission, on_delete=models.SET_NULL, null=True, blank=True, related_name="files"
    )
    created_at = models.DateTimeField()
    # The last piece received (an upload quiet for too long is abandoned).
    updated_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # A stable code: withdrawn, retention, refused, abandoned, not_in_answer.
    deletion_reason = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(received_bytes__lte=F("declared_bytes")),
                name="worker_file_received_within_declared",
            ),
            models.CheckConstraint(
                condition=~Q(status="deleted") | ~Q(deletion_reason=""),
                name="worker_file_deleted_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="complete") | ~Q(storage_name=""),
                name="worker_file_complete_is_stored",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "status", "created_at"]),
            models.Index(fields=["worker", "project", "status"]),
            models.Index(fields=["status", "updated_at"]),
        ]

    def __str__(self) -> str:
        return f"worker file {self.pk} ({self.status})"
