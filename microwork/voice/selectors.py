"""Reads: a requester's record (formulas in record.py), a worker's ratings and feedback, and
the public summary of the feedback channel."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from microwork.accounts.models import Organisation, User
from microwork.ledger.models import Account, Entry, Transaction
from microwork.payments.models import SubmissionReview
from microwork.projects.models import Project
from microwork.quality.models import Appeal
from microwork.voice.models import Feedback, ProjectRating
from microwork.voice.record import (
    RECORD_WINDOW,
    CurrencyRate,
    DecidedAnswer,
    RequesterRecord,
    hourly_rate,
    mean_mark,
    median_duration,
    percent,
)
from microwork.work.models import Submission

S = Submission.Status


def requester_record(*, organisation: Organisation, now: datetime | None = None) -> RequesterRecord:
    """The organisation's record over the last RECORD_WINDOW (answers sent, appeals made and
    ratings given in it)."""
    now = now or timezone.now()
    since = now - RECORD_WINDOW
    record = RequesterRecord(organisation_name=organisation.name)
    projects = Project.objects.filter(organisation=organisation)
    decided = list(
        Submission.objects.filter(
            project__in=projects, submitted_at__gte=since, status__in=[S.APPROVED, S.REJECTED]
        ).values_list(
            "pk",
            "status",
            "active_ms",
            "project__time_limit_seconds",
            "project__currency",
            "project__reward",
            "project_id",
            "submitted_at",
        )
    )
    approved_ids = [row[0] for row in decided if row[1] == S.APPROVED]
    # What each approved answer really paid: its booked earning (the reward when it arrived).
    booked = dict(
        Entry.objects.filter(
            transaction__kind=Transaction.Kind.EARNING,
            transaction__submission_id__in=approved_ids,
            account__kind=Account.Kind.WORKER_PENDING,
        ).values_list("transaction__submission_id", "amount")
    )
    by_currency: dict[str, list[DecidedAnswer]] = defaultdict(list)
    for pk, status, active_ms, limit, currency, reward, _project, _at in decided:
        approved = status == S.APPROVED
        seconds = Decimal(min(active_ms, limit * 1000)) / 1000
        paid = booked.get(pk, reward) if approved else Decimal(0)
        by_currency[currency].append(DecidedAnswer(approved=approved, seconds=seconds, paid=paid))
        record.decided += 1
        record.approved += approved
        record.rejected += not approved
    topups: dict[str, Decimal] = defaultdict(Decimal)
    for currency, amount in Entry.objects.filter(
        transaction__kind=Transaction.Kind.FLOOR_TOPUP,
        transaction__project_id__in=projects.values("pk"),
        transaction__created_at__gte=since,
        account__kind=Account.Kind.WORKER_AVAILABLE,
    ).values_list("currency", "amount"):
        topups[currency] += amount
    record.hourly = [
        CurrencyRate(
            currency=currency,
            hourly=hourly_rate(answers, topups.get(currency, Decimal(0))),
            answers=len(answers),
        )
        for currency, answers in sorted(by_currency.items())
    ]
    submitted = {row[0]: row[7] for row in decided if row[1] == S.APPROVED}
    approvals = (
        SubmissionReview.objects.filter(
            submission_id__in=approved_ids, action=SubmissionReview.Action.APPROVED
        )
        .values("submission_id")
        .annotate(first=Min("at"))
    )
    record.median_approve = median_duration(
        [row["first"] - submitted[row["submission_id"]] for row in approvals]
    )
    answered = list(
        Appeal.objects.filter(
            decision__project__in=projects,
            created_at__gte=since,
            status__in=[Appeal.Status.UPHELD, Appeal.Status.REVERSED],
            answered_at__isnull=False,
        ).values_list("status", "created_at", "answered_at")
    )
    record.appeals_answered = len(answered)
    record.appeals_reversed = sum(
        1 for status, _c, _a in answered if status == Appeal.Status.REVERSED
    )
    record.median_appeal_answer = median_duration([a - c for _s, c, a in answered if a])
    marks = list(
        ProjectRating.objects.filter(project__in=projects, updated_at__gte=since).values_list(
            "instructions", "fairness", "pay"
        )
    )
    record.ratings = len(marks)
    record.instructions = mean_mark([m[0] for m in marks])
    record.fairness = mean_mark([m[1] for m in marks])
    record.pay = mean_mark([m[2] for m in marks])
    return record


def projects_to_rate(*, worker: User) -> list[tuple[Project, ProjectRating | None]]:
    """The projects the worker answered in, newest first, each with their rating if given."""
    projects = list(
        Project.objects.filter(submissions__worker=worker)
        .select_related("organisation")
        .distinct()
        .order_by("-pk")[:100]
    )
    ratings = {r.project_id: r for r in ProjectRating.objects.filter(worker=worker)}
    return [(p, ratings.get(p.pk)) for p in projects]


def worker_has_worked_on(*, worker: User, project: Project) -> bool:
    return Submission.objects.filter(worker=worker, project=project).exists()


def feedback_for_worker(*, worker: User) -> list[Feedback]:
    return list(Feedback.objects.filter(worker=worker).order_by("-created_at")[:100])


@dataclass(frozen=True)
class SubjectCount:
    label: str
    received: int
    answered: int


@dataclass(frozen=True)
class FeedbackSummary:
    subjects: list[SubjectCount]
    received: int
    answered: int
    median_answer: timedelta | None
    public_answers: list[Feedback]
    since: datetime


def feedback_summary(*, now: datetime | None = None) -> FeedbackSummary:
    """Counts by subject over the last RECORD_WINDOW, the middle time to an answer, and the
    answers operators marked public — no worker's name or message."""
    now = now or timezone.now()
    since = now - RECORD_WINDOW
    recent = Feedback.objects.filter(created_at__gte=since)
    counts = {
        row["subject"]: row
        for row in recent.values("subject").annotate(
            n=Count("pk"), done=Count("pk", filter=Q(status=Feedback.Status.ANSWERED))
        )
    }
    subjects = [
        SubjectCount(label=str(label), received=counts[key]["n"], answered=counts[key]["done"])
        for key, label in Feedback.Subject.choices
        if key in counts
    ]
    times = [
        answered - created
        for created, answered in recent.filter(answered_at__isnull=False).values_list(
            "created_at", "answered_at"
        )
        if answered
    ]
    return FeedbackSummary(
        subjects=subjects,
        received=sum(s.received for s in subjects),
        answered=sum(s.answered for s in subjects),
        median_answer=median_duration(times),
        # Only the subject and the operators' words: the message stays between the two.
        public_answers=list(
            recent.filter(status=Feedback.Status.ANSWERED, answer_public=True)
            .only("subject", "answer", "answered_at")
            .order_by("-answered_at")[:50]
        ),
        since=since,
    )


