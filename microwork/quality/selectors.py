"""Reads that more than one caller needs: skills, standing, decisions, missed gold, released
feedback. What the pages show, built on these, is in dashboards.py."""

import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from statistics import median
from typing import Any

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils import timezone

from microwork.accounts.models import User
from microwork.aggregation import selectors as aggregation_selectors
from microwork.payments.models import SubmissionReview
from microwork.projects.interfaces import get_interface
from microwork.projects.models import MediaFile, Project, Task
from microwork.quality.models import (
    Appeal,
    ApprovalRuleConfig,
    Decision,
    FeedbackRelease,
    QualificationTest,
    QualitySettings,
    RuleConfig,
    TestAttempt,
    WorkerSkill,
)
from microwork.work.models import Assignment, Submission
from microwork.work.services.giving_back import DISTURBING_SKIP

# Recent answers are enough for a median and keep the query bounded for busy workers.
MEDIAN_WINDOW = 200
AGREEMENT_WINDOW = 500
# A label made from one answer is that answer: agreeing with it says nothing.
MIN_LABEL_ANSWERS = 2
# The answers aggregation counts (a rejected one is left out of every label).
COUNTED = (Submission.Status.PENDING, Submission.Status.APPROVED)


def _since(qs: QuerySet, since: datetime | None, field: str = "submitted_at") -> QuerySet:
    return qs.filter(**{f"{field}__gte": since}) if since else qs


def gold_counts(
    *, project: Project, worker: User, since: datetime | None
) -> tuple[int, int, list[int]]:
    qs = _since(
        Submission.objects.filter(project=project, worker=worker, gold_correct__isnull=False), since
    )
    agg = qs.aggregate(total=Count("id"), correct=Count("id", filter=Q(gold_correct=True)))
    wrong = list(
        qs.filter(gold_correct=False).order_by("-submitted_at").values_list("id", flat=True)[:20]
    )
    return agg["total"], agg["correct"], wrong


def median_active_ms(
    *, project: Project, worker: User, since: datetime | None = None
) -> tuple[int | None, int]:
    qs = _since(Submission.objects.filter(project=project, worker=worker), since)
    values = list(qs.order_by("-submitted_at").values_list("active_ms", flat=True)[:MEDIAN_WINDOW])
    return (int(median(values)) if values else None), len(values)


def project_median_active_ms(
    *, project: Project, exclude: User | None = None
) -> tuple[int | None, int]:
    qs = Submission.objects.filter(project=project)
    if exclude is not None:
        qs = qs.exclude(worker=exclude)
    values = list(qs.order_by("-submitted_at").values_list("active_ms", flat=True)[:1000])
    return (int(median(values)) if values else None), len(values)


def trailing_skips(
    *, project: Project, worker: User, since: datetime | None, limit: int
) -> tuple[int, list[int]]:
    # A skip of a disturbing item is the worker's protection (docs/wellbeing.md): it neither
    # counts as a skip nor breaks a run of skips.
    qs = _since(
        Assignment.objects.filter(project=project, worker=worker)
        .exclude(status=Assignment.Status.LEASED)
        .exclude(events__reason=DISTURBING_SKIP),
        since,
        field="leased_at",
    )
    count = 0
    ids: list[int] = []
    for pk, status in qs.order_by("-leased_at", "-id").values_list("id", "status")[:limit]:
        if status != Assignment.Status.SKIPPED:
            break
        count += 1
        ids.append(pk)
    return count, ids


def answers_between(*, project: Project, worker: User, start: datetime, end: datetime) -> int:
    return Submission.objects.filter(
        project=project, worker=worker, submitted_at__gte=start, submitted_at__lte=end
    ).count()


def _label_of(interface: Any, answer: Any) -> str | None:
    # The aggregation app's form of an answer, so it compares with the stored label.
    try:
        return interface.answer_label(answer)
    except (TypeError, ValueError, KeyError):
        return None


