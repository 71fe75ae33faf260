"""Quality control: qualifications, tests and training, skills, rules, decisions, appeals.

Every sanction is one Decision row with its rule, numbers and evidence, so it can be shown to
the worker in plain words and appealed; nothing here is a silent flag on the worker."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from microwork.accounts.models import Organisation
from microwork.lib.money import AMOUNT_DIGITS, AMOUNT_PLACES, CURRENCY_CHOICES
from microwork.projects.models import Project, Task
from microwork.quality.stats import BetaSummary, beta_summary
from microwork.work.models import Submission

# A decision can be appealed for this long after it was made.
APPEAL_WINDOW = timedelta(days=30)


class Qualification(models.Model):
    """Something a worker holds with an integer value: a test passed (value = score in %),
    a training completed, or a custom mark a requester grants (MTurk-style)."""

    class Kind(models.TextChoices):
        TEST = "test", _("Test")
        TRAINING = "training", _("Training")
        CUSTOM = "custom", _("Granted by the requester")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="qualifications"
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CUSTOM)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class QualificationGrant(models.Model):
    qualification = models.ForeignKey(
        Qualification, on_delete=models.CASCADE, related_name="grants"
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="qualification_grants"
    )
    value = models.IntegerField(default=1)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    granted_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["qualification", "worker"], name="one_grant_per_qualification_worker"
            )
        ]

    def __str__(self) -> str:
        return f"{self.qualification_id}:{self.worker_id}={self.value}"


class QualificationTest(models.Model):
    """A set of the project's gold tasks asked as a paid test (score, then review) or a paid
    training round (feedback after each answer). Passing grants `qualification`."""

    class Mode(models.TextChoices):
        TEST = "test", _("Qualification test")
        TRAINING = "training", _("Training")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="quality_tests")
    qualification = models.OneToOneField(
        Qualification, on_delete=models.PROTECT, related_name="test"
    )
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.TEST)
    name = models.CharField(_("name"), max_length=120)
    tasks = models.ManyToManyField(Task, related_name="quality_tests")
    # Share of correct answers needed to pass, 0–1 (training: 0, finishing is enough).
    pass_mark = models.DecimalField(max_digits=4, decimal_places=3, default=Decimal("0.800"))
    question_count = models.PositiveSmallIntegerField(default=10)
    retake_cooldown_seconds = models.PositiveIntegerField(default=24 * 3600)
    max_attempts = models.PositiveSmallIntegerField(default=3)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_mark__gte=0) & Q(pass_mark__lte=1), name="test_pass_mark_share"
            ),
            models.CheckConstraint(condition=Q(question_count__gte=1), name="test_has_questions"),
            models.CheckConstraint(condition=Q(max_attempts__gte=1), name="test_attempts_min"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_training(self) -> bool:
        return self.mode == self.Mode.TRAINING


class TestAttempt(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Not passed")

    # pytest would otherwise try to collect this model as a test class.
    __test__ = False

    test = models.ForeignKey(QualificationTest, on_delete=models.CASCADE, related_name="attempts")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="test_attempts"
    )
    number = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    correct = models.PositiveSmallIntegerField(default=0)
    score = models.DecimalField(max_digits=4, decimal_places=3, null=True, blank=True)
    active_ms = models.PositiveIntegerField(default=0)
    # The project's state when the attempt finished, so the result page can say honestly
    # that it closed meanwhile.
    project_status_at_finish = models.CharField(max_length=12, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["test", "worker", "number"], name="attempt_number"),
            # One open attempt per test and worker: a double-tapped "Start" cannot open two.
            models.UniqueConstraint(
                fields=["test", "worker"],
                condition=Q(status="in_progress"),
                name="one_open_attempt",
            ),
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of test {self.test_id} by {self.worker_id}"

    @property
    def is_finished(self) -> bool:
        return self.status != self.Status.IN_PROGRESS


class TestAnswer(models.Model):
    __test__ = False

    attempt = models.ForeignKey(TestAttempt, on_delete=models.CASCADE, related_name="answers")
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()
    answer = models.JSONField(null=True, blank=True)
    correct = models.BooleanField(null=True, blank=True)
    active_ms = models.PositiveIntegerField(default=0)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="answer_position"),
            models.UniqueConstraint(fields=["attempt", "task"], name="answer_task_once"),
        ]

    def __str__(self) -> str:
        return f"answer {self.position} of attempt {self.attempt_id}"


class TestPayment(models.Model):
    """Pay owed for a test or training attempt (rate × active time). `booked` turns true once
    the ledger took it; while the requester's funds are short it stays false and the periodic
    job retries, so the answers count at once and the pay follows."""

    __test__ = False

    attempt = models.OneToOneField(TestAttempt, on_delete=models.PROTECT, related_name="payment")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    active_ms = models.PositiveIntegerField()
    kind = models.CharField(max_length=10)
    reference = models.CharField(max_length=80, unique=True)
    booked = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.reference


class ProjectRequirement(models.Model):
    """What a worker must hold to work on a project. All rows must hold (AND)."""

    class Subject(models.TextChoices):
        QUALIFICATION = "qualification", _("Qualification")
        LANGUAGE = "language", _("Language")
        COUNTRY = "country", _("Country")
        DEVICE = "device", _("Device")

    class Comparator(models.TextChoices):
        EQ = "==", _("equals")
        NE = "!=", _("differs from")
        LT = "<", _("less than")
        LE = "<=", _("at most")
        GT = ">", _("more than")
        GE = ">=", _("at least")
        EXISTS = "exists", _("is held")
        NOT_EXISTS = "not_exists", _("is not held")
        IN = "in", _("is one of")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="requirements")
    subject = models.CharField(max_length=14, choices=Subject.choices)
    qualification = models.ForeignKey(
        Qualification, on_delete=models.PROTECT, null=True, blank=True, related_name="requirements"
    )
    comparator = models.CharField(max_length=10, choices=Comparator.choices)
    # Integers for qualifications, codes ("en", "NG", "phone") for the other subjects.
    values = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(subject="qualification") | Q(qualification__isnull=False),
                name="requirement_names_qualification",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.comparator} {self.values}"


class WorkerDevice(models.Model):
    """The kind of device a worker last worked from, for device requirements."""

    worker = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quality_device"
    )
    device = models.CharField(max_length=10)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.worker_id}: {self.device}"


class QualitySettings(models.Model):
    """Per-project quality choices that have no column on Project."""

    class Reveal(models.TextChoices):
        DELAY = "delay", _("After the project's reveal delay")
        BATCH = "batch", _("When the task's batch is finished")

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="quality_settings"
    )
    reveal = models.CharField(max_length=8, choices=Reveal.choices, default=Reveal.DELAY)
    appeal_deadline_hours = models.PositiveIntegerField(default=72)
    # Rejecting more than this share of one worker's answers in a day needs confirm=True.
    rejection_confirm_share = models.DecimalField(
        max_digits=4, decimal_places=3, default=Decimal("0.300")
    )

    class Meta:
        verbose_name_plural = "quality settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(rejection_confirm_share__gte=0) & Q(rejection_confirm_share__lte=1),
                name="rejection_share_range",
            ),
            models.CheckConstraint(
                condition=Q(appeal_deadline_hours__gte=1), name="appeal_deadline_min"
            ),
        ]

    def __str__(self) -> str:
        return f"quality settings of {self.project_id}"


class RuleConfig(models.Model):
    """One rule from the catalogue switched on for a project, with its numbers and action."""

    class Action(models.TextChoices):
        WARN = "warn", _("Warn only")
        PAUSE = "pause", _("Pause on this project")
        REMOVE = "remove", _("Remove from this project")
        FLAG = "flag", _("Flag for an operator")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="quality_rules")
    rule_key = models.CharField(max_length=40)
    params = models.JSONField(default=dict, blank=True)
    action = models.CharField(max_length=8, choices=Action.choices, default=Action.WARN)
    pause_seconds = models.PositiveIntegerField(default=24 * 3600)
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "rule_key"], name="one_rule_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.rule_key} on {self.project_id}"


class ApprovalRuleConfig(models.Model):
    """An approval rule from the catalogue switched on for a project, with its numbers."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="approval_rules")
    rule_key = models.CharField(max_length=40)
    params = models.JSONField(default=dict, blank=True)
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "rule_key"], name="one_approval_rule_per_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule_key} on {self.project_id}"


