"""A requester's record as workers see it, computed by the platform from what happened, never
from what the requester says. Each figure has one function here, from plain facts (so the
tests can check each formula), and `selectors.requester_record` gathers the facts.

The formulas, in the words the record page shows (FORMULAS):
- real hourly rate: what workers were paid for answers the requester decided (the reward of
  each approved answer, plus pay-floor top-ups; bonuses left out, they are extras), divided by
  the time those answers were on screen, approved and rejected alike, since rejected work took
  time too; each answer's time capped at the project's time limit.
- approval rate and rejection rate: approved answers, and rejected answers, out of the answers
  decided (answers still waiting are not counted).
- median time to approve: the middle of the times from an answer's arrival to its approval.
- appeals won against it: appeals whose decision was reversed, out of appeals answered.
- median time to answer an appeal: the middle of the times from an appeal to its answer.
- workers' ratings: the mean of each mark (1 to 5) workers gave its projects.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

# Only what happened this recently counts: a requester that changed its ways is judged on its
# present, and the queries stay bounded.
RECORD_WINDOW = timedelta(days=180)
# Under this many decided answers the rates are shown with a warning that they say little.
FEW_ANSWERS = 20

FORMULAS = {
    "hourly": _(
        "What workers were paid for the answers this requester decided (the reward of each "
        "approved answer plus any top-up to the pay floor; bonuses not counted), divided by "
        "the time all those answers were on screen, approved and rejected alike. Each answer's "
        "time counts up to the project's time limit."
    ),
    "approval": _(
        "Approved answers out of all answers decided; answers still waiting are left out."
    ),
    "rejection": _("Rejected answers out of all answers decided, after appeals."),
    "approve_time": _(
        "Half of the approvals came sooner than this after the answer was sent, half later."
    ),
    "appeals": _(
        "Appeals against this requester's decisions that were reversed, out of all appeals answered."
    ),
    "appeal_time": _("Half of the appeals were answered sooner than this, half later."),
    "ratings": _(
        "The average of the marks (1 to 5) workers gave this requester's projects after working on "
        "them: clear instructions, fair review, pay for the time."
    ),
}


@dataclass(frozen=True)
class DecidedAnswer:
    approved: bool
    # Seconds on screen, capped at the project's time limit.
    seconds: Decimal
    # What the worker was paid for it (0 when rejected).
    paid: Decimal


@dataclass
class CurrencyRate:
    currency: str
    hourly: Decimal | None
    answers: int


@dataclass
class RequesterRecord:
    organisation_name: str
    decided: int = 0
    approved: int = 0
    rejected: int = 0
    hourly: list[CurrencyRate] = field(default_factory=list)
    median_approve: timedelta | None = None
    appeals_answered: int = 0
    appeals_reversed: int = 0
    median_appeal_answer: timedelta | None = None
    ratings: int = 0
    instructions: Decimal | None = None
    fairness: Decimal | None = None
    pay: Decimal | None = None

    @property
    def approval_rate(self) -> Decimal | None:
        return share(self.approved, self.decided)

    @property
    def rejection_rate(self) -> Decimal | None:
        return share(self.rejected, self.decided)

    @property
    def appeals_won_rate(self) -> Decimal | None:
        return share(self.appeals_reversed, self.appeals_answered)

    @property
    def few_answers(self) -> bool:
        return self.decided < FEW_ANSWERS


def share(part: int, whole: int) -> Decimal | None:
    """part out of whole as a percentage to one decimal; None when there is nothing to count."""
    if whole <= 0:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def hourly_rate(answers: list[DecidedAnswer], topups: Decimal = Decimal(0)) -> Decimal | None:
    """Paid (answers and top-ups) per hour on screen, to the cent; None without time."""
    seconds = sum((a.seconds for a in answers), Decimal(0))
    if seconds <= 0:
        return None
    paid = sum((a.paid for a in answers), Decimal(0)) + topups
    return (paid * 3600 / seconds).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def median_duration(durations: list[timedelta]) -> timedelta | None:
    """The middle duration (the mean of the two middle ones for an even count), to the second."""
    if not durations:
        return None
    middle = median(d.total_seconds() for d in durations)
    return timedelta(seconds=round(middle))


def mean_mark(marks: list[int]) -> Decimal | None:
    if not marks:
        return None
    return (Decimal(sum(marks)) / len(marks)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def duration_words(duration: timedelta | None) -> str:
    """A duration as a person says it: the two largest units (days and hours, hours and
    minutes, or minutes alone)."""
    if duration is None:
        return ""
    minutes = max(0, round(duration.total_seconds() / 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("%(n)d day", "%(n)d days", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours})
    if minutes and not days:
        parts.append(ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes})
    if not parts:
        return gettext("under a minute")
    return " ".join(parts)


def percent(value: Decimal | None) -> str:
    """A share for reading: “92.5%” in English, “92,5 %” in French (the no-break space and the decimal mark follow the
    language)."""
    if value is None:
        return "—"
    return gettext("%(value)s%%") % {"value": number_format(value, 1)}
