"""Amounts shown in another currency at the operators' rate: for display, never posted."""

from decimal import ROUND_HALF_UP, Decimal

from microwork.ledger.models import ExchangeRate
from microwork.lib.money import CURRENCIES


def exchange_estimate(amount: Decimal, currency: str, target: str) -> Decimal | None:
    """`amount` shown in `target` at the operators' rate; None when no rate is kept."""
    if currency == target:
        return amount
    rate = (
        ExchangeRate.objects.filter(base=currency, currency=target)
        .values_list("rate", flat=True)
        .first()
    )
    if rate is None:
        return None
    places = CURRENCIES.get(target, 2)
    return (amount * rate).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