class WorkerSkill(models.Model):
    """Counters kept by the submission hook; the numbers shown are derived properties."""

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quality_skills"
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="worker_skills")
    answers = models.PositiveIntegerField(default=0)
    gold_answers = models.PositiveIntegerField(default=0)
    gold_correct = models.PositiveIntegerField(default=0)
    # Answers on ordinary tasks compared with the task's aggregated label, and how many match.
    compared = models.PositiveIntegerField(default=0)
    agreed = models.PositiveIntegerField(default=0)
    median_active_ms = models.PositiveIntegerField(null=True, blank=True)
    # Rules only look at answers after this moment: set when a sanction is reversed, so
    # the same old numbers do not sanction the worker again.
    rules_since = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["worker", "project"], name="one_skill_row"),
            models.CheckConstraint(
                condition=Q(gold_correct__lte=models.F("gold_answers")), name="gold_correct_le"
            ),
        ]

    def __str__(self) -> str:
        return f"skill of {self.worker_id} on {self.project_id}"

    @property
    def accuracy(self) -> BetaSummary:
        return beta_summary(correct=self.gold_correct, total=self.gold_answers)

    @property
    def agreement(self) -> float | None:
        return self.agreed / self.compared if self.compared else None


class FeedbackRelease(models.Model):
    """What a worker is shown of their work on a project, frozen when released: the figures of
    every answer up to a cut-off answer, as they stood at `released_at`. Append-only, one row
    per release; the worker's current figures are the latest row. A release covers at least
    CONTROL_FEEDBACK_MIN_ANSWERS answers more than the previous one, all at least
    CONTROL_FEEDBACK_DELAY hours old, so no figure moves with one answer (docs/quality.md)."""

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feedback_releases"
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="feedback_releases")
    number = models.PositiveIntegerField()
    # The last answer covered, by (submitted_at, id): every answer up to it counts.
    cutoff_submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="+")
    cutoff_at = models.DateTimeField()
    # Answers covered in all (`answers`) and newly covered by this release (`new_answers`).
    answers = models.PositiveIntegerField()
    new_answers = models.PositiveIntegerField()
    gold_answers = models.PositiveIntegerField(default=0)
    gold_correct = models.PositiveIntegerField(default=0)
    compared = models.PositiveIntegerField(default=0)
    agreed = models.PositiveIntegerField(default=0)
    median_active_ms = models.PositiveIntegerField(null=True, blank=True)
    released_at = models.DateTimeField()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "project", "number"], name="one_feedback_release_number"
            ),
            models.CheckConstraint(
                condition=Q(gold_correct__lte=models.F("gold_answers")),
                name="release_gold_correct_le",
            ),
            models.CheckConstraint(
                condition=Q(agreed__lte=models.F("compared")), name="release_agreed_le"
            ),
            models.CheckConstraint(
                condition=Q(new_answers__lte=models.F("answers")), name="release_new_le"
            ),
        ]
        indexes = [models.Index(fields=["worker", "project", "-number"])]

    def __str__(self) -> str:
        return f"release {self.number} for {self.worker_id} on {self.project_id}"

    @property
    def accuracy(self) -> BetaSummary:
        return beta_summary(correct=self.gold_correct, total=self.gold_answers)

    @property
    def agreement(self) -> float | None:
        return self.agreed / self.compared if self.compared else None


