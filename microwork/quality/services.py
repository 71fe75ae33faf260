"""Every write in quality control. Each service runs in one transaction, writes its audit
row (DecisionEvent, AppealEvent) and notifies the people concerned in the same transaction."""

import logging
import random
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import batched
from statistics import median
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from microwork.accounts.models import Organisation, User
from microwork.accounts.selectors import organisation_members
from microwork.aggregation import selectors as aggregation_selectors
from microwork.inbox.services import inbox_notify
from microwork.lib.errors import ApplicationError, Conflict, Forbidden
from microwork.lib.money import QUANTUM
from microwork.lib.status import status_change
from microwork.payments.models import SubmissionReview
from microwork.payments.services import bonuses as payments_bonuses
from microwork.payments.services import earnings as payments_earnings
from microwork.payments.services import floor as payments_floor
from microwork.projects.interfaces import get_interface
from microwork.projects.models import Project, Task
from microwork.quality import selectors, texts
from microwork.quality.feedback import feedback_releases_run
from microwork.quality.models import (
    APPEAL_WINDOW,
    Appeal,
    AppealEvent,
    ApprovalRuleConfig,
    Decision,
    DecisionEvent,
    ProjectRequirement,
    Qualification,
    QualificationGrant,
    QualificationTest,
    QualitySettings,
    RuleConfig,
    TestAnswer,
    TestAttempt,
    TestPayment,
    WorkerDevice,
    WorkerSkill,
)
from microwork.quality.rules import (
    APPROVAL_RULES,
    RULES,
    Measurement,
    get_approval_rule,
    get_rule,
)
from microwork.quality.rules.base import check_int, check_share
from microwork.work.models import Assignment, Submission

log = logging.getLogger(__name__)

# A warning is "prior" for this long: an old warning does not license a pause months later.
WARNING_VALID = timedelta(days=14)
DEFAULT_APPEAL_DEADLINE = timedelta(hours=72)
MAX_MESSAGE = 4000
DEVICES = ("phone", "tablet", "desktop")
LANGUAGE_COMPARATORS = {"exists", "==", "!=", "in", "not_exists"}
PLACE_COMPARATORS = {"==", "!=", "in"}


def _notify(
    *,
    to: User | Iterable[User],
    kind: str,
    decision: Decision | None = None,
    appeal: Appeal | None = None,
    params: dict[str, Any] | None = None,
    now: datetime,
) -> None:
    refs = {
        "decision_id": decision.pk if decision else None,
        "appeal_id": appeal.pk if appeal else None,
    }
    users = [to] if isinstance(to, User) else to
    inbox_notify(users=users, kind=kind, params={**(params or {}), **refs}, now=now)


# --- qualifications and requirements ------------------------------------------------------


@transaction.atomic
def qualification_create(
    *,
    organisation: Organisation,
    name: str,
    description: str = "",
    kind: str = Qualification.Kind.CUSTOM,
) -> Qualification:
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ApplicationError(
            _("Give the qualification a name of 1 to 120 characters."), field="name"
        )
    if kind not in Qualification.Kind.values:
        raise ApplicationError(_("Unknown kind of qualification."), field="kind")
    return Qualification.objects.create(
        organisation=organisation, name=name, description=(description or "")[:2000], kind=kind
    )


def _whole_number(value: Any, *, field: str) -> int:
    """A typed-in whole number, negative ones too (a requester's own scale)."""
    if isinstance(value, bool):
        raise ApplicationError(_("The value must be a whole number."), field=field)
    if isinstance(value, int):
        return value
    text = str(value if value is not None else "").strip()
    if not text.lstrip("-").isdigit():
        raise ApplicationError(_("The value must be a whole number."), field=field)
    return int(text)


@transaction.atomic
def qualification_grant(
    *,
    qualification: Qualification,
    worker: User,
    value: Any = 1,
    granted_by: User | None,
    now: datetime | None = None,
) -> QualificationGrant:
    """Grant (or re-grant with a new value). Granting twice is the same as granting once."""
    now = now or timezone.now()
    if not worker.is_worker:
        raise ApplicationError(_("Only workers can hold qualifications."), field="worker")
    value = _whole_number(value, field="value")
    grant, created = QualificationGrant.objects.select_for_update().get_or_create(
        qualification=qualification,
        worker=worker,
        defaults={"value": value, "granted_by": granted_by, "granted_at": now},
    )
    if not created:
        grant.value = value
        grant.granted_by = granted_by
        grant.granted_at = now
        grant.revoked_at = None
        grant.save(update_fields=["value", "granted_by", "granted_at", "revoked_at"])
    return grant


@transaction.atomic
def qualification_revoke(
    *, qualification: Qualification, worker: User, now: datetime | None = None
) -> None:
    QualificationGrant.objects.filter(
        qualification=qualification, worker=worker, revoked_at__isnull=True
    ).update(revoked_at=now or timezone.now())


@transaction.atomic
def project_requirement_add(
    *,
    project: Project,
    subject: str,
    comparator: str,
    values: list[Any] | None = None,
    qualification: Qualification | None = None,
) -> ProjectRequirement:
    values = list(values or [])
    if subject not in ProjectRequirement.Subject.values:
        raise ApplicationError(
            _("subject must be one of: %(choices)s.")
            % {"choices": ", ".join(ProjectRequirement.Subject.values)},
            field="subject",
        )
    if comparator not in ProjectRequirement.Comparator.values:
        raise ApplicationError(
            _("comparator must be one of: %(choices)s.")
            % {"choices": ", ".join(ProjectRequirement.Comparator.values)},
            field="comparator",
        )
    needs_values = comparator not in ("exists", "not_exists")
    if needs_values and not values:
        raise ApplicationError(_("Give the value(s) to compare with."), field="values")
    if comparator != "in" and len(values) > 1:
        raise ApplicationError(_("Only the comparator “in” takes several values."), field="values")
    if subject == ProjectRequirement.Subject.QUALIFICATION:
        if qualification is None:
            raise ApplicationError(_("Choose the qualification."), field="qualification")
        if qualification.organisation_id != project.organisation_id:
            raise ApplicationError(
                _("That qualification belongs to another organisation."), field="qualification"
            )
        try:
            values = [int(v) for v in values]
        except (TypeError, ValueError):
            raise ApplicationError(
                _("Qualification values are whole numbers."), field="values"
            ) from None
    else:
        qualification = None
        allowed = LANGUAGE_COMPARATORS if subject == "language" else PLACE_COMPARATORS
        if comparator not in allowed:
            raise ApplicationError(
                _("For %(subject)s use one of: %(choices)s.")
                % {"subject": subject, "choices": ", ".join(sorted(allowed))},
                field="comparator",
            )
        values = [str(v).strip() for v in values]
        if subject == "country":
            values = [v.upper() for v in values]
            if any(len(v) != 2 or not v.isalpha() for v in values):
                raise ApplicationError(
                    _("Countries are two-letter codes such as NG."), field="values"
                )
        elif subject == "language":
            values = [v.lower() for v in values]
            if any(not 2 <= len(v) <= 3 or not v.isalpha() for v in values):
                raise ApplicationError(_("Languages are codes such as en or yo."), field="values")
        elif subject == "device" and any(v not in DEVICES for v in values):
            raise ApplicationError(
                _("Devices are: %(choices)s.") % {"choices": ", ".join(DEVICES)}, field="values"
            )
    return ProjectRequirement.objects.create(
        project=project,
        subject=subject,
        comparator=comparator,
        values=values,
        qualification=qualification,
    )


