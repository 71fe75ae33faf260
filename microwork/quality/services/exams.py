"""Tests and training: making a test from control tasks, taking it question by question,
the grade it gives and the pay for the time spent (retried while the requester's escrow is
short)."""

import logging
import random
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from microwork.accounts.models import User
from microwork.lib.errors import ApplicationError, Conflict, Forbidden
from microwork.lib.l10n import datetime_text
from microwork.lib.money import QUANTUM
from microwork.payments.services import bonuses as payments_bonuses
from microwork.payments.services import floor as payments_floor
from microwork.projects.interfaces import get_interface
from microwork.projects.models import Project, Task
from microwork.quality import selectors, texts
from microwork.quality.models import (
    ProjectRequirement,
    Qualification,
    QualificationTest,
    TestAnswer,
    TestAttempt,
    TestPayment,
)
from microwork.quality.rules.base import check_int, check_share
from microwork.quality.services.notices import quality_notify
from microwork.quality.services.qualifications import project_requirement_add, qualification_grant
from microwork.work.models import Submission

log = logging.getLogger(__name__)


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
                "The test asks %(count)d questions but has only %(tasks)d control tasks: add "
                "control tasks, or ask fewer questions."
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
            ngettext(
                "You used your only attempt at this test.",
                "You used all %(n)d attempts at this test.",
                test.max_attempts,
            )
            % {"n": test.max_attempts},
            code="no_attempts_left",
        )
    if previous and previous[0].finished_at:
        again = previous[0].finished_at + timedelta(seconds=test.retake_cooldown_seconds)
        if again > now:
            raise ApplicationError(
                _("You can take this test again from %(when)s UTC.")
                % {"when": datetime_text(again)},
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


def _same_answer(interface: Any, project: Project, data: Any, a: Any, b: Any) -> bool:
    try:
        expected = interface.check_answer(project.config, data, b)
    except ApplicationError:
        # Stored before the labels changed: compared as it is, so no new answer matches it.
        expected = b
    return bool(interface.answer_matches(project.config, data, a, expected))


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
    row.correct = _same_answer(interface, project, row.task.data, cleaned, row.task.gold_answer)
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
    quality_notify(
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
