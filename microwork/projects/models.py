from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from microwork.accounts.models import Organisation
from microwork.lib.money import AMOUNT_DIGITS, AMOUNT_PLACES, CURRENCY_CHOICES, hourly_rate
from microwork.projects.disturbing import category_names, declaration_text


class Project(models.Model):
    """A requester's kind of work (MTurk's "HIT type", UHRS's "HitApp")."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        LIVE = "live", _("Live")
        PAUSED = "paused", _("Paused")
        COMPLETED = "completed", _("Completed")
        ARCHIVED = "archived", _("Archived")

    class Order(models.TextChoices):
        DEPTH_FIRST = "depth_first", _("Finish partly answered tasks first")
        BREADTH_FIRST = "breadth_first", _("Give every task its first answer first")
        PRIORITY = "priority", _("Requester priority, then depth first")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="projects"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("public description"), max_length=2000)
    instructions = models.TextField(_("instructions (Markdown)"), blank=True)
    interface = models.CharField(_("task interface"), max_length=40)
    # Interface settings, checked by the interface's config schema (labels, scale points, …).
    config = models.JSONField(default=dict, blank=True)
    reward = models.DecimalField(
        _("reward per task"), max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES
    )
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="USD")
    estimated_seconds = models.PositiveIntegerField(_("estimated seconds per task"))
    overlap = models.PositiveSmallIntegerField(_("answers per task"), default=3)
    time_limit_seconds = models.PositiveIntegerField(
        _("time limit per assignment (seconds)"), default=600
    )
    max_open_per_worker = models.PositiveSmallIntegerField(default=1)
    order = models.CharField(max_length=20, choices=Order.choices, default=Order.DEPTH_FIRST)
    # Share of a worker's tasks that are control (gold) tasks, 0–1.
    gold_rate = models.DecimalField(max_digits=4, decimal_places=3, default=Decimal("0.100"))
    # Fair sharing when work is scarce: at most this many tasks per worker per hour (null: no cap).
    hourly_cap_per_worker = models.PositiveIntegerField(null=True, blank=True)
    # A released batch opens to everyone at this moment, so nobody wins by polling all night.
    opens_at = models.DateTimeField(null=True, blank=True)
    # Pending earnings become available after this long unless the requester acts first.
    auto_approve_seconds = models.PositiveIntegerField(default=3 * 24 * 3600)
    # Wrong control answers are shown to the worker this long after they answered, so gold
    # cannot be harvested in real time.
    gold_reveal_delay_seconds = models.PositiveIntegerField(default=24 * 3600)
    aggregation_method = models.CharField(max_length=20, default="ds")
    # Dynamic overlap: a task stops collecting answers once its posterior reaches the target,
    # with at least min_overlap answers; `overlap` stays the maximum.
    dynamic_overlap = models.BooleanField(default=False)
    min_overlap = models.PositiveSmallIntegerField(default=2)
    target_confidence = models.DecimalField(
        max_digits=4, decimal_places=3, default=Decimal("0.950")
    )
    # Peer review (kinds that are reviewed rather than aggregated): each answer goes to this
    # many other workers (0: off), each paid `review_reward`; the answer is approved when at
    # least `review_threshold` of them accept it, rejected with their reasons otherwise.
    review_overlap = models.PositiveSmallIntegerField(_("reviewers per answer"), default=0)
    review_reward = models.DecimalField(
        _("reward per review"),
        max_digits=AMOUNT_DIGITS,
        decimal_places=AMOUNT_PLACES,
        default=Decimal(0),
    )
    review_threshold = models.DecimalField(
        _("share of reviewers who must accept"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.500"),
    )
    # Set on the companion project that holds another project's review tasks (made by the
    # review app on the first answer to check); its requester is the reviewed project's.
    review_of = models.OneToOneField(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="review_project",
    )
    # What the project collects about the workers themselves (projects/personal_data.py):
    # the categories (voice, face, …), why, for how many days, and who receives it. Workers
    # agree to it before their first task; empty categories: nothing personal is collected.
    personal_data = models.JSONField(_("personal data collected"), default=list, blank=True)
    personal_data_purpose = models.TextField(_("purpose"), max_length=2000, blank=True)
    personal_data_retention_days = models.PositiveIntegerField(
        _("kept for (days)"), null=True, blank=True
    )
    personal_data_recipients = models.TextField(_("who receives it"), max_length=1000, blank=True)
    # Disturbing content the tasks show (projects/disturbing.py): null until declared, [] for
    # none, else category keys. Workers see only the categories they chose; a project whose
    # tasks show pictures or video declares before going live.
    disturbing_content = models.JSONField(
        _("disturbing content"), null=True, blank=True, default=None
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(personal_data_retention_days__isnull=True)
                | Q(personal_data_retention_days__gte=1, personal_data_retention_days__lte=3650),
                name="project_retention_bounded",
            ),
            models.CheckConstraint(
                condition=Q(review_overlap__lte=5), name="project_review_overlap_max_5"
            ),
            models.CheckConstraint(
                condition=Q(review_threshold__gt=0) & Q(review_threshold__lte=1),
                name="project_review_threshold_share",
            ),
            models.CheckConstraint(
                condition=Q(auto_approve_seconds__lte=7 * 24 * 3600),
                name="project_auto_approve_max_7d",
            ),
            models.CheckConstraint(condition=Q(reward__gt=0), name="project_reward_positive"),
            models.CheckConstraint(condition=Q(overlap__gte=1), name="project_overlap_positive"),
            models.CheckConstraint(
                condition=Q(estimated_seconds__gte=1), name="project_estimate_positive"
            ),
            models.CheckConstraint(
                condition=Q(time_limit_seconds__gte=10), name="project_time_limit_min"
            ),
            models.CheckConstraint(
                condition=Q(gold_rate__gte=0) & Q(gold_rate__lte=1), name="project_gold_rate_share"
            ),
        ]
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return self.name

    @property
    def estimated_hourly_rate(self) -> Decimal:
        return hourly_rate(self.reward, self.estimated_seconds)

    @property
    def is_disturbing(self) -> bool:
        """Declares at least one category of disturbing content."""
        return bool(self.disturbing_content)

    @property
    def disturbing_text(self) -> str:
        """The declaration in words, for the project's card and workers' offers."""
        return declaration_text(self.disturbing_content)

    @property
    def disturbing_names(self) -> str:
        """The declared categories' names, for the warning above a blurred task."""
        return ", ".join(category_names(self.disturbing_content or ()))


