"""Numbers, money, percentages and dates as the reader's language writes them. Every page,
inbox line and e-mail formats through here (templates through the filters in
`microwork.lib.template_filters`, loaded everywhere), so a French page never mixes "0.03 USD"
with "13,50 USD".

- A balance, a total or a payout shows the currency's usual decimals (2 for USD, 0 for MGA),
  rounded half-up: `amount_text`.
- A per-task reward may be finer than a cent (0.004 USD): `reward_text` shows as many
  decimals as it needs, and the pages mark it as a reward per task.
- French: a decimal comma, a no-break space between thousands, before the currency and
  before "%"; English: 1,500.50 USD and 45% (the format modules in `microwork/lib/locale_formats/`).
- Dates: one style per language (the same format modules), in UTC as stored.
"""

from collections.abc import Callable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import formats
from django.utils.translation import get_language, gettext, ngettext

from microwork.lib.money import AMOUNT_PLACES, CURRENCIES
from microwork.lib.progress import PhaseView, ProgressView

NBSP = "\N{NO-BREAK SPACE}"


def minor_places(currency: str) -> int:
    """The currency's usual decimals: 2 but for the few without cents."""
    return CURRENCIES.get(currency, 2)


def number_text(value: Decimal | int | float, places: int | None = None) -> str:
    """A number with the language's decimal mark and thousands grouping (1,500.5 / 1 500,5)."""
    if places is not None:
        value = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return formats.number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


def _french() -> bool:
    return (get_language() or "").startswith("fr")


def _with_currency(number: str, currency: str) -> str:
    # French keeps a figure and its unit together with a no-break space (as before "%").
    if not currency:
        return number
    return f"{number}{NBSP if _french() else ' '}{currency}"


def amount_text(amount: Decimal | int | None, currency: str = "") -> str:
    """A balance or a sum in the currency's usual decimals: 13.50 USD, 13,50 USD, 1,500 MGA."""
    if amount is None:
        return "–"
    return _with_currency(number_text(Decimal(amount), minor_places(currency)), currency)


def reward_text(amount: Decimal | int | None, currency: str = "") -> str:
    """A per-task amount, exact: the currency's decimals, more only when the amount needs them
    (0.004 USD), never the six stored ones for nothing."""
    if amount is None:
        return "–"
    value = Decimal(amount)
    exponent = value.normalize().as_tuple().exponent
    needed = -exponent if isinstance(exponent, int) else 0
    places = min(AMOUNT_PLACES, max(minor_places(currency), needed))
    return _with_currency(number_text(value, places), currency)


def percent_text(value: Decimal | int | float | None, places: int | None = None) -> str:
    """A percentage given as a number of hundredths (45 → 45 % / 45%); without `places`, the
    decimals it needs, at most two (20 %, 2,5 %)."""
    if value is None:
        return "–"
    if places is None:
        exponent = Decimal(str(value)).normalize().as_tuple().exponent
        places = min(2, max(0, -exponent)) if isinstance(exponent, int) else 0
    number = number_text(value, places)
    return f"{number}{NBSP}%" if _french() else f"{number}%"


def share_text(value: Decimal | int | float | None, places: int = 0) -> str:
    """A share given between 0 and 1 as a percentage (0.45 → 45 %)."""
    if value is None:
        return "–"
    return percent_text(Decimal(str(value)) * 100, places)


def date_text(value: date | datetime | None) -> str:
    """A day in the language's one date style: 3 Dec 2026 / 3 déc. 2026."""
    if value is None:
        return "–"
    return _first_of_month(formats.date_format(value, "DATE_FORMAT", use_l10n=True), value)


def datetime_text(value: datetime | None) -> str:
    """A moment in the language's one style: 3 Dec 2026, 14:05 / 3 déc. 2026 à 14:05."""
    if value is None:
        return "–"
    return _first_of_month(formats.date_format(value, "DATETIME_FORMAT", use_l10n=True), value)


def _first_of_month(text: str, value: date) -> str:
    """French writes the first day of a month as an ordinal: « 1er déc. », « 2 déc. »."""
    if _french() and value.day == 1 and text.startswith("1 "):
        return "1er " + text[2:]
    return text


# Amounts in sentences (refusals, inbox lines, e-mails) are exact, as a reward is.
format_money = reward_text


def time_left_text(seconds: int) -> str:
    """A long job's estimate of the time left, in the largest unit that reads well."""
    if seconds < 60:
        return ngettext("about %(n)d second left", "about %(n)d seconds left", seconds) % {
            "n": seconds
        }
    minutes = round(seconds / 60)
    if minutes < 120:
        return ngettext("about %(n)d minute left", "about %(n)d minutes left", minutes) % {
            "n": minutes
        }
    hours = round(seconds / 3600)
    return ngettext("about %(n)d hour left", "about %(n)d hours left", hours) % {"n": hours}


def clock_text(seconds: int | None) -> str:
    """A countdown as minutes and seconds, as a timer shows it: 599 → 9:59, 3725 → 62:05."""
    total = max(0, int(seconds or 0))
    return f"{total // 60}:{total % 60:02d}"


def progress_in_words(
    progress: ProgressView, describe: Callable[[PhaseView], tuple[str, str]]
) -> dict[str, Any]:
    """A long job's progress for the page that waits on it: each phase's name and count in
    words (`describe` gives them for the job's own phases), its state, the share done and the
    time left."""
    states = {"waiting": gettext("waiting"), "done": gettext("done")}
    lines = []
    for phase in progress.phases:
        name, count = describe(phase)
        state = states.get(phase.state) or gettext("%(p)d %%") % {"p": phase.percent}
        lines.append({"name": name, "state": state, "count": count, "key": phase.key})
    seconds = progress.seconds_left
    return {
        "phases": lines,
        "percent": progress.percent,
        "time_left": time_left_text(seconds) if seconds is not None else "",
    }
