"""Money is a Decimal amount with a currency. Never a float."""

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from pydantic import BeforeValidator, Field, ValidationInfo, WithJsonSchema

from microwork.lib.errors import ApplicationError

# Amounts are stored with six decimal places so sub-cent rewards (0.004 USD a task) stay exact;
# they are rounded to the currency's minor unit only when money leaves the platform.
AMOUNT_DIGITS = 18
AMOUNT_PLACES = 6
QUANTUM = Decimal(1).scaleb(-AMOUNT_PLACES)
# The largest amount anyone may enter anywhere (reward, deposit, bonus, payout, a setting): one
# billion. A column holds AMOUNT_DIGITS - AMOUNT_PLACES = 12 whole digits; the thousandfold
# headroom keeps the sums built from entered amounts (balances, escrow, a statement's running
# total) inside the column too.
MAX_AMOUNT = Decimal(10) ** 9
# What an account's balance can hold at most: the column's own limit.
MAX_BALANCE = Decimal(10) ** (AMOUNT_DIGITS - AMOUNT_PLACES) - QUANTUM
# Amounts are written the plain way, 0.05 or 12: an exponent ("1e12") is how a mistake or an
# attack looks, and a long string of digits costs time to read.
_PLAIN = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
_LONGEST = AMOUNT_DIGITS + 4
CURRENCIES = {"USD": 2, "EUR": 2, "GBP": 2, "NGN": 2, "ZAR": 2, "PKR": 2, "MGA": 0, "XOF": 0}
CURRENCY_CHOICES = [(code, code) for code in sorted(CURRENCIES)]


def parse_amount(value: object, *, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """A positive Decimal from user input, or an ApplicationError naming the field.

    Every money input (API schemas, forms, services, settings) comes through here, so the
    bound, the precision and the refusal of NaN, infinities and exponents hold everywhere."""
    if isinstance(value, bool):
        value = ""  # True is an int to Python, not an amount to anyone
    if isinstance(value, float):
        # A JSON number: read from its shortest decimal form, so 0.05 stays 0.05.
        amount = Decimal(repr(value))
    elif isinstance(value, Decimal | int):
        amount = Decimal(value)
    else:
        text = str(value).strip() if value is not None else ""
        if len(text) > _LONGEST or not _PLAIN.fullmatch(text):
            if text.lower().lstrip("+-") in {"nan", "snan", "inf", "infinity"}:
                raise ApplicationError(
                    _("%(field)s must be a finite number.") % {"field": field},
                    code="invalid_amount",
                    field=field,
                )
            raise ApplicationError(
                _("%(field)s must be a number such as 0.05.") % {"field": field},
                code="invalid_amount",
                field=field,
            )
        amount = Decimal(text)
    if not amount.is_finite():
        raise ApplicationError(
            _("%(field)s must be a finite number.") % {"field": field},
            code="invalid_amount",
            field=field,
        )
    if amount > MAX_AMOUNT:
        raise ApplicationError(
            _("%(field)s must be at most %(max)s.")
            % {
                "field": field,
                "max": number_format(MAX_AMOUNT, decimal_pos=0, force_grouping=True),
            },
            code="invalid_amount",
            field=field,
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


def _amount_field(value: object, info: ValidationInfo) -> object:
    if value is None:
        return value  # an optional field left out: the union's None branch takes it
    return parse_amount(value, field=info.field_name or "amount", allow_zero=True)


# A money field of an API schema. It refuses (400, naming the field) what parse_amount refuses,
# before pydantic's own Decimal check could answer 422 for some of it; whether zero is allowed
# stays the service's call.
AmountIn = Annotated[
    Decimal,
    BeforeValidator(_amount_field),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": int(MAX_AMOUNT)},
                {"type": "string", "pattern": f"^{_PLAIN.pattern}$", "maxLength": _LONGEST},
            ]
        }
    ),
]


# A currency code as a client sends it: three letters (ISO 4217), checked against CURRENCIES.
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Za-z]{3}$")]


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


def hourly_rate(reward: Decimal, seconds: float | int | Decimal) -> Decimal:
    """Reward per task over seconds per task, as money per hour, rounded to cents."""
    seconds = Decimal(str(seconds))
    if seconds <= 0:
        return Decimal(0)
    return (reward * Decimal(3600) / seconds).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
