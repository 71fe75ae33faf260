"""Money is a Decimal amount with a currency. Never a float."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from microwork.lib.errors import ApplicationError

# Amounts are stored with six decimal places so sub-cent rewards (0.004 USD a task) stay exact;
# they are rounded to the currency's minor unit only when money leaves the platform.
AMOUNT_DIGITS = 18
AMOUNT_PLACES = 6
QUANTUM = Decimal(1).scaleb(-AMOUNT_PLACES)
CURRENCIES = {"USD": 2, "EUR": 2, "GBP": 2, "NGN": 2, "ZAR": 2, "PKR": 2, "MGA": 0, "XOF": 0}
CURRENCY_CHOICES = [(code, code) for code in sorted(CURRENCIES)]


def parse_amount(value: object, *, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """A positive Decimal from user input, or an ApplicationError naming the field."""
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ApplicationError(
            _("%(field)s must be a number such as 0.05.") % {"field": field},
            code="invalid_amount",
            field=field,
        ) from None
    if not amount.is_finite():
        raise ApplicationError(
            _("%(field)s must be a finite number.") % {"field": field}, field=field
        )
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ApplicationError(
            _("%(field)s must be greater than zero.") % {"field": field},
            code="invalid_amount",
            field=field,
        )
    if amount != amount.quantize(QUANTUM):
        raise ApplicationError(
            _("%(field)s has more than %(places)d decimal places.")
            % {"field": field, "places": AMOUNT_PLACES},
            code="invalid_amount",
            field=field,
        )
    return amount


def check_currency(code: str, *, field: str = "currency") -> str:
    code = (code or "").upper()
    if code not in CURRENCIES:
        raise ApplicationError(
            _("Unknown currency %(code)s.") % {"code": code}, code="invalid_currency", field=field
        )
    return code


def to_minor_unit(amount: Decimal, currency: str) -> Decimal:
    """Round half-up to the currency's smallest coin: used when paying out, never in between."""
    places = CURRENCIES.get(currency, 2)
    return amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __str__(self) -> str:
        return format_money(self.amount, self.currency)


def format_money(amount: Decimal, currency: str) -> str:
    """Show at least the currency's minor unit, more only when the amount needs it (0.004 USD)."""
    places = CURRENCIES.get(currency, 2)
    normal = amount.normalize()
    exponent = normal.as_tuple().exponent
    shown = max(places, -exponent if isinstance(exponent, int) else places)
    return f"{amount:.{shown}f} {currency}"


def hourly_rate(reward: Decimal, seconds: float | int | Decimal) -> Decimal:
    """Reward per task over seconds per task, as money per hour, rounded to cents."""
    seconds = Decimal(str(seconds))
    if seconds <= 0:
        return Decimal(0)
    return (reward * Decimal(3600) / seconds).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