@transaction.atomic
def project_requirement_remove(*, requirement: ProjectRequirement) -> None:
    requirement.delete()


def worker_device_record(*, worker: User, user_agent: str, now: datetime | None = None) -> str:
    ua = (user_agent or "").lower()
    if "ipad" in ua or "tablet" in ua:
        device = "tablet"
    elif "mobi" in ua or "android" in ua or "iphone" in ua:
        device = "phone"
    else:
        device = "desktop"
    WorkerDevice.objects.update_or_create(
        worker=worker, defaults={"device": device, "seen_at": now or timezone.now()}
    )
    return device


# --- tests and training -----------------------------------------------------------------


@transaction.atomic
def qualification_test_create(
    *,
    project: Project,
    name: str,
    task_ids: list[int],
    mode: str = QualificationTest.Mode.TEST,
    pass_mark: Any = Decimal("0.8"),
    question_count: Any = 10,
    retake_cooldown_seconds: Any = 24 * 3600,
    max_attempts: Any = 3,
    required: bool = False,
    all_gold: bool = False,
) -> QualificationTest:
    """A test or training from the given control tasks (`all_gold`: every control task of
    the project)."""
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ApplicationError(_("Give the test a name of 1 to 120 characters."), field="name")
    if mode not in QualificationTest.Mode.values:
        raise ApplicationError(_("mode must be test or training."), field="mode")
    mark = check_share(pass_mark, field="pass_mark")
    count = check_int(question_count, field="question_count", minimum=1, maximum=200)
    cooldown = check_int(retake_cooldown_seconds, field="retake_cooldown_seconds", minimum=0)
    attempts = check_int(max_attempts, field="max_attempts", minimum=1, maximum=100)
    if all_gold:
        task_ids = list(project.tasks.filter(is_gold=True).values_list("pk", flat=True))
    ids = sorted({int(i) for i in task_ids or []})
    tasks = list(Task.objects.filter(project=project, pk__in=ids))
    not_gold = [t.pk for t in tasks if not t.is_gold]
    missing = sorted(set(ids) - {t.pk for t in tasks})
    if missing:
        raise ApplicationError(
            _("These tasks are not in this project: %(ids)s.")
            % {"ids": ", ".join(map(str, missing))},
            field="task_ids",
        )
    if not_gold:
        raise ApplicationError(
            _("Tests use control tasks with a known answer; these are not: %(ids)s.")
            % {"ids": ", ".join(map(str, not_gold))},
            field="task_ids",
        )
    if len(tasks) < count:
        raise ApplicationError(
            _(
                "The test asks %(count)d questions but has only %(tasks)d control tasks; add tasks "
                "or lower question_count."
            )
            % {"count": count, "tasks": len(tasks)},
            field="question_count",
        )
    qualification = Qualification.objects.create(
        organisation=project.organisation,
        name=name,
        kind=Qualification.Kind.TRAINING if mode == "training" else Qualification.Kind.TEST,
        description=_("Given for passing “%(name)s” on %(project)s.")
        % {"name": name, "project": project.name},
    )
    test = QualificationTest.objects.create(
        project=project,
        qualification=qualification,
        mode=mode,
        name=name,
        pass_mark=mark,
        question_count=count,
        retake_cooldown_seconds=cooldown,
        max_attempts=attempts,
    )
    test.tasks.set(tasks)
    if required:
        project_requirement_add(
            project=project,
            subject=ProjectRequirement.Subject.QUALIFICATION,
            comparator="exists",
            qualification=qualification,
        )
    return test


def _project_open(project: Project) -> bool:
    return project.status == Project.Status.LIVE


@transaction.atomic
def test_attempt_start(
    *, test: QualificationTest, worker: User, now: datetime | None = None
) -> TestAttempt:
    """Start an attempt, or return the one already in progress (a retried tap opens one)."""
    now = now or timezone.now()
    test = (
        QualificationTest.objects.select_for_update(of=("self",))
        .select_related("project")
        .get(pk=test.pk)
    )
    if not worker.is_worker:
        raise Forbidden(_("Only workers take tests."))
    current = TestAttempt.objects.filter(
        test=test, worker=worker, status=TestAttempt.Status.IN_PROGRESS
    ).first()
    if current:
        return current
    if not _project_open(test.project):
        raise ApplicationError(
            _("This project is not open (it is %(status)s), so its test is closed.")
            % {"status": test.project.get_status_display()},
            code="project_closed",
        )
    blocking = selectors.blocking_decision(project=test.project, worker=worker, now=now)
    if blocking:
        raise Forbidden(texts.decision_headline(blocking), code="sanctioned")
    previous = list(TestAttempt.objects.filter(test=test, worker=worker).order_by("-number"))
    if any(a.status == TestAttempt.Status.PASSED for a in previous):
        raise Conflict(_("You already passed this."), code="already_passed")
    if len(previous) >= test.max_attempts:
        raise ApplicationError(
            _("You used all %(n)d attempts at this test.") % {"n": test.max_attempts},
            code="no_attempts_left",
        )
    if previous and previous[0].finished_at:
        again = previous[0].finished_at + timedelta(seconds=test.retake_cooldown_seconds)
        if again > now:
            raise ApplicationError(
                _("You can take this test again from %(when)s UTC.")
                % {"when": again.strftime("%Y-%m-%d %H:%M")},
                code="cooldown",
            )
    attempt = TestAttempt.objects.create(
        test=test, worker=worker, number=len(previous) + 1, started_at=now
    )
    task_ids = list(test.tasks.values_list("pk", flat=True))
    # Controls the worker already answered come last, those a feedback release covers first:
    # asking one here shows its expected answer, which before the release would say that
    # answer was a control.
    answered = Submission.objects.filter(worker=worker, task_id__in=task_ids)
    released = set(
        answered.filter(
            selectors.released_submissions_q(selectors.released_cutoffs(worker=worker))
        ).values_list("task_id", flat=True)
    )
    unreleased = set(answered.values_list("task_id", flat=True)) - released
    chosen: list[int] = []
    for group in (
        [t for t in task_ids if t not in released and t not in unreleased],
        [t for t in task_ids if t in released],
        [t for t in task_ids if t in unreleased],
    ):
        chosen += random.sample(group, min(len(group), test.question_count - len(chosen)))
    random.shuffle(chosen)
    TestAnswer.objects.bulk_create(
        [TestAnswer(attempt=attempt, task_id=t, position=i) for i, t in enumerate(chosen, start=1)]
    )
    return attempt