class Decision(models.Model):
    """One decision affecting a worker, with what it was based on."""

    class Kind(models.TextChoices):
        WARNING = "warning", _("Warning")
        PAUSE = "pause", _("Pause")
        REMOVAL = "removal", _("Removal from project")
        FLAG = "flag", _("Flagged for review")
        SUSPENSION = "suspension", _("Account suspension")
        REJECTION = "rejection", _("Rejected answer")
        BLOCK = "block", _("Blocked by a requester")

    class Status(models.TextChoices):
        ACTIVE = "active", _("In force")
        REVERSED = "reversed", _("Reversed")
        EXPIRED = "expired", _("Ended")

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="quality_decisions"
    )
    # Null for account-level decisions (suspension), which operators own, and for a block
    # made for all of an organisation's projects rather than from one of them.
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, null=True, blank=True, related_name="quality_decisions"
    )
    # A requester's block reaches every project of its organisation, today's and tomorrow's.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    rule_key = models.CharField(max_length=40, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The numbers the decision was made on (value, threshold, bound, counts …).
    inputs = models.JSONField(default=dict, blank=True)
    # [{submission, task, data, answer, expected, explanation}] frozen when decided.
    evidence = models.JSONField(default=list, blank=True)
    submission = models.ForeignKey(
        Submission, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason_code = models.CharField(max_length=30, blank=True)
    note = models.TextField(blank=True, max_length=2000)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # The outcome in English for the record; workers read `selectors.decision_text`.
    outcome = models.TextField()
    idempotency_key = models.CharField(max_length=120, unique=True, null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["worker", "project", "kind", "status"]),
            models.Index(fields=["status", "ends_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="suspension") | Q(project__isnull=True),
                name="suspension_is_account_level",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["suspension", "block"]) | Q(project__isnull=False),
                name="project_decision_has_project",
            ),
            models.CheckConstraint(
                condition=~Q(kind="block") | Q(organisation__isnull=False),
                name="block_has_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} for {self.worker_id}"

    @property
    def is_account_level(self) -> bool:
        return self.project_id is None and self.organisation_id is None

    @property
    def requester_organisation_id(self) -> int | None:
        """The organisation that answers an appeal against this decision (None: operators)."""
        if self.organisation_id is not None:
            return self.organisation_id
        return self.project.organisation_id if self.project is not None else None

    @property
    def appeal_until(self) -> datetime:
        return self.starts_at + APPEAL_WINDOW


class DecisionEvent(models.Model):
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="events")
    old_status = models.CharField(max_length=10, blank=True)
    new_status = models.CharField(max_length=10)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.decision_id}: {self.old_status}→{self.new_status}"


class Appeal(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for an answer")
        ESCALATED = "escalated", _("Passed to an operator")
        UPHELD = "upheld", _("Decision kept")
        REVERSED = "reversed", _("Decision reversed")

    class Route(models.TextChoices):
        REQUESTER = "requester", _("The requester")
        OPERATOR = "operator", _("An operator")

    # One appeal per decision: the answer to it is final (an operator reviews late answers).
    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="appeal")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    message = models.TextField(max_length=4000)
    route = models.CharField(max_length=10, choices=Route.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField()
    deadline_at = models.DateTimeField()
    escalated_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField(blank=True, max_length=4000)

    class Meta:
        indexes = [models.Index(fields=["status", "deadline_at"])]

    def __str__(self) -> str:
        return f"appeal on decision {self.decision_id}"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.OPEN, self.Status.ESCALATED)


class AppealEvent(models.Model):
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="events")
    old_status = models.CharField(max_length=10, blank=True)
    new_status = models.CharField(max_length=10)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.appeal_id}: {self.old_status}→{self.new_status}"