def agreement_counts(
    *,
    project: Project,
    worker: User,
    since: datetime | None,
    window: int | None = AGREEMENT_WINDOW,
    upto: Q | None = None,
) -> tuple[int, int, list[int]]:
    """Compare the worker's answers on ordinary tasks (the latest `window`, or all; with
    `upto`, only the answers it selects) with each task's aggregated label. Rejected answers
    are left out, as aggregation leaves them out, and so are tasks whose label was made from
    fewer than two answers."""
    interface = get_interface(project.interface)
    qs = _since(
        Submission.objects.filter(
            project=project, worker=worker, task__is_gold=False, status__in=COUNTED
        ),
        since,
    ).order_by("-submitted_at")
    if upto is not None:
        qs = qs.filter(upto)
    # The label comes in the same query (a join), however many answers there are.
    rows = aggregation_selectors.with_task_labels(qs).values_list(
        "id", "answer", "task_label", "task_label_answers"
    )
    compared = agreed = 0
    disagreeing: list[int] = []
    for sub_id, answer, label, label_answers in rows[:window] if window else rows.iterator():
        if label is None or (label_answers or 0) < MIN_LABEL_ANSWERS:
            continue
        compared += 1
        if interface.label_agrees(project.config, answer, label):
            agreed += 1
        else:
            disagreeing.append(sub_id)
    return compared, agreed, disagreeing[:20]


def task_labels(*, task_ids: Iterable[int]) -> dict[int, str]:
    """task id → aggregated label, for tasks whose label may be compared with."""
    rows = aggregation_selectors.task_labels(
        task_ids=task_ids, labelled=True, min_answers=MIN_LABEL_ANSWERS
    ).values()
    # The selector already drops empty labels; the type checker cannot see that.
    return {row.task_id: row.label for row in rows if row.label is not None}


def agrees_with_label(*, submission: Submission) -> bool | None:
    """Whether the answer matches its task's aggregated label (None: nothing to compare)."""
    label = task_labels(task_ids=[submission.task_id]).get(submission.task_id)
    if label is None:
        return None
    interface = get_interface(submission.project.interface)
    return interface.label_agrees(submission.project.config, submission.answer, label)


def settings_for_project(project: Project) -> QualitySettings:
    try:
        return project.quality_settings
    except QualitySettings.DoesNotExist:
        return QualitySettings(project=project)


def skill_for(*, project: Project, worker: User) -> WorkerSkill:
    return WorkerSkill.objects.filter(project=project, worker=worker).first() or WorkerSkill(
        project=project, worker=worker
    )


def skills_for_project(*, project: Project) -> QuerySet[WorkerSkill]:
    return (
        WorkerSkill.objects.filter(project=project)
        .select_related("worker")
        .order_by("worker__username")
    )


def skills_for_worker(*, worker: User) -> QuerySet[WorkerSkill]:
    return (
        WorkerSkill.objects.filter(worker=worker)
        .select_related("project")
        .order_by("-updated_at", "project__name")
    )


def rules_for_project(*, project: Project) -> QuerySet[RuleConfig]:
    return RuleConfig.objects.filter(project=project).order_by("rule_key")


def active_decisions(*, now: datetime) -> QuerySet[Decision]:
    return Decision.objects.filter(status=Decision.Status.ACTIVE).filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=now)
    )