def _same_answer(interface: Any, a: Any, b: Any) -> bool:
    return interface.answer_key(a) == interface.answer_key(b)


@transaction.atomic
def test_answer_submit(
    *,
    attempt: TestAttempt,
    position: int,
    answer: Any,
    active_ms: int = 0,
    now: datetime | None = None,
) -> TestAnswer:
    """Store one answer. Sending the same position again (a retried request) changes nothing."""
    now = now or timezone.now()
    attempt = (
        TestAttempt.objects.select_for_update(of=("self",))
        .select_related("test__project")
        .get(pk=attempt.pk)
    )
    row = (
        TestAnswer.objects.select_related("task").filter(attempt=attempt, position=position).first()
    )
    if row is None:
        raise ApplicationError(_("There is no question %(n)d.") % {"n": position}, field="position")
    if row.answered_at is not None or attempt.is_finished:
        return row
    project = attempt.test.project
    interface = get_interface(project.interface)
    cleaned = interface.check_answer(project.config, row.task.data, answer)
    if isinstance(active_ms, bool) or not isinstance(active_ms, int) or active_ms < 0:
        raise ApplicationError(
            _("active_ms must be a whole number of milliseconds."), field="active_ms"
        )
    # The device measures visible time; the server bounds it by the wall time since the last
    # answer (a clock cannot claim more) and by the project's time limit (a tab left open all
    # night is not work).
    last = (
        TestAnswer.objects.filter(attempt=attempt, answered_at__isnull=False)
        .order_by("-answered_at")
        .values_list("answered_at", flat=True)
        .first()
    )
    wall_ms = int((now - (last or attempt.started_at)).total_seconds() * 1000)
    row.active_ms = max(0, min(active_ms, wall_ms, project.time_limit_seconds * 1000))
    row.answer = cleaned
    row.correct = _same_answer(interface, cleaned, row.task.gold_answer)
    row.answered_at = now
    row.save(update_fields=["answer", "correct", "active_ms", "answered_at"])
    if not TestAnswer.objects.filter(attempt=attempt, answered_at__isnull=True).exists():
        _attempt_finish(attempt=attempt, now=now)
    return row


def _attempt_finish(*, attempt: TestAttempt, now: datetime) -> None:
    answers = list(attempt.answers.all())
    correct = sum(1 for a in answers if a.correct)
    score = (Decimal(correct) / Decimal(len(answers))).quantize(Decimal("0.001"), ROUND_HALF_UP)
    test = attempt.test
    passed = score >= test.pass_mark
    attempt.correct = correct
    attempt.score = score
    attempt.active_ms = sum(a.active_ms for a in answers)
    attempt.status = TestAttempt.Status.PASSED if passed else TestAttempt.Status.FAILED
    attempt.finished_at = now
    attempt.project_status_at_finish = Project.objects.values_list("status", flat=True).get(
        pk=test.project_id
    )
    attempt.save(
        update_fields=[
            "correct",
            "score",
            "active_ms",
            "status",
            "finished_at",
            "project_status_at_finish",
        ]
    )
    if passed:
        qualification_grant(
            qualification=test.qualification,
            worker=attempt.worker,
            value=int((score * 100).to_integral_value(ROUND_HALF_UP)),
            granted_by=None,
            now=now,
        )
    quality_payment_owed(attempt=attempt, now=now)
    _notify(
        to=attempt.worker,
        kind="test_result",
        now=now,
        params={"test": test.name, "score": f"{score * 100:.0f} %", "attempt": attempt.pk},
    )


def test_pay_rate(project: Project) -> Decimal:
    """The hourly rate a test is paid at: the project's, never below the platform floor in the
    project's currency (the money side converts it at the operators' exchange rate)."""
    try:
        floor = payments_floor.floor_per_hour(project.currency)
    except ApplicationError as exc:
        # No rate to convert the floor with: the project's own rate met the floor when it went
        # live, and the money side books nothing until an operator sets the rate.
        log.warning("test pay rate of project %s: %s", project.pk, exc.message)
        return project.estimated_hourly_rate
    return max(project.estimated_hourly_rate, floor)


def test_estimated_ms(attempt: TestAttempt) -> int:
    """A test's estimate: its questions at the project's estimated time per task. Pay is
    capped at twice this (a test left open is not work)."""
    questions = attempt.answers.count() or attempt.test.question_count
    return questions * attempt.test.project.estimated_seconds * 1000


@transaction.atomic
def quality_payment_owed(*, attempt: TestAttempt, now: datetime | None = None) -> TestPayment:
    """Pay a finished attempt, pass or fail: the project's hourly rate × measured active time.
    One row per attempt (the reference is the idempotency key on both sides)."""
    now = now or timezone.now()
    project = attempt.test.project
    reference = f"quality-attempt-{attempt.pk}"
    existing = TestPayment.objects.filter(reference=reference).first()
    if existing:
        return existing
    estimated_ms = test_estimated_ms(attempt)
    paid_ms = min(attempt.active_ms, 2 * estimated_ms)
    amount = (test_pay_rate(project) * Decimal(paid_ms) / Decimal(3_600_000)).quantize(
        QUANTUM, ROUND_HALF_UP
    )
    kind = attempt.test.mode
    booked = _book_test_payment(
        project=project,
        worker=attempt.worker,
        active_ms=attempt.active_ms,
        estimated_ms=estimated_ms,
        kind=kind,
        reference=reference,
        amount=amount,
        now=now,
    )
    return TestPayment.objects.create(
        attempt=attempt,
        worker=attempt.worker,
        project=project,
        amount=amount,
        currency=project.currency,
        active_ms=attempt.active_ms,
        kind=kind,
        reference=reference,
        booked=booked,
        created_at=now,
    )


def _book_test_payment(
    *,
    project: Project,
    worker: User,
    active_ms: int,
    estimated_ms: int,
    kind: str,
    reference: str,
    amount: Decimal,
    now: datetime,
) -> bool:
    """Hand the payment to the money side. If it cannot take it now (the requester's escrow
    is short), the worker's answers still count: the row stays unbooked and the periodic job
    retries, so the test is paid as soon as the money is there."""
    if amount <= 0:
        return True
    try:
        with transaction.atomic():
            payments_bonuses.test_payment_record(
                project=project,
                worker=worker,
                active_ms=active_ms,
                estimated_ms=estimated_ms,
                kind=kind,
                reference=reference,
                amount=amount,
                now=now,
            )
    except ApplicationError as exc:
        log.warning("test payment %s not booked yet: %s", reference, exc.message)
        return False
    return True


