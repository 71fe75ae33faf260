"""How the record's figures read: shares, durations, marks and hourly rates in the page's
language."""

from datetime import timedelta
from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from microwork.voice.record import duration_words
from microwork.voice.record import percent as percent_words

register = template.Library()


@register.filter
def percent(value: Decimal | None) -> str:
    return percent_words(value)


@register.filter
def duration(value: timedelta | None) -> str:
    return duration_words(value)


@register.filter
def mark(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return _("%(mark)s out of 5") % {"mark": number_format(value, 1)}


@register.filter
def money_hour(value: Decimal, currency: str) -> str:
    return _("%(amount)s %(currency)s an hour") % {
        "amount": number_format(value, 2),
        "currency": currency,
    }