def blocking_decision(*, project: Project | None, worker: User, now: datetime) -> Decision | None:
    """The decision that keeps the worker from this project: an account suspension first, then
    a requester's block of the worker from its organisation's projects, then a removal from the
    project, then a pause; the latest of a kind. One query, since every claim asks it."""
    K = Decision.Kind
    scope = Q(kind=K.SUSPENSION)
    if project is not None:
        scope |= Q(project=project, kind__in=[K.REMOVAL, K.PAUSE])
        scope |= Q(kind=K.BLOCK, organisation_id=project.organisation_id)
    rank = Case(
        When(kind=K.SUSPENSION, then=Value(0)),
        When(kind=K.BLOCK, then=Value(1)),
        When(kind=K.REMOVAL, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        active_decisions(now=now)
        .filter(scope, worker=worker)
        .select_related("project")
        .order_by(rank, "-starts_at")
        .first()
    )


def decisions_for_worker(*, worker: User) -> QuerySet[Decision]:
    return (
        Decision.objects.filter(worker=worker)
        .select_related("project")
        .prefetch_related("appeal")
        .order_by("-starts_at", "-id")
    )


def appeals_for_organisation(
    *, organisation_id: int, project: Project | None = None
) -> QuerySet[Appeal]:
    qs = Appeal.objects.filter(
        Q(decision__project__organisation_id=organisation_id)
        | Q(decision__organisation_id=organisation_id),
        route=Appeal.Route.REQUESTER,
    )
    if project is not None:
        # A block made for the whole organisation is answered from any of its projects.
        qs = qs.filter(
            Q(decision__project=project)
            | Q(decision__project__isnull=True, decision__organisation_id=organisation_id)
        )
    return qs.select_related("decision", "decision__project", "worker").order_by(
        "status", "deadline_at"
    )


def blocks_for_organisation(*, organisation_id: int) -> QuerySet[Decision]:
    """The organisation's blocks of workers, those in force first, with any appeal."""
    return (
        Decision.objects.filter(kind=Decision.Kind.BLOCK, organisation_id=organisation_id)
        .select_related("worker", "project", "decided_by")
        .prefetch_related("appeal")
        .order_by("status", "-starts_at", "-pk")
    )


def appeals_for_operators() -> QuerySet[Appeal]:
    return (
        Appeal.objects.filter(route=Appeal.Route.OPERATOR)
        .select_related("decision", "decision__project", "worker")
        .order_by("status", "deadline_at")
    )


def reveal_at(
    *, submission: Submission, settings_row: QualitySettings, batch_finished: bool
) -> datetime | None:
    """When a missed control task may be shown (None: not yet known, the batch is still open)."""
    if settings_row.reveal == QualitySettings.Reveal.BATCH:
        return submission.submitted_at if batch_finished else None
    return submission.submitted_at + timedelta(seconds=submission.project.gold_reveal_delay_seconds)


def _batch_finished(batch_id: int) -> bool:
    return (
        not Task.objects.filter(batch_id=batch_id, is_gold=False, done=False)
        .filter(answers_count__lt=F("project__overlap"))
        .exists()
    )


def missed_gold(
    *, worker: User, now: datetime, project: Project | None = None
) -> list[dict[str, Any]]:
    """The worker's wrong control answers that a feedback release covers, each with whether
    the project's reveal rule lets it be shown yet. One not covered by a release is not
    listed at all: its row, even without the answer, would say which answer was a control."""
    cutoffs = released_cutoffs(worker=worker)
    qs = (
        Submission.objects.filter(worker=worker, gold_correct=False)
        .filter(released_submissions_q(cutoffs))
        .select_related("task", "project", "task__batch")
    )
    if project is not None:
        qs = qs.filter(project=project)
    rows = []
    settings_cache: dict[int, QualitySettings] = {}
    batch_cache: dict[int, bool] = {}
    for sub in qs.order_by("-submitted_at")[:200]:
        row_settings = settings_cache.setdefault(sub.project_id, settings_for_project(sub.project))
        finished = False
        if row_settings.reveal == QualitySettings.Reveal.BATCH:
            if sub.task.batch_id not in batch_cache:
                batch_cache[sub.task.batch_id] = _batch_finished(sub.task.batch_id)
            finished = batch_cache[sub.task.batch_id]
        when = reveal_at(submission=sub, settings_row=row_settings, batch_finished=finished)
        shown = when is not None and when <= now
        rows.append(
            {
                "submission": sub,
                "project": sub.project,
                "shown": shown,
                "reveal_at": when,
                # Built only once shown: before that, the expected answer stays on the server.
                "evidence": evidence_row(sub) if shown else None,
            }
        )
    return rows


def _aggregated_label(interface: Any, sub: Submission) -> tuple[str, float | None]:
    """The task's aggregated label as the worker would read it, with its confidence."""
    row = aggregation_selectors.task_label(task_id=sub.task_id)
    if row is None or row.label is None:
        return "", None
    confidence = None if row.confidence is None else float(row.confidence)
    if interface.consensus_for(sub.project.config) is not None:
        # A consensus (a transcript, boxes) is itself an answer: shown as one reads.
        value = interface.label_value(row.label)
        return (
            row.label
            if value is None
            else _label(interface, value, sub.project.config, sub.task.data)
        ), (confidence)
    # Shown as a matching answer reads ("Cat", "Red, Blue"), else as the label itself.
    answers = Submission.objects.filter(task_id=sub.task_id).values_list("answer", flat=True)
    text = next(
        (
            _label(interface, a, sub.project.config, sub.task.data)
            for a in answers
            if _label_of(interface, a) == row.label
        ),
        row.label,
    )
    return text, confidence


def evidence_row(sub: Submission) -> dict[str, Any]:
    """What the worker saw, what they answered, and the expected answer with its explanation
    (for an ordinary task, the aggregated label of all answers, with its confidence)."""
    interface = get_interface(sub.project.interface)
    if sub.task.is_gold:
        expected = _label(interface, sub.task.gold_answer, sub.project.config, sub.task.data)
        confidence = None
    else:
        expected, confidence = _aggregated_label(interface, sub)
    return {
        "submission": sub.id,
        "task": sub.task_id,
        "data": sub.task.data,
        "answer": _label(interface, sub.answer, sub.project.config, sub.task.data),
        "expected": expected,
        "confidence": confidence,
        "explanation": sub.task.gold_explanation,
        "submitted_at": sub.submitted_at.isoformat(),
    }


def answer_text(project: Project, answer: Any, data: Any = None) -> str:
    """An answer as the worker saw it: a choice's shown text ("Cat"), not its stored value;
    `data`, the task's, for kinds whose words come from it (the words a span covers)."""
    return _label(get_interface(project.interface), answer, project.config, data)


def _label(interface: Any, answer: Any, config: Any = None, data: Any = None) -> str:
    if answer is None:
        return ""
    try:
        return str(interface.answer_text(config or {}, answer, data or {}))
    except (TypeError, ValueError, KeyError, AttributeError):
        return str(answer)


def tests_for_project(*, project: Project) -> QuerySet[QualificationTest]:
    return QualificationTest.objects.filter(project=project).select_related("qualification")


def submissions_of_project(*, project: Project, ids: list[int]) -> QuerySet[Submission]:
    return (
        Submission.objects.filter(project=project, pk__in=ids)
        .select_related("project", "task", "worker")
        .order_by("pk")
    )


def approval_rules_for_project(*, project: Project) -> QuerySet[ApprovalRuleConfig]:
    return ApprovalRuleConfig.objects.filter(project=project).order_by("rule_key")


def early_approvals_for_worker(*, worker: User, limit: int = 50) -> list[SubmissionReview]:
    """The worker's answers an approval rule approved before the approval period ended."""
    return list(
        SubmissionReview.objects.filter(
            submission__worker=worker, rule=SubmissionReview.Rule.QUALITY_RULE
        )
        .select_related("submission__project")
        .order_by("-at", "-id")[:limit]
    )


def early_approval_counts(*, project: Project) -> dict[str, int]:
    """approval rule key → how many of the project's answers it approved."""
    rows = (
        SubmissionReview.objects.filter(
            submission__project=project, rule=SubmissionReview.Rule.QUALITY_RULE
        )
        .annotate(key=KeyTextTransform("rule", "inputs"))
        .values("key")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["key"]: row["n"] for row in rows}


# --- released feedback: what the worker is shown of controls (quality/feedback.py) ------


def covered_q(cutoff_at: datetime, cutoff_id: int) -> Q:
    """Answers up to and including a cut-off answer, in (submitted_at, id) order."""
    return Q(submitted_at__lt=cutoff_at) | Q(submitted_at=cutoff_at, pk__lte=cutoff_id)


def releases_for_worker(*, worker: User) -> QuerySet[FeedbackRelease]:
    """The worker's latest release on each project: the figures they are shown."""
    newest = (
        FeedbackRelease.objects.filter(worker=worker, project=OuterRef("project"))
        .order_by("-number")
        .values("number")[:1]
    )
    return (
        FeedbackRelease.objects.filter(worker=worker, number=Subquery(newest))
        .select_related("project", "worker")
        .order_by("-released_at", "project__name")
    )


def released_cutoffs(*, worker: User) -> dict[int, tuple[datetime, int]]:
    """project id → (submitted_at, id) of the last answer a release covers."""
    return {
        r.project_id: (r.cutoff_at, r.cutoff_submission_id)
        for r in releases_for_worker(worker=worker)
    }


def is_released(
    *, project_id: int | None, submitted_at: datetime, pk: int, cutoffs: dict[int, Any]
) -> bool:
    cut = cutoffs.get(project_id) if project_id is not None else None
    if cut is None:
        return False
    return (submitted_at, pk) <= cut


def released_submissions_q(cutoffs: dict[int, tuple[datetime, int]]) -> Q:
    """Answers a release covers, for a queryset of Submission (nothing when none is)."""
    q = Q(pk__in=[])
    for project_id, (at, pk) in cutoffs.items():
        q |= Q(project_id=project_id) & covered_q(at, pk)
    return q


def evidence_for_worker(
    *, decision: Decision, cutoffs: dict[int, tuple[datetime, int]]
) -> tuple[list[dict[str, Any]], int]:
    """A decision's evidence as the worker may see it, and how many rows wait for a release.

    A rule acts at once, but its evidence names answers, and a row about an answer no release
    covers yet would single that answer out (a wrong control, with its expected answer). Such
    rows wait for the release. A rejection names its answer anyway (the requester chose it),
    so its row stays, without the expected answer until a release covers it."""
    rows = [e for e in decision.evidence or [] if isinstance(e, dict)]
    ids = [e["submission"] for e in rows if isinstance(e.get("submission"), int)]
    subs = {
        pk: (project_id, at)
        for pk, project_id, at in Submission.objects.filter(pk__in=ids).values_list(
            "pk", "project_id", "submitted_at"
        )
    }
    shown: list[dict[str, Any]] = []
    waiting = 0
    for row in rows:
        pk = row.get("submission")
        sub = subs.get(pk) if isinstance(pk, int) else None
        if sub is not None and is_released(
            project_id=sub[0], submitted_at=sub[1], pk=row["submission"], cutoffs=cutoffs
        ):
            shown.append(row)
        elif decision.kind == Decision.Kind.REJECTION:
            shown.append(
                {**row, "expected": "", "confidence": None, "explanation": "", "withheld": True}
            )
        else:
            waiting += 1
    return shown, waiting


def worker_test_uses_media(*, user: User, media_file: MediaFile) -> bool:
    """Whether `user` has taken (or is taking) a test of the file's project that asks a task
    using it (a hook of projects.hooks.MEDIA_VIEWERS; see work.selectors for the ref match)."""
    tests = TestAttempt.objects.filter(worker=user, test__project_id=media_file.project_id).values(
        "test_id"
    )
    return (
        Task.objects.filter(project_id=media_file.project_id, quality_tests__in=tests)
        .annotate(data_text=Cast("data", TextField()))
        .filter(data_text__contains=json.dumps(media_file.ref))
        .exists()
    )


def retake_at(
    *,
    test: QualificationTest,
    worker: User,
    now: datetime | None = None,
    attempts: list[TestAttempt] | None = None,
) -> datetime | None:
    """When a worker who failed the test may take it again, while that is still ahead (the
    same rule the start of an attempt applies); None when they may start now or never will."""
    now = now or timezone.now()
    if attempts is None:
        attempts = list(TestAttempt.objects.filter(test=test, worker=worker).order_by("number"))
    if not attempts or len(attempts) >= test.max_attempts:
        return None
    last = attempts[-1]
    if last.status != TestAttempt.Status.FAILED or last.finished_at is None:
        return None
    again = last.finished_at + timedelta(seconds=test.retake_cooldown_seconds)
    return again if again > now else None