@transaction.atomic
def test_payments_retry(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    done = 0
    for payment in (
        TestPayment.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("project", "worker", "attempt__test__project")
        .filter(booked=False)
    ):
        if _book_test_payment(
            project=payment.project,
            worker=payment.worker,
            active_ms=payment.active_ms,
            estimated_ms=test_estimated_ms(payment.attempt),
            kind=payment.kind,
            reference=payment.reference,
            amount=payment.amount,
            now=now,
        ):
            payment.booked = True
            payment.save(update_fields=["booked"])
            done += 1
    return done


# --- settings and rules -----------------------------------------------------------------


@transaction.atomic
def quality_settings_update(
    *,
    project: Project,
    reveal: str | None = None,
    gold_reveal_delay_hours: Any = None,
    appeal_deadline_hours: Any = None,
    rejection_confirm_share: Any = None,
) -> QualitySettings:
    """Change the project's quality settings; None leaves a setting as it is. Every value is
    checked before any is saved, so a bad one changes nothing."""
    row, _created = QualitySettings.objects.select_for_update().get_or_create(project=project)
    delay = None
    if gold_reveal_delay_hours is not None and gold_reveal_delay_hours != "":
        # At least an hour, so control answers cannot be collected while in use; at most the
        # appeal window, so a worker can still see a missed control task and appeal over it.
        delay = check_int(
            gold_reveal_delay_hours,
            field="gold_reveal_delay_hours",
            minimum=1,
            maximum=APPEAL_WINDOW.days * 24,
        )
    fields = []
    if reveal is not None:
        if reveal not in QualitySettings.Reveal.values:
            raise ApplicationError(_("reveal must be delay or batch."), field="reveal")
        row.reveal = reveal
        fields.append("reveal")
    if appeal_deadline_hours is not None:
        row.appeal_deadline_hours = check_int(
            appeal_deadline_hours, field="appeal_deadline_hours", minimum=1, maximum=24 * 14
        )
        fields.append("appeal_deadline_hours")
    if rejection_confirm_share is not None:
        row.rejection_confirm_share = check_share(
            rejection_confirm_share, field="rejection_confirm_share"
        ).quantize(Decimal("0.001"), ROUND_HALF_UP)
        fields.append("rejection_confirm_share")
    if fields:
        row.save(update_fields=fields)
    if delay is not None:
        # The delay is a column of the project (it predates these settings).
        locked = Project.objects.select_for_update().get(pk=project.pk)
        locked.gold_reveal_delay_seconds = delay * 3600
        locked.save(update_fields=["gold_reveal_delay_seconds", "updated_at"])
        project.gold_reveal_delay_seconds = locked.gold_reveal_delay_seconds
    return row


@transaction.atomic
def rule_configure(
    *,
    project: Project,
    rule_key: str,
    params: Mapping[str, Any] | None = None,
    action: str | None = None,
    pause_seconds: Any = 24 * 3600,
    enabled: bool = True,
) -> RuleConfig:
    """Switch a rule on (or off) with its numbers. No action: warn, or for a limit such as the
    daily cap, pause (its only action)."""
    rule = get_rule(rule_key)
    cleaned = rule.check_params(dict(params or {}))
    if action is None:
        action = RuleConfig.Action.PAUSE if rule.stops_at_limit else RuleConfig.Action.WARN
    if rule.stops_at_limit and action != RuleConfig.Action.PAUSE:
        raise ApplicationError(
            _("%(rule)s always pauses until the limit resets; action must be pause.")
            % {"rule": rule.title},
            field="action",
        )
    if action not in RuleConfig.Action.values:
        raise ApplicationError(
            _("action must be one of: %(choices)s.")
            % {"choices": ", ".join(RuleConfig.Action.values)},
            field="action",
        )
    seconds = check_int(pause_seconds, field="pause_seconds", minimum=60, maximum=90 * 24 * 3600)
    config, _created = RuleConfig.objects.update_or_create(
        project=project,
        rule_key=rule_key,
        defaults={
            "params": cleaned,
            "action": action,
            "pause_seconds": seconds,
            "enabled": enabled,
        },
    )
    return config


def _skill_locked(*, project: Project, worker: User) -> WorkerSkill:
    # Every answer comes here: lock the row that almost always exists in one query, and make
    # it (in a savepoint) only the first time.
    skill = WorkerSkill.objects.select_for_update().filter(project=project, worker=worker).first()
    if skill is None:
        try:
            with transaction.atomic():
                WorkerSkill.objects.get_or_create(project=project, worker=worker)
        except IntegrityError:
            pass  # Another process made it first; the lock below waits for it.
        skill = WorkerSkill.objects.select_for_update().get(project=project, worker=worker)
    # The caller's rows, so the rules do not fetch them again.
    skill.project, skill.worker = project, worker
    return skill


def submission_recorded(*, submission: Submission) -> None:
    """The work engine's submission hook: count the answer, then apply the project's rules."""
    skill_record_submission(submission=submission)


@transaction.atomic
def skill_record_submission(*, submission: Submission, now: datetime | None = None) -> WorkerSkill:
    now = now or timezone.now()
    skill = _skill_locked(project=submission.project, worker=submission.worker)
    skill.answers += 1
    if submission.gold_correct is not None:
        skill.gold_answers += 1
        skill.gold_correct += int(bool(submission.gold_correct))
    else:
        # Aggregation's hook ran first, so the task's label already counts this answer. Later
        # answers can still change it: a full re-estimate recounts everyone
        # (skills_agreement_refresh), and so does the periodic sweep for active workers.
        agrees = selectors.agrees_with_label(submission=submission)
        if agrees is not None:
            skill.compared += 1
            skill.agreed += int(agrees)
    skill.median_active_ms, _n = selectors.median_active_ms(
        project=submission.project, worker=submission.worker
    )
    skill.updated_at = now
    skill.save(
        update_fields=[
            "answers",
            "gold_answers",
            "gold_correct",
            "compared",
            "agreed",
            "median_active_ms",
            "updated_at",
        ]
    )
    _rules_apply(skill=skill, now=now, per_submission=True)
    _approval_queue(submission=submission, skill=skill)
    return skill


@transaction.atomic
def skill_recompute(*, project: Project, worker: User, now: datetime | None = None) -> WorkerSkill:
    """Recount everything from the stored answers (the periodic job; also fixes drift)."""
    now = now or timezone.now()
    skill = _skill_locked(project=project, worker=worker)
    subs = Submission.objects.filter(project=project, worker=worker)
    skill.answers = subs.count()
    total, correct, _ids = selectors.gold_counts(project=project, worker=worker, since=None)
    skill.gold_answers, skill.gold_correct = total, correct
    skill.compared, skill.agreed, _ids = selectors.agreement_counts(
        project=project, worker=worker, since=None, window=None
    )
    values = list(subs.order_by("-submitted_at").values_list("active_ms", flat=True)[:200])
    skill.median_active_ms = int(median(values)) if values else None
    skill.updated_at = now
    skill.save(
        update_fields=[
            "answers",
            "gold_answers",
            "gold_correct",
            "compared",
            "agreed",
            "median_active_ms",
            "updated_at",
        ]
    )
    return skill


def skills_agreement_refresh(*, project: Project) -> int:
    """Recount every worker's agreement with the project's labels, after a full re-estimate
    changed them (aggregation's LABELS_CHANGED hook). One small transaction per worker,
    holding that worker's skill row, so an answer arriving meanwhile is counted once. Returns
    how many workers were recounted."""
    done = 0
    for worker in User.objects.filter(quality_skills__project=project).order_by("pk"):
        with transaction.atomic():
            skill = _skill_locked(project=project, worker=worker)
            skill.compared, skill.agreed, _ids = selectors.agreement_counts(
                project=project, worker=worker, since=None, window=None
            )
            skill.save(update_fields=["compared", "agreed"])
        done += 1
    return done


# --- approval by a rule --------------------------------------------------------------------


@transaction.atomic
def approval_rule_configure(
    *,
    project: Project,
    rule_key: str,
    params: Mapping[str, Any] | None = None,
    enabled: bool = True,
) -> ApprovalRuleConfig:
    rule = get_approval_rule(rule_key)
    cleaned = rule.check_params(dict(params or {}))
    config, _created = ApprovalRuleConfig.objects.update_or_create(
        project=project, rule_key=rule_key, defaults={"params": cleaned, "enabled": enabled}
    )
    return config


def _approval_verdict(
    *,
    submission: Submission,
    configs: Iterable[ApprovalRuleConfig],
    skill: WorkerSkill | None,
    label: aggregation_selectors.AggregatedLabel | None,
) -> dict[str, Any] | None:
    """The first enabled rule (in key order) that approves the answer: its key, its numbers
    and the numbers it looked at, as kept on the review."""
    for config in sorted(configs, key=lambda c: c.rule_key):
        if config.rule_key not in APPROVAL_RULES:
            continue
        rule = get_approval_rule(config.rule_key)
        params = {**rule.defaults(), **config.params}
        numbers = rule.verdict(submission=submission, skill=skill, label=label, params=params)
        if numbers is not None:
            return {"rule": config.rule_key, "params": params, "numbers": numbers}
    return None


def _approval_queue(*, submission: Submission, skill: WorkerSkill) -> None:
    """On the submit path: if a rule would approve the answer, approve it after commit, in
    its own transaction (the earning it moves is booked by a later hook of this submit)."""
    configs = list(ApprovalRuleConfig.objects.filter(project=submission.project, enabled=True))
    if not configs:
        return
    label = aggregation_selectors.task_label(task_id=submission.task_id)
    if _approval_verdict(submission=submission, configs=configs, skill=skill, label=label):
        from microwork.quality.tasks import submission_approve_by_rules_task

        transaction.on_commit(lambda: submission_approve_by_rules_task.enqueue(submission.pk))


def _held_back(*, project: Project, now: datetime) -> set[int]:
    """Workers under a pause, removal, flag or suspension: no rule approves their answers early
    (they wait for the requester or the approval period)."""
    return set(
        selectors.active_decisions(now=now)
        .filter(
            Q(
                project=project,
                kind__in=[Decision.Kind.PAUSE, Decision.Kind.REMOVAL, Decision.Kind.FLAG],
            )
            | Q(kind=Decision.Kind.SUSPENSION)
        )
        .values_list("worker_id", flat=True)
    )


def _approve_by_rule(*, submission: Submission, verdict: dict[str, Any], now: datetime) -> bool:
    try:
        return payments_earnings.earning_approve(
            submission=submission,
            actor=None,
            rule=SubmissionReview.Rule.QUALITY_RULE,
            inputs=verdict,
            now=now,
        )
    except ApplicationError as exc:
        # The requester's funds cannot pay the fee yet: the answer waits for the next sweep.
        log.warning("answer %s not approved by rule yet: %s", submission.pk, exc)
        return False


def submission_approve_by_rules(*, submission: Submission, now: datetime | None = None) -> bool:
    """Approve one pending answer if an enabled approval rule says so now. Returns whether
    this call approved it (approval is once-only, so a repeat is harmless)."""
    now = now or timezone.now()
    submission = Submission.objects.select_related("project", "task", "worker").get(
        pk=submission.pk
    )
    if submission.status != Submission.Status.PENDING:
        return False
    project = submission.project
    configs = list(ApprovalRuleConfig.objects.filter(project=project, enabled=True))
    if not configs or submission.worker_id in _held_back(project=project, now=now):
        return False
    verdict = _approval_verdict(
        submission=submission,
        configs=configs,
        skill=WorkerSkill.objects.filter(project=project, worker=submission.worker).first(),
        label=aggregation_selectors.task_label(task_id=submission.task_id),
    )
    if verdict is None:
        return False
    return _approve_by_rule(submission=submission, verdict=verdict, now=now)


def submissions_approve_by_rules(*, now: datetime | None = None) -> int:
    """The periodic part: answers awaiting approval on projects with approval rules, checked
    again (a worker's accuracy rose, a label became confident since). Each approval is its
    own transaction. Returns how many were approved."""
    now = now or timezone.now()
    done = 0
    by_project: dict[int, list[ApprovalRuleConfig]] = {}
    for config in ApprovalRuleConfig.objects.filter(enabled=True).select_related("project"):
        by_project.setdefault(config.project_id, []).append(config)
    for configs in by_project.values():
        project = configs[0].project
        held = _held_back(project=project, now=now)
        skills = {s.worker_id: s for s in WorkerSkill.objects.filter(project=project)}
        pending = (
            Submission.objects.filter(project=project, status=Submission.Status.PENDING)
            .exclude(worker_id__in=held)
            .select_related("project", "task")
            .order_by("pk")
        )
        for chunk in batched(pending.iterator(chunk_size=1000), 1000):
            labels = aggregation_selectors.task_labels(task_ids={s.task_id for s in chunk})
            for submission in chunk:
                verdict = _approval_verdict(
                    submission=submission,
                    configs=configs,
                    skill=skills.get(submission.worker_id),
                    label=labels.get(submission.task_id),
                )
                if verdict is not None:
                    done += _approve_by_rule(submission=submission, verdict=verdict, now=now)
    return done


@transaction.atomic
def rules_evaluate(
    *, project: Project, worker: User, now: datetime | None = None
) -> list[Decision]:
    """Apply every enabled rule of the project to the worker now."""
    now = now or timezone.now()
    skill = _skill_locked(project=project, worker=worker)
    return _rules_apply(skill=skill, now=now, per_submission=False)


def _rules_apply(*, skill: WorkerSkill, now: datetime, per_submission: bool) -> list[Decision]:
    project, worker = skill.project, skill.worker
    made: list[Decision] = []
    for config in RuleConfig.objects.filter(project=project, enabled=True).order_by("rule_key"):
        if config.rule_key not in RULES:
            continue
        rule = get_rule(config.rule_key)
        if per_submission and not getattr(rule, "per_submission", True):
            continue
        params = {**rule.defaults(), **config.params}
        m = rule.measure(
            project=project, worker=worker, params=params, since=skill.rules_since, now=now
        )
        if rule.stops_at_limit:
            decision = _limit_outcome(config=config, params=params, m=m, skill=skill, now=now)
        else:
            decision = _rule_outcome(config=config, params=params, m=m, skill=skill, now=now)
        if decision is not None:
            made.append(decision)
    return made


def _limit_outcome(
    *, config: RuleConfig, params: dict[str, Any], m: Measurement, skill: WorkerSkill, now: datetime
) -> Decision | None:
    """A limit (the daily cap): a warning with what is left as the worker comes close, then
    at the limit itself a pause until it resets — at once, not one answer later."""
    if not m.enough or not (m.breached or m.near):
        return None
    project, worker = skill.project, skill.worker
    live = selectors.active_decisions(now=now).filter(project=project, worker=worker)
    if live.filter(kind__in=[Decision.Kind.PAUSE, Decision.Kind.REMOVAL]).exists():
        return None
    inputs = {
        "value": m.value,
        "threshold": m.threshold,
        "distance": m.distance,
        "numbers": m.numbers,
        "breached": m.breached,
        "params": params,
        "action": RuleConfig.Action.PAUSE,
    }
    warning = (
        live.filter(rule_key=config.rule_key, kind=Decision.Kind.WARNING)
        .order_by("-starts_at")
        .first()
    )
    if not m.breached:
        if warning is not None:
            return None  # One warning a day, not one per answer.
        kind = Decision.Kind.WARNING
    else:
        kind = Decision.Kind.PAUSE
        if warning is not None:
            inputs["prior_warning"] = warning.pk
    # The warning ends when the count resets, so tomorrow's approach warns afresh.
    return _decide_rule(
        skill=skill, config=config, kind=kind, m=m, inputs=inputs, now=now, ends_at=m.pause_until
    )


def _rule_outcome(
    *, config: RuleConfig, params: dict[str, Any], m: Measurement, skill: WorkerSkill, now: datetime
) -> Decision | None:
    if not m.enough or not (m.breached or m.near):
        return None
    project, worker = skill.project, skill.worker
    mine = Decision.objects.filter(project=project, worker=worker, rule_key=config.rule_key)
    live = selectors.active_decisions(now=now).filter(project=project, worker=worker)
    if live.filter(kind__in=[Decision.Kind.PAUSE, Decision.Kind.REMOVAL]).exists():
        return None  # Already kept away from the project; nothing new to decide.
    inputs = {
        "value": m.value,
        "threshold": m.threshold,
        "distance": m.distance,
        "numbers": m.numbers,
        "breached": m.breached,
        "params": params,
        "action": config.action,
        "grace_answers": params.get("grace_answers", 0),
    }
    warnings = live.filter(rule_key=config.rule_key, kind=Decision.Kind.WARNING)
    if not m.breached:
        # Drifting towards the limit: one warning with the distance, not one per answer.
        if not warnings.exists():
            return _decide_rule(
                skill=skill,
                config=config,
                kind=Decision.Kind.WARNING,
                m=m,
                inputs=inputs,
                now=now,
                ends_at=now + WARNING_VALID,
            )
        return None
    # Past the limit. The worker is first told so in a warning of its own (a "close to the
    # limit" warning promised nothing happens unless they cross it); any sanction comes only
    # after that warning and `grace_answers` further answers to improve.
    prior = (
        mine.filter(kind=Decision.Kind.WARNING, starts_at__gte=now - WARNING_VALID)
        .filter(inputs__breached=True)
        .exclude(status=Decision.Status.REVERSED)
        .order_by("-starts_at")
        .first()
    )
    if prior is not None and skill.rules_since and prior.starts_at < skill.rules_since:
        prior = None
    if config.action == RuleConfig.Action.WARN:
        if not warnings.filter(inputs__breached=True).exists():
            return _decide_rule(
                skill=skill,
                config=config,
                kind=Decision.Kind.WARNING,
                m=m,
                inputs=inputs,
                now=now,
                ends_at=now + WARNING_VALID,
            )
        return None
    if prior is None:
        return _decide_rule(
            skill=skill,
            config=config,
            kind=Decision.Kind.WARNING,
            m=m,
            inputs=inputs,
            now=now,
            ends_at=now + WARNING_VALID,
        )
    # The grace counts from the warning, or from the end of an earlier sanction for the rule:
    # a worker back from a pause gets the same chance to show better work.
    last_ended = (
        mine.filter(kind__in=[Decision.Kind.PAUSE, Decision.Kind.REMOVAL], ends_at__lte=now)
        .order_by("-ends_at")
        .values_list("ends_at", flat=True)
        .first()
    )
    grace_from = max(prior.starts_at, last_ended) if last_ended else prior.starts_at
    answered_since = Submission.objects.filter(
        project=project, worker=worker, submitted_at__gt=grace_from
    ).count()
    if answered_since < params.get("grace_answers", 0):
        return None
    inputs["prior_warning"] = prior.pk
    if config.action == RuleConfig.Action.FLAG:
        if live.filter(rule_key=config.rule_key, kind=Decision.Kind.FLAG).exists():
            return None
        return _decide_rule(
            skill=skill,
            config=config,
            kind=Decision.Kind.FLAG,
            m=m,
            inputs=inputs,
            now=now,
            ends_at=None,
        )
    if config.action == RuleConfig.Action.PAUSE:
        ends = m.pause_until or now + timedelta(seconds=config.pause_seconds)
        return _decide_rule(
            skill=skill,
            config=config,
            kind=Decision.Kind.PAUSE,
            m=m,
            inputs=inputs,
            now=now,
            ends_at=ends,
        )
    return _decide_rule(
        skill=skill,
        config=config,
        kind=Decision.Kind.REMOVAL,
        m=m,
        inputs=inputs,
        now=now,
        ends_at=None,
    )


def _evidence_for(submission_ids: list[int]) -> list[dict[str, Any]]:
    subs = Submission.objects.filter(pk__in=submission_ids).select_related("task", "project")
    return [selectors.evidence_row(s) for s in sorted(subs, key=lambda s: s.submitted_at)]


def _decide_rule(
    *,
    skill: WorkerSkill,
    config: RuleConfig,
    kind: str,
    m: Measurement,
    inputs: dict[str, Any],
    now: datetime,
    ends_at: datetime | None,
) -> Decision:
    return decision_record(
        worker=skill.worker,
        project=skill.project,
        kind=kind,
        rule_key=config.rule_key,
        inputs=inputs,
        evidence=_evidence_for(m.evidence),
        starts_at=now,
        ends_at=ends_at,
        decided_by=None,
    )


@transaction.atomic
def decision_record(
    *,
    worker: User,
    project: Project | None,
    kind: str,
    inputs: dict[str, Any],
    starts_at: datetime,
    ends_at: datetime | None = None,
    rule_key: str = "",
    decided_by: User | None = None,
    evidence: list[dict[str, Any]] | None = None,
    submission: Submission | None = None,
    reason_code: str = "",
    note: str = "",
    idempotency_key: str | None = None,
) -> Decision:
    """Store one decision with its audit row and tell the worker."""
    if idempotency_key:
        existing = Decision.objects.filter(idempotency_key=idempotency_key).first()
        if existing:
            return existing
    decision = Decision(
        worker=worker,
        project=project,
        kind=kind,
        rule_key=rule_key,
        decided_by=decided_by,
        inputs=inputs,
        evidence=evidence or [],
        submission=submission,
        reason_code=reason_code,
        note=note,
        starts_at=starts_at,
        ends_at=ends_at,
        idempotency_key=idempotency_key,
    )
    with translation.override("en"):
        decision.outcome = texts.decision_text(decision)
    decision.save()
    DecisionEvent.objects.create(
        decision=decision,
        new_status=decision.status,
        actor=decided_by,
        at=starts_at,
        reason=rule_key or reason_code,
    )
    _notify(to=worker, kind="decision", decision=decision, now=starts_at)
    return decision


@transaction.atomic
def decision_reverse(
    *, decision: Decision, actor: User | None, reason: str, now: datetime | None = None
) -> Decision:
    """Undo a decision: access, pay and standing come back as if it had not been made."""
    now = now or timezone.now()
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if decision.status == Decision.Status.REVERSED:
        return decision
    status_change(
        decision, Decision.Status.REVERSED, DecisionEvent, actor=actor, reason=reason, at=now
    )
    if decision.kind == Decision.Kind.REJECTION and decision.submission is not None:
        _rejection_overturn(
            decision=decision, submission=decision.submission, actor=actor, reason=reason, now=now
        )
    if decision.rule_key and decision.project_id:
        # Standing: the rule's warnings go with the sanction, and the rule starts counting
        # afresh, so the same old answers cannot sanction the worker again the next minute.
        for warning in (
            Decision.objects.select_for_update()
            .filter(
                project_id=decision.project_id,
                worker_id=decision.worker_id,
                rule_key=decision.rule_key,
                status=Decision.Status.ACTIVE,
            )
            .exclude(pk=decision.pk)
        ):
            status_change(
                warning,
                Decision.Status.REVERSED,
                DecisionEvent,
                actor=actor,
                reason=_("Reversed with decision %(id)d.") % {"id": decision.pk},
                at=now,
            )
        project = decision.project
        assert project is not None  # project_id is set (the test above)
        skill = _skill_locked(project=project, worker=decision.worker)
        skill.rules_since = now
        skill.save(update_fields=["rules_since"])
    _notify(to=decision.worker, kind="decision_reversed", decision=decision, now=now)
    return decision


@transaction.atomic
def decisions_expire(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    count = 0
    for decision in Decision.objects.select_for_update(skip_locked=True).filter(
        status=Decision.Status.ACTIVE, ends_at__lte=now
    ):
        status_change(
            decision, Decision.Status.EXPIRED, DecisionEvent, actor=None, reason="ended", at=now
        )
        if decision.kind != Decision.Kind.WARNING:
            _notify(to=decision.worker, kind="decision_expired", decision=decision, now=now)
        count += 1
    return count


@transaction.atomic
def account_suspend(
    *,
    operator: User,
    worker: User,
    reason: str,
    ends_at: datetime | None = None,
    days: Any = None,
    now: datetime | None = None,
) -> Decision:
    """Suspend an account until `ends_at`, or for `days` days (0 or none: until lifted)."""
    now = now or timezone.now()
    if not operator.is_staff:
        raise Forbidden(_("Only operators suspend accounts."))
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Say why: the worker reads it."), field="reason")
    if days not in (None, ""):
        length = check_int(days, field="days", minimum=0, maximum=3650)
        if length:
            ends_at = now + timedelta(days=length)
    if ends_at is not None and ends_at <= now:
        raise ApplicationError(_("The end must be in the future."), field="ends_at")
    return decision_record(
        worker=worker,
        project=None,
        kind=Decision.Kind.SUSPENSION,
        inputs={},
        starts_at=now,
        ends_at=ends_at,
        decided_by=operator,
        note=reason[:2000],
    )


# --- overturned rejections ---------------------------------------------------------------


def _rejection_overturn(
    *, decision: Decision, submission: Submission, actor: User | None, reason: str, now: datetime
) -> None:
    """Pay the rejected answer, in the caller's transaction: if the money cannot move (the
    requester's funds are short), the reversal fails with it and nothing changes."""
    paid = payments_earnings.submission_rejection_overturn(
        submission=submission,
        actor=actor,
        reason=reason,
        rule=SubmissionReview.Rule.APPEAL,
        inputs={"decision_id": decision.pk},
        now=now,
    )
    if not paid:
        status = Submission.objects.values_list("status", flat=True).get(pk=submission.pk)
        if status != Submission.Status.APPROVED:
            raise Conflict(
                _("The rejected answer is %(status)s, so it cannot be paid.")
                % {"status": Submission.Status(status).label},
                code="not_rejected",
            )


# --- appeals ----------------------------------------------------------------------------


def _written(value: str | None, *, field: str, empty: str, too_long: str) -> str:
    """A message one side of an appeal writes to the other: required, and not a book."""
    text = (value or "").strip()
    if not text:
        raise ApplicationError(empty, field=field)
    if len(text) > MAX_MESSAGE:
        raise ApplicationError(too_long % {"n": MAX_MESSAGE}, field=field)
    return text


@transaction.atomic
def appeal_create(
    *, worker: User, decision: Decision, message: str, now: datetime | None = None
) -> Appeal:
    now = now or timezone.now()
    decision = (
        Decision.objects.select_for_update(of=("self",))
        .select_related("project")
        .get(pk=decision.pk)
    )
    if decision.worker_id != worker.pk:
        raise Forbidden(_("You can only appeal decisions about you."), code="not_yours")
    message = _written(
        message,
        field="message",
        empty=_("Write what you want the reviewer to know."),
        too_long=_("Keep the message under %(n)d characters."),
    )
    if Appeal.objects.filter(decision=decision).exists():
        raise Conflict(_("You already appealed this decision."), code="already_appealed")
    if decision.status == Decision.Status.REVERSED:
        raise Conflict(_("This decision was already reversed."), code="already_reversed")
    if now > decision.appeal_until:
        raise ApplicationError(
            _(
                "Appeals are possible for %(days)d days after a decision; this one was made on "
                "%(when)s."
            )
            % {"days": APPEAL_WINDOW.days, "when": decision.starts_at.date()},
            code="appeal_window_closed",
        )
    project = decision.project
    if project is not None:
        hours = selectors.settings_for_project(project).appeal_deadline_hours
        route = Appeal.Route.REQUESTER
    else:
        hours = int(DEFAULT_APPEAL_DEADLINE.total_seconds() // 3600)
        route = Appeal.Route.OPERATOR
    appeal = Appeal.objects.create(
        decision=decision,
        worker=worker,
        message=message,
        route=route,
        created_at=now,
        deadline_at=now + timedelta(hours=hours),
    )
    AppealEvent.objects.create(appeal=appeal, new_status=appeal.status, actor=worker, at=now)
    params = {
        "worker": worker.username,
        "project": project.name if project is not None else "",
        "deadline": appeal.deadline_at.isoformat(),
    }
    recipients = (
        # The requester route is taken exactly when there is a project (above).
        organisation_members(organisation_id=project.organisation_id)
        if project is not None
        else User.objects.filter(is_staff=True, is_active=True)
    )
    _notify(
        to=recipients,
        kind="appeal_received",
        appeal=appeal,
        decision=decision,
        params=params,
        now=now,
    )
    return appeal


@transaction.atomic
def appeal_decide(
    *, appeal: Appeal, actor: User, reverse: bool, response: str, now: datetime | None = None
) -> Appeal:
    now = now or timezone.now()
    appeal = (
        Appeal.objects.select_for_update(of=("self",))
        .select_related("decision", "decision__project")
        .get(pk=appeal.pk)
    )
    if not appeal.is_open:
        raise Conflict(_("This appeal was already answered."), code="already_answered")
    response = _written(
        response,
        field="response",
        empty=_("Explain your answer: the worker reads it."),
        too_long=_("Keep the answer under %(n)d characters."),
    )
    new = Appeal.Status.REVERSED if reverse else Appeal.Status.UPHELD
    status_change(appeal, new, AppealEvent, actor=actor, reason=response, at=now)
    appeal.answered_by = actor
    appeal.answered_at = now
    appeal.response = response
    appeal.save(update_fields=["answered_by", "answered_at", "response"])
    if reverse:
        decision_reverse(decision=appeal.decision, actor=actor, reason=response, now=now)
        _notify(
            to=appeal.worker,
            kind="appeal_reversed",
            appeal=appeal,
            decision=appeal.decision,
            params={"response": response},
            now=now,
        )
    else:
        _notify(
            to=appeal.worker,
            kind="appeal_upheld",
            appeal=appeal,
            decision=appeal.decision,
            params={"response": response},
            now=now,
        )
    return appeal


@transaction.atomic
def appeals_escalate(*, now: datetime | None = None) -> dict[str, int]:
    """Appeals past their deadline: an undefended rejection is paid; any other requester
    appeal goes to the operators."""
    now = now or timezone.now()
    done = {"paid": 0, "escalated": 0}
    for appeal in (
        Appeal.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("decision")
        .filter(status=Appeal.Status.OPEN, route=Appeal.Route.REQUESTER, deadline_at__lte=now)
    ):
        if appeal.decision.kind == Decision.Kind.REJECTION:
            try:
                with transaction.atomic():
                    _appeal_pay_undefended(appeal=appeal, now=now)
            except ApplicationError as exc:
                # Escrow short: the appeal stays due and the next run pays it.
                log.warning("undefended rejection %s not paid yet: %s", appeal.pk, exc.message)
                continue
            done["paid"] += 1
            continue
        status_change(
            appeal,
            Appeal.Status.ESCALATED,
            AppealEvent,
            actor=None,
            reason="deadline passed",
            at=now,
        )
        appeal.route = Appeal.Route.OPERATOR
        appeal.escalated_at = now
        appeal.deadline_at = now + DEFAULT_APPEAL_DEADLINE
        appeal.save(update_fields=["route", "escalated_at", "deadline_at"])
        _notify(
            to=appeal.worker,
            kind="appeal_escalated",
            appeal=appeal,
            decision=appeal.decision,
            now=now,
        )
        _notify(
            to=User.objects.filter(is_staff=True, is_active=True),
            kind="appeal_received",
            appeal=appeal,
            decision=appeal.decision,
            params={
                "worker": appeal.worker.username,
                "project": (
                    appeal.decision.project.name if appeal.decision.project is not None else ""
                ),
                "deadline": appeal.deadline_at.isoformat(),
            },
            now=now,
        )
        done["escalated"] += 1
    return done


def _appeal_pay_undefended(*, appeal: Appeal, now: datetime) -> None:
    reason = _("The requester did not defend the rejection in time.")
    status_change(appeal, Appeal.Status.REVERSED, AppealEvent, actor=None, reason=reason, at=now)
    appeal.answered_at = now
    appeal.response = reason
    appeal.save(update_fields=["answered_at", "response"])
    decision_reverse(decision=appeal.decision, actor=None, reason=reason, now=now)
    _notify(
        to=appeal.worker,
        kind="appeal_reversed",
        appeal=appeal,
        decision=appeal.decision,
        now=now,
    )


def quality_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """The periodic job: end finished decisions, escalate late appeals, release workers'
    feedback that is due, re-apply rules to workers active in the last day (rules that are
    not checked on every answer)."""
    now = now or timezone.now()
    result = {
        "expired": decisions_expire(now=now),
        **appeals_escalate(now=now),
        "test_payments": test_payments_retry(now=now),
        "approved_by_rule": submissions_approve_by_rules(now=now),
        "feedback_releases": feedback_releases_run(now=now),
    }
    recent = (
        Submission.objects.filter(submitted_at__gte=now - timedelta(days=1))
        .values_list("project_id", "worker_id")
        .distinct()
    )
    skipped = (
        Assignment.objects.filter(
            leased_at__gte=now - timedelta(days=1), status=Assignment.Status.SKIPPED
        )
        .values_list("project_id", "worker_id")
        .distinct()
    )
    pairs = set(recent) | set(skipped)
    with_rules = set(
        RuleConfig.objects.filter(enabled=True)
        .filter(Q(project_id__in={p for p, _w in pairs}))
        .values_list("project_id", flat=True)
    )
    evaluated = 0
    for project_id, worker_id in sorted(pairs):
        if project_id not in with_rules:
            continue
        project = Project.objects.get(pk=project_id)
        worker = User.objects.get(pk=worker_id)
        skill_recompute(project=project, worker=worker, now=now)
        rules_evaluate(project=project, worker=worker, now=now)
        evaluated += 1
    result["evaluated"] = evaluated
    return result
