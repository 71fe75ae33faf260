"""A project's dashboard, read from the apps it sits on: progress over time with when it will
be done at today's pace, money spent and committed, answers per hour, workers, how workers
agree with the labels and with the control answers, and what they really earn an hour. The
plots are drawn on the server (lib/charts.py)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Min
from django.db.models.functions import TruncDay, TruncHour
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from microwork.lib.charts import Chart, bar_chart, histogram, line_chart
from microwork.lib.l10n import amount_text
from microwork.payments import selectors as payments_selectors
from microwork.projects import selectors as project_selectors
from microwork.projects.models import Project
from microwork.quality.models import WorkerSkill
from microwork.work.models import Submission

# The pace that predicts the end: the answers of the last day, or of the whole project when
# it is younger than that.
PACE_WINDOW = timedelta(hours=24)
MAX_POINTS = 60
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Estimate:
    per_hour: float
    remaining: int
    done_at: datetime | None


def _label(moment: datetime, step: timedelta) -> str:
    if step >= DAY:
        return formats.date_format(moment, "SHORT_DATE_FORMAT")
    return moment.strftime("%H:00")


def _buckets(project: Project, now: datetime) -> tuple[list[tuple[datetime, int]], timedelta]:
    """Answers per bucket (an hour for a young project, else a day), oldest first."""
    subs = Submission.objects.filter(project=project)
    first = subs.aggregate(first=Min("submitted_at"))["first"]
    if first is None:
        return [], HOUR
    step = HOUR if now - first <= timedelta(hours=48) else DAY
    trunc = TruncHour if step == HOUR else TruncDay
    counted = dict(
        subs.annotate(bucket=trunc("submitted_at"))
        .values("bucket")
        .annotate(n=Count("id"))
        .values_list("bucket", "n")
    )
    start = first.replace(minute=0, second=0, microsecond=0)
    if step == DAY:
        start = start.replace(hour=0)
    buckets = []
    moment = start
    while moment <= now:
        buckets.append((moment, counted.get(moment, 0)))
        moment += step
    return buckets, step


def estimate(*, project: Project, answers: int, wanted: int, now: datetime) -> Estimate:
    recent = Submission.objects.filter(project=project, submitted_at__gt=now - PACE_WINDOW)
    first = Submission.objects.filter(project=project).aggregate(first=Min("submitted_at"))["first"]
    window = PACE_WINDOW if first is None or now - first >= PACE_WINDOW else now - first
    hours = max(window / HOUR, 1 / 60)
    per_hour = recent.count() / hours
    remaining = max(wanted - answers, 0)
    if remaining == 0:
        return Estimate(per_hour, 0, now)
    if per_hour <= 0:
        return Estimate(per_hour, remaining, None)
    return Estimate(per_hour, remaining, now + timedelta(hours=remaining / per_hour))


def _share_bars(values: list[float]) -> list[tuple[str, float]]:
    counts = histogram(values, bins=10)
    return [(f"{i * 10}–{i * 10 + 10}", float(n)) for i, n in enumerate(counts)]


def _workers_words(bars: list[tuple[str, float]]) -> list[str]:
    return [ngettext("%(n)d worker", "%(n)d workers", int(n)) % {"n": int(n)} for _label, n in bars]


def project_dashboard(*, project: Project, now: datetime) -> dict[str, Any]:
    counts = project_selectors.project_counts(project=project)
    answers, wanted = counts["answers"], counts["answers_wanted"]
    pace = estimate(project=project, answers=answers, wanted=wanted, now=now)
    buckets, step = _buckets(project, now)
    points: list[tuple[str, float]] = []
    total = 0
    for moment, n in buckets:
        total += n
        points.append((_label(moment, step), float(total)))
    # A long project shows its latest stretch; the count still starts at the first answer.
    points = points[-MAX_POINTS:]
    projected = []
    if pace.done_at is not None and pace.remaining:
        projected = [(_label(pace.done_at, step), float(wanted))]
    progress = line_chart(
        title=_("Answers so far"),
        desc=_("%(answers)d of %(wanted)d answers wanted, counted since the first answer.")
        % {"answers": answers, "wanted": wanted},
        points=points,
        target=float(wanted) or None,
        projected=projected,
    )
    day_ago = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=23)
    per_hour = dict(
        Submission.objects.filter(project=project, submitted_at__gte=day_ago)
        .annotate(bucket=TruncHour("submitted_at"))
        .values("bucket")
        .annotate(n=Count("id"))
        .values_list("bucket", "n")
    )
    hours = [day_ago + timedelta(hours=i) for i in range(24)]
    tallest = max(per_hour.values(), default=0)
    hourly_chart = bar_chart(
        title=_("Answers per hour, last 24 hours"),
        desc=ngettext(
            "One bar per hour (UTC); the tallest is %(n)d answer.",
            "One bar per hour (UTC); the tallest is %(n)d answers.",
            tallest,
        )
        % {"n": tallest},
        bars=[(h.strftime("%H"), float(per_hour.get(h, 0))) for h in hours],
        label_every=6,
    )
    skills = list(
        WorkerSkill.objects.filter(project=project).values_list(
            "agreed", "compared", "gold_correct", "gold_answers"
        )
    )
    agreement = [a / c for a, c, _g, _t in skills if c]
    accuracy = [g / t for _a, _c, g, t in skills if t]
    agreement_bars = _share_bars(agreement)
    accuracy_bars = _share_bars(accuracy)
    agreement_chart = bar_chart(
        title=_("Agreement with the label, per worker (%)"),
        desc=_("How many workers agree with the tasks' labels this often; %(n)d workers compared.")
        % {"n": len(agreement)},
        bars=agreement_bars,
        value_words=_workers_words(agreement_bars),
        label_every=2,
    )
    accuracy_chart = bar_chart(
        title=_("Control accuracy, per worker (%)"),
        desc=_("How many workers answer control tasks right this often; %(n)d workers checked.")
        % {"n": len(accuracy)},
        bars=accuracy_bars,
        value_words=_workers_words(accuracy_bars),
        label_every=2,
    )
    spend = payments_selectors.projects_spend([project])[0]
    rate, paid, active_ms = payments_selectors.project_hourly_rate(project=project)
    workers = Submission.objects.filter(project=project).values("worker").distinct().count()
    recent_workers = (
        Submission.objects.filter(project=project, submitted_at__gt=now - PACE_WINDOW)
        .values("worker")
        .distinct()
        .count()
    )
    currency = project.currency
    charts: list[Chart] = [progress, hourly_chart, agreement_chart, accuracy_chart]
    return {
        "counts": counts,
        "pace": pace,
        "pace_per_hour": f"{pace.per_hour:.1f}",
        "charts": charts,
        "workers": workers,
        "recent_workers": recent_workers,
        "spent": amount_text(spend.paid_to_workers + spend.fees, currency),
        "paid": amount_text(spend.paid_to_workers, currency),
        "fees": amount_text(spend.fees, currency),
        "committed": amount_text(spend.escrow, currency),
        "pending_answers": spend.pending_answers,
        "hourly_rate": amount_text(rate, currency) if rate is not None else None,
        "hourly_hours": f"{active_ms / 3_600_000:.1f}",
        "floor": amount_text(Decimal(settings.PAY_FLOOR_PER_HOUR), settings.PLATFORM_CURRENCY),
        "below_floor": rate is not None
        and currency == settings.PLATFORM_CURRENCY
        and rate < Decimal(settings.PAY_FLOOR_PER_HOUR),
        "paid_for_rate": amount_text(paid, currency),
    }