class ProjectEvent(models.Model):
    """Append-only log of status changes: who moved the project, from what, to what, why."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")
    old_status = models.CharField(max_length=12, blank=True)
    new_status = models.CharField(max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.old_status or '—'} → {self.new_status}"


class Batch(models.Model):
    """One uploaded file of tasks. Big files are parsed by a background job; `status` and the
    row counts are its visible progress."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        PROCESSING = "processing", _("Checking")
        DONE = "done", _("Added")
        FAILED = "failed", _("Refused")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="batches")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filename = models.CharField(max_length=255)
    file_format = models.CharField(max_length=8)
    # Where the raw upload waits for the background job (relative to MEDIA_ROOT); removed after.
    stored_path = models.CharField(max_length=500, blank=True)
    size_bytes = models.BigIntegerField(default=0)
    # SHA-256 of the upload: a retried upload of the same file is answered with this batch
    # instead of adding the tasks twice.
    sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    # Progress of the check pass, for the progress bar of a background batch.
    bytes_checked = models.BigIntegerField(default=0)
    rows_seen = models.PositiveIntegerField(default=0)
    rows_added = models.PositiveIntegerField(default=0)
    gold_added = models.PositiveIntegerField(default=0)
    # [{"row": 12, "field": "label", "reason": "…"}], the first 100 at most.
    errors = models.JSONField(default=list, blank=True)
    # All rows with a problem, when there were more than the stored first 100.
    errors_total = models.PositiveIntegerField(default=0)
    # Columns the interface does not use; kept out of the tasks (and away from workers).
    ignored_columns = models.JSONField(default=list, blank=True)
    # The requester's announced release: the batch's tasks reach workers from this moment
    # (null: as soon as they are added to a live project).
    opens_at = models.DateTimeField(null=True, blank=True)
    # Runs of the background job so far. A run only writes while the batch still carries its
    # number, so a run taken for dead that was only slow can never add the tasks twice.
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "batches"
        indexes = [models.Index(fields=["project", "sha256"])]

    def __str__(self) -> str:
        return f"batch {self.pk} ({self.filename})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent_checked(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.size_bytes:
            return 0
        return min(99, int(self.bytes_checked * 100 / self.size_bytes))


class Task(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tasks")
    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="tasks")
    row_number = models.PositiveIntegerField()
    external_id = models.CharField(max_length=200, blank=True)
    data = models.JSONField()
    is_gold = models.BooleanField(default=False)
    # Never sent to a worker's device before they answer (gold answers stay server-side).
    gold_answer = models.JSONField(null=True, blank=True)
    gold_explanation = models.TextField(blank=True)
    priority = models.IntegerField(default=0)
    # Accepted answers so far; kept by the work services in the same transaction as the answer.
    answers_count = models.PositiveIntegerField(default=0)
    # Set when dynamic overlap decides the task has enough answers before reaching `overlap`.
    done = models.BooleanField(default=False)
    # Never handed to this worker: a review task is never given to the author of the answer
    # it checks (the claim leaves it out for them).
    excluded_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["project", "is_gold", "answers_count"]),
            models.Index(fields=["project", "external_id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_gold=False) | Q(gold_answer__isnull=False), name="gold_has_answer"
            ),
        ]

    def __str__(self) -> str:
        return f"task {self.pk} of {self.project_id}"


class UploadCleanup(models.Model):
    """One run of the periodic upload cleanup: what it removed and which batches it settled."""

    at = models.DateTimeField()
    files_removed = models.PositiveIntegerField(default=0)
    bytes_removed = models.BigIntegerField(default=0)
    batches_requeued = models.PositiveIntegerField(default=0)
    batches_failed = models.PositiveIntegerField(default=0)
    # The removed files' names (the first 100), for whoever wonders where a file went.
    removed = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"upload cleanup at {self.at:%Y-%m-%d %H:%M}"


class MediaFile(models.Model):
    """A picture, sound or video a requester uploaded for a project's tasks. Task data refers to
    it by `ref` (its path under MEDIA_URL); it is only ever served through a signed address, to
    the owning organisation's members, operators and the workers holding a task that uses it
    (docs/media.md)."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        AUDIO = "audio", _("Audio")
        VIDEO = "video", _("Video")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="media_files"
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="media_files")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Where the bytes are in the storage ("projects/7/3f2a…-cat-17.png"): ASCII, no spaces.
    storage_name = models.CharField(max_length=300, unique=True)
    # The name the requester gave it (the path inside a ZIP, or the uploaded file's name);
    # task rows may use it in place of the ref.
    name = models.CharField(max_length=255)
    # Read from the bytes, never from the name or the browser's claim.
    content_type = models.CharField(max_length=60)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    size_bytes = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="media_file_name_per_project")
        ]
        indexes = [models.Index(fields=["project", "sha256"])]
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @property
    def ref(self) -> str:
        """What task data carries: "/media/projects/7/3f2a…-cat-17.png"."""
        return "/" + settings.MEDIA_URL.strip("/") + "/" + self.storage_name
