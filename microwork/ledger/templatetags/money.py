from decimal import Decimal

from django import template

from microwork.lib.money import format_money

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str = "") -> str:
    """0.05 USD, 0.004 USD, 1500 MGA: the currency's minor unit, more only when needed."""
    if amount is None:
        return "–"
    text = format_money(Decimal(amount), currency or "USD")
    return text if currency else text.rsplit(" ", 1)[0]