# The work page asks for the line of up to 20 requesters on each view: each record is kept
# this long rather than computed on every page.
SUMMARY_CACHE_SECONDS = 600


def requester_summaries(*, organisation_ids: list[int]) -> dict[int, str]:
    """One short line per organisation for the work pages (the work app's
    REQUESTER_RECORDS): the hourly rate paid, the share approved and the workers' marks."""
    found = {}
    for organisation in Organisation.objects.filter(pk__in=organisation_ids):
        key = f"voice:summary:{organisation.pk}:{get_language()}"
        line = cache.get(key)
        if line is None:
            line = summary_line(requester_record(organisation=organisation))
            cache.set(key, line, SUMMARY_CACHE_SECONDS)
        found[organisation.pk] = line
    return found


def summary_line(record: RequesterRecord) -> str:
    if record.decided == 0 and not record.ratings:
        return _("No answer decided yet")
    parts = []
    rates = [(r.answers, r.hourly, r.currency) for r in record.hourly if r.hourly is not None]
    if rates:
        _answers, hourly, currency = max(rates, key=lambda r: r[0])
        parts.append(
            _("pays %(rate)s %(currency)s an hour")
            % {"rate": number_format(hourly, 2), "currency": currency}
        )
    if record.decided:
        parts.append(_("%(share)s approved") % {"share": percent(record.approval_rate)})
    if record.ratings:
        parts.append(
            ngettext(
                "rated %(mark)s/5 by %(n)d worker",
                "rated %(mark)s/5 by %(n)d workers",
                record.ratings,
            )
            % {"mark": number_format(_overall(record), 1), "n": record.ratings}
        )
    return " · ".join(parts)


def _overall(record: RequesterRecord) -> Decimal:
    marks = [m for m in (record.instructions, record.fairness, record.pay) if m is not None]
    return (sum(marks, Decimal(0)) / len(marks)).quantize(Decimal("0.1"))
